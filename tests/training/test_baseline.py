"""The keyword baseline's gazetteer: names that are mostly common words are left out."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from training.baseline import KeywordBaseline, main, name_precision, precise_gazetteer
from training.data.records import write_records

# `علي` is a name once ("Ali"); `على` ("on"), normalised to `علي`, is the same word three times
# more; `بغداد` is always a place
TEXT = "وصل علي إلى بغداد. وضع الكتاب على الطاولة وعلى الكرسي وعلى الأرض في بغداد"


def _record(tasks: list[str] | None = None) -> dict[str, Any]:
    ali, first, last = TEXT.index("علي"), TEXT.index("بغداد"), TEXT.rindex("بغداد")
    entities = [(ali, ali + 3, "PER"), (first, first + 5, "LOC"), (last, last + 5, "LOC")]
    record = {
        "id": "doc-1", "text": TEXT, "doc_stance": "neutral",
        "sentences": [{"start": 0, "end": 18, "stance": "neutral", "holder": None, "events": []},
                      {"start": 19, "end": len(TEXT), "stance": "neutral", "holder": None, "events": []}],
        "entities": [{"start": s, "end": e, "label": label} for s, e, label in entities],
    }  # fmt: skip
    assert [TEXT[s:e] for s, e, _ in entities] == ["علي", "بغداد", "بغداد"]
    return record | ({"tasks": tasks} if tasks else {})


def test_name_precision_counts_every_match_in_the_texts() -> None:
    # على and وعلى match too (a leading و may be stripped): one entity in four matches
    assert name_precision({"علي": "PER", "بغداد": "LOC"}, [_record()]) == {"علي": 0.25, "بغداد": 1.0}


def test_a_match_with_another_label_is_not_an_entity() -> None:
    assert name_precision({"بغداد": "ORG"}, [_record()]) == {"بغداد": 0.0}


def test_records_not_annotated_for_ner_are_not_read() -> None:
    assert name_precision({"علي": "PER"}, [_record(["events"])]) == {}


def test_precise_gazetteer_leaves_out_the_common_word() -> None:
    assert precise_gazetteer([_record()]) == {"بغداد": "LOC"}
    assert precise_gazetteer([_record()], 0.0) == {"علي": "PER", "بغداد": "LOC"}


def test_baseline_tags_the_name_only_when_it_is_kept() -> None:
    text = "جلس علي قرب الكرسي في بغداد"
    default = KeywordBaseline.fit([_record()], min_count=1)
    assert [(e.text, e.label) for e in default.analyze(text).entities] == [("بغداد", "LOC")]
    every = KeywordBaseline.fit([_record()], min_count=1, min_name_precision=0.0)
    assert ("علي", "PER") in [(e.text, e.label) for e in every.analyze(text).entities]


@pytest.mark.parametrize(("flag", "names"), [([], ["بغداد"]), (["--min-name-precision", "0"], ["بغداد", "علي"])])
def test_cli_min_name_precision(tmp_path: Path, flag: list[str], names: list[str]) -> None:
    train, out = tmp_path / "train.jsonl", tmp_path / "baseline.json"
    write_records(train, [_record()])
    assert main(["baseline", "--train", str(train), "--out", str(out), *flag]) == 0
    assert sorted(json.loads(out.read_text(encoding="utf-8"))["gazetteer"]) == sorted(names)
