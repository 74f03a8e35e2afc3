"""Model directories: resolution, validation of bad directories, save/reload."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import torch
from safetensors import safe_open

from arabnews_nlp import model_checks, model_source
from arabnews_nlp.api import Analyzer
from arabnews_nlp.errors import LabelMismatchError, ModelFormatError, ModelNotFoundError
from arabnews_nlp.model_dir import load_analyzer, save_analyzer
from arabnews_nlp.model_source import MODEL_ENV, resolve_model
from arabnews_nlp.schema import NER_TAGS
from arabnews_nlp.settings import AnalyzerSettings

TEXTS = ["قال السوداني إن بغداد تريد خروج قوات التحالف الدولي من العراق.", "نفى البنتاغون ذلك.\nhello 2024"]


@pytest.fixture
def model_copy(tiny_model_dir: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(tiny_model_dir, tmp_path / "model"))


def _dicts(analyzer: Analyzer) -> list[dict]:
    return [analysis.to_dict() for analysis in analyzer.pipe(TEXTS)]


def _assert_close(left: Any, right: Any, tolerance: float) -> None:
    if isinstance(left, float):
        assert left == pytest.approx(right, abs=tolerance)
    elif isinstance(left, dict):
        assert left.keys() == right.keys()
        for key in left:
            _assert_close(left[key], right[key], tolerance)
    elif isinstance(left, list):
        assert len(left) == len(right)
        for a, b in zip(left, right):
            _assert_close(a, b, tolerance)
    else:
        assert left == right


def test_resolve_explicit_env_and_bundled(tiny_model_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert resolve_model(tiny_model_dir) == tiny_model_dir
    assert resolve_model(str(tiny_model_dir)) == tiny_model_dir
    monkeypatch.setenv(MODEL_ENV, str(tiny_model_dir))
    assert resolve_model() == tiny_model_dir  # read at call time
    monkeypatch.setenv(MODEL_ENV, "/no/such/model")  # a bad path says it came from the variable
    with pytest.raises(ModelNotFoundError, match=rf"'/no/such/model' does not exist.*\[from \${MODEL_ENV}; unset it"):
        resolve_model()
    monkeypatch.delenv(MODEL_ENV)
    bundled = model_source.bundled_model_dir()
    if bundled is not None:
        assert resolve_model() == bundled
    monkeypatch.setattr(model_source, "bundled_model_dir", lambda: None)
    with pytest.raises(ModelNotFoundError, match=MODEL_ENV):
        resolve_model()


def test_missing_directory(tmp_path: Path) -> None:
    with pytest.raises(ModelNotFoundError, match="does not exist"):
        load_analyzer(tmp_path / "nope", device="cpu")
    (tmp_path / "file").write_text("x", encoding="utf-8")
    with pytest.raises(ModelNotFoundError, match="is a file"):
        load_analyzer(tmp_path / "file", device="cpu")
    assert issubclass(ModelNotFoundError, FileNotFoundError)


@pytest.mark.parametrize("name", ["config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json", "arabnews_nlp.json"])
def test_incomplete_directory(model_copy: Path, name: str) -> None:
    (model_copy / name).unlink()
    with pytest.raises(ModelFormatError, match=name.replace(".", r"\.")) as info:
        load_analyzer(model_copy, device="cpu")
    assert "save" in str(info.value)  # says how to fix it


@pytest.mark.parametrize("backend", ["torch", "numpy"])
@pytest.mark.parametrize("cut", ["garbage", "after_header"])
def test_damaged_weights_are_named(model_copy: Path, backend: str, cut: str) -> None:
    import struct

    path = model_copy / "model.safetensors"
    data = path.read_bytes()
    header = 8 + struct.unpack("<Q", data[:8])[0]
    path.write_bytes(b"\x00" * 100 if cut == "garbage" else data[: header + 10])  # e.g. an interrupted copy
    with pytest.raises(ModelFormatError, match="model.safetensors is not a readable safetensors file") as info:
        load_analyzer(model_copy, device="cpu", backend=backend)
    assert "copy or download the model directory again" in str(info.value)


@pytest.mark.parametrize("name", ["pytorch_model.bin", "model.pt", "weights.ckpt"])
def test_pickle_only_directory_is_refused(model_copy: Path, name: str) -> None:
    (model_copy / "model.safetensors").unlink()
    (model_copy / name).write_bytes(b"\x80\x04not really a pickle")
    with pytest.raises(ModelFormatError, match="safetensors") as info:
        load_analyzer(model_copy, device="cpu")
    assert name in str(info.value) and "pickle" in str(info.value)


def test_label_mismatch_in_settings(model_copy: Path) -> None:
    path = model_copy / "arabnews_nlp.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["labels"]["events"] = data["labels"]["events"][:-1]
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(LabelMismatchError, match="events"):
        load_analyzer(model_copy, device="cpu")


def test_label_mismatch_in_config(model_copy: Path) -> None:
    path = model_copy / "config.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["id2label"]["1"] = "B-PERSON"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(LabelMismatchError, match="ner"):
        load_analyzer(model_copy, device="cpu")


def test_plain_encoder_is_refused(model_copy: Path) -> None:
    path = model_copy / "config.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["model_type"] = "bert"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ModelFormatError, match="not an arabnews-nlp analyzer"):
        load_analyzer(model_copy, device="cpu")


def test_a_plain_encoder_without_the_settings_file_is_named_as_an_encoder(model_copy: Path) -> None:
    (model_copy / "arabnews_nlp.json").unlink()
    path = model_copy / "config.json"
    path.write_text(json.dumps({**json.loads(path.read_text(encoding="utf-8")), "model_type": "bert"}), encoding="utf-8")
    with pytest.raises(ModelFormatError, match="must be fine-tuned first"):  # was: "arabnews_nlp.json is missing"
        load_analyzer(model_copy, device="cpu")


def _remote_code(directory: Path, file: str, fields: dict[str, Any]) -> Path:
    """Give ``directory``'s ``file`` the ``fields`` and a module that would leave a mark if run."""
    mark = directory / "RAN"
    (directory / "evil.py").write_text(f"open({str(mark)!r}, 'w').close()\n", encoding="utf-8")
    path = directory / file
    data = json.loads(path.read_text(encoding="utf-8"))
    for key, value in fields.items():
        if "." in key:
            outer, inner = key.split(".")
            data[outer][inner] = value
        else:
            data[key] = value
    path.write_text(json.dumps(data), encoding="utf-8")
    return mark


@pytest.mark.parametrize("backend", ["torch", "numpy"])
@pytest.mark.parametrize(
    ("file", "fields", "named"),
    [
        ("tokenizer_config.json", {"auto_map": {"AutoTokenizer": [None, "evil.Tok"]}, "tokenizer_class": "Tok"}, "'auto_map'"),
        ("config.json", {"auto_map": {"AutoModel": "evil.Model"}}, "'auto_map'"),
        ("config.json", {"trust_remote_code": True}, "'trust_remote_code'"),
        ("config.json", {"encoder.auto_map": {"AutoModel": "evil.Model"}}, "'encoder.auto_map'"),
    ],
)
def test_a_directory_asking_to_run_its_own_code_is_refused_without_a_prompt(
    model_copy: Path, backend: str, file: str, fields: dict[str, Any], named: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    mark = _remote_code(model_copy, file, fields)
    monkeypatch.setattr("builtins.input", lambda *_: pytest.fail("asked on stdin whether to run the code"))
    with pytest.raises(ModelFormatError, match=f"{named}.*never does \\(no trust_remote_code\\)"):
        load_analyzer(model_copy, device="cpu", backend=backend)
    assert not mark.exists()


def test_an_encoder_asking_to_run_its_own_code_is_refused(tiny_analyzer: Analyzer, tmp_path: Path) -> None:
    from arabnews_nlp.modeling import AnalyzerModel
    from training.base_checks import base_load_errors

    encoder = tmp_path / "encoder"
    tiny_analyzer.model.encoder.save_pretrained(str(encoder))
    mark = _remote_code(encoder, "config.json", {"auto_map": {"AutoModel": "evil.Model"}})
    with pytest.raises(ModelFormatError, match="'auto_map'"), base_load_errors(str(encoder)):
        AnalyzerModel.from_encoder(str(encoder))
    assert not mark.exists()


def test_transformers_refusal_of_a_hub_model_with_code_is_a_model_format_error() -> None:
    with pytest.raises(ModelFormatError, match="org/custom needs its own Python code"):
        with model_checks.no_remote_code("org/custom"):
            raise ValueError("The repository org/custom contains custom code ... pass trust_remote_code=True")
    with pytest.raises(ValueError, match="other"), model_checks.no_remote_code("org/plain"):
        raise ValueError("other")


def test_saved_config_and_tokenizer_describe_the_saved_model(tiny_analyzer: Analyzer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tiny_analyzer.tokenizer, "model_max_length", 512)  # what a tokenizer trained alone says
    for dtype, name in ((None, "float16"), (torch.float32, "float32")):
        path = save_analyzer(tmp_path / name, tiny_analyzer.model, tiny_analyzer.tokenizer, tiny_analyzer.settings, dtype=dtype)
        config = json.loads((path / "config.json").read_text(encoding="utf-8"))
        assert config["dtype"] == name  # the saved weights' dtype (save_pretrained wrote the model's)
        assert config["label2id"] == {tag: i for i, tag in enumerate(NER_TAGS)}
        tokenizer = json.loads((path / "tokenizer_config.json").read_text(encoding="utf-8"))
        assert tokenizer["model_max_length"] == tiny_analyzer.settings.max_length == 16  # not 512
    assert tiny_analyzer.tokenizer.model_max_length == 512 and str(tiny_analyzer.model.config.dtype) == "float32"  # unchanged


def test_plain_transformers_auto_classes_read_an_analyzer_directory(tiny_model_dir: Path, tiny_analyzer: Analyzer) -> None:
    from transformers import AutoConfig, AutoModel, AutoTokenizer

    import arabnews_nlp.modeling  # noqa: F401  (registers the model type)

    assert type(AutoConfig.from_pretrained(str(tiny_model_dir))).__name__ == "AnalyzerConfig"
    model = AutoModel.from_pretrained(str(tiny_model_dir), dtype=torch.float32)
    ids = AutoTokenizer.from_pretrained(str(tiny_model_dir))("بغداد", return_tensors="pt")
    with torch.no_grad():
        assert torch.allclose(model(**ids).ner_logits, tiny_analyzer.model(**ids).ner_logits, atol=1e-6)


@pytest.mark.parametrize(("field", "value", "named"), [("label2id", {"O": 3, "B-PER": 0}, "does not invert id2label"),
                                                       ("schema_version", 2, "schema_version 2"),
                                                       ("schema_version", 2, "install a matching arabnews-nlp"),
                                                       ("schema_version", "1", "schema_version '1'.*integer")])  # fmt: skip
def test_config_label2id_and_schema_version_are_checked(model_copy: Path, field: str, value: Any, named: str) -> None:
    path = model_copy / "config.json"
    path.write_text(json.dumps({**json.loads(path.read_text(encoding="utf-8")), field: value}), encoding="utf-8")
    with pytest.raises(ModelFormatError, match=named):
        load_analyzer(model_copy, device="cpu")


def test_load_returns_eval_model(tiny_model_dir: Path) -> None:
    model, tokenizer, settings = load_analyzer(tiny_model_dir, device="cpu")
    assert not model.training and model.device.type == "cpu" and model.dtype == torch.float32
    assert tokenizer.is_fast and settings.max_length == 16


def test_save_reload_identical(tiny_analyzer: Analyzer, tmp_path: Path) -> None:
    before = _dicts(tiny_analyzer)
    tiny_analyzer.save_pretrained(tmp_path / "fp32", dtype=torch.float32)
    reloaded = Analyzer.from_pretrained(tmp_path / "fp32", device="cpu")
    _assert_close(_dicts(reloaded), before, 1e-5)


def test_save_fp16(tiny_analyzer: Analyzer, tmp_path: Path) -> None:
    path = save_analyzer(tmp_path / "fp16", tiny_analyzer.model, tiny_analyzer.tokenizer, tiny_analyzer.settings)
    with safe_open(str(path / "model.safetensors"), framework="pt") as weights:
        floats = {weights.get_tensor(k).dtype for k in weights.keys() if weights.get_tensor(k).is_floating_point()}
        assert floats == {torch.float16}
    assert tiny_analyzer.model.dtype == torch.float32  # the caller's model is unchanged
    first = Analyzer.from_pretrained(path, device="cpu")
    again = Analyzer.from_pretrained(path, device="cpu")
    assert _dicts(first) == _dicts(again)
    settings = json.loads((path / "arabnews_nlp.json").read_text(encoding="utf-8"))
    assert {"arabnews_nlp", "torch", "transformers"} <= set(settings["versions"])
    assert "UNTRAINED" in (path / "README.md").read_text(encoding="utf-8")


def test_saved_weights_are_readable_like_the_other_files(tiny_analyzer: Analyzer, tmp_path: Path) -> None:
    import os

    umask = os.umask(0o022)
    try:
        path = save_analyzer(tmp_path / "m", tiny_analyzer.model, tiny_analyzer.tokenizer, tiny_analyzer.settings)
    finally:
        os.umask(umask)
    modes = {item.name: item.stat().st_mode & 0o777 for item in path.iterdir() if item.is_file()}
    assert "model.safetensors" in modes and set(modes.values()) == {0o644}, modes  # safetensors alone wrote 0600


def test_a_training_checkpoint_or_run_folder_is_named_with_where_the_model_is(model_copy: Path, tmp_path: Path) -> None:
    run = tmp_path / "run"
    checkpoint = run / "checkpoint-40"
    checkpoint.mkdir(parents=True)
    shutil.copy(model_copy / "model.safetensors", checkpoint)  # a checkpoint has weights but no tokenizer or settings
    (checkpoint / "trainer_state.json").write_text("{}", encoding="utf-8")
    (run / "finetune_config.json").write_text(json.dumps({"output_dir": "models/mine"}), encoding="utf-8")
    with pytest.raises(ModelFormatError, match=r"checkpoint-40 is a training checkpoint: the model is saved to 'models/mine'"):
        load_analyzer(checkpoint, device="cpu")
    with pytest.raises(ModelFormatError, match=r"run is a fine-tuning run's folder .*'models/mine'.*--resume"):
        load_analyzer(run, device="cpu")
    (run / "finetune_config.json").unlink()  # an interrupted run before its config, or another trainer's
    with pytest.raises(ModelFormatError, match=r"saved to the run's output_dir"):
        load_analyzer(run, device="cpu")
    (model_copy / "tokenizer.json").unlink()  # an ordinary incomplete model still gets the file's own fix
    with pytest.raises(ModelFormatError, match=r"tokenizer\.json is missing; save"):
        load_analyzer(model_copy, device="cpu")


def test_save_pretrained_keeps_the_card_it_was_loaded_with(tiny_model_dir: Path, tmp_path: Path) -> None:
    """A training card (how the model was made, its scores) survives load + save, until the settings change."""
    source = tmp_path / "trained"
    shutil.copytree(tiny_model_dir, source)
    (source / "README.md").write_text("---\nlanguage: ar\n---\n# mine\n\nScores: 0.9\n", encoding="utf-8")
    analyzer = Analyzer.from_pretrained(source, device="cpu")
    assert analyzer.card is not None and "# mine" in analyzer.card
    analyzer.save_pretrained(tmp_path / "copy")
    assert (tmp_path / "copy" / "README.md").read_text(encoding="utf-8") == (source / "README.md").read_text("utf-8")
    analyzer.settings.event_thresholds["AIRSTRIKE"] = 0.9  # the card's thresholds are no longer this model's
    assert analyzer.card is None
    analyzer.save_pretrained(tmp_path / "changed")
    assert "# mine" not in (tmp_path / "changed" / "README.md").read_text(encoding="utf-8")


def test_saved_card_names_a_hub_base_model_only() -> None:
    from arabnews_nlp.model_card import render_model_card

    hub = render_model_card(AnalyzerSettings(trained=True, base_model="aubmindlab/bert-base-arabertv02"))
    local = render_model_card(AnalyzerSettings(trained=True, base_model="../runs/encoder (/abs/runs/encoder)"))
    front = [card.split("\n---\n", 1)[0] for card in (hub, local)]
    assert "base_model: aubmindlab/bert-base-arabertv02" in front[0] and "base_model" not in front[1]
    assert all("pipeline_tag: token-classification" in part and "license: other" in part for part in front)
    assert "## Licence" in local


def test_saved_tokenizer_config_holds_no_flags_of_the_session_that_loaded_it(tiny_model_dir: Path, tmp_path: Path) -> None:
    # Loaded under HF_HUB_OFFLINE=1, transformers records local_files_only=True (and is_local) in the
    # tokenizer's init kwargs and writes them back: the saved model would depend on who saved it.
    analyzer = Analyzer.from_pretrained(tiny_model_dir, device="cpu")
    analyzer.tokenizer.init_kwargs.update(local_files_only=True, is_local=True)
    analyzer.save_pretrained(tmp_path / "saved")
    fields = json.loads((tmp_path / "saved" / "tokenizer_config.json").read_text(encoding="utf-8"))
    assert "local_files_only" not in fields and "is_local" not in fields
    assert fields["model_max_length"] == 16
    assert Analyzer.from_pretrained(tmp_path / "saved", device="cpu").tokenizer.is_fast


@pytest.mark.parametrize("dtype", ["float32", torch.int8, torch.float8_e4m3fn])
def test_save_refuses_a_dtype_that_is_not_a_float_weight_dtype(tiny_analyzer: Analyzer, tmp_path: Path, dtype: Any) -> None:
    from arabnews_nlp.errors import ConfigError

    # int8 rounded every weight to an integer and saved a model that loaded and answered wrongly;
    # a string failed with torch's "Invalid device string" after the directory was made.
    with pytest.raises(ConfigError, match=r"torch.float16.*quantize=True"):
        tiny_analyzer.save_pretrained(tmp_path / "saved", dtype=dtype)
    assert not (tmp_path / "saved").exists()
