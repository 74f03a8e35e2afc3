"""The placeholder builder (``scripts/build_placeholder_model.py``): an UNTRAINED model for wiring.

The bundled default model is trained (``tests/test_default_model.py``); the placeholder remains
the way to get a valid, tiny model directory without training, e.g. for packaging experiments.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from arabnews_nlp.api import Analyzer
from arabnews_nlp.model_source import bundled_model_dir
from arabnews_nlp.settings import AnalyzerSettings

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def placeholder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    spec = importlib.util.spec_from_file_location("build_placeholder_model", ROOT / "scripts" / "build_placeholder_model.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    out = tmp_path_factory.mktemp("placeholder") / "model"
    assert module.main(["--output", str(out)]) == 0
    return out


def test_placeholder_is_marked_untrained_and_small(placeholder: Path) -> None:
    settings = AnalyzerSettings.load(placeholder)
    assert settings.trained is False and "UNTRAINED" in settings.description
    assert "UNTRAINED PLACEHOLDER" in (placeholder / "README.md").read_text(encoding="utf-8")
    assert sum(p.stat().st_size for p in placeholder.iterdir()) < 5_000_000


def test_placeholder_loads_and_predicts_nothing(placeholder: Path) -> None:
    analyzer = Analyzer.from_pretrained(placeholder, device="cpu")
    text = (ROOT / "seeds" / "raw" / "003_3d8287543a3c1b7b.txt").read_text(encoding="utf-8")
    analysis = analyzer.analyze(text)
    assert analysis.sentences and not analysis.entities
    assert {s.stance.label for s in analysis.sentences} == {"neutral"}
    assert not any(s.events for s in analysis.sentences)


def test_the_bundled_model_is_trained() -> None:
    bundled = bundled_model_dir()
    if bundled is None:
        pytest.skip("no bundled model in this checkout")
    assert AnalyzerSettings.load(bundled).trained is True
