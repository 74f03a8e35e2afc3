"""python -m training.data.agreement: surface or record passes, and no silent perfect score."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from training.data.agreement import agreement, main

TEXT = "قال السوداني في بغداد."
RECORD = {
    "id": "d1", "source": {}, "date": None, "text": TEXT, "doc_stance": "neutral",
    "sentences": [{"start": 0, "end": len(TEXT), "stance": "anti", "holder": None, "events": []}],
    "entities": [{"start": 4, "end": 12, "label": "PER"}, {"start": 16, "end": 21, "label": "LOC"}],
}  # fmt: skip
SURFACE = {
    "id": "d1", "source": {}, "date": None, "text": TEXT, "doc_stance": "neutral",
    "sentences": [{"text": TEXT, "stance": "anti", "holder": None, "events": [],
                   "entities": [["السوداني", "PER"], ["بغداد", "LOC"]]}],
}  # fmt: skip


def _write(path: Path, *docs: dict) -> str:
    path.write_text("".join(json.dumps(d, ensure_ascii=False) + "\n" for d in docs), encoding="utf-8")
    return str(path)


def test_surface_pass_is_converted(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([_write(tmp_path / "a.jsonl", RECORD), _write(tmp_path / "b.jsonl", SURFACE)]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["documents"] == 1 and result["entity_f1"] == 1.0 and result["stance_agreement"] == 1.0


def test_no_shared_id_is_an_error_not_a_perfect_score(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    other = dict(RECORD, id="pool-1")
    with pytest.raises(SystemExit) as exit_info:
        main([_write(tmp_path / "a.jsonl", RECORD), _write(tmp_path / "b.jsonl", other)])
    assert exit_info.value.code == 2
    assert "no document id" in capsys.readouterr().err


def test_unpaired_documents_are_counted() -> None:
    result = agreement([RECORD, dict(RECORD, id="d2")], [RECORD, dict(RECORD, id="d3"), dict(RECORD, id="d4")])
    assert (result["documents"], result["documents_only_first"], result["documents_only_second"]) == (1, 1, 2)


def test_null_events_of_ner_only_records() -> None:
    ner_only = dict(RECORD, tasks=["ner"], doc_stance=None, sentences=[dict(RECORD["sentences"][0], stance=None, events=None)])
    assert agreement([ner_only], [ner_only])["entity_f1"] == 1.0


@pytest.mark.parametrize("case", ["missing", "directory", "invalid", "duplicate"])
def test_unreadable_pass_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str], case: str) -> None:
    good = _write(tmp_path / "a.jsonl", RECORD)
    bad = {
        "missing": str(tmp_path / "none.jsonl"),
        "directory": str(tmp_path),
        "invalid": _write(tmp_path / "b.jsonl", dict(RECORD, entities=[{"start": 4, "end": 12, "label": "PERS"}])),
        "duplicate": _write(tmp_path / "c.jsonl", RECORD, RECORD),
    }[case]
    with pytest.raises(SystemExit) as exit_info:
        main([good, bad])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and "error:" in err
