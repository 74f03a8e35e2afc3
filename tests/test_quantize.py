"""Dynamic int8 quantisation: a copy with int8 encoder linears, same predictions, clear errors."""

from __future__ import annotations

import sys
from typing import Any

import pytest
import torch

from arabnews_nlp import quantize
from arabnews_nlp.api import Analyzer
from arabnews_nlp.errors import ConfigError, DeviceError, MissingDependencyError
from arabnews_nlp.quantize import is_quantized, quantize_analyzer, quantize_dynamic

TEXTS = [
    "قال رئيس الوزراء محمد شياع السوداني إن بغداد تريد خروج قوات التحالف الدولي من العراق.",
    "أعلنت وزارة الدفاع الأميركية أن قاعدة عين الأسد تعرضت لهجوم بطائرات مسيرة. وأكد البرلمان العراقي قراره.",
    "حذرت كتائب حزب الله من استمرار وجود القوات الأميركية في الأنبار وأربيل.",
    "قتل ثلاثة جنود وأصيب 12 آخرون في هجوم صاروخي على مطار بغداد الدولي عام 2024.",
]


def _linear_kinds(module: torch.nn.Module) -> set[str]:
    """``float`` for plain ``nn.Linear``, ``int8`` for dynamically quantised linears."""
    from torch.ao.nn.quantized.dynamic import Linear as DynamicLinear

    kinds = set()
    for sub in module.modules():
        if type(sub) is torch.nn.Linear:
            kinds.add("float")
        elif isinstance(sub, DynamicLinear):
            kinds.add("int8")
    return kinds


def test_quantize_dynamic_returns_an_int8_copy(tiny_analyzer: Any) -> None:
    model = tiny_analyzer.model
    before = {name: value.clone() for name, value in model.state_dict().items()}
    int8 = quantize_dynamic(model)
    assert int8 is not model and is_quantized(int8) and not is_quantized(model)
    assert _linear_kinds(int8.encoder) == {"int8"}
    assert _linear_kinds(model.encoder) == {"float"}  # the original is untouched
    assert all(torch.equal(before[name], value) for name, value in model.state_dict().items())
    for head in (int8.ner_head, int8.stance_head, int8.event_head):  # heads stay float32
        assert type(head) is torch.nn.Linear and head.weight.dtype == torch.float32


def test_inplace_quantises_the_model_itself(tiny_analyzer: Any) -> None:
    model = tiny_analyzer.model
    assert quantize_dynamic(model, inplace=True) is model
    assert is_quantized(model)
    with pytest.raises(ConfigError, match="already quantised"):
        quantize_dynamic(model)


def test_int8_predictions_match_float32(tiny_analyzer: Any) -> None:
    int8 = quantize_analyzer(tiny_analyzer)
    assert isinstance(int8, Analyzer) and int8.model is not tiny_analyzer.model
    for fp32_result, int8_result in zip(tiny_analyzer.pipe(TEXTS), int8.pipe(TEXTS)):
        assert [(e.start, e.end, e.label) for e in fp32_result.entities] == [
            (e.start, e.end, e.label) for e in int8_result.entities
        ]
        assert [s.stance.label for s in fp32_result.sentences] == [s.stance.label for s in int8_result.sentences]
        assert [[e.label for e in s.events] for s in fp32_result.sentences] == [
            [e.label for e in s.events] for s in int8_result.sentences
        ]
        assert abs(fp32_result.stance.score - int8_result.stance.score) < 0.02


def test_quantize_analyzer_inplace_returns_the_same_analyzer(tiny_analyzer: Any) -> None:
    assert quantize_analyzer(tiny_analyzer, inplace=True) is tiny_analyzer
    assert is_quantized(tiny_analyzer.model)
    assert tiny_analyzer.analyze(TEXTS[0]).sentences


def test_unknown_backend_is_a_config_error(tiny_analyzer: Any) -> None:
    with pytest.raises(ConfigError, match="backend must be one of"):
        quantize_dynamic(tiny_analyzer.model, backend="onnx")


def test_a_model_off_the_cpu_is_refused(tiny_analyzer: Any) -> None:
    model = tiny_analyzer.model.to("meta")
    with pytest.raises(DeviceError, match="runs on the CPU"):
        quantize_dynamic(model, inplace=True)


def test_missing_backends_say_what_to_install(tiny_analyzer: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(quantize, "_torch_backend", lambda: None)
    with pytest.raises(MissingDependencyError, match="torch.ao.quantization"):
        quantize_dynamic(tiny_analyzer.model, backend="torch")
    monkeypatch.setitem(sys.modules, "torchao", None)  # makes "import torchao" fail
    monkeypatch.setitem(sys.modules, "torchao.quantization", None)
    with pytest.raises(MissingDependencyError, match="pip install torchao"):
        quantize_dynamic(tiny_analyzer.model)


def test_quantisation_emits_no_deprecation_warning(tiny_analyzer: Any, recwarn: pytest.WarningsRecorder) -> None:
    quantize_dynamic(tiny_analyzer.model)
    assert not [w for w in recwarn if "torch.ao.quantization is deprecated" in str(w.message)]


def test_saving_an_int8_analyzer_is_a_config_error_that_writes_nothing(tiny_analyzer: Any, tmp_path: Any) -> None:
    int8 = quantize_analyzer(tiny_analyzer)
    with pytest.raises(ConfigError, match="quantise after loading"):
        int8.save_pretrained(tmp_path / "int8")
    assert not (tmp_path / "int8").exists()


def test_the_quantization_benchmark_skips_dev_scores_without_the_train_extra(
    tiny_analyzer: Any, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import importlib
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    monkeypatch.syspath_prepend(str(root / "benchmarks"))
    benchmark = importlib.import_module("quantization")
    for name in ("quantization", "common", "agreement"):  # the benchmarks' top-level modules: not left for other tests
        sys.modules.pop(name, None)
    dev = tmp_path / "dev.jsonl"
    dev.write_text((root / "seeds" / "dev.jsonl").read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8")
    for name in [name for name in sys.modules if name.split(".")[0] == "seqeval"] + ["seqeval"]:
        monkeypatch.setitem(sys.modules, name, None)  # as in an install without [train]: import fails
    int8 = quantize_analyzer(tiny_analyzer)
    dev_scores = benchmark.dev_scores(tiny_analyzer, int8, str(dev), 8)
    assert "[train]" in dev_scores["skipped"]
