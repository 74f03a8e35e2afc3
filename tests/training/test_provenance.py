"""What a fine-tuned model says about itself: name, description and base (probe12 D6)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from training.finetune import load_config, parse_args

CONFIG_DESCRIPTION = "the bundled analyzer, continued on the grown training split"


def _config_file(tmp_path: Path, base: str, gold_file: Path) -> Path:
    """A config file like ``default_cpu_continue.yaml``: its own name, description, data (a copy of
    ``gold_file``, ``seeds.jsonl``) and folders."""
    train = tmp_path / "seeds.jsonl"
    train.write_bytes(gold_file.read_bytes())
    path = tmp_path / "continue.json"
    values = {"name": "default-continue", "description": CONFIG_DESCRIPTION, "base": base, "train": [str(train)],
              "output_dir": str(tmp_path / "default-out"), "max_length": 24, "stride": 6, "batch_size": 4,
              "epochs": 1, "save_steps": 1000, "eval_each_epoch": False}  # fmt: skip
    path.write_text(json.dumps(values), encoding="utf-8")
    return path


def test_overriding_the_data_replaces_the_config_description_and_name(
    tmp_path: Path, tiny_model_dir: Path, gold_file: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = _config_file(tmp_path, str(tiny_model_dir), gold_file)
    mine = str(gold_file)
    with caplog.at_level("WARNING", logger="training.provenance"):
        config = load_config(parse_args(["finetune", "--config", str(path), "--train", mine,
                                         "--output", str(tmp_path / "models" / "mine")]))  # fmt: skip
    assert config.description == f"arabnews-nlp analyzer continued from {tiny_model_dir} on {mine}"
    assert config.name == "mine" and config.output_dir == str(tmp_path / "models" / "mine")
    assert config.run_dir == "runs/default-continue"  # checkpoints go where the config's name put them
    assert "description" in caplog.text and CONFIG_DESCRIPTION in caplog.text and "'default-continue'" in caplog.text
    # the command line's own name and description win, as do the file's when its data is kept
    chosen = load_config(parse_args(["finetune", "--config", str(path), "--train", mine, "--output", "out/mine",
                                     "--name", "mine-v2", "--description", "my model"]))  # fmt: skip
    assert (chosen.name, chosen.description) == ("mine-v2", "my model")
    caplog.clear()
    with caplog.at_level("WARNING", logger="training.provenance"):
        kept = load_config(parse_args(["finetune", "--config", str(path), "--base", str(tiny_model_dir),
                                       "--train", str(tmp_path / "seeds.jsonl"), "--output", "out/x"]))  # fmt: skip
    assert (kept.name, kept.description) == ("default-continue", CONFIG_DESCRIPTION) and not caplog.text


def test_a_continued_model_describes_its_own_run_and_a_findable_base(
    tmp_path: Path, tiny_model_dir: Path, gold_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from arabnews_nlp.settings import AnalyzerSettings
    from training.finetune import main

    monkeypatch.chdir(tiny_model_dir.parent)  # the base given relative to the working folder, as models/default
    relative = tiny_model_dir.name
    path = _config_file(tmp_path, relative, gold_file)
    out = tmp_path / "models" / "mine"
    argv = ["finetune", "--config", str(path), "--train", str(gold_file), "--output", str(out),
            "--run-dir", str(tmp_path / "run"), "--max-steps", "1"]  # fmt: skip
    assert main(argv) == 0
    settings = AnalyzerSettings.load(out)
    assert settings.base_model == f"{relative} ({tiny_model_dir.resolve()})"
    assert settings.description == f"arabnews-nlp analyzer continued from {settings.base_model} on {gold_file}"
    card = (out / "README.md").read_text(encoding="utf-8").splitlines()
    assert "# mine" in card and settings.description in card and CONFIG_DESCRIPTION not in "\n".join(card[:20])


def test_a_retune_on_other_files_describes_itself(
    tmp_path: Path, tiny_model_dir: Path, gold_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from arabnews_nlp.settings import AnalyzerSettings
    from training.retune import main

    monkeypatch.chdir(tmp_path)
    path = _config_file(tmp_path, str(tiny_model_dir), gold_file)
    values = json.loads(path.read_text(encoding="utf-8"))
    path.write_text(json.dumps({**values, "dev": str(gold_file), "ngram": True, "allow_held_out_copies": True}), encoding="utf-8")
    mine = tmp_path / "mine.jsonl"
    mine.write_bytes(gold_file.read_bytes())
    out = tmp_path / "models" / "mine"
    assert main(["retune", "--model", str(tiny_model_dir), "--config", str(path), "--train", str(mine),
                 "--output", str(out)]) == 0  # fmt: skip
    settings = AnalyzerSettings.load(out)
    assert settings.description == (f"arabnews-nlp analyzer retuned from {tiny_model_dir}: n-gram models and tuned "
                                    f"choices refit on {mine}")  # fmt: skip
    assert "# mine" in (out / "README.md").read_text(encoding="utf-8").splitlines()
    # the evaluation files still go to RUN_DIR/retune, RUN_DIR being where the config's name puts it
    assert (tmp_path / "runs" / "default-continue" / "retune" / "eval_dev.json").is_file()
    # the config's own files: its name and description stay
    assert main(["retune", "--model", str(tiny_model_dir), "--config", str(path), "--output", str(tmp_path / "same")]) == 0
    assert AnalyzerSettings.load(tmp_path / "same").description == CONFIG_DESCRIPTION
    # or the user's own, as the warning says
    assert main(["retune", "--model", str(tiny_model_dir), "--config", str(path), "--train", str(mine),
                 "--output", str(tmp_path / "x"), "--name", "mine-v2", "--description", "my model"]) == 0  # fmt: skip
    chosen = AnalyzerSettings.load(tmp_path / "x")
    assert chosen.description == "my model" and "# mine-v2" in (tmp_path / "x" / "README.md").read_text(encoding="utf-8")


def test_base_on_the_command_line_keeps_the_description_of_a_config_without_base(
    tmp_path: Path, tiny_encoder_dir: Path, gold_file: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Like smoke.yaml, written for whatever base --base gives: nothing of it is replaced (probe16 #5)."""
    path = _config_file(tmp_path, "", gold_file)
    values = json.loads(path.read_text(encoding="utf-8"))
    del values["base"]
    path.write_text(json.dumps(values), encoding="utf-8")
    with caplog.at_level("WARNING", logger="training.provenance"):
        config = load_config(parse_args(["finetune", "--config", str(path), "--base", str(tiny_encoder_dir),
                                         "--output", str(tmp_path / "models" / "mine")]))  # fmt: skip
    assert (config.name, config.description) == ("default-continue", CONFIG_DESCRIPTION) and not caplog.text
    # the data it does set still counts as replaced
    with caplog.at_level("WARNING", logger="training.provenance"):
        replaced = load_config(parse_args(["finetune", "--config", str(path), "--base", str(tiny_encoder_dir),
                                           "--train", str(gold_file)]))  # fmt: skip
    assert replaced.description == f"arabnews-nlp analyzer fine-tuned from {tiny_encoder_dir} on {gold_file}"
    assert "was written for its own train," in caplog.text


def test_a_retuned_model_names_the_model_it_was_retuned_from_as_its_base(
    tmp_path: Path, tiny_model_dir: Path, gold_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Not the base of the model it came from, a path of another machine (probe16 #6)."""
    import torch

    from arabnews_nlp.model_dir import load_analyzer, save_analyzer
    from arabnews_nlp.settings import AnalyzerSettings
    from training.retune import main

    model, tokenizer, settings = load_analyzer(tiny_model_dir, device="cpu", dtype=torch.float32)
    settings.base_model = "../release-f8b5518/models/default"
    save_analyzer(tmp_path / "models" / "source", model, tokenizer, settings, dtype=torch.float32)
    monkeypatch.chdir(tmp_path)
    path = _config_file(tmp_path, "models/source", gold_file)
    out = tmp_path / "retuned"
    assert main(["retune", "--model", "models/source", "--config", str(path), "--output", str(out)]) == 0
    assert AnalyzerSettings.load(out).base_model == f"models/source ({tmp_path.resolve() / 'models' / 'source'})"
