"""AnalyzerSettings: validation, JSON round trip, label checks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from arabnews_nlp.errors import ConfigError, LabelMismatchError, ModelFormatError
from arabnews_nlp.settings import SETTINGS_FILE, AnalyzerSettings
from arabnews_nlp.text.normalize import NormalizationConfig


def test_round_trip(tmp_path: Path) -> None:
    settings = AnalyzerSettings(
        max_length=64,
        stride=8,
        description="نموذج تجريبي",
        normalization=NormalizationConfig(unify_ta_marbuta=True),
        event_thresholds={"THREAT": 0.3},
        metrics={"ner_f1": 0.5},
    )
    settings.save(tmp_path)
    raw = (tmp_path / SETTINGS_FILE).read_text(encoding="utf-8")
    assert "نموذج تجريبي" in raw  # ensure_ascii=False
    loaded = AnalyzerSettings.load(tmp_path)
    assert loaded == settings
    assert loaded.event_thresholds["THREAT"] == 0.3 and loaded.event_thresholds["AIRSTRIKE"] == 0.5
    assert loaded.normalization.unify_ta_marbuta is True


def test_unknown_keys_are_ignored() -> None:
    assert AnalyzerSettings.from_dict({"max_length": 32, "stride": 4, "future_field": 1}).max_length == 32


@pytest.mark.parametrize(
    "kwargs",
    [
        {"max_length": 2},
        {"max_length": 16, "stride": 13},
        {"stride": -1},
        {"event_thresholds": {"NOT_AN_EVENT": 0.5}},
        {"event_thresholds": {"THREAT": 1.5}},
        {"doc_stance": {"rule": "vote"}},
        {"doc_stance": {"rule": "weighted_mean", "neutral_weight": 2}},
        {"doc_stance": {"rule": "weighted_mean", "reported_weight": -0.5}},
        {"doc_stance": {"rule": "weighted_mean", "reported_weight": True}},
        {"task": "ner"},
        {"normalization": {"unknown_rule": True}},
        {"stance_weights": {"against": 2.0}},
        {"stance_weights": {"pro": 0.0}},
        {"ner_min_score": 1.0},
        {"gazetteer_mode": "replace"},
        {"ner_decoding": "crf"},
        {"gazetteer": {"بغداد": "CITY"}},
    ],
)
def test_invalid_values(kwargs: dict) -> None:
    with pytest.raises(ConfigError):
        AnalyzerSettings(**kwargs)


def test_label_mismatch() -> None:
    settings = AnalyzerSettings()
    settings.labels["stance"] = ["pro", "anti", "neutral"]
    with pytest.raises(LabelMismatchError, match="stance"):
        settings.check_labels()


def test_schema_version_mismatch() -> None:
    with pytest.raises(ModelFormatError, match="schema version"):
        AnalyzerSettings(schema_version=99).check_labels()


def test_load_missing_and_invalid(tmp_path: Path) -> None:
    with pytest.raises(ModelFormatError, match=SETTINGS_FILE):
        AnalyzerSettings.load(tmp_path)
    (tmp_path / SETTINGS_FILE).write_text("{not json", encoding="utf-8")
    with pytest.raises(ModelFormatError, match="not valid"):
        AnalyzerSettings.load(tmp_path)
    (tmp_path / SETTINGS_FILE).write_text(json.dumps({"stride": 500}), encoding="utf-8")
    with pytest.raises(ModelFormatError, match="stride"):
        AnalyzerSettings.load(tmp_path)
