"""Config errors are ConfigError with a message that says what and how to fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from arabnews_nlp.errors import ConfigError
from training.config import FinetuneConfig
from training.finetune import load_config, parse_args


@pytest.fixture
def train_file(tmp_path: Path, gold_file: Path) -> Path:
    path = tmp_path / "train.jsonl"
    path.write_bytes(gold_file.read_bytes())  # valid data: an empty file is refused (nothing to train on)
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
        ({"ngram": "false"}, "ngram must be true or false, got 'false'"),  # a quoted YAML string is not a bool
        ({"bf16": "true"}, "bf16 must be true or false"),
        ({"class_weights": "no"}, "class_weights must be true or false"),
        ({"description": 5}, "description must be a string, got 5"),
        ({"dev": ["a.jsonl", "b.jsonl"]}, "dev must be one file path"),
        ({"learning_rate": "5e-5"}, "5.0e-5 .*YAML reads 5e-5"),
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
    from training.config_file import read_config_file

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


def test_data_paths_that_cannot_work(tmp_path: Path, train_file: Path) -> None:
    with pytest.raises(ConfigError, match="data file .* is a directory; list the JSONL files in it"):
        FinetuneConfig(base="enc", train=[str(train_file)], dev=str(tmp_path))
    other = tmp_path / "other"
    other.mkdir()
    (other / "test.jsonl").write_text("", encoding="utf-8")
    (tmp_path / "test.jsonl").write_text("", encoding="utf-8")
    with pytest.raises(ConfigError, match="share a file name, so their results would overwrite each other"):
        FinetuneConfig(base="enc", train=[str(train_file)], test=[str(tmp_path / "test.jsonl"), str(other / "test.jsonl")])
    for base, message in ((str(train_file), "is a file"), (str(tmp_path / "no_encoder"), "does not exist"),
                          ("./enc", "does not exist")):  # fmt: skip
        with pytest.raises(ConfigError, match=f"base .* {message}"):
            FinetuneConfig(base=base, train=[str(train_file)]).check_ready()
    FinetuneConfig(base="aubmindlab/bert-base-arabertv02", train=[str(train_file)]).check_ready()  # a hub id is fine


def test_data_files_are_checked_before_any_work(tmp_path: Path, gold_records: list) -> None:
    from arabnews_nlp.errors import DataFormatError
    from training.data.records import to_surface, write_records

    good, bad, surface = tmp_path / "good.jsonl", tmp_path / "bad.jsonl", tmp_path / "surface.jsonl"
    write_records(good, gold_records)
    broken = [dict(gold_records[0], sentences=[dict(s, stance="Neutral") for s in gold_records[0]["sentences"]])]
    write_records(bad, broken)
    write_records(surface, [to_surface(r) for r in gold_records])
    FinetuneConfig(base="enc", train=[str(good)], dev=str(good)).check_ready()
    with pytest.raises(DataFormatError, match=r"bad.jsonl has \d+ problem\(s\), the first: .*bad.jsonl:1: doc-0: "
                       r"sentence 0: stance 'Neutral'.*python -m training validate .*bad.jsonl lists them all"):  # fmt: skip
        FinetuneConfig(base="enc", train=[str(good)], dev=str(bad)).check_ready()  # dev: before training, not after
    with pytest.raises(DataFormatError, match="surface.jsonl is in the surface format .* convert surface"):
        FinetuneConfig(base="enc", train=[str(surface)]).check_ready()



def test_training_documents_that_repeat_a_held_out_document_are_refused(tmp_path: Path, gold_records: list) -> None:
    """The same article under another id, or the same id, in train and in dev/test would inflate the scores."""
    import copy

    from arabnews_nlp.errors import DataFormatError
    from training.data.records import write_records

    train, dev, test = tmp_path / "train.jsonl", tmp_path / "dev.jsonl", tmp_path / "test.jsonl"
    write_records(train, gold_records)
    write_records(dev, [dict(copy.deepcopy(gold_records[1]), id="dev-copy")])
    write_records(test, [dict(copy.deepcopy(gold_records[0]), text=gold_records[0]["text"], id=gold_records[0]["id"])])
    with pytest.raises(DataFormatError, match=rf"1 training document\(s\) repeat a dev or test document .*: "
                       rf"train '{gold_records[1]['id']}' = .*dev.jsonl 'dev-copy'\. .*remove them"):  # fmt: skip
        FinetuneConfig(base="enc", train=[str(train)], dev=str(dev)).check_ready()
    with pytest.raises(DataFormatError, match=r"2 training document\(s\) repeat"):
        FinetuneConfig(base="enc", train=[str(train)], dev=str(dev), test=[str(test)]).check_ready()
    # the same file as train and dev is deliberate (an overfitting or smoke run): allowed, as on request
    FinetuneConfig(base="enc", train=[str(train)], dev=str(train)).check_ready()
    FinetuneConfig(base="enc", train=[str(train)], dev=str(dev), allow_held_out_copies=True).check_ready()


def test_missing_data_files_are_listed_at_once_with_their_keys_and_the_command_that_makes_them(
    tmp_path: Path, train_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The documented continue/retune path on a fresh checkout: both ANERcorp files named at once (probe16 #4)."""
    monkeypatch.chdir(Path(__file__).resolve().parents[2])  # the repository root, as the docs' commands run
    test, extra = "runs/data-missing-here/anercorp_test_reconstructed.jsonl", "runs/data-missing-here/anercorp_train.jsonl"
    dev = str(tmp_path / "my_dev.jsonl")
    with pytest.raises(ConfigError) as raised:
        FinetuneConfig(base="enc", train=[str(train_file)], dev=dev, test=[test], ner_extra=[extra])
    lines = str(raised.value).splitlines()
    assert lines[0] == "3 data files cannot be read:"
    assert lines[1] == f"  dev: data file {dev!r} does not exist; check the path (relative to {Path.cwd()})"
    assert lines[2] == (f"  test: data file {test!r} does not exist; it is converted from ANERcorp: python -m training "
                        f"convert anercorp ../shared/data/anercorp/ANERCorp_CamelLab_test.reconstructed.txt {test}")
    assert lines[3] == (f"  ner_extra: data file {extra!r} does not exist; it is converted from ANERcorp: python -m "
                        f"training convert anercorp ../shared/data/anercorp/ANERCorp_CamelLab_train.reconstructed.txt "
                        f"{extra}")  # fmt: skip
    with pytest.raises(ConfigError, match=r"^ner_extra: data file .* does not exist; it is converted from ANERcorp"):
        FinetuneConfig(base="enc", train=[str(train_file)], ner_extra=[extra])  # one problem: one line


def test_a_document_in_two_training_files_is_refused(tmp_path: Path, gold_records: list) -> None:
    """`--train seeds/train.jsonl OUT/train.jsonl` (a build-data output holding seeds/train.jsonl) trained each twice."""
    from arabnews_nlp.errors import DataFormatError
    from training.data.records import write_records

    seeds, built, dev = tmp_path / "seeds_train.jsonl", tmp_path / "built_train.jsonl", tmp_path / "dev.jsonl"
    write_records(seeds, gold_records[:1])
    write_records(built, gold_records)
    write_records(dev, gold_records[1:])
    with pytest.raises(DataFormatError, match=rf"1 document id\(s\) are in more than one training file.*"
                       rf"'{gold_records[0]['id']}' in .*seeds_train.jsonl and .*built_train.jsonl.*pass it alone"):  # fmt: skip
        FinetuneConfig(base="enc", train=[str(seeds), str(built)], dev=str(dev), allow_held_out_copies=True).check_ready()
    with pytest.raises(DataFormatError, match=r"more than one training file"):  # the same file listed twice
        FinetuneConfig(base="enc", train=[str(seeds), str(seeds)], dev=str(dev)).check_ready()
    FinetuneConfig(base="enc", train=[str(seeds)], dev=str(dev)).check_ready()
