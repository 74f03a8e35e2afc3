"""The surface format converter: every problem named by file and line; null layers kept."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from training.data.records import to_surface
from training.data.surface import read_surface_file, surface_to_record


def _ner_only(record: dict[str, Any]) -> dict[str, Any]:
    ner = dict(copy.deepcopy(record), id="ner-1", tasks=["ner"], doc_stance=None)
    for sentence in ner["sentences"]:
        sentence.update(stance=None, holder=None, events=None)
    return ner


def test_round_trip_keeps_null_events_of_ner_only_records(record: dict[str, Any]) -> None:
    ner = _ner_only(record)
    surface = to_surface(ner)
    assert [s["events"] for s in surface["sentences"]] == [None, None]
    assert surface_to_record(surface) == ner
    # declared layers keep their lists, empty ones included
    record["sentences"][1]["events"] = []
    assert surface_to_record(to_surface(record)) == record


def test_read_surface_file_names_every_problem(tmp_path: Path, record: dict[str, Any]) -> None:
    good = to_surface(record)
    wrong_holder = copy.deepcopy(good) | {"id": "doc-2"}
    wrong_holder["sentences"][0]["holder"] = "بغداد"
    no_text = copy.deepcopy(good) | {"id": "doc-3"}
    del no_text["text"]
    lines = [json.dumps(d, ensure_ascii=False) for d in (good, wrong_holder, no_text)]
    lines += ["", "{oops", json.dumps(good | {"id": "doc-4"}, ensure_ascii=False)]
    path = tmp_path / "s.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    converted, problems = read_surface_file(path)
    assert [(n, r["id"]) for n, r in converted] == [(1, "doc-1"), (6, "doc-4")]
    assert len(problems) == 3
    assert problems[0].startswith(f"{path}:2: doc-2: holder 'بغداد' is not an entity of sentence")
    assert problems[1] == f"{path}:3: malformed surface document (KeyError: 'text')"
    assert problems[2].startswith(f"{path}:5: invalid JSON")


def test_check_surface_file_accepts_the_null_layers_of_ner_only_records(tmp_path: Path, record: dict[str, Any]) -> None:
    from training.data.records import write_records
    from training.data.surface import check_surface_file

    path = tmp_path / "ner.jsonl"
    write_records(path, [to_surface(_ner_only(record))])
    problems, counts = check_surface_file(str(path))
    assert problems == [] and counts["documents"] == 1 and not any(key.startswith("stance:") for key in counts)


def test_a_sentence_without_entities_or_with_a_misspelt_key_is_refused(record: dict[str, Any]) -> None:
    from arabnews_nlp.errors import DataFormatError

    surface = to_surface(record)
    surface["sentences"][0]["entites"] = surface["sentences"][0].pop("entities")
    with pytest.raises(DataFormatError, match=r"doc-1: sentence 0: unknown key 'entites' \(did you mean 'entities'\?\)"):
        surface_to_record(surface)
    del surface["sentences"][0]["entites"]
    with pytest.raises(DataFormatError, match=r"doc-1: sentence 0 has no 'entities' \(write \[\] when it names none\)"):
        surface_to_record(surface)
    surface["sentences"][0]["entities"] = []
    surface["sentences"][0]["holder"] = None
    assert surface_to_record(surface)["sentences"][0]["holder"] is None


TEXT = "أعلن السودانيّ أن العـراق يرفض."


def _doc(**sentence: Any) -> dict[str, Any]:
    base = {"text": TEXT, "stance": "neutral", "holder": None, "events": [], "entities": []}
    return {"id": "d1", "text": TEXT, "doc_stance": "neutral", "sentences": [{**base, **sentence}]}


def test_events_given_as_a_string_are_not_split_into_letters() -> None:
    """'events': 'AIRSTRIKE' gave nine 'event 'A' is not one of …' problems."""
    from training.data.validate import validate_record

    problems = validate_record(surface_to_record(_doc(events="AIRSTRIKE")))
    assert problems == ["sentence 0: events must be a list of event types, got 'AIRSTRIKE'"]


def test_entities_given_as_a_string_are_named() -> None:
    from arabnews_nlp.errors import DataFormatError

    with pytest.raises(DataFormatError, match="entities 'العـراق' must be a list of"):
        surface_to_record(_doc(entities="العـراق"))


def test_an_empty_sentence_is_named_as_empty() -> None:
    """It read 'sentence '' not found after offset N'."""
    from arabnews_nlp.errors import DataFormatError

    doc = _doc()
    doc["sentences"].append(dict(doc["sentences"][0], text=""))
    with pytest.raises(DataFormatError, match=r"sentence 1 text '' is empty"):
        surface_to_record(doc)


def test_a_record_given_as_surface_is_named(record: dict[str, Any]) -> None:
    """`convert surface records.jsonl` said 'sentence 0 has no entities (write [] …)'."""
    from arabnews_nlp.errors import DataFormatError

    with pytest.raises(DataFormatError, match=r"sentence 0 has offsets .* this is a record, not a surface document"):
        surface_to_record(record)


@pytest.mark.parametrize(("typed", "written"), [("السوداني", "السودانيّ"), ("العراق", "العـراق")])
def test_an_entity_typed_without_the_texts_diacritics_or_tatweel_says_how_it_is_written(typed: str, written: str) -> None:
    from arabnews_nlp.errors import DataFormatError

    with pytest.raises(DataFormatError, match=f"writes it '{written}' \\(diacritics or tatweel differ\\)"):
        surface_to_record(_doc(entities=[[typed, "LOC"]]))
