"""Result dataclasses and their dict form (SCHEMA.md §6)."""

from __future__ import annotations

import dataclasses
import json

import pytest

from arabnews_nlp.results import Analysis, Entity, Event, SentenceResult, Stance


def _analysis() -> Analysis:
    text = "قال السوداني في بغداد."
    holder = Entity(4, 12, "PER", "السوداني", 0.9)
    place = Entity(16, 21, "LOC", "بغداد", 0.8)
    sentence = SentenceResult(
        0, len(text), text, Stance("anti", 0.7, holder), (Event("THREAT", 0.6),), (holder, place)
    )
    return Analysis(text=text, stance=Stance("anti", 0.7), entities=(holder, place), sentences=(sentence,))


def test_to_dict_matches_schema_section_6() -> None:
    data = _analysis().to_dict()
    assert list(data) == ["text", "stance", "entities", "sentences"]
    assert data["stance"] == {"label": "anti", "score": 0.7}
    assert data["entities"][1] == {"start": 16, "end": 21, "label": "LOC", "text": "بغداد", "score": 0.8}
    sentence = data["sentences"][0]
    assert list(sentence) == ["start", "end", "text", "stance", "events"]
    assert sentence["stance"]["holder"]["text"] == "السوداني"
    assert sentence["events"] == [{"label": "THREAT", "score": 0.6}]
    json.dumps(data)  # JSON-ready


def test_to_json_keeps_arabic() -> None:
    text = _analysis().to_json()
    assert "بغداد" in text and "\\u" not in text
    assert json.loads(text) == _analysis().to_dict()


def test_results_are_frozen() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        _analysis().text = "x"  # type: ignore[misc]


def test_empty_analysis() -> None:
    assert Analysis.empty(" \n").to_dict() == {
        "text": " \n",
        "stance": {"label": "neutral", "score": 1.0},
        "entities": [],
        "sentences": [],
    }
