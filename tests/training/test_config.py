"""Config errors are ConfigError with a message that says what and how to fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from arabnews_nlp.errors import ConfigError
from training.config import FinetuneConfig
from training.finetune import load_config, parse_args


@pytest.fixture
def train_file(tmp_path: Path) -> Path:
    path = tmp_path / "train.jsonl"
    path.write_text("", encoding="utf-8")
    return path


def test_yaml_with_overrides(tmp_path: Path, train_file: Path) -> None:
    config_file = tmp_path / "c.yaml"
    config_file.write_text(f"base: enc\ntrain: {train_file}\nepochs: 3\nname: demo\n", encoding="utf-8")
    config = load_config(parse_args(["finetune", "--config", str(config_file), "--epochs", "5", "--lr", "1e-4"]))
    assert (config.epochs, config.learning_rate, config.train) == (5.0, 1e-4, [str(train_file)])
    assert (config.run_dir, config.output_dir) == ("runs/demo", "models/demo")


def test_unknown_key(tmp_path: Path) -> None:
    config_file = tmp_path / "c.json"
    config_file.write_text('{"base": "enc", "learning_rte": 0.1}', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"unknown config keys \['learning_rte'\].*spelling"):
        FinetuneConfig.from_file(config_file)


def test_negative_learning_rate(train_file: Path) -> None:
    with pytest.raises(ConfigError, match="learning_rate must be a number > 0, got -0.001"):
        FinetuneConfig(base="enc", train=[str(train_file)], learning_rate=-1e-3)


def test_missing_data_file(tmp_path: Path) -> None:
    missing = tmp_path / "nope.jsonl"
    with pytest.raises(ConfigError, match="data file .*nope.jsonl.* does not exist"):
        FinetuneConfig(base="enc", train=[str(missing)])


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"warmup_ratio": 1.0}, "warmup_ratio must be a number in \\[0, 1\\)"),
        ({"batch_size": 0}, "batch_size must be an integer >= 1"),
        ({"stride": 30, "max_length": 32}, "stride \\(30\\) must be at most max_length - 4"),
        ({"bf16": True, "fp16": True}, "choose one"),
        ({"train": 3}, "train must be a file path or a list"),
        ({"average_last_epochs": -1}, "average_last_epochs must be an integer >= 0"),
        ({"average_last_epochs": 5, "epochs": 4}, "average_last_epochs \\(5\\) exceeds epochs \\(4\\)"),
        ({"event_thresholds": "each"}, "event_thresholds must be 'shared' or 'per_type'"),
        ({"ngram": True, "gazetteer": True}, "ngram, gazetteer need a dev file"),
        ({"stance_factors": True}, "stance_factors need a dev file"),
        ({"ngram_event_clusters": "yes"}, "ngram_event_clusters must be true or false"),
    ],
)
def test_invalid_values(train_file: Path, changes: dict, message: str) -> None:
    values = {"base": "enc", "train": [str(train_file)], **changes}
    with pytest.raises(ConfigError, match=message):
        FinetuneConfig(**values)


def test_missing_config_file_and_not_ready() -> None:
    with pytest.raises(ConfigError, match="config file .* does not exist"):
        FinetuneConfig.from_file("no/such/config.yaml")
    with pytest.raises(ConfigError, match="--base"):
        FinetuneConfig().check_ready()


def test_shipped_configs_parse() -> None:
    from training.config import read_config_file

    for path in sorted(Path(__file__).resolve().parents[2].glob("training/configs/*.yaml")):
        data = read_config_file(path)
        unknown = set(data) - set(FinetuneConfig.__dataclass_fields__)
        assert not unknown, f"{path.name}: {unknown}"


def test_file_lists_keep_their_roles(tmp_path: Path) -> None:
    """Regression: ``test`` and ``ner_extra`` were once swapped, training on a test file."""
    files = {}
    for name in ("train", "extra", "test"):
        files[name] = tmp_path / f"{name}.jsonl"
        files[name].write_text("", encoding="utf-8")
    config = FinetuneConfig(
        base="x", train=str(files["train"]), ner_extra=str(files["extra"]), test=str(files["test"])
    )
    assert (config.train, config.ner_extra, config.test) == ([str(files["train"])], [str(files["extra"])], [str(files["test"])])
