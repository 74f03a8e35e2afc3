"""Reading and writing records; text helpers; the surface form of a record."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from arabnews_nlp.errors import DataFormatError
from training.data.records import (
    entity_texts,
    iter_records,
    read_records,
    record_tasks,
    sentence_entities,
    sentence_texts,
    to_surface,
    write_records,
)
from training.data.surface import surface_to_record


def test_write_then_read_keeps_arabic_unescaped(tmp_path: Path, record: dict[str, Any]) -> None:
    path = tmp_path / "out" / "a.jsonl"
    assert write_records(path, [record, dict(record, id="doc-2")]) == 2
    assert "السوداني" in path.read_text(encoding="utf-8")
    assert [(n, r["id"]) for n, r in iter_records(path)] == [(1, "doc-1"), (2, "doc-2")]
    assert read_records([path])[0] == record


def test_invalid_line_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    path.write_text('{"id": "a"}\n\n{"id": \n', encoding="utf-8")
    with pytest.raises(DataFormatError, match=r"a\.jsonl:3: invalid JSON"):
        list(iter_records(path))


def test_text_helpers(record: dict[str, Any]) -> None:
    assert sentence_texts(record)[1].startswith("وأطلقت")
    assert entity_texts(record)[0] == ("السوداني", "PER")
    assert [e["label"] for e in sentence_entities(record, record["sentences"][1])] == ["FAC"]
    assert record_tasks(record) == ("ner", "stance", "events")


def test_surface_form_round_trip(record: dict[str, Any]) -> None:
    surface = to_surface(record)
    assert surface["sentences"][0]["holder"] == "السوداني"
    assert surface["sentences"][0]["entities"][0] == ["السوداني", "PER"]
    assert surface_to_record(surface) == record


def test_ambiguous_surface_form_is_refused() -> None:
    text = "زار السوداني بغداد ثم قال السوداني."
    second = text.rindex("السوداني")
    record = {"id": "d", "text": text, "doc_stance": "neutral",
              "sentences": [{"start": 0, "end": len(text), "stance": "neutral", "holder": None, "events": []}],
              "entities": [{"start": second, "end": second + 8, "label": "PER"}]}  # fmt: skip
    with pytest.raises(DataFormatError, match="ambiguous"):
        to_surface(record)
