"""Doccano and Label Studio: what each format carries survives a round trip."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from arabnews_nlp.errors import DataFormatError
from arabnews_nlp.schema import ENTITY_TYPES, EVENT_TYPES, STANCE_LABELS
from training.data.annotation_tools import (
    from_doccano,
    from_label_studio,
    label_studio_config,
    merge_doccano_sentences,
    python_offset,
    to_doccano,
    to_doccano_sentences,
    to_label_studio,
    utf16_offset,
)
from training.data.validate import validate_record

Record = dict[str, Any]


def _through_json(value: Any) -> Any:
    return json.loads(json.dumps(value, ensure_ascii=False))


def _ner_only(record: Record) -> Record:
    record.update(tasks=["ner"], doc_stance=None)
    for sentence in record["sentences"]:
        sentence.update(stance=None, holder=None, events=None)
    return record


def test_doccano_round_trip(record: Record) -> None:
    assert from_doccano(_through_json(to_doccano([record]))) == [record]


def test_doccano_edits_come_back(record: Record) -> None:
    item = to_doccano([record])[0]
    item["label"] = [x for x in item["label"] if x[2] != "FAC"][::-1]  # removed one, reordered
    back = from_doccano([item])[0]
    assert back["entities"] == record["entities"][:3]


def test_doccano_offsets_are_utf16(record: Record) -> None:
    record["text"] = "😀 " + record["text"]
    for item in record["sentences"] + record["entities"] + [record["sentences"][0]["holder"]]:
        item["start"] += 2
        item["end"] += 2
    exported = to_doccano([record])[0]
    assert exported["label"][0][:2] == [record["entities"][0]["start"] + 1, record["entities"][0]["end"] + 1]
    assert from_doccano([exported]) == [record]
    assert python_offset("😀ب", utf16_offset("😀ب", 1)) == 1


def test_doccano_plain_example_becomes_ner_only() -> None:
    item = {"id": 3, "text": "قصفت طائرات مواقع في الأنبار. وقتل اثنان.", "entities": [
        {"id": 1, "start_offset": 21, "end_offset": 28, "label": "LOC"}]}  # fmt: skip
    record = from_doccano([item])[0]
    assert record["id"] == "doccano-3" and record["tasks"] == ["ner"]
    assert len(record["sentences"]) == 2
    assert validate_record(record) == []
    # an export whose examples carry a null or empty id: numbered, not all "doccano-None"
    ids = [r["id"] for r in from_doccano([{**item, "id": None}, {**item, "id": ""}, {**item, "id": 0}])]
    assert ids == ["doccano-1", "doccano-2", "doccano-0"]


def test_doccano_sentence_classification_round_trip(record: Record) -> None:
    items = _through_json(to_doccano_sentences([record]))
    assert items[0]["label"] == ["anti", "WITHDRAWAL"] and items[0]["holder"] == "السوداني"
    assert merge_doccano_sentences([record], items) == [record]
    items[1]["label"] = ["pro", "THREAT", "ROCKET_ATTACK"]
    merged = merge_doccano_sentences([record], items)[0]
    assert merged["sentences"][1]["stance"] == "pro"
    assert merged["sentences"][1]["events"] == ["ROCKET_ATTACK", "THREAT"]  # schema order
    assert record["sentences"][1]["stance"] == "neutral"  # the input is not modified


@pytest.mark.parametrize(
    ("change", "message"),
    [({"label": ["anti", "pro"]}, "exactly one stance"), ({"label": ["BOMBING", "anti"]}, "exactly one stance"),
     ({"text": "نص آخر"}, "sentence text changed"), ({"doc_id": "nope"}, "no such document")],
)  # fmt: skip
def test_doccano_sentence_merge_errors(record: Record, change: dict[str, Any], message: str) -> None:
    items = to_doccano_sentences([record])
    items[0].update(change)
    with pytest.raises(DataFormatError, match=message):
        merge_doccano_sentences([record], items)


def test_doccano_sentence_merge_refuses_deleted_and_doubled_examples(record: Record) -> None:
    """A sentence deleted in Doccano would keep labels nobody reviewed; a doubled one has two answers."""
    items = to_doccano_sentences([record])
    with pytest.raises(DataFormatError, match=r"1 sentence\(s\) of the records have no Doccano example \('doc-1' sentence 1\)"):
        merge_doccano_sentences([record], items[:1])
    kept = merge_doccano_sentences([record], [dict(items[0], label=["pro"])], keep_missing=True)[0]
    assert kept["sentences"][0]["stance"] == "pro" and kept["sentences"][1] == record["sentences"][1]
    with pytest.raises(DataFormatError, match="two examples of this sentence"):
        merge_doccano_sentences([record], [*items, dict(items[1], label=["pro"])])


def test_label_studio_round_trip(record: Record) -> None:
    record.update(synthetic=True, author="tester", tasks=["ner", "stance", "events"])
    assert from_label_studio(_through_json(to_label_studio([record]))) == [record]


def test_label_studio_round_trip_ner_only(record: Record) -> None:
    record = _ner_only(record)
    assert from_label_studio(_through_json(to_label_studio([record]))) == [record]


def test_label_studio_result_shape(record: Record) -> None:
    result = to_label_studio([record])[0]["annotations"][0]["result"]
    kinds = [(r["type"], r.get("from_name")) for r in result]
    assert kinds.count(("labels", "entities")) == 4 and kinds.count(("labels", "sentence")) == 2
    assert ("relation", None) in kinds and ("choices", "doc_stance") in kinds
    stance = [r for r in result if r.get("from_name") == "stance"]
    assert [r["id"] for r in stance] == ["s0", "s1"] and stance[0]["value"]["choices"] == ["anti"]


def test_label_studio_reversed_holder_relation_and_cancelled_annotation(record: Record) -> None:
    task = to_label_studio([record])[0]
    for item in task["annotations"][0]["result"]:
        if item["type"] == "relation":
            item["from_id"], item["to_id"] = item["to_id"], item["from_id"]
    task["annotations"].insert(0, {"was_cancelled": True, "result": []})
    assert from_label_studio([task]) == [record]


def test_label_studio_holder_must_point_to_an_entity(record: Record) -> None:
    task = to_label_studio([record])[0]
    for item in task["annotations"][0]["result"]:
        if item["type"] == "relation":
            item["to_id"] = "s1"
    with pytest.raises(DataFormatError, match="must link a sentence region and an entity region"):
        from_label_studio([task])


def test_label_studio_without_sentence_regions_is_ner_only(record: Record) -> None:
    task = copy.deepcopy(to_label_studio([record])[0])
    task["annotations"][0]["result"] = [r for r in task["annotations"][0]["result"] if r.get("from_name") == "entities"]
    back = from_label_studio([task])[0]
    assert back["tasks"] == ["ner"] and back["entities"] == record["entities"]
    assert validate_record(back) == []


def test_label_studio_config_names_every_label() -> None:
    config = label_studio_config()
    for label in (*ENTITY_TYPES, *STANCE_LABELS, *EVENT_TYPES):
        assert f'value="{label}"' in config
    assert 'perRegion="true"' in config and "<Relation value=\"holder\"/>" in config


def _annotated(task: dict[str, Any], label: str, **fields: Any) -> dict[str, Any]:
    """The task's annotation with every entity relabelled ``label``, plus ``fields``."""
    annotation = copy.deepcopy(task["annotations"][0])
    for item in annotation["result"]:
        if item.get("from_name") == "entities":
            item["value"]["labels"] = [label]
    return {**annotation, **fields}


def test_label_studio_skips_tasks_nobody_annotated(record: Record) -> None:
    """A skipped task, or one without annotations, is not imported as "no entities here"; the note names it."""
    task = _through_json(to_label_studio([record])[0])
    skipped = dict(copy.deepcopy(task), id=12, annotations=[{"was_cancelled": True, "result": []}])
    old_skipped = dict(copy.deepcopy(task), id=13, annotations=[{"skipped": True, "result": []}])
    bare = {"id": 14, "data": {"text": "قصف بغداد."}}
    notes: list[str] = []
    assert from_label_studio([dict(task, id=11), skipped, bare, old_skipped], notes) == [record]
    assert notes == [
        "skipped 3 of 4 Label Studio task(s) with no submitted annotation (none, or only skipped ones), "
        "so not annotated: task id(s) 12, 14, 13"
    ]
    assert from_label_studio([{"data": {"text": "قصف."}, "annotations": []}]) == []  # notes are optional


def test_label_studio_takes_the_latest_or_ground_truth_annotation(record: Record) -> None:
    """Of several annotations (annotator's, reviewer's) the review wins, whatever the list order; the note counts them."""
    task = _through_json(to_label_studio([record])[0])
    first = _annotated(task, "ORG", created_at="2024-05-01T10:00:00Z", updated_at="2024-05-01T10:00:00Z")
    review = _annotated(task, "FAC", created_at="2024-04-30T09:00:00.123456Z", updated_at="2024-05-02T08:00:00.5Z")
    cancelled = _annotated(task, "PER", was_cancelled=True, updated_at="2024-06-01T00:00:00Z")
    notes: list[str] = []
    back = from_label_studio([dict(task, id=5, annotations=[first, review, cancelled])], notes)
    assert {e["label"] for e in back[0]["entities"]} == {"FAC"}
    assert {e["label"] for e in from_label_studio([dict(task, annotations=[review, first])])[0]["entities"]} == {"FAC"}
    assert notes == [
        "1 Label Studio task(s) have several submitted annotations; took the one marked ground truth, "
        "else the most recently updated: task id(s) 5"
    ]
    # created_at when there is no updated_at; times are compared as instants (a naive one is UTC)
    newer = _annotated(task, "ORG", created_at="2024-05-01T10:00:00")
    older = _annotated(task, "FAC", created_at="2024-05-01T10:30:00+01:00")
    assert {e["label"] for e in from_label_studio([dict(task, annotations=[newer, older])])[0]["entities"]} == {"ORG"}
    # without timestamps on all of them: the last in the list (Label Studio keeps creation order)
    untimed = [_annotated(task, "ORG", updated_at="2030-01-01T00:00:00Z"), _annotated(task, "FAC")]
    assert {e["label"] for e in from_label_studio([dict(task, annotations=untimed)])[0]["entities"]} == {"FAC"}
    # a manager's ground truth mark beats a later edit
    truth = dict(first, ground_truth=True)
    assert {e["label"] for e in from_label_studio([dict(task, annotations=[truth, review])])[0]["entities"]} == {"ORG"}
    # one submitted annotation next to skipped ones is no choice: no note
    notes.clear()
    assert from_label_studio([dict(task, annotations=[cancelled, task["annotations"][0]])], notes) == [record]
    assert notes == []


def test_convert_labelstudio_prints_the_notes(tmp_path: Any, record: Record, capsys: pytest.CaptureFixture[str]) -> None:
    from training.data.cli import main
    from training.data.records import read_records

    task = _through_json(to_label_studio([record])[0])
    export = [dict(task, id=1), dict(task, id=2, annotations=[{"was_cancelled": True, "result": []}])]
    (tmp_path / "export.json").write_text(json.dumps(export, ensure_ascii=False), encoding="utf-8")
    assert main(["convert", "labelstudio", str(tmp_path / "export.json"), str(tmp_path / "out.jsonl")]) == 0
    assert read_records(tmp_path / "out.jsonl") == [record]
    err = capsys.readouterr().err
    assert "convert: skipped 1 of 2 Label Studio task(s)" in err and "task id(s) 2" in err
    assert "wrote 1 record(s)" in err


def test_doccano_span_past_the_end_is_reported_not_clamped() -> None:
    """Clamped to the text's end, this span would have ended on a word boundary and passed without a message."""
    text = "قصفت طائرات مواقع في الأنبار"
    start = text.index("الأنبار")
    record = from_doccano([{"id": 107, "text": text, "label": [[start, len(text) + 3, "LOC"]]}])[0]
    assert record["entities"] == [{"start": start, "end": len(text) + 3, "label": "LOC"}]
    assert validate_record(record) == [
        f"entity 0 [{start}:{len(text) + 3}]: offset {len(text) + 3} is beyond the end of the text ({len(text)} "
        "characters); fix the span"
    ]
    assert python_offset("😀ب", 3) == 2 and python_offset("😀ب", 5) == 4 and python_offset("ب", -1) == -1


def test_doccano_relations_are_named_as_ignored() -> None:
    text = "قال السوداني إن القوات ستغادر."
    items = [{"id": 102, "text": text, "entities": [{"id": 500, "start_offset": 4, "end_offset": 12, "label": "PER"}],
              "relations": [{"id": 1, "from_id": 500, "to_id": 501, "type": "holder"}]},
             {"id": 103, "text": text, "label": [], "relations": []}]  # fmt: skip
    notes: list[str] = []
    assert [r["entities"] for r in from_doccano(items, notes)] == [[{"start": 4, "end": 12, "label": "PER"}], []]
    assert notes == [
        "ignored 1 Doccano relation(s) in 1 example(s) (102): relations are not read; holders come from the records "
        "(the arabnews metadata) or from Label Studio (convert labelstudio)"
    ]


def test_label_studio_region_with_several_labels_is_reported(record: Record) -> None:
    task = to_label_studio([record])[0]
    region = next(r for r in task["annotations"][0]["result"] if r.get("from_name") == "entities")
    region["value"]["labels"] = ["ORG", "PER"]
    back = from_label_studio([task])[0]
    assert back["entities"][0]["label"] == ["ORG", "PER"]  # not silently the first
    assert validate_record(back) == [
        "entity 0 [4:12] 'السوداني' ['ORG', 'PER']: an entity takes exactly one label, this one has 2 (a region with "
        "several labels in the annotation tool); keep one of ['PER', 'ORG', 'LOC', 'FAC']"
    ]


def test_label_studio_config_allows_one_label_per_region() -> None:
    lines = label_studio_config().splitlines()
    assert '<Labels name="entities" toName="text" choice="single">' in lines[1]
    assert '<Labels name="sentence" toName="text" choice="single">' in lines[2]


def _surface(record: Record) -> Record:
    from training.data.records import to_surface

    return _through_json(to_surface(record))


@pytest.mark.parametrize("make", [lambda r: _through_json(r), _surface], ids=["records", "surface"])
def test_our_own_files_are_not_taken_for_a_tool_export(record: Record, make: Any) -> None:
    """A records or surface file given to `convert doccano` became NER-only records with no entity
    (surface) or a KeyError traceback (records); Label Studio and the sentence merge said 'missing
    data.text' and 'no such document'."""
    item = make(copy.deepcopy(record))
    with pytest.raises(DataFormatError, match=r"Doccano example 1 has 'sentences'.*convert surface"):
        from_doccano([item])
    with pytest.raises(DataFormatError, match=r"Label Studio task 1 has 'sentences'.*convert surface"):
        from_label_studio([item])
    with pytest.raises(DataFormatError, match=r"Doccano example 1 has 'sentences'"):
        merge_doccano_sentences([record], [item])


def test_doccano_entities_of_another_shape_are_named() -> None:
    with pytest.raises(DataFormatError, match=r"Doccano example 1: an item of 'entities' is not"):
        from_doccano([{"text": "في بغداد", "entities": [{"start": 3, "end": 8, "label": "LOC"}]}])
