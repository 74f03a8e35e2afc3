"""Fine-tuning end to end on a tiny model: overfit, save/reload, resume."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import torch

from training.config import FinetuneConfig
from training.finetune import finetune, train


def _config(tmp_path: Path, encoder: Path, gold: Path, **changes: Any) -> FinetuneConfig:
    values: dict[str, Any] = {
        "base": str(encoder), "train": [str(gold)], "dev": str(gold), "name": "tiny",
        "output_dir": str(tmp_path / "model"), "run_dir": str(tmp_path / "run"),
        "epochs": 150, "batch_size": 4, "learning_rate": 5e-3, "warmup_ratio": 0.0, "weight_decay": 0.0,
        "max_length": 24, "stride": 6, "classifier_dropout": 0.0, "save_steps": 1000, "logging_steps": 10,
        "eval_each_epoch": False, "seed": 7,
    }  # fmt: skip
    values.update(changes)
    return FinetuneConfig(**values)


def test_overfit_save_reload(tmp_path: Path, tiny_encoder_dir: Path, gold_file: Path, gold_records: list[Any]) -> None:
    from arabnews_nlp.model_dir import load_analyzer
    from training.evaluation.modes import evaluate_model

    config = _config(tmp_path, tiny_encoder_dir, gold_file, ngram=True)
    out = finetune(config, command="python -m training finetune --config tiny.yaml")
    assert out is not None
    settings = json.loads((out / "arabnews_nlp.json").read_text(encoding="utf-8"))
    assert (out / "ngram.safetensors").is_file() and set(settings["ngram"]) >= {"stance_weight", "events_weight"}
    losses = [
        e["loss"]
        for e in map(json.loads, (Path(config.run_dir) / "log.jsonl").read_text(encoding="utf-8").splitlines())
        if "loss" in e
    ]
    assert losses[-1] < losses[0] / 5
    dev = json.loads((Path(config.run_dir) / "eval_dev.json").read_text(encoding="utf-8"))
    sentences = dev["sentences"]
    assert sentences["ner"]["micro"]["f1"] == 1.0
    assert sentences["stance"]["accuracy"] == 1.0
    assert sentences["events"]["exact_match"] == 1.0
    assert dev["command"].startswith("python -m training evaluate --model")
    card = (out / "README.md").read_text(encoding="utf-8")
    assert "python -m training finetune --config tiny.yaml" in card and "1.000" in card
    # the keyword baseline is fitted on the same training records and scored on the same dev file
    baseline = json.loads((Path(config.run_dir) / "eval_baseline_dev.json").read_text(encoding="utf-8"))
    assert baseline["command"].startswith("python -m training evaluate --baseline")
    assert (Path(config.run_dir) / "baseline.json").is_file()
    ner_row = next(line for line in card.splitlines() if line.startswith("| NER micro-F1 (seqeval) |"))
    assert ner_row == f"| NER micro-F1 (seqeval) | 1.000 | {baseline['sentences']['ner']['micro']['f1']:.3f} | " + (
        f"{1.0 - baseline['sentences']['ner']['micro']['f1']:+.3f} |"
    )
    # reload twice: identical predictions
    first = evaluate_model(*load_analyzer(out, device="cpu"), gold_records, "both")
    second = evaluate_model(*load_analyzer(out, device="cpu"), gold_records, "both")
    assert first == second
    assert first["sentences"] == sentences


def _stop_at(step: int) -> Any:
    """A callback that interrupts training after ``step``."""
    from transformers import TrainerCallback

    class StopAt(TrainerCallback):
        def on_step_end(self, args: Any, state: Any, control: Any, **kwargs: Any) -> Any:
            if state.global_step == step:
                control.should_training_stop = True
            return control

    return StopAt()


def _first_steps(seen: list[int]) -> Any:
    """A callback that records the global step at which training (re)starts."""
    from transformers import TrainerCallback

    class Record(TrainerCallback):
        def on_train_begin(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
            seen.append(state.global_step)

    return Record()


def test_resume_matches_uninterrupted(tmp_path: Path, tiny_encoder_dir: Path, gold_file: Path) -> None:
    common = {"epochs": 4, "batch_size": 2, "save_steps": 2, "classifier_dropout": 0.1, "learning_rate": 1e-3}
    full = _config(tmp_path / "a", tiny_encoder_dir, gold_file, eval_each_epoch=True, **common)
    model_full = train(full)[0]  # per-epoch dev scoring must not disturb training
    log = [json.loads(line) for line in (Path(full.run_dir) / "log.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [e["epoch"] for e in log if "dev" in e] == [1.0, 2.0, 3.0, 4.0]
    assert "sentences/ner_f1" in log[-2]["dev"] or "sentences/ner_f1" in log[-1]["dev"]
    cut = _config(tmp_path / "b", tiny_encoder_dir, gold_file, **common)
    train(cut, callbacks=[_stop_at(3)])  # checkpoint-2 is written; step 3 is lost
    assert sorted(p.name for p in Path(cut.run_dir).glob("checkpoint-*")) == ["checkpoint-2"]
    half_saved = Path(cut.run_dir) / "checkpoint-3"  # a stop while saving: no trainer_state.json
    half_saved.mkdir()
    (half_saved / "config.json").write_text("{}", encoding="utf-8")
    starts: list[int] = []
    model_resumed = train(cut, resume=True, callbacks=[_first_steps(starts)])[0]
    assert starts == [2]
    full_state, resumed_state = model_full.state_dict(), model_resumed.state_dict()
    assert full_state.keys() == resumed_state.keys()
    for name in full_state:
        assert torch.allclose(full_state[name], resumed_state[name], atol=1e-6), name


def test_word_vectors_fill_rows_by_word_hash(tmp_path: Path, tiny_encoder_dir: Path, gold_file: Path) -> None:
    from safetensors.torch import save_file

    from arabnews_nlp.word_hash import word_bucket, word_piece_hash
    from training.model_init import build_model

    words = ["بغداد", "السوداني", "التحالف"]
    vectors = torch.arange(3 * 8, dtype=torch.float32).reshape(3, 8) + 1.0
    folder = tmp_path / "vectors"
    folder.mkdir()
    save_file({"vectors": vectors}, str(folder / "vectors.safetensors"))
    (folder / "words.txt").write_text("\n".join(words) + "\n", encoding="utf-8")
    config = _config(tmp_path, tiny_encoder_dir, gold_file, word_buckets=997, word_dim=8, word_vectors=str(folder))
    model, tokenizer, _ = build_model(config)
    table = model.word_embeddings.weight
    assert not table.requires_grad  # frozen unless word_vectors_trainable
    for word, vector in zip(words, vectors, strict=True):
        ids = tokenizer.backend_tokenizer.encode([word], is_pretokenized=True, add_special_tokens=False).ids
        row = table[word_bucket(word_piece_hash(ids), 997)]
        assert torch.allclose(row, vector / vector.norm(), atol=1e-6)
    with_buckets = model.word_buckets(torch.tensor([[2, *ids, 3]]))[0, 1:-1]
    assert set(with_buckets.tolist()) == {word_bucket(word_piece_hash(ids), 997)}


def test_word_vectors_need_buckets(tmp_path: Path, tiny_encoder_dir: Path, gold_file: Path) -> None:
    import pytest

    from arabnews_nlp.errors import ConfigError

    with pytest.raises(ConfigError, match="word_buckets"):
        _config(tmp_path, tiny_encoder_dir, gold_file, word_vectors=str(tmp_path))


def test_gazetteer_and_stance_choices_are_made_on_dev(tiny_model_dir: Path, gold_records: list[Any]) -> None:
    """An untrained model gains from the training names: the dev grid must switch the gazetteer on."""
    from arabnews_nlp.model_dir import load_analyzer
    from training.evaluation.modes import evaluate_model
    from training.baseline import precise_gazetteer
    from training.tuning import choose_gazetteer, predict_dev, tune_event_thresholds, tune_stance_weights

    model, tokenizer, settings = load_analyzer(tiny_model_dir, device="cpu")
    dev = predict_dev(model, tokenizer, settings, gold_records, 8)
    names, mode, floor = choose_gazetteer(settings, gold_records, gold_records, dev)
    assert mode in ("fill", "override") and names
    assert names == precise_gazetteer(gold_records)  # names that are mostly common words are left out
    assert all(label in ("PER", "ORG", "LOC", "FAC") for label in names.values())
    off = evaluate_model(model, tokenizer, settings, gold_records, "sentences", 8)["sentences"]["ner"]["micro"]["f1"]
    chosen = dataclasses.replace(settings, gazetteer=names, gazetteer_mode=mode, ner_min_score=floor)
    on = evaluate_model(model, tokenizer, chosen, gold_records, "sentences", 8)["sentences"]["ner"]["micro"]["f1"]
    assert on > off
    weights = tune_stance_weights(settings, dev)
    assert set(weights) <= {"anti", "pro"} and all(w in (1.0, 1.5, 2.0, 3.0) for w in weights.values())
    shared, per_type = tune_event_thresholds(dev), tune_event_thresholds(dev, shared=False)
    assert set(shared) == set(per_type) == set(settings.labels["events"]) and len(set(shared.values())) == 1


def _epoch_snapshots(snapshots: list[dict[str, torch.Tensor]]) -> Any:
    """A callback that copies the model's weights at the end of every epoch."""
    from transformers import TrainerCallback

    class Snapshot(TrainerCallback):
        def on_epoch_end(self, args: Any, state: Any, control: Any, model: Any = None, **kwargs: Any) -> None:
            snapshots.append({k: v.detach().clone() for k, v in model.state_dict().items()})

    return Snapshot()


def test_weight_averaging_is_the_mean_of_the_last_epochs_and_resumes(
    tmp_path: Path, tiny_encoder_dir: Path, gold_file: Path
) -> None:
    common = {"epochs": 4, "batch_size": 2, "classifier_dropout": 0.1, "learning_rate": 1e-3, "average_last_epochs": 2}
    snapshots: list[dict[str, torch.Tensor]] = []
    full = _config(tmp_path / "a", tiny_encoder_dir, gold_file, eval_each_epoch=True, **common)
    model, _, _, trainer = train(full, callbacks=[_epoch_snapshots(snapshots)])
    averaged = model.state_dict()
    assert len(snapshots) == 4
    log = [json.loads(line) for line in (Path(full.run_dir) / "log.jsonl").read_text(encoding="utf-8").splitlines()]
    assert "sentences/ner_f1" in log[-1]["dev_averaged"]  # the averaged weights are scored like each epoch
    for name, value in averaged.items():
        if value.is_floating_point():
            assert torch.allclose(value, (snapshots[2][name] + snapshots[3][name]) / 2, atol=1e-6), name
    assert not torch.allclose(averaged["stance_head.weight"], snapshots[3]["stance_head.weight"])
    # interrupted one step after the end of epoch 3 (the first averaged one): its checkpoint
    # carries the running average, and resuming gives the uninterrupted result
    stop = trainer.state.max_steps * 3 // 4 + 1
    cut = _config(tmp_path / "b", tiny_encoder_dir, gold_file, save_steps=1, **common)
    train(cut, callbacks=[_stop_at(stop)])
    assert (Path(cut.run_dir) / f"checkpoint-{stop}" / "weight_average.safetensors").is_file()
    resumed = train(cut, resume=True)[0].state_dict()
    for name, value in averaged.items():
        assert torch.allclose(value, resumed[name], atol=1e-6), name


def test_warm_start_continues_from_a_trained_analyzer(tmp_path: Path, tiny_model_dir: Path, gold_file: Path) -> None:
    from arabnews_nlp.model_dir import load_analyzer
    from training.base_checks import is_analyzer_dir
    from training.model_init import build_model

    assert is_analyzer_dir(str(tiny_model_dir)) and not is_analyzer_dir(str(tmp_path))
    config = _config(tmp_path, tiny_model_dir, gold_file, epochs=2)
    model, _, settings = build_model(config)
    trained = load_analyzer(tiny_model_dir, device="cpu", dtype=torch.float32)[0].state_dict()
    start = model.state_dict()
    assert start.keys() == trained.keys() and model.training
    for name in trained:  # every weight, heads and word embeddings included, comes from the analyzer
        assert torch.equal(start[name], trained[name]), name
    assert settings.base_model == str(tiny_model_dir) and settings.ngram_model is None  # re-chosen by finish()
    out = finetune(config)
    assert out is not None
    moved = load_analyzer(out, device="cpu", dtype=torch.float32)[0].state_dict()
    assert any(not torch.equal(moved[name], trained[name]) for name in trained)


def _retuned_with_ngram_models(tmp_path: Path, model_dir: Path, gold_file: Path) -> Path:
    """``model_dir`` retuned with n-gram models fitted on ``gold_file``: ``tmp_path / "refit"``."""
    from training.retune import main as retune

    refit = tmp_path / "refit.json"
    refit.write_text(json.dumps({"train": [str(gold_file)], "dev": str(gold_file), "ngram": True, "max_length": 24,
                                 "stride": 6, "output_dir": str(tmp_path / "refit"), "run_dir": str(tmp_path / "r")}),
                     encoding="utf-8")  # fmt: skip
    assert retune(["retune", "--model", str(model_dir), "--config", str(refit)]) == 0
    return tmp_path / "refit"


def test_continuing_a_trained_analyzer_keeps_its_word_clusters(
    tmp_path: Path, tiny_model_dir: Path, tiny_encoder_dir: Path, gold_file: Path
) -> None:
    """Like retune, a continued run keeps the base's clusters: the config's word vectors need not exist."""
    import numpy as np

    from arabnews_nlp.errors import ConfigError
    from arabnews_nlp.model_dir import load_analyzer, save_analyzer
    from arabnews_nlp.ngram_features import WordClusters

    refit = _retuned_with_ngram_models(tmp_path, tiny_model_dir, gold_file)
    model, tokenizer, settings = load_analyzer(refit, device="cpu", dtype=torch.float32)
    clusters = WordClusters.from_words({"بغداد": (1,), "العراق": (1,), "قال": (0,)})
    settings.ngram_model.clusters = clusters
    save_analyzer(tmp_path / "clustered", model, tokenizer, settings, dtype=torch.float32)
    missing = {"word_vectors": str(tmp_path / "no-vectors"), "ngram_clusters": [8], "word_buckets": 257}
    # as the shipped continue config on a fresh clone: its word_vectors folder was never made
    config = _config(tmp_path / "c", tmp_path / "clustered", gold_file, epochs=1, ngram=True, **missing)
    out = finetune(config)
    assert out is not None
    kept = load_analyzer(out, device="cpu")[2].ngram_model.clusters
    np.testing.assert_array_equal(kept.keys, clusters.keys)
    np.testing.assert_array_equal(kept.ids, clusters.ids)
    # an encoder, or an analyzer without clusters, still needs the vectors, and says so before training
    with pytest.raises(ConfigError, match="has no vectors.safetensors"):
        _config(tmp_path / "e", tiny_encoder_dir, gold_file, ngram=True, **missing)
    plain = _config(tmp_path / "p", tiny_model_dir, gold_file, epochs=1, ngram=True, **missing)
    with pytest.raises(ConfigError, match="has no vectors.safetensors"):
        finetune(plain)
    assert not Path(plain.run_dir).exists()


@pytest.mark.parametrize("tasks", [["ner"], ["stance", "events"]])
def test_finetune_on_annotations_of_some_layers(
    tmp_path: Path, tiny_encoder_dir: Path, gold_file: Path, gold_records: list[Any], tasks: list[str]
) -> None:
    """Training, the n-gram models, the gazetteer and the card all finish when the data annotate some layers only."""
    from arabnews_nlp.model_dir import load_analyzer
    from training.data.records import with_tasks, write_records

    partial = tmp_path / "partial.jsonl"
    write_records(partial, [with_tasks(record, tasks) for record in gold_records])
    config = _config(tmp_path, tiny_encoder_dir, gold_file, train=[str(partial)], epochs=2, ngram=True, gazetteer=True,
                     allow_held_out_copies=True)  # dev: the same documents with every layer  # fmt: skip
    out = finetune(config)
    assert out is not None and (out / "README.md").is_file()
    settings = load_analyzer(out, device="cpu")[2]
    assert settings.ngram is not None and settings.metrics


def test_finetune_with_a_dev_split_without_ner(
    tmp_path: Path, tiny_encoder_dir: Path, gold_file: Path, gold_records: list[Any]
) -> None:
    """With nothing to choose the gazetteer on, it stays off (this failed after training before)."""
    from arabnews_nlp.model_dir import load_analyzer
    from training.data.records import write_records

    dev = tmp_path / "dev.jsonl"
    write_records(dev, [dict(record, tasks=["stance", "events"]) for record in gold_records])
    config = _config(tmp_path, tiny_encoder_dir, gold_file, dev=str(dev), epochs=2, ngram=True, gazetteer=True,
                     stance_factors=True, event_thresholds="per_type", allow_held_out_copies=True)  # fmt: skip
    out = finetune(config)
    assert out is not None
    settings = load_analyzer(out, device="cpu")[2]
    assert settings.gazetteer_mode == "off" and settings.gazetteer == {} and settings.ngram["ner_weight"] == 0.0


def test_resume_logs_each_step_once(tmp_path: Path, tiny_encoder_dir: Path, gold_file: Path) -> None:
    """The entries of the steps after the checkpoint are dropped: the resumed run logs them again."""
    config = _config(tmp_path, tiny_encoder_dir, gold_file, epochs=3, batch_size=2, save_steps=2, logging_steps=1,
                     eval_each_epoch=True)  # fmt: skip
    log_path = Path(config.run_dir) / "log.jsonl"
    train(config, callbacks=[_stop_at(5)])  # checkpoint-4 is written; step 5 is logged, then lost
    logged = [json.loads(line) for line in log_path.read_text(encoding="utf-8").splitlines()]
    assert [e["step"] for e in logged if "loss" in e] == [1, 2, 3, 4, 5]
    with open(log_path, "a", encoding="utf-8") as handle:
        handle.write('{"note": "kept: no step"}\n{"step": 6, "lo')  # and a write cut by the interruption
    max_steps = train(config, resume=True)[3].state.max_steps
    log = [json.loads(line) for line in log_path.read_text(encoding="utf-8").splitlines()]
    assert [e["step"] for e in log if "loss" in e] == list(range(1, max_steps + 1))
    assert [e["epoch"] for e in log if "dev" in e] == [1.0, 2.0, 3.0]
    assert [e["step"] for e in log if "train_runtime" in e] == [max_steps]  # the interrupted run's summary went
    assert {"note": "kept: no step"} in log
    steps = [e["step"] for e in log if "step" in e]
    assert steps == sorted(steps)


def test_resume_refuses_changed_training_settings(tmp_path: Path, tiny_encoder_dir: Path, gold_file: Path) -> None:
    """``--resume`` with other training settings stops before training and names each change, old → new."""
    from arabnews_nlp.errors import ConfigError

    config = _config(tmp_path, tiny_encoder_dir, gold_file, epochs=2, batch_size=2, save_steps=2)
    train(config, callbacks=[_stop_at(3)])  # checkpoint-2 is written
    other = tmp_path / "other.jsonl"
    other.write_bytes(gold_file.read_bytes())
    outputs = {"output_dir": str(tmp_path / "elsewhere"), "eval_batch_size": 3, "logging_steps": 1,
               "description": "moved", "eval_each_epoch": True, "save_steps": 5}  # fmt: skip
    changed = dataclasses.replace(config, train=[str(other)], dev=str(other), learning_rate=1e-3, seed=8,
                                  max_length=32, **outputs)  # fmt: skip
    starts: list[int] = []
    with pytest.raises(ConfigError) as refused:
        train(changed, resume=True, callbacks=[_first_steps(starts)])
    message = str(refused.value)
    assert f'train: ["{gold_file}"] → ["{other}"]' in message
    assert "learning_rate: 0.005 → 0.001" in message and "seed: 7 → 8" in message and "max_length: 24 → 32" in message
    assert not any(name in message for name in [*outputs, "dev"])  # they do not change training
    assert "old settings" in message and "--run-dir" in message and "delete its checkpoints to start over" in message
    assert starts == []
    saved = Path(config.run_dir) / "finetune_config.json"
    text = saved.read_text(encoding="utf-8")
    saved.write_text(text[: len(text) // 2], encoding="utf-8")
    with pytest.raises(ConfigError, match="finetune_config.json is not a JSON config"):
        train(config, resume=True)
    older = json.loads(text)
    del older["word_dim"]  # a field an older version did not save counts as its default
    saved.write_text(json.dumps(older), encoding="utf-8")
    train(dataclasses.replace(config, **outputs), resume=True, callbacks=[_first_steps(starts)])
    assert starts == [2]


def test_run_config_is_saved_before_the_first_checkpoint(
    tmp_path: Path, tiny_encoder_dir: Path, gold_file: Path
) -> None:
    """An interrupted run has its config in run_dir, so ``--resume`` can check it."""
    from transformers import TrainerCallback

    config = _config(tmp_path, tiny_encoder_dir, gold_file, epochs=1, batch_size=2)
    saved = Path(config.run_dir) / "finetune_config.json"
    seen: list[Any] = []

    class Look(TrainerCallback):
        def on_train_begin(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
            seen.append(json.loads(saved.read_text(encoding="utf-8")) if saved.is_file() else None)

    train(config, callbacks=[Look(), _stop_at(1)])
    digest = hashlib.sha256(gold_file.read_bytes()).hexdigest()
    assert seen == [{**json.loads(json.dumps(config.to_dict())), "data_sha256": {str(gold_file): digest},
                     "total_train_batch": 2}]  # fmt: skip


def test_resume_refuses_another_total_batch(
    tmp_path: Path, tiny_encoder_dir: Path, gold_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Resumed on another number of GPUs, the checkpoint's step would mean another place in the epochs and
    the learning-rate schedule (the Trainer says nothing): refused, naming the total to keep."""
    from types import SimpleNamespace

    import training.finetune as finetune_module
    from arabnews_nlp.errors import ConfigError
    from training.run_dir import total_batch

    assert total_batch(SimpleNamespace(train_batch_size=2, gradient_accumulation_steps=3, world_size=4)) == 24
    config = _config(tmp_path, tiny_encoder_dir, gold_file, epochs=2, batch_size=2, save_steps=2)
    train(config, callbacks=[_stop_at(3)])  # checkpoint-2 of a run with 2 windows per step
    monkeypatch.setattr(finetune_module, "total_batch", lambda args: 2 * total_batch(args))  # as if on twice the GPUs
    starts: list[int] = []
    with pytest.raises(ConfigError, match=r"windows per optimizer step .*: 2 → 4;.* so that the total stays 2"):
        train(config, resume=True, callbacks=[_first_steps(starts)])
    assert starts == []
    monkeypatch.setattr(finetune_module, "total_batch", total_batch)
    train(config, resume=True, callbacks=[_first_steps(starts)])
    assert starts == [2]


def test_a_launch_whose_processes_would_each_train_alone_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    from types import SimpleNamespace

    from arabnews_nlp.errors import ConfigError
    from training.run_dir import check_launch

    monkeypatch.setenv("WORLD_SIZE", "2")
    with pytest.raises(ConfigError, match=r"launched as 2 processes .* each process would train the whole run"):
        check_launch(SimpleNamespace(world_size=1))
    check_launch(SimpleNamespace(world_size=2))
    monkeypatch.setenv("WORLD_SIZE", "1")
    check_launch(SimpleNamespace(world_size=1))


def test_resume_refuses_a_training_file_edited_in_place(tmp_path: Path, tiny_encoder_dir: Path, gold_file: Path) -> None:
    """The same path with other content is another training set: ``--resume`` names the file and stops."""
    from arabnews_nlp.errors import ConfigError

    data = tmp_path / "train.jsonl"
    data.write_bytes(gold_file.read_bytes())
    config = dataclasses.replace(_config(tmp_path, tiny_encoder_dir, gold_file, epochs=2, batch_size=2, save_steps=2),
                                 train=[str(data)], dev=str(data))  # fmt: skip
    train(config, callbacks=[_stop_at(3)])
    lines = data.read_text(encoding="utf-8").splitlines(keepends=True)
    data.write_text("".join(lines[:-1]), encoding="utf-8")  # one document fewer
    starts: list[int] = []
    with pytest.raises(ConfigError, match=rf"{re.escape(str(data))}: its content changed since the run started"):
        train(config, resume=True, callbacks=[_first_steps(starts)])
    assert starts == []
    data.write_text("".join(lines), encoding="utf-8")  # the same content again: resumed
    train(config, resume=True, callbacks=[_first_steps(starts)])
    assert starts == [2]


def test_resume_without_a_saved_config_warns_and_continues(
    tmp_path: Path, tiny_encoder_dir: Path, gold_file: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A run of an older version has no saved config: it is resumed, with a warning, and its config saved."""
    import logging

    config = _config(tmp_path, tiny_encoder_dir, gold_file, epochs=2, batch_size=2, save_steps=2)
    train(config, callbacks=[_stop_at(3)])
    saved = Path(config.run_dir) / "finetune_config.json"
    saved.unlink(missing_ok=True)
    starts: list[int] = []
    with caplog.at_level(logging.WARNING, logger="training.run_dir"):
        train(dataclasses.replace(config, learning_rate=1e-3), resume=True, callbacks=[_first_steps(starts)])
    assert starts == [2]
    assert any("finetune_config.json" in r.getMessage() and "resuming anyway" in r.getMessage() for r in caplog.records)
    assert json.loads(saved.read_text(encoding="utf-8"))["learning_rate"] == 1e-3  # checked on the next --resume


def test_a_fresh_start_over_old_checkpoints_is_refused(tmp_path: Path, tiny_encoder_dir: Path, gold_file: Path) -> None:
    """Without --resume, a run_dir with checkpoints would leave them for a later --resume to mix in."""
    from arabnews_nlp.errors import ConfigError

    config = _config(tmp_path, tiny_encoder_dir, gold_file, epochs=1, save_steps=1)
    train(config)
    assert any(Path(config.run_dir).glob("checkpoint-*"))
    with pytest.raises(ConfigError, match="holds checkpoints of an earlier run: pass --resume"):
        train(config)


def test_sigterm_saves_a_checkpoint_where_it_stops_and_resume_matches_an_uninterrupted_run(
    tmp_path: Path, tiny_encoder_dir: Path, gold_file: Path, finetune_command_raising: Callable[[Any, BaseException], int],
) -> None:  # fmt: skip
    """A scheduler's SIGTERM (Slurm preemption, docker stop) costs no steps: checkpoint-3 though save_steps is 4."""
    import os
    import signal

    from transformers import TrainerCallback

    from training.finetune import TrainingTerminated

    class Sigterm(TrainerCallback):
        def on_step_end(self, args: Any, state: Any, control: Any, **kwargs: Any) -> Any:
            if state.global_step == 3:
                os.kill(os.getpid(), signal.SIGTERM)
            return control

    common = {"epochs": 3, "batch_size": 2, "save_steps": 4, "classifier_dropout": 0.1, "learning_rate": 1e-3}
    model_full = train(_config(tmp_path / "a", tiny_encoder_dir, gold_file, **common))[0]
    cut = _config(tmp_path / "b", tiny_encoder_dir, gold_file, **common)
    handler = signal.getsignal(signal.SIGTERM)
    with pytest.raises(TrainingTerminated) as stopped:
        train(cut, callbacks=[Sigterm()])
    assert signal.getsignal(signal.SIGTERM) is handler  # the process's own handler is back
    assert sorted(p.name for p in Path(cut.run_dir).glob("checkpoint-*")) == ["checkpoint-3"]
    assert str(stopped.value) == (f"stopped by SIGTERM at step 3; its checkpoint is {Path(cut.run_dir) / 'checkpoint-3'}: "
                                  "rerun the same command with --resume to continue from it")  # fmt: skip
    assert finetune_command_raising(cut, stopped.value) == 143
    starts: list[int] = []
    model_resumed = train(cut, resume=True, callbacks=[_first_steps(starts)])[0]
    assert starts == [3]
    full_state, resumed_state = model_full.state_dict(), model_resumed.state_dict()
    for name in full_state:
        assert torch.allclose(full_state[name], resumed_state[name], atol=1e-6), name


def test_sigterm_after_training_names_the_checkpoint_and_resume(
    tmp_path: Path, tiny_encoder_dir: Path, gold_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Tuning, saving and scoring after training take minutes with the real configs: a stop there says what to do."""
    import os
    import signal

    import training.finetune as finetune_module
    from training.finetune import TrainingTerminated, finetune

    def finish(*args: Any, **kwargs: Any) -> None:
        os.kill(os.getpid(), signal.SIGTERM)

    monkeypatch.setattr(finetune_module, "finish", finish)
    config = _config(tmp_path, tiny_encoder_dir, gold_file, epochs=1, batch_size=2, save_steps=100)
    handler = signal.getsignal(signal.SIGTERM)
    with pytest.raises(TrainingTerminated) as stopped:
        finetune(config)
    assert signal.getsignal(signal.SIGTERM) is handler
    assert str(stopped.value) == ("terminated (SIGTERM) after training, before the model was saved; its last checkpoint "
                                  f"is {Path(config.run_dir) / 'checkpoint-2'}: rerun the same command with --resume to "
                                  "redo what follows training")  # fmt: skip


def test_ctrl_c_names_the_last_checkpoint_and_how_to_resume(
    tmp_path: Path, tiny_encoder_dir: Path, gold_file: Path, capsys: pytest.CaptureFixture[str],
    finetune_command_raising: Callable[[Any, BaseException], int],
) -> None:  # fmt: skip
    from transformers import TrainerCallback

    from training.finetune import TrainingInterrupted

    class CtrlC(TrainerCallback):
        def on_step_end(self, args: Any, state: Any, control: Any, **kwargs: Any) -> Any:
            if state.global_step == 3:
                raise KeyboardInterrupt
            return control

    config = _config(tmp_path, tiny_encoder_dir, gold_file, epochs=2, batch_size=2, save_steps=2)
    with pytest.raises(TrainingInterrupted) as stopped:
        train(config, callbacks=[CtrlC()])
    assert isinstance(stopped.value, KeyboardInterrupt)  # a library caller sees a Ctrl-C as before
    assert str(stopped.value) == (f"interrupted at step 3; its last checkpoint is {Path(config.run_dir) / 'checkpoint-2'}: "
                                  "rerun the same command with --resume to continue from it")  # fmt: skip
    assert finetune_command_raising(config, stopped.value) == 130
    assert capsys.readouterr().err.strip().splitlines()[-1] == f"python -m training finetune: {stopped.value}"


def test_ctrl_c_while_a_resumed_run_loads_its_checkpoint_does_not_say_step_0(
    tmp_path: Path, tiny_encoder_dir: Path, gold_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A Ctrl-C before the Trainer had read the checkpoint's state said "interrupted at step 0"."""
    from transformers import Trainer

    from training.finetune import TrainingInterrupted

    config = _config(tmp_path, tiny_encoder_dir, gold_file, max_steps=2, batch_size=2, save_steps=2)
    train(config)

    def ctrl_c(*args: Any, **kwargs: Any) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(Trainer, "_load_from_checkpoint", ctrl_c)
    with pytest.raises(TrainingInterrupted) as stopped:
        train(dataclasses.replace(config, max_steps=2), resume=True)
    assert str(stopped.value).startswith("interrupted before training resumed at step 2; its last checkpoint is ")


def test_continuing_an_analyzer_with_ngram_models_without_ngram_warns(
    tmp_path: Path, tiny_model_dir: Path, gold_file: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from training.finish import base_clusters

    refit = _retuned_with_ngram_models(tmp_path, tiny_model_dir, gold_file)
    with caplog.at_level("WARNING", logger="training.finish"):
        base_clusters(_config(tmp_path, refit, gold_file, ngram=False))
    assert "has n-gram models" in caplog.text and "ngram: false, so the output will have none" in caplog.text
    caplog.clear()
    with caplog.at_level("WARNING", logger="training.finish"):
        base_clusters(_config(tmp_path, refit, gold_file, ngram=True))
    assert "has n-gram models" not in caplog.text


def test_each_data_file_is_read_once_before_training(
    tmp_path: Path, tiny_encoder_dir: Path, gold_records: list[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Validation, the held-out copy check, the training sentences and the per-epoch dev scorer share
    one read of each file; the training files are hashed once, on ``--resume`` too."""
    from collections import Counter

    import training.data.records
    import training.finetune
    import training.run_dir
    from training.data.records import with_tasks, write_records

    files = {name: tmp_path / f"{name}.jsonl" for name in ("train", "dev", "test", "extra")}
    write_records(files["train"], [gold_records[0]])
    write_records(files["dev"], [gold_records[1]])
    write_records(files["test"], [dict(gold_records[1], id="test-1")])
    write_records(files["extra"], [with_tasks(dict(gold_records[1], id="extra-1"), ["ner"])])
    config = dataclasses.replace(
        _config(tmp_path, tiny_encoder_dir, files["train"], max_steps=1, save_steps=1, eval_each_epoch=True),
        dev=str(files["dev"]), test=[str(files["test"])], ner_extra=[str(files["extra"])],
    )  # fmt: skip
    reads: Counter[str] = Counter()
    hashes: list[dict[str, str]] = []
    read_lines, data_fingerprints = training.data.records.read_lines, training.run_dir.data_fingerprints
    monkeypatch.setattr(training.data.records, "read_lines", lambda path: reads.update([str(path)]) or read_lines(path))
    for module in (training.run_dir, training.finetune):  # train hashes the files; so would the run config's check
        monkeypatch.setattr(module, "data_fingerprints", lambda c: hashes.append(data_fingerprints(c)) or hashes[-1])
    for resume in (False, True):
        reads.clear()
        hashes.clear()
        train(config, resume=resume)
        assert reads == {str(path): 1 for path in files.values()}, resume
        assert [set(prints) for prints in hashes] == [{str(files["train"]), str(files["extra"])}], resume
        assert (Path(config.run_dir) / "checkpoint-1").is_dir()  # so the second run resumes from it, checked
    reads.clear()  # a whole run: training, the dev choices, the scores of dev and test, the baseline, the card
    whole = dataclasses.replace(config, run_dir=str(tmp_path / "whole"), output_dir=str(tmp_path / "model"), ngram=True)
    out = finetune(whole)
    assert out is not None and (out / "README.md").is_file()
    assert reads == {str(path): 1 for path in files.values()}


def _stop_and_save_at(step: int) -> Any:
    """A callback that stops training after ``step`` with a checkpoint there, as a SIGTERM does."""
    from transformers import TrainerCallback

    class StopAndSave(TrainerCallback):
        def on_step_end(self, args: Any, state: Any, control: Any, **kwargs: Any) -> Any:
            if state.global_step == step:
                control.should_save = control.should_training_stop = True
            return control

    return StopAndSave()


def test_a_resumed_run_says_so_and_its_log_keeps_one_summary(
    tmp_path: Path, tiny_encoder_dir: Path, gold_file: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A stopped launch's summary goes; a resume with no step left logs none; each phase after training logs a line
    (probe16 #3, #7, #10)."""
    config = _config(tmp_path, tiny_encoder_dir, gold_file, epochs=2, batch_size=2, save_steps=1000, logging_steps=1)
    log_path = Path(config.run_dir) / "log.jsonl"

    def summaries() -> list[int]:
        log = [json.loads(line) for line in log_path.read_text(encoding="utf-8").splitlines()]
        return [entry["step"] for entry in log if "train_runtime" in entry]

    train(config, callbacks=[_stop_and_save_at(2)])
    assert summaries() == [2]  # the stopped launch summarises its part, as a SIGTERM-stopped one does
    with caplog.at_level("INFO"):
        max_steps = train(config, resume=True)[3].state.max_steps
    assert max_steps == 4 and summaries() == [4]
    assert f"resuming from {Path(config.run_dir) / 'checkpoint-2'} (step 2)" in caplog.text
    caplog.clear()
    with caplog.at_level("INFO"):
        assert finetune(config, resume=True) is not None  # nothing left to train: only what follows it
    assert f"resuming from {Path(config.run_dir) / 'checkpoint-4'} (step 4)" in caplog.text
    assert summaries() == [4]
    for phase in (f"scoring dev ({gold_file}): 2 documents", f"evaluating the saved model on dev ({gold_file}): 2 "
                  "documents", "fitting the keyword baseline on 2 training documents"):  # fmt: skip
        assert phase in caplog.text, phase


@pytest.mark.parametrize("continued", [False, True])
def test_training_data_without_stance_or_events_warn_that_those_heads_stay_untrained(
    tmp_path: Path, tiny_encoder_dir: Path, tiny_model_dir: Path, gold_file: Path, gold_records: list[Any],
    caplog: pytest.LogCaptureFixture, continued: bool,
) -> None:  # fmt: skip
    """NER-only records (a Doccano NER import) train no stance or event head: said before training (probe16 #1)."""
    from training.data.records import write_records
    from training.training_set import training_sentences

    ner_only = tmp_path / "ner_only.jsonl"
    write_records(ner_only, [dict(record, tasks=["ner"]) for record in gold_records])
    base = tiny_model_dir if continued else tiny_encoder_dir
    config = _config(tmp_path, base, gold_file, train=[str(ner_only)], allow_held_out_copies=True)
    with caplog.at_level("INFO", logger="training.training_set"):
        training_sentences(config)
    assert ("training on 4 sentences of train (of them, 4 annotate NER, 0 stance, 0 events) + 0 of 0 NER-only "
            "sentences of ner_extra") in caplog.text  # fmt: skip
    warning = next(record for record in caplog.records if record.levelname == "WARNING").getMessage()
    assert warning.startswith("no training sentence annotates stance or events: their heads are ")
    assert ("still those of" in warning) is continued and ("random initial weights" in warning) is not continued
    assert "docs/annotation.md §3, §4" in warning
    caplog.clear()
    with caplog.at_level("INFO", logger="training.training_set"):
        training_sentences(_config(tmp_path, base, gold_file))  # every layer annotated: no warning
    assert not [record for record in caplog.records if record.levelname == "WARNING"]
