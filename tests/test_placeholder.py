"""The bundled default model: an UNTRAINED placeholder that loads and predicts nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from arabnews_nlp.api import Analyzer
from arabnews_nlp.model_dir import bundled_model_dir
from arabnews_nlp.settings import AnalyzerSettings

ROOT = Path(__file__).resolve().parent.parent
DEFAULT = bundled_model_dir()

pytestmark = pytest.mark.skipif(DEFAULT is None, reason="run scripts/build_placeholder_model.py first")


def test_placeholder_is_marked_untrained_and_small() -> None:
    assert DEFAULT is not None
    settings = AnalyzerSettings.load(DEFAULT)
    assert settings.trained is False and "UNTRAINED" in settings.description
    assert "UNTRAINED PLACEHOLDER" in (DEFAULT / "README.md").read_text(encoding="utf-8")
    assert sum(p.stat().st_size for p in DEFAULT.iterdir()) < 5_000_000


def test_placeholder_loads_and_predicts_nothing() -> None:
    analyzer = Analyzer.from_pretrained(DEFAULT, device="cpu")
    text = (ROOT / "seeds" / "raw" / "003_3d8287543a3c1b7b.txt").read_text(encoding="utf-8")
    analysis = analyzer.analyze(text)
    assert analysis.sentences and not analysis.entities
    assert {s.stance.label for s in analysis.sentences} == {"neutral"}
    assert not any(s.events for s in analysis.sentences)
