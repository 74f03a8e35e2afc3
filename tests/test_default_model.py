"""Regression guard for the bundled default model: re-score it on dev against its card's floor.

The floor is the dev scores recorded in ``models/default/arabnews_nlp.json`` (``metrics``, written
by ``python -m training finetune`` from the evaluation of the saved weights). A change that makes
any of them drop by more than ``TOLERANCE`` (code, normalisation, segmentation, the weights) fails
here. This checks quality, never time.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
MODEL = ROOT / "models" / "default"
DEV = ROOT / "seeds" / "dev.jsonl"
TOLERANCE = 0.02
GUARDED = (
    "sentences/ner_f1",
    "sentences/stance_macro_f1",
    "sentences/stance_f_avg",
    "sentences/events_micro_f1",
    "sentences/events_macro_f1",
    "documents/entity_f1",
    "documents/stance_macro_f1",
    "documents/events_micro_f1",
)


@pytest.fixture(scope="module")
def rescored() -> tuple[dict[str, float], dict[str, Any]]:
    from arabnews_nlp.model_dir import load_analyzer
    from training.data.records import read_records
    from training.evaluation.modes import evaluate_model
    from training.evaluation.report import scores_report
    from training.evaluation.summary import summary

    settings = json.loads((MODEL / "arabnews_nlp.json").read_text(encoding="utf-8"))
    model, tokenizer, loaded = load_analyzer(MODEL, device="cpu")
    scores = evaluate_model(model, tokenizer, loaded, read_records(DEV), "both", 32)
    return summary(scores_report(str(MODEL), [str(DEV)], scores, [])), settings


def test_default_model_is_trained_and_has_a_floor(rescored: tuple[dict[str, float], dict[str, Any]]) -> None:
    _, settings = rescored
    assert settings["trained"] is True
    assert all(key in settings["metrics"] for key in GUARDED)


@pytest.mark.parametrize("metric", GUARDED)
def test_default_model_holds_its_dev_scores(rescored: tuple[dict[str, float], dict[str, Any]], metric: str) -> None:
    now, settings = rescored
    floor = settings["metrics"][metric] - TOLERANCE
    assert now[metric] >= floor, f"{metric}: {now[metric]:.4f} is below the card's {settings['metrics'][metric]:.4f} - {TOLERANCE}"


def test_default_model_files_describe_its_weights() -> None:
    """config.json's dtype is the stored weights', the tokenizer's length the encoder's windows."""
    from safetensors import safe_open

    config = json.loads((MODEL / "config.json").read_text(encoding="utf-8"))
    settings = json.loads((MODEL / "arabnews_nlp.json").read_text(encoding="utf-8"))
    tokenizer = json.loads((MODEL / "tokenizer_config.json").read_text(encoding="utf-8"))
    with safe_open(str(MODEL / "model.safetensors"), framework="pt") as weights:
        stored = {str(weights.get_slice(name).get_dtype()) for name in weights.keys()} - {"I64"}
    assert stored == {"F16"} and config["dtype"] == "float16"
    assert tokenizer["model_max_length"] == settings["max_length"] <= config["encoder"]["max_position_embeddings"]
    assert config["label2id"] == {label: int(index) for index, label in config["id2label"].items()}


def test_default_model_card_has_hub_metadata_and_no_local_path() -> None:
    """The card's front matter is the one every saved card gets, and it names no path of ours."""
    from arabnews_nlp.model_card import LICENCE, front_matter
    from arabnews_nlp.settings import AnalyzerSettings

    card = (MODEL / "README.md").read_text(encoding="utf-8")
    settings = AnalyzerSettings.load(MODEL)
    assert card.startswith("\n".join(front_matter(settings)))
    assert "pipeline_tag: token-classification" in card and "license: other" in card
    assert "\n".join(LICENCE) in card
    assert "../" not in (settings.base_model or "")
