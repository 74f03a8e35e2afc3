"""The torch-free numpy backend: same logits and analyses as torch, no torch import, clear errors."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch

from arabnews_nlp import Analyzer
from arabnews_nlp.encoding import collate
from arabnews_nlp.errors import ConfigError, LabelMismatchError, ModelFormatError
from arabnews_nlp.fast_tokenizer import FastTokenizer
from arabnews_nlp.model_dir import save_analyzer
from arabnews_nlp.model_source import bundled_model_dir
from arabnews_nlp.numpy_model import NumpyAnalyzerModel
from tests.conftest import TINY_CORPUS, build_tiny_model, build_tiny_settings

ROOT = Path(__file__).resolve().parents[1]
LONG = " ".join(TINY_CORPUS[:6]) + " " + "قال المتحدث باسم التحالف الدولي إن الهجمات مستمرة على القواعد في العراق وسوريا " * 3
TEXTS = [*TINY_CORPUS[:7], LONG, "", "   ", "١٢٣ !!", "نص"]


def _labels(analysis: Any) -> list[Any]:
    """Everything in an analysis but its scores."""
    return [
        (s.start, s.end, s.stance.label, s.stance.holder and (s.stance.holder.start, s.stance.holder.end),
         [e.label for e in s.events], [(e.start, e.end, e.label, e.text) for e in s.entities])
        for s in analysis.sentences
    ] + [analysis.stance.label]  # fmt: skip


def _scores(analysis: Any) -> list[float]:
    values = [analysis.stance.score]
    for s in analysis.sentences:
        values += [s.stance.score, *(e.score for e in s.events), *(e.score for e in s.entities)]
    return values


def _assert_same_analyses(first: list[Any], second: list[Any]) -> None:
    assert [_labels(a) for a in first] == [_labels(b) for b in second]
    for a, b in zip(first, second):
        np.testing.assert_allclose(_scores(a), _scores(b), atol=1e-5)


def _model_dir(tmp_path: Path, tokenizer: Any, **encoder: Any) -> Path:
    """Save a tiny model whose encoder config differs from the default by ``encoder``."""
    model = build_tiny_model(len(tokenizer), seed=3, tokenizer=tokenizer, word_buckets=257)
    if encoder:
        from transformers import BertConfig

        from arabnews_nlp.model_config import AnalyzerConfig
        from arabnews_nlp.modeling import AnalyzerModel

        torch.manual_seed(3)
        pooling = encoder.pop("sentence_pooling", "cls")
        config = BertConfig(vocab_size=len(tokenizer), hidden_size=32, num_hidden_layers=2, num_attention_heads=4,
                            intermediate_size=64, max_position_embeddings=64, **encoder)  # fmt: skip
        model = AnalyzerModel(AnalyzerConfig(encoder=config.to_dict(), word_buckets=0, sentence_pooling=pooling)).eval()
        with torch.no_grad():
            for head in (model.ner_head, model.stance_head, model.event_head):
                head.weight.normal_(std=0.5)
    save_analyzer(tmp_path, model, tokenizer, build_tiny_settings(), dtype=torch.float32)
    return tmp_path


def test_numpy_logits_match_torch(tiny_model_dir: Path, tiny_analyzer: Analyzer) -> None:
    model = NumpyAnalyzerModel.from_pretrained(tiny_model_dir)
    windows = [w for text in TEXTS for w in tiny_analyzer._prepare(text).windows]
    assert len({len(w.input_ids) for w in windows}) > 3  # the batch has padding
    ours = model(**collate(windows, 0, return_tensors="np"))
    with torch.inference_mode():
        theirs = tiny_analyzer.model(**collate(windows, 0))
    mask = collate(windows, 0, return_tensors="np")["attention_mask"].astype(bool)
    np.testing.assert_allclose(ours.ner_logits[mask], theirs.ner_logits.numpy()[mask], atol=1e-4)
    np.testing.assert_allclose(ours.stance_logits, theirs.stance_logits.numpy(), atol=1e-4)
    np.testing.assert_allclose(ours.event_logits, theirs.event_logits.numpy(), atol=1e-4)


def test_word_buckets_match_torch(tiny_model_dir: Path, tiny_analyzer: Analyzer) -> None:
    model = NumpyAnalyzerModel.from_pretrained(tiny_model_dir)
    rng = np.random.default_rng(0)
    ids = rng.integers(0, len(tiny_analyzer.tokenizer), size=(6, 40))  # random pieces: rows may start mid-word
    expected = tiny_analyzer.model.word_buckets(torch.from_numpy(ids)).numpy()
    np.testing.assert_array_equal(model.word_bucket_ids(ids), expected)


def test_numpy_analyses_equal_torch(tiny_model_dir: Path, tiny_analyzer: Analyzer) -> None:
    numpy_analyzer = Analyzer.from_pretrained(tiny_model_dir, backend="numpy")
    assert numpy_analyzer.device == "cpu"
    for batch_size in (1, 3, 32):
        _assert_same_analyses(list(numpy_analyzer.pipe(TEXTS, batch_size=batch_size)), list(tiny_analyzer.pipe(TEXTS)))
    assert numpy_analyzer.analyze("").to_dict() == tiny_analyzer.analyze("").to_dict()
    assert any(a.entities for a in numpy_analyzer.pipe(TEXTS))  # the comparison covers entities


@pytest.mark.parametrize(
    "encoder",
    [{"hidden_act": "gelu_new"}, {"hidden_act": "relu"}, {"hidden_act": "gelu", "sentence_pooling": "mean"}],
    ids=["gelu_new", "relu", "mean-pooling"],
)
def test_other_bert_variants_match(tmp_path: Path, tiny_tokenizer: Any, encoder: dict[str, Any]) -> None:
    directory = _model_dir(tmp_path, tiny_tokenizer, **encoder)
    torch_analyzer = Analyzer.from_pretrained(directory, device="cpu")
    numpy_analyzer = Analyzer.from_pretrained(directory, backend="numpy")
    _assert_same_analyses(list(numpy_analyzer.pipe(TEXTS)), list(torch_analyzer.pipe(TEXTS)))


def test_fast_tokenizer_matches_transformers(tiny_model_dir: Path, tiny_analyzer: Analyzer) -> None:
    ours = FastTokenizer.from_directory(tiny_model_dir)
    theirs = tiny_analyzer.tokenizer
    for name in ("cls_token_id", "sep_token_id", "pad_token_id", "unk_token_id", "bos_token_id", "eos_token_id"):
        assert getattr(ours, name) == getattr(theirs, name), name
    assert len(ours) == len(theirs) and ours.get_vocab() == theirs.get_vocab()


def test_numpy_backend_never_imports_torch(tiny_model_dir: Path) -> None:
    code = (
        "import sys, json; from arabnews_nlp import Analyzer; "
        f"a = Analyzer.from_pretrained({str(tiny_model_dir)!r}, backend='numpy'); "
        f"r = a.analyze({TINY_CORPUS[0]!r}); "
        "print(json.dumps([m for m in ('torch', 'transformers') if m in sys.modules] + [len(r.sentences)]))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert json.loads(done.stdout.strip().splitlines()[-1]) == [1]


def test_bad_backend_and_options(tiny_model_dir: Path) -> None:
    with pytest.raises(ConfigError, match="backend must be one of"):
        Analyzer.from_pretrained(tiny_model_dir, backend="onnx")
    with pytest.raises(ConfigError, match="CPU only"):
        Analyzer.from_pretrained(tiny_model_dir, backend="numpy", device="cuda")
    with pytest.raises(ConfigError, match="quantize=True needs backend='torch'"):
        Analyzer.from_pretrained(tiny_model_dir, backend="numpy", quantize=True)
    analyzer = Analyzer.from_pretrained(tiny_model_dir, backend="numpy")
    from arabnews_nlp.quantize import quantize_analyzer

    with pytest.raises(ConfigError, match="backend='torch'"):
        quantize_analyzer(analyzer)
    with pytest.raises(ConfigError, match="save_pretrained needs a torch analyzer model"):
        analyzer.save_pretrained(tiny_model_dir.parent / "never")


def _edited_copy(source: Path, tmp_path: Path, edit: Any) -> Path:
    target = tmp_path / "edited"
    shutil.copytree(source, target)
    config = json.loads((target / "config.json").read_text(encoding="utf-8"))
    edit(config)
    (target / "config.json").write_text(json.dumps(config), encoding="utf-8")
    return target


def test_unsupported_encoder_names_the_torch_backend(tiny_model_dir: Path, tmp_path: Path) -> None:
    directory = _edited_copy(tiny_model_dir, tmp_path, lambda c: c["encoder"].update(hidden_act="silu"))
    with pytest.raises(ModelFormatError, match=r"hidden_act 'silu'.*backend='torch'"):
        Analyzer.from_pretrained(directory, backend="numpy")


def test_wrong_model_type_and_labels(tiny_model_dir: Path, tmp_path: Path) -> None:
    plain = _edited_copy(tiny_model_dir, tmp_path / "a", lambda c: c.update(model_type="bert"))
    with pytest.raises(ModelFormatError, match="not an arabnews-nlp analyzer"):
        Analyzer.from_pretrained(plain, backend="numpy")
    renamed = _edited_copy(tiny_model_dir, tmp_path / "b", lambda c: c.update(stance_labels=["for", "against", "none"]))
    with pytest.raises(LabelMismatchError):
        Analyzer.from_pretrained(renamed, backend="numpy")


def test_cli_backend_numpy(tiny_model_dir: Path, tmp_path: Path) -> None:
    from arabnews_nlp.cli import main

    article = tmp_path / "a.txt"
    article.write_text(TINY_CORPUS[0], encoding="utf-8")
    outputs = {}
    for backend in ("numpy", "torch"):
        out = tmp_path / f"{backend}.jsonl"
        assert main(["analyze", str(article), "--model", str(tiny_model_dir), "--backend", backend, "--format", "jsonl", "-o", str(out)]) == 0
        outputs[backend] = json.loads(out.read_text(encoding="utf-8"))
    def labels(result: dict[str, Any]) -> list[Any]:
        sentences = [(s["stance"]["label"], [e["label"] for e in s["events"]]) for s in result["sentences"]]
        return [sentences, [(e["start"], e["end"], e["label"]) for e in result["entities"]]]

    assert labels(outputs["numpy"]) == labels(outputs["torch"])


@pytest.mark.integration
def test_bundled_model_numpy_equals_torch() -> None:
    bundled = bundled_model_dir()
    seeds = sorted((ROOT / "seeds" / "raw").glob("*.txt"))
    if bundled is None or not seeds:
        pytest.skip("no bundled model or seed articles")
    texts = [path.read_text(encoding="utf-8") for path in seeds]
    numpy_analyses = list(Analyzer.from_pretrained(backend="numpy").pipe(texts))
    torch_analyses = list(Analyzer.from_pretrained(device="cpu").pipe(texts))
    _assert_same_analyses(numpy_analyses, torch_analyses)


def test_missing_weight_is_a_format_error(tiny_model_dir: Path) -> None:
    from safetensors.numpy import load_file

    from arabnews_nlp.numpy_model import read_config

    weights = load_file(str(tiny_model_dir / "model.safetensors"))
    del weights["encoder.encoder.layer.0.output.dense.weight"]
    with pytest.raises(ModelFormatError, match="output.dense.weight.*backend='torch'"):
        NumpyAnalyzerModel(read_config(tiny_model_dir), weights)


def test_analyze_corpus_numpy_backend(tiny_model_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from arabnews_nlp.cli import main

    corpus = tmp_path / "in.jsonl"
    corpus.write_text("".join(json.dumps({"id": i, "text": t}, ensure_ascii=False) + "\n" for i, t in enumerate(TEXTS)), encoding="utf-8")
    outputs = {}
    for backend in ("numpy", "torch"):
        out = tmp_path / f"{backend}.jsonl"
        assert main(["analyze-corpus", str(corpus), "-o", str(out), "--model", str(tiny_model_dir), "--backend", backend]) == 0
        rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
        outputs[backend] = {row["id"]: [(e["start"], e["end"], e["label"]) for e in row["entities"]] for row in rows}
    assert outputs["numpy"] == outputs["torch"] and len(outputs["numpy"]) == len(TEXTS)
    capsys.readouterr()
    assert main(["analyze-corpus", str(corpus), "-o", str(tmp_path / "r.jsonl"), "--engine", "ray", "--backend", "numpy"]) == 2
    assert "--engine ray runs the torch backend" in capsys.readouterr().err
