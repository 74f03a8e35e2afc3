"""Repeated sentences with different labels (``training.data.consistency``, ``python -m training conflicts``)."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from training.data.cli import main
from training.data.consistency import label_conflicts
from training.data.records import to_surface, write_records


def _copy(record: dict[str, Any], doc_id: str, **second: Any) -> dict[str, Any]:
    """``record`` under another id, with the second sentence's labels replaced by ``second``."""
    other = copy.deepcopy(record)
    other["id"] = doc_id
    other["sentences"][1].update(second)
    return other


def test_copies_with_other_labels_are_listed(record: dict[str, Any]) -> None:
    same = _copy(record, "doc-2")
    assert label_conflicts([("a:1", record), ("a:2", same)]) == []
    events = _copy(record, "doc-3", events=["ROCKET_ATTACK", "INTERCEPTION"])
    stance = _copy(record, "doc-4", stance="anti")
    conflicts = label_conflicts([("a:1", record), ("a:2", same), ("b:1", events), ("b:2", stance)])
    assert len(conflicts) == 1
    conflict = conflicts[0]
    assert conflict.layers == ("stance", "events")
    assert conflict.text == record["text"][record["sentences"][1]["start"] : record["sentences"][1]["end"]]
    assert [(c.where, c.doc_id, c.sentence) for c in conflict.copies] == [
        ("a:1", "doc-1", 1), ("a:2", "doc-2", 1), ("b:1", "doc-3", 1), ("b:2", "doc-4", 1)]  # fmt: skip
    assert conflict.copies[2].events == ("INTERCEPTION", "ROCKET_ATTACK") and conflict.copies[3].stance == "anti"


def test_copies_match_after_normalisation(record: dict[str, Any]) -> None:
    # the same sentence with diacritics, a tatweel and other spacing is still a copy
    other = copy.deepcopy(record)
    sentence = other["sentences"][1]
    start, end = sentence["start"], sentence["end"]
    varied = other["text"][start:end].replace("صواريخ", "صَوَاريـخ").replace(" ", "  ", 1)
    other["text"] = other["text"][:start] + varied
    other.update(id="doc-2", entities=[e for e in other["entities"] if e["end"] <= start])
    sentence.update(end=len(other["text"]), events=[])
    [conflict] = label_conflicts([("a:1", record), ("a:2", other)])
    assert conflict.layers == ("events",)


def test_short_sentences_and_undeclared_layers_are_not_compared(record: dict[str, Any]) -> None:
    other = _copy(record, "doc-2", events=[])
    assert label_conflicts([("a:1", record), ("a:2", other)], min_words=8) == []  # the sentence has 7 words
    ner_only = dict(_copy(record, "doc-3", stance=None, events=None), tasks=["ner"])
    assert label_conflicts([("a:1", record), ("a:2", ner_only)]) == []
    with pytest.raises(ValueError, match="min_words must be at least 1"):
        label_conflicts([], min_words=0)


def test_conflicts_command(tmp_path: Path, record: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "batch1.jsonl"
    write_records(path, [to_surface(record), to_surface(_copy(record, "doc-2", events=[]))])
    assert main(["conflicts", str(path)]) == 0
    out, err = capsys.readouterr()
    lines = out.splitlines()
    assert lines[0].startswith("events differ in 2 copies of: وأطلقت فصائل صواريخ")
    assert lines[1:] == [f"  {path}:1: doc-1 sentence 1: stance neutral; events ROCKET_ATTACK",
                         f"  {path}:2: doc-2 sentence 1: stance neutral; events none"]  # fmt: skip
    assert "1 repeated sentence(s) of 6+ words with different labels in 2 document(s)" in err
    assert main(["conflicts", str(path), "--fail"]) == 1
    assert main(["conflicts", str(path), "--min-words", "8", "--fail"]) == 0
    with pytest.raises(SystemExit) as exit_info:
        main(["conflicts", str(path), "--min-words", "0"])
    assert exit_info.value.code == 2 and "--min-words: must be at least 1, got 0" in capsys.readouterr().err
    # build-data points to the command
    assert main(["build-data", "--surface", str(path), "--out", str(tmp_path / "seeds")]) == 0
    assert "note: 1 repeated sentence(s) carry different labels" in capsys.readouterr().err


def test_conflicts_command_refuses_broken_input(tmp_path: Path, record: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    broken = copy.deepcopy(record)
    broken["sentences"][0]["stance"] = "against"
    path = tmp_path / "bad.jsonl"
    write_records(path, [broken])
    assert main(["conflicts", str(path)]) == 1
    assert "fix them first (python -m training validate)" in capsys.readouterr().err
