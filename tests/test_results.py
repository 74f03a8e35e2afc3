"""Result dataclasses and their dict form (SCHEMA.md §6)."""

from __future__ import annotations

import dataclasses
import json

import pytest

from arabnews_nlp.results import Analysis, DocumentEvent, Entity, Event, SentenceResult, Stance


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
    assert list(data) == ["text", "stance", "events", "entities", "sentences"]
    assert data["events"] == [{"label": "THREAT", "score": 0.6, "sentences": 1}]
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
        "events": [],
        "entities": [],
        "sentences": [],
    }


def _sentence(start: int, *events: Event) -> SentenceResult:
    return SentenceResult(start, start + 1, "x", Stance("neutral", 0.9), events)


def test_document_events_gather_the_sentences_events() -> None:
    sentences = (
        _sentence(0, Event("CASUALTIES", 0.7), Event("AIRSTRIKE", 0.6)),
        _sentence(2),
        _sentence(4, Event("AIRSTRIKE", 0.95)),
        _sentence(6, Event("THREAT", 0.7), Event("AIRSTRIKE", 0.5)),
    )
    analysis = Analysis("x " * 4, Stance("neutral", 0.9), sentences=sentences)
    # highest score first; CASUALTIES and THREAT tie at 0.7 and keep the schema's order
    assert analysis.events == (
        DocumentEvent("AIRSTRIKE", 0.95, 3), DocumentEvent("CASUALTIES", 0.7, 1), DocumentEvent("THREAT", 0.7, 1)
    )  # fmt: skip
    assert analysis.to_dict()["events"][0] == {"label": "AIRSTRIKE", "score": 0.95, "sentences": 3}
    assert Analysis("x", Stance("neutral", 0.9), sentences=(_sentence(0),)).events == ()


def test_to_dict_without_text_keeps_offsets_and_entity_texts() -> None:
    full, short = _analysis().to_dict(), _analysis().to_dict(text=False)
    assert list(short) == ["stance", "events", "entities", "sentences"]
    assert list(short["sentences"][0]) == ["start", "end", "stance", "events"]
    assert short["entities"] == full["entities"]
    assert {key: value for key, value in full["sentences"][0].items() if key != "text"} == short["sentences"][0]
    assert json.loads(_analysis().to_json(text=False)) == short


def test_to_json_of_a_text_with_a_lone_surrogate_can_be_written_as_utf8(tmp_path) -> None:
    text = "قال \ud800 في بغداد."
    analysis = Analysis(text, Stance("neutral", 0.9), (Entity(11, 16, "LOC", "بغداد", 0.9),))
    path = tmp_path / "out.json"
    path.write_text(analysis.to_json(), encoding="utf-8")  # UnicodeEncodeError before
    assert json.loads(path.read_text(encoding="utf-8")) == analysis.to_dict()
    assert json.loads(_analysis().to_json(indent=2)) == _analysis().to_dict()


def test_an_analysis_prints_in_one_line_and_a_summary_as_its_report() -> None:
    from arabnews_nlp.summary import format_summary, summarize

    text = "قال السوداني إن القوات ستغادر قريبا جدا.\n"
    analysis = Analysis(text, Stance("anti", 0.62), sentences=(SentenceResult(0, 40, text[:40], Stance("anti", 0.62), (Event("WITHDRAWAL", 0.8),)),))
    assert repr(analysis) == ("<Analysis of 41 characters ('قال السوداني إن القوات س…'): stance anti 0.62, 1 sentence, "
                              "0 entities, WITHDRAWAL>")  # fmt: skip
    assert len(repr([analysis] * 3)) < 400  # a list of them in a notebook: not every field of every one
    summary = summarize([])
    assert str(summary) == format_summary(summary)
