"""Pre-training: corpus pre-tokenisation, vectorised whole-word masking, random windows, resume, time budget."""

from __future__ import annotations

import dataclasses
import json
import logging
import types
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch

from training.pretrain.batches import array_rows, mask_batch
from training.pretrain.mlm import PretrainConfig, pretrain
from training.pretrain.pretokenize import tokenize_corpus
from training.pretrain.tokenizer import vocabulary_fingerprint

TEXTS = [
    "قال السوداني إن بغداد تريد خروج قوات التحالف الدولي من العراق",
    "أعلنت وزارة الدفاع الأميركية أن قاعدة عين الأسد تعرضت لهجوم بطائرات مسيرة",
    "نفى البنتاغون وجود خطط لسحب القوات من سوريا والعراق",
] * 4


def _vocab_flags(tokenizer: Any) -> tuple[torch.Tensor, torch.Tensor]:
    vocab = tokenizer.convert_ids_to_tokens(list(range(len(tokenizer))))
    return torch.tensor([t.startswith("##") for t in vocab]), torch.tensor(sorted(set(tokenizer.all_special_ids)))


def test_tokenize_corpus_separates_documents_with_sep(tiny_tokenizer: Any) -> None:
    tokens = tokenize_corpus(TEXTS[:3], tiny_tokenizer, batch_size=2)
    assert tokens.dtype == np.uint16
    pieces = [tiny_tokenizer(t, add_special_tokens=False)["input_ids"] for t in TEXTS[:3]]
    assert tokens.tolist() == [i for ids in pieces for i in [*ids, tiny_tokenizer.sep_token_id]]


def test_mask_batch_masks_whole_words_and_never_special_tokens(tiny_tokenizer: Any) -> None:
    is_cont, special = _vocab_flags(tiny_tokenizer)
    corpus = torch.from_numpy(tokenize_corpus(TEXTS, tiny_tokenizer).astype(np.int32))
    generator = torch.Generator().manual_seed(0)
    rows = array_rows(corpus, 64, 24, tiny_tokenizer.cls_token_id, tiny_tokenizer.sep_token_id, generator)
    out = mask_batch(rows, is_cont, special, tiny_tokenizer.mask_token_id, 0.15, generator)
    flat = rows.flatten()
    assert torch.equal(out["targets"], flat[out["positions"]])
    assert not torch.isin(out["targets"], special).any()
    chosen = torch.zeros_like(flat, dtype=torch.bool)
    chosen[out["positions"]] = True
    chosen = chosen.view_as(rows)
    # a continuation piece is a target exactly when the piece before it is one
    cont = is_cont[rows]
    assert torch.equal(chosen[:, 1:][cont[:, 1:]], chosen[:, :-1][cont[:, 1:]])
    maskable = ~torch.isin(rows, special)
    rate = chosen.sum().item() / maskable.sum().item()
    assert 0.08 < rate < 0.25
    # unchosen positions keep their ids; most chosen ones become [MASK]
    assert torch.equal(out["input_ids"][~chosen], rows[~chosen])
    share_masked = (out["input_ids"].flatten()[out["positions"]] == tiny_tokenizer.mask_token_id).float().mean()
    assert 0.6 < share_masked < 0.95


def test_array_rows_are_framed_windows_of_the_corpus() -> None:
    corpus = torch.arange(10, 1000, dtype=torch.int32)
    rows = array_rows(corpus, 8, 12, cls_id=2, sep_id=3, generator=torch.Generator().manual_seed(1))
    assert rows.shape == (8, 12)
    assert (rows[:, 0] == 2).all() and (rows[:, -1] == 3).all()
    assert ((rows[:, 2:-1] - rows[:, 1:-2]) == 1).all()  # consecutive corpus tokens
    with pytest.raises(ValueError, match="fewer than one"):
        array_rows(corpus[:5], 2, 12, 2, 3, torch.Generator())


def _tokenized(tmp_path: Path, tiny_tokenizer: Any) -> tuple[Path, Path]:
    """The tiny tokenizer saved under ``tmp_path / "tok"``, and :data:`TEXTS` pre-tokenised with it."""
    tokenizer_dir = tmp_path / "tok"
    tiny_tokenizer.save_pretrained(tokenizer_dir)
    tokens = tmp_path / "tokens.npy"
    np.save(tokens, tokenize_corpus(TEXTS, tiny_tokenizer))
    return tokenizer_dir, tokens


def _config(tmp_path: Path, tokenizer_dir: Path, tokens: Path, run: str, **overrides: Any) -> PretrainConfig:
    values: dict[str, Any] = dict(tokenizer=str(tokenizer_dir), run_dir=str(tmp_path / run), tokens=str(tokens),
                                  hidden_size=32, num_layers=1, num_heads=2, intermediate_size=64, seq_len=24,
                                  batch_size=4, warmup_steps=2, total_steps=6, save_every=3, device="cpu", threads=1)
    values.update(overrides)
    return PretrainConfig(**values)


def _forbid_cuda_rng_and_sync(monkeypatch: pytest.MonkeyPatch) -> None:
    """A GPU machine (``torch.cuda.is_available()``) whose CUDA RNG and sync calls fail if made."""

    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    for name in ("get_rng_state", "get_rng_state_all", "set_rng_state", "set_rng_state_all", "synchronize"):
        monkeypatch.setattr(torch.cuda, name, _forbidden(f"torch.cuda.{name} called by a CPU run"))


def _forbidden(message: str) -> Any:
    """A function that fails with ``message`` (one object per torch function: torch._dynamo indexes them)."""

    def forbidden(*args: Any, **kwargs: Any) -> None:
        raise AssertionError(message)

    return forbidden


def test_pretrain_on_token_array_resumes_to_the_same_weights(
    tmp_path: Path, tiny_tokenizer: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from safetensors.torch import load_file

    import training.pretrain.mlm as mlm

    _forbid_cuda_rng_and_sync(monkeypatch)  # --device cpu on a GPU machine leaves the GPUs alone
    tokenizer_dir, tokens = _tokenized(tmp_path, tiny_tokenizer)

    pretrain(_config(tmp_path, tokenizer_dir, tokens, "straight"), resume=False)
    export = mlm._export_encoder

    def export_then_stop(*args: Any) -> None:  # the run is killed right after its first checkpoint (step 3)
        export(*args)
        raise KeyboardInterrupt

    monkeypatch.setattr(mlm, "_export_encoder", export_then_stop)
    with pytest.raises(KeyboardInterrupt):
        pretrain(_config(tmp_path, tokenizer_dir, tokens, "resumed"), resume=False)
    monkeypatch.setattr(mlm, "_export_encoder", export)
    pretrain(_config(tmp_path, tokenizer_dir, tokens, "resumed"), resume=True)

    straight = load_file(str(tmp_path / "straight/encoder/model.safetensors"))
    resumed = load_file(str(tmp_path / "resumed/encoder/model.safetensors"))
    assert straight.keys() == resumed.keys()
    for name in straight:
        torch.testing.assert_close(straight[name], resumed[name])
    log = [json.loads(line) for line in (tmp_path / "straight/log.jsonl").read_text().splitlines()]
    assert log[-1]["step"] == 6 and log[-1]["tokens"] == 6 * 4 * 24
    from transformers import AutoModel

    encoder = AutoModel.from_pretrained(tmp_path / "straight/encoder")
    assert encoder.config.hidden_size == 32
    saved = json.loads((tmp_path / "straight/encoder/tokenizer_config.json").read_text(encoding="utf-8"))
    assert not {"local_files_only", "is_local"} & saved.keys()  # how this session loaded it, not the model's
    assert torch.load(tmp_path / "resumed/checkpoint.pt", weights_only=False)["cuda_rng"] is None


def test_sigterm_saves_where_it_stops_and_resume_gives_the_same_weights(
    tmp_path: Path, tiny_tokenizer: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A scheduler's SIGTERM at step 4 of 6 (saves every 100): the checkpoint is step 4, not none."""
    import os
    import signal

    from safetensors.torch import load_file

    import training.pretrain.mlm as mlm
    from arabnews_nlp.signals import Terminated

    tokenizer_dir, tokens = _tokenized(tmp_path, tiny_tokenizer)
    pretrain(_config(tmp_path, tokenizer_dir, tokens, "straight", save_every=100), resume=False)
    mask_batch, batches = mlm.mask_batch, []

    def sigterm_in_step_4(*args: Any) -> Any:
        batches.append(1)
        if len(batches) == 4:
            os.kill(os.getpid(), signal.SIGTERM)
        return mask_batch(*args)

    monkeypatch.setattr(mlm, "mask_batch", sigterm_in_step_4)
    handler = signal.getsignal(signal.SIGTERM)
    with pytest.raises(Terminated, match=r"stopped by SIGTERM at step 4; its checkpoint is .*checkpoint.pt: rerun"):
        pretrain(_config(tmp_path, tokenizer_dir, tokens, "resumed", save_every=100), resume=False)
    assert signal.getsignal(signal.SIGTERM) is handler
    assert torch.load(tmp_path / "resumed/checkpoint.pt", weights_only=False)["step"] == 4
    monkeypatch.setattr(mlm, "mask_batch", mask_batch)
    pretrain(_config(tmp_path, tokenizer_dir, tokens, "resumed", save_every=100), resume=True)
    straight = load_file(str(tmp_path / "straight/encoder/model.safetensors"))
    resumed = load_file(str(tmp_path / "resumed/encoder/model.safetensors"))
    for name in straight:
        torch.testing.assert_close(straight[name], resumed[name])


def test_a_cpu_run_ignores_the_per_gpu_rng_list_of_an_old_checkpoint(
    tmp_path: Path, tiny_tokenizer: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    tokenizer_dir, tokens = _tokenized(tmp_path, tiny_tokenizer)
    pretrain(_config(tmp_path, tokenizer_dir, tokens, "old", total_steps=3), resume=False)
    checkpoint = tmp_path / "old/checkpoint.pt"
    state = torch.load(checkpoint, weights_only=False)
    state["cuda_rng"] = [torch.zeros(16, dtype=torch.uint8)] * 4  # written on a 4-GPU node by the old code
    torch.save(state, checkpoint)
    _forbid_cuda_rng_and_sync(monkeypatch)
    pretrain(_config(tmp_path, tokenizer_dir, tokens, "old", total_steps=6), resume=True)
    assert torch.load(checkpoint, weights_only=False)["step"] == 6


class _CudaRngCalls:
    """Stands in for ``torch.cuda.get_rng_state``/``set_rng_state`` and records their calls."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls: list[tuple[str, Any, torch.device]] = []
        monkeypatch.setattr(torch.cuda, "get_rng_state", self.get)
        monkeypatch.setattr(torch.cuda, "set_rng_state", self.set)
        for name in ("get_rng_state_all", "set_rng_state_all"):
            monkeypatch.setattr(torch.cuda, name, _forbidden(f"torch.cuda.{name}: the state of every visible GPU"))

    def get(self, device: torch.device) -> torch.Tensor:
        self.calls.append(("get", None, device))
        return torch.full((16,), device.index or 0, dtype=torch.uint8)

    def set(self, state: torch.Tensor, device: torch.device) -> None:
        assert state.device.type == "cpu"
        self.calls.append(("set", int(state[0]), device))


def test_checkpoints_keep_the_cuda_rng_state_of_the_training_device_only(monkeypatch: pytest.MonkeyPatch) -> None:
    from training.pretrain.checkpoint import cuda_rng_state, restore_cuda_rng

    cuda = _CudaRngCalls(monkeypatch)
    assert cuda_rng_state(torch.device("cpu")) is None
    restore_cuda_rng(torch.zeros(16, dtype=torch.uint8), torch.device("cpu"))
    assert cuda.calls == []
    saved = cuda_rng_state(torch.device("cuda", 2))
    assert saved is not None and int(saved[0]) == 2
    restore_cuda_rng(saved, torch.device("cuda", 0))  # resumed on a 1-GPU node, or CUDA_VISIBLE_DEVICES=2
    assert cuda.calls == [("get", None, torch.device("cuda", 2)), ("set", 2, torch.device("cuda", 0))]


def test_old_checkpoints_restore_the_training_device_of_their_per_gpu_list(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from training.pretrain.checkpoint import restore_cuda_rng

    cuda = _CudaRngCalls(monkeypatch)
    per_gpu = [torch.full((16,), i, dtype=torch.uint8) for i in range(4)]
    restore_cuda_rng(per_gpu, torch.device("cuda"))
    restore_cuda_rng(per_gpu, torch.device("cuda", 3))
    assert cuda.calls == [("set", 0, torch.device("cuda")), ("set", 3, torch.device("cuda", 3))]
    cuda.calls.clear()
    with caplog.at_level(logging.WARNING, logger="training.pretrain.checkpoint"):
        restore_cuda_rng(per_gpu[:1], torch.device("cuda", 1))  # more GPUs visible now than when saved
        restore_cuda_rng([], torch.device("cuda"))  # saved by the old code on a machine without CUDA
        restore_cuda_rng(None, torch.device("cuda"))  # saved by a CPU run
    assert cuda.calls == []
    assert len([r for r in caplog.records if "no CUDA RNG state" in r.message]) == 3


def test_time_budget_shortens_the_run(tmp_path: Path, tiny_tokenizer: Any) -> None:
    tokenizer_dir, tokens = _tokenized(tmp_path, tiny_tokenizer)
    cfg = _config(tmp_path, tokenizer_dir, tokens, "budget", total_steps=100_000, save_every=1000,
                  time_budget_min=0.001)  # 60 ms: the fitted run ends right after the 10 warm-up + 50 timed steps
    pretrain(cfg, resume=False)
    saved = json.loads((tmp_path / "budget/config.json").read_text())
    assert 60 <= saved["total_steps"] < 100_000
    assert torch.load(tmp_path / "budget/checkpoint.pt", weights_only=False)["total_steps"] == saved["total_steps"]
    log = [json.loads(line) for line in (tmp_path / "budget/log.jsonl").read_text().splitlines()]
    assert log[-1]["step"] == saved["total_steps"]
    assert (tmp_path / "budget/encoder/model.safetensors").exists()


def test_time_budget_does_not_count_slow_first_steps_as_step_time(
    tmp_path: Path, tiny_tokenizer: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One-time start-up (a CUDA context: seconds) in the first step must not shrink the fitted run."""
    import training.pretrain.mlm as mlm

    tokenizer_dir, tokens = _tokenized(tmp_path, tiny_tokenizer)
    clock = {"now": 1000.0, "steps": 0}
    mask = mlm.mask_batch

    def timed_mask_batch(*args: Any) -> dict[str, torch.Tensor]:  # each step takes 5 ms, the first 0.5 s more
        clock["now"] += 0.005 + (0.5 if clock["steps"] == 0 else 0.0)
        clock["steps"] += 1
        return mask(*args)

    monkeypatch.setattr(mlm, "mask_batch", timed_mask_batch)
    monkeypatch.setattr(mlm, "time", types.SimpleNamespace(time=lambda: clock["now"]))
    _forbid_cuda_rng_and_sync(monkeypatch)
    cfg = _config(tmp_path, tokenizer_dir, tokens, "slow-start", total_steps=100_000, save_every=1000,
                  time_budget_min=0.02)  # 1.2 s: 0.5 s of start-up, then 0.7 s / 5 ms = 140 steps
    pretrain(cfg, resume=False)
    saved = json.loads((tmp_path / "slow-start/config.json").read_text())
    assert 138 <= saved["total_steps"] <= 140  # timing the first 50 steps from the start fitted 80
    assert clock["steps"] == saved["total_steps"]


def test_cli_reads_the_corpus_without_tokens(monkeypatch: pytest.MonkeyPatch) -> None:
    """Only --tokenizer and --run-dir are required: the documented CPU command gives no --tokens."""
    import training.pretrain.mlm as mlm

    runs: list[Any] = []
    monkeypatch.setattr(mlm, "pretrain", lambda config, resume: runs.append((config, resume)))
    assert mlm.main(["pretrain", "--tokenizer", "tok", "--run-dir", "run", "--corpus", "a.jsonl.gz"]) == 0
    config, resume = runs[0]
    assert (config.tokenizer, config.run_dir, config.tokens, config.corpus, resume) == ("tok", "run", "", ["a.jsonl.gz"], False)
    with pytest.raises(SystemExit):
        mlm.main(["pretrain", "--run-dir", "run"])


def test_cli_refuses_tokens_and_corpus_together(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """--corpus beside --tokens was silently ignored: the run read only the array."""
    import training.pretrain.mlm as mlm

    monkeypatch.setattr(mlm, "pretrain", lambda config, resume: None)
    with pytest.raises(SystemExit) as stop:
        mlm.main(["pretrain", "--tokenizer", "tok", "--run-dir", "run", "--tokens", "t.npy", "--corpus", "a.jsonl.gz"])
    assert stop.value.code == 2 and "not both" in capsys.readouterr().err


def test_a_missing_tokenizer_is_one_line_saying_how_to_make_one(tmp_path: Path) -> None:
    from arabnews_nlp.errors import ConfigError
    from training.pretrain.tokenizer import load_tokenizer

    with pytest.raises(ConfigError, match=r"tokenizer '.*nosuch' does not exist .*python -m training tokenizer --out DIR"):
        load_tokenizer(str(tmp_path / "nosuch"))
    (tmp_path / "empty").mkdir()
    with pytest.raises(ConfigError, match=r"'.*empty' is not a tokenizer directory"):
        load_tokenizer(str(tmp_path / "empty"))


def test_settings_out_of_range_are_config_errors_naming_the_flag() -> None:
    from arabnews_nlp.errors import ConfigError

    for overrides, message in [({"mask_prob": 2.0}, "--mask-prob must be a probability"),
                               ({"save_every": 0}, "--save-every must be a whole number of at least 1"),
                               ({"total_steps": -5}, "--total-steps"), ({"lr": -1.0}, "--lr"),
                               ({"hidden_size": 32, "num_heads": 3}, "--hidden-size 32 is not a multiple of --num-heads 3")]:
        with pytest.raises(ConfigError, match=message):
            PretrainConfig("tok", "run", **overrides)


def test_a_fresh_start_over_a_run_is_refused_and_resume_checks_its_settings(
    tmp_path: Path, tiny_tokenizer: Any, caplog: pytest.LogCaptureFixture
) -> None:
    from arabnews_nlp.errors import ConfigError

    tokenizer_dir, tokens = _tokenized(tmp_path, tiny_tokenizer)
    pretrain(_config(tmp_path, tokenizer_dir, tokens, "run", total_steps=3), resume=False)
    log_lines = (tmp_path / "run/log.jsonl").read_text()
    with pytest.raises(ConfigError, match=r"already holds a pre-training run .*add --resume"):
        pretrain(_config(tmp_path, tokenizer_dir, tokens, "run", total_steps=3), resume=False)
    with pytest.raises(ConfigError, match=r"--hidden-size 32 -> 64.*--num-heads 2 -> 4"):
        pretrain(_config(tmp_path, tokenizer_dir, tokens, "run", total_steps=6, hidden_size=64, num_heads=4), resume=True)
    assert (tmp_path / "run/log.jsonl").read_text() == log_lines  # nothing trained, nothing logged
    with caplog.at_level(logging.WARNING):
        pretrain(_config(tmp_path, tokenizer_dir, tokens, "run", total_steps=6, lr=5e-4), resume=True)
        assert any("--lr changed since the run started: 0.001 -> 0.0005" in r.message for r in caplog.records)
        pretrain(_config(tmp_path, tokenizer_dir, tokens, "new", total_steps=3), resume=True)
        assert any("has no checkpoint; starting from scratch" in r.message for r in caplog.records)


def test_ctrl_c_names_the_step_the_last_checkpoint_and_resume(
    tmp_path: Path, tiny_tokenizer: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import training.pretrain.mlm as mlm

    tokenizer_dir, tokens = _tokenized(tmp_path, tiny_tokenizer)
    mask = mlm.mask_batch
    calls = {"n": 0}

    def ctrl_c_in_step_5(*args: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 5:
            raise KeyboardInterrupt
        return mask(*args)

    monkeypatch.setattr(mlm, "mask_batch", ctrl_c_in_step_5)
    with pytest.raises(KeyboardInterrupt, match=r"interrupted at step 4; the last checkpoint is .*checkpoint.pt "
                                                r"\(step 3\): rerun the same command with --resume"):
        pretrain(_config(tmp_path, tokenizer_dir, tokens, "run"), resume=False)


def test_a_corpus_that_ends_early_is_trained_to_its_end_saved_and_said(
    tmp_path: Path, tiny_tokenizer: Any, caplog: pytest.LogCaptureFixture
) -> None:
    """Fewer than 64 documents (one tokenizer batch) still give sequences; the run stops where they end."""
    from arabnews_nlp.errors import ConfigError

    tokenizer_dir, _ = _tokenized(tmp_path, tiny_tokenizer)
    corpus = tmp_path / "news.jsonl"
    corpus.write_text("".join(json.dumps({"text": f"{text} {i}"}, ensure_ascii=False) + "\n"
                              for i in range(10) for text in TEXTS[:3]), encoding="utf-8")  # fmt: skip
    def streamed() -> PretrainConfig:  # no --tokens: the corpus is read as a stream
        return dataclasses.replace(_config(tmp_path, tokenizer_dir, Path(), "stream", total_steps=1000, save_every=1000,
                                           seq_len=12, batch_size=2), tokens="", corpus=[str(corpus)])

    cfg = streamed()
    with caplog.at_level(logging.WARNING):
        pretrain(cfg, resume=False)
    step = torch.load(tmp_path / "stream/checkpoint.pt", weights_only=False)["step"]
    assert 0 < step < 1000
    assert (tmp_path / "stream/encoder/model.safetensors").exists()
    assert any(f"the corpus ended at step {step} of --total-steps 1000" in r.message for r in caplog.records)
    with pytest.raises(ConfigError, match="ended before one more batch"):
        pretrain(streamed(), resume=True)


def test_a_pretraining_run_directory_as_base_points_at_its_encoder(tmp_path: Path, tiny_tokenizer: Any) -> None:
    from arabnews_nlp.errors import ConfigError
    from training.base_checks import check_base

    tokenizer_dir, tokens = _tokenized(tmp_path, tiny_tokenizer)
    pretrain(_config(tmp_path, tokenizer_dir, tokens, "run", total_steps=3), resume=False)
    with pytest.raises(ConfigError, match=r"is a pre-training run directory; its encoder is '.*run/encoder'"):
        check_base(str(tmp_path / "run"))
    check_base(str(tmp_path / "run/encoder"))


def test_tokens_made_with_another_tokenizer_are_refused(tmp_path: Path, tiny_tokenizer: Any) -> None:
    from arabnews_nlp.errors import ConfigError

    tokenizer_dir, tokens = _tokenized(tmp_path, tiny_tokenizer)
    tokens.with_suffix(".json").write_text(json.dumps({"tokenizer": "runs/other", "vocab_size": len(tiny_tokenizer) + 7}))
    with pytest.raises(ConfigError, match=r"was made with tokenizer 'runs/other' \(\d+ tokens\), not --tokenizer"):
        pretrain(_config(tmp_path, tokenizer_dir, tokens, "run"), resume=False)
    meta = {"tokenizer": "runs/other", "vocab_size": len(tiny_tokenizer), "vocabulary": "0123456789abcdef"}
    tokens.with_suffix(".json").write_text(json.dumps(meta))  # the same size, another vocabulary
    with pytest.raises(ConfigError, match=r"whose vocabulary is not that of --tokenizer .*the same size, other tokens"):
        pretrain(_config(tmp_path, tokenizer_dir, tokens, "run"), resume=False)
    meta["vocabulary"] = vocabulary_fingerprint(tiny_tokenizer)  # its own vocabulary: accepted
    tokens.with_suffix(".json").write_text(json.dumps(meta))
    pretrain(_config(tmp_path, tokenizer_dir, tokens, "run", total_steps=2), resume=False)
    tokens.with_suffix(".json").unlink()  # no tokens.json: the ids themselves must fit the vocabulary
    np.save(tokens, np.append(np.load(tokens), np.uint16(len(tiny_tokenizer) + 3)))
    with pytest.raises(ConfigError, match=rf"holds token id {len(tiny_tokenizer) + 3}, outside the"):
        pretrain(_config(tmp_path, tokenizer_dir, tokens, "run2"), resume=False)


def test_a_corpus_line_that_is_not_json_names_its_file_and_line(tmp_path: Path) -> None:
    from arabnews_nlp.errors import ConfigError
    from training.pretrain.corpus import iter_documents

    corpus = tmp_path / "news.jsonl"
    good = json.dumps({"text": TEXTS[0]}, ensure_ascii=False)
    corpus.write_text(good + "\n" + good[:40] + "\n", encoding="utf-8")  # a file cut in the middle of a line
    with pytest.raises(ConfigError, match=r"news.jsonl:2: not a JSON line \(.* at column \d+\)"):
        list(iter_documents([corpus]))
    corpus.write_text(good + "\n[1, 2]\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"news.jsonl:2: a list, not a JSON object"):
        list(iter_documents([corpus]))


def test_pretokenize_max_docs_keeps_the_first_documents(tmp_path: Path, tiny_tokenizer: Any, capsys: pytest.CaptureFixture[str]) -> None:
    """A subset of the corpus used to need a smaller --corpus file: --max-docs takes the stream's first N."""
    from training.pretrain.pretokenize import main as pretokenize_main

    tokenizer_dir, _ = _tokenized(tmp_path, tiny_tokenizer)
    corpus = tmp_path / "news.jsonl"
    corpus.write_text("".join(json.dumps({"text": text}, ensure_ascii=False) + "\n" for text in TEXTS[:3]), encoding="utf-8")
    out = tmp_path / "pretok/tokens.npy"
    argv = ["pretokenize", "--tokenizer", str(tokenizer_dir), "--out", str(out), "--corpus", str(corpus)]
    assert pretokenize_main([*argv, "--max-docs", "2"]) == 0
    meta = json.loads(out.with_suffix(".json").read_text(encoding="utf-8"))
    assert (meta["documents"], meta["max_docs"]) == (2, 2)
    assert meta["vocabulary"] == vocabulary_fingerprint(tiny_tokenizer)
    two = np.load(out)
    from training.pretrain.corpus import iter_documents

    assert two.tolist() == tokenize_corpus(list(iter_documents([corpus]))[:2], tiny_tokenizer).tolist()
    assert pretokenize_main(argv) == 0
    assert json.loads(out.with_suffix(".json").read_text(encoding="utf-8"))["documents"] == 3
    capsys.readouterr()
    with pytest.raises(SystemExit):
        pretokenize_main([*argv, "--max-docs", "0"])
    assert "--max-docs must be at least 1, got 0" in capsys.readouterr().err


@pytest.mark.parametrize("module", ["mlm", "pretokenize", "tokenizer", "word_vectors"])
def test_every_pretraining_flag_has_help_text(module: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """``pretrain --help`` listed its flags with no text; each flag now says what it sets."""
    import argparse
    import importlib

    class Parsed(Exception):
        pass

    def capture(parser: argparse.ArgumentParser, *_: Any, **__: Any) -> None:
        raise Parsed(parser)

    monkeypatch.setattr(argparse.ArgumentParser, "parse_args", capture)
    with pytest.raises(Parsed) as parsed:
        importlib.import_module(f"training.pretrain.{module}").main([])
    actions = [a for a in parsed.value.args[0]._actions if a.help != argparse.SUPPRESS and a.option_strings]
    assert len(actions) > 2 and [a.option_strings for a in actions if not a.help] == []


def test_pretrain_device_without_cuda_is_one_device_error(monkeypatch: pytest.MonkeyPatch) -> None:
    """``pretrain --device cuda`` on a CPU-only machine was torch's "AssertionError: Torch not compiled with CUDA"."""
    from arabnews_nlp.errors import DeviceError
    from training.pretrain.mlm import resolve_device  # what pretrain() resolves --device with

    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.raises(DeviceError, match=r"device 'cuda' was requested but CUDA is not available"):
        resolve_device("cuda")
    with pytest.raises(DeviceError, match=r"unknown device 'gpu'"):
        resolve_device("gpu")
    assert resolve_device("auto") == torch.device("cpu")
