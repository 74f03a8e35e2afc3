"""The validator: a valid record passes, and each broken rule gives its own message."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from training.data.validate import validate_file, validate_record

Record = dict[str, Any]


def _set(path: str, value: Any) -> Callable[[Record], None]:
    def mutate(record: Record) -> None:
        *keys, last = path.split(".")
        target: Any = record
        for key in keys:
            target = target[int(key)] if key.isdigit() else target[key]
        target[int(last) if last.isdigit() else last] = value

    return mutate


def _delete(key: str) -> Callable[[Record], None]:
    return lambda record: record.pop(key)


def _shift_entity(index: int, start_delta: int, end_delta: int) -> Callable[[Record], None]:
    def mutate(record: Record) -> None:
        record["entities"][index]["start"] += start_delta
        record["entities"][index]["end"] += end_delta

    return mutate


def _swap_entities(record: Record) -> None:
    record["entities"][0], record["entities"][1] = record["entities"][1], record["entities"][0]


def _overlap_entities(record: Record) -> None:
    first = record["entities"][1]
    record["entities"].insert(2, {"start": first["start"] + 7, "end": first["end"], "label": "LOC"})


def _cross_sentence_entity(record: Record) -> None:
    s1_end = record["sentences"][0]["end"]
    record["entities"][2]["end"] = s1_end + 7  # "العراق.\nوأطلقت"


def _swap_sentences(record: Record) -> None:
    record["sentences"].reverse()


def _overlap_sentences(record: Record) -> None:
    record["sentences"][1]["start"] = record["sentences"][0]["end"] - 7


def _gap_in_middle(record: Record) -> None:
    record["sentences"][0]["end"] -= 7  # leaves "العراق." uncovered
    record["entities"].pop(2)


def _gap_at_end(record: Record) -> None:
    record["sentences"][1]["end"] -= 1


def _gap_at_start(record: Record) -> None:
    record["sentences"][0]["start"] = 4  # "قال " uncovered
    record["sentences"][0]["holder"] = dict(record["sentences"][0]["holder"])


def _unstripped(record: Record) -> None:
    record["sentences"][0]["end"] += 1  # includes the newline


def _holder_not_entity(record: Record) -> None:
    record["sentences"][0]["holder"] = {"start": 0, "end": 3}  # "قال"


def _holder_other_sentence(record: Record) -> None:
    fac = record["entities"][3]
    record["sentences"][0]["holder"] = {"start": fac["start"], "end": fac["end"]}


CASES: list[tuple[str, Callable[[Record], None], str]] = [
    ("missing-id", _delete("id"), "missing required field 'id'"),
    ("missing-text", _delete("text"), "missing required field 'text'"),
    ("missing-sentences", _delete("sentences"), "missing required field 'sentences'"),
    ("missing-entities", _delete("entities"), "missing required field 'entities'"),
    ("missing-doc-stance", _delete("doc_stance"), "missing required field 'doc_stance'"),
    ("id-type", _set("id", 7), "id must be a non-empty string"),
    ("id-empty", _set("id", " "), "id must be a non-empty string"),
    ("text-empty", _set("text", ""), "text must be a non-empty string"),
    ("sentences-type", _set("sentences", {}), "sentences must be a list"),
    ("entities-type", _set("entities", None), "entities must be a list"),
    ("doc-stance-label", _set("doc_stance", "against"), "doc_stance 'against' is not one of"),
    ("source-type", _set("source", 3), "source must be a string, an object or null"),
    ("date-type", _set("date", 20240116), "date must be null or a non-empty string"),
    ("synthetic-type", _set("synthetic", "yes"), "synthetic must be true or false"),
    ("synthetic-author", _set("synthetic", True), "a synthetic document must name its author"),
    ("author-type", _set("author", 5), "author must be a string"),
    ("tasks-unknown", _set("tasks", ["ner", "sentiment"]), "tasks must be a non-empty list of distinct names"),
    ("tasks-empty", _set("tasks", []), "tasks must be a non-empty list of distinct names"),
    ("offset-float", _set("entities.0.start", 4.0), "entity 0: start and end must be integers"),
    ("offset-bool", _set("entities.0.end", True), "entity 0: start and end must be integers"),
    ("offset-missing", _set("entities.0", {"label": "PER"}), "entity 0: start and end must be integers"),
    ("offset-range", _set("sentences.1.end", 10_000), "offset 10000 is beyond the end of the text (88 characters)"),
    ("offsets-range", _set("entities.3", {"start": 90, "end": 95, "label": "FAC"}),
     "entity 3 [90:95]: offsets 90 and 95 are beyond the end of the text (88 characters)"),
    ("offset-reversed", _set("entities.0.start", 20), "offsets must satisfy 0 <= start < end <= len(text)"),
    ("offset-empty", _set("entities.0.end", 4), "offsets must satisfy 0 <= start < end"),
    ("offset-negative", _set("entities.0.start", -1), "offsets must satisfy"),
    ("entity-not-object", _set("entities.0", [4, 12, "PER"]), "entity 0: must be an object"),
    ("entity-label", _set("entities.0.label", "PERS"), "label 'PERS' is not one of"),
    ("entity-labels", _set("entities.0.label", ["ORG", "PER"]),
     "entity 0 [4:12] 'السوداني' ['ORG', 'PER']: an entity takes exactly one label, this one has 2"),
    ("entity-whitespace", _shift_entity(0, -1, 0), "leading or trailing whitespace"),
    ("entity-partial-word", _shift_entity(0, 2, 0), "not whole words"),
    ("entity-partial-end", _shift_entity(0, 0, -1), "not whole words"),
    ("entities-unsorted", _swap_entities, "entities must be sorted by start"),
    ("entities-overlap", _overlap_entities, "overlaps the previous entity"),
    ("entity-crosses-sentences", _cross_sentence_entity, "does not lie inside one sentence"),
    ("sentence-not-object", _set("sentences.1", "وأطلقت"), "sentence 1: must be an object"),
    ("sentence-stance", _set("sentences.0.stance", "positive"), "sentence 0: stance 'positive' is not one of"),
    ("sentence-stance-null", _set("sentences.0.stance", None), "sentence 0: stance is null; give one of ['anti', 'pro', 'neutral'] ('neutral' when no position is taken), or declare \"tasks\" without \"stance\""),
    ("events-type", _set("sentences.0.events", "WITHDRAWAL"), "events must be a list"),
    ("events-null", _set("sentences.0.events", None), "sentence 0: events is null; give [] for a sentence with no event"),
    ("event-label", _set("sentences.1.events", ["BOMBING"]), "event 'BOMBING' is not one of"),
    ("events-repeat", _set("sentences.1.events", ["THREAT", "THREAT"]), "repeat a label"),
    ("sentences-order", _swap_sentences, "sentences must be in order"),
    ("sentences-overlap", _overlap_sentences, "overlaps the previous sentence"),
    ("sentences-gap", _gap_in_middle, "lies in no sentence"),
    ("sentences-gap-end", _gap_at_end, "lies in no sentence"),
    ("sentences-gap-start", _gap_at_start, "lies in no sentence"),
    ("sentence-unstripped", _unstripped, "must be stripped"),
    ("holder-not-entity", _holder_not_entity, "must equal the span of an entity inside this sentence"),
    ("holder-other-sentence", _holder_other_sentence, "must equal the span of an entity inside this sentence"),
    ("holder-malformed", _set("sentences.0.holder", "السوداني"), "sentence 0 holder: must be an object"),
    ("missing-stance", lambda r: r["sentences"][0].pop("stance"), "sentence 0: missing field 'stance'"),
    ("missing-events", lambda r: r["sentences"][1].pop("events"), "sentence 1: missing field 'events'"),
    ("missing-label", lambda r: r["entities"][2].pop("label"), "missing field 'label'"),
    ("typo-holder", lambda r: r["sentences"][0].update(holdr=r["sentences"][0].pop("holder")),
     "sentence 0: unknown key 'holdr' (did you mean 'holder'?)"),
    ("typo-synthetic", _set("synthetic ", True), "unknown key 'synthetic ' (did you mean 'synthetic'?)"),
    ("typo-case", _set("Author", "a1"), "unknown key 'Author' (did you mean 'author'?)"),
    ("typo-entity", lambda r: r["entities"][0].update(lable=r["entities"][0].pop("label")),
     "unknown key 'lable' (did you mean 'label'?)"),
    ("typo-holder-key", lambda r: r["sentences"][0]["holder"].update({"end ": r["sentences"][0]["holder"].pop("end")}),
     "sentence 0 holder: unknown key 'end ' (did you mean 'end'?)"),
]  # fmt: skip


def test_valid_record_has_no_problems(record: Record) -> None:
    assert validate_record(record) == []


def test_non_object_is_rejected() -> None:
    assert validate_record(["not", "a", "record"]) == ["a record must be a JSON object, got list"]


@pytest.mark.parametrize(("mutate", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_each_rule_has_its_message(record: Record, mutate: Callable[[Record], None], expected: str) -> None:
    mutate(record)
    problems = validate_record(record)
    assert any(expected in p for p in problems), problems


def test_own_metadata_keys_are_allowed(record: Record) -> None:
    record.update(annotator="a1", notes="checked twice", url="https://example.org/a")
    record["sentences"][0]["comment"] = "hard case"
    assert validate_record(record) == []


def test_synthetic_with_author_is_valid(record: Record) -> None:
    record.update(synthetic=True, author="annotator-1 (written for the seed set)")
    assert validate_record(record) == []


def test_ner_only_record_may_leave_stance_and_events_null(record: Record) -> None:
    record.update(tasks=["ner"], doc_stance=None)
    for sentence in record["sentences"]:
        sentence.update(stance=None, holder=None, events=None)
    assert validate_record(record) == []


def test_ner_only_record_still_checks_what_is_given(record: Record) -> None:
    record.update(tasks=["ner"], doc_stance=None)
    record["sentences"][1].update(stance=None, events=["BOMBING"])
    problems = validate_record(record)
    assert any("holder must be null when the record does not declare the stance task" in p for p in problems)
    assert any("event 'BOMBING'" in p for p in problems)


def test_labels_of_a_layer_the_record_does_not_declare_are_valid_and_ignored(record: Record) -> None:
    """A subset taken for NER only (tasks ["ner"]) keeps its other labels: valid, and training ignores them."""
    record.update(tasks=["ner"], doc_stance="anti")
    for sentence in record["sentences"]:
        sentence.update(holder=None)
    record["sentences"][0].update(stance="anti", events=["THREAT"])
    record["sentences"][1].update(events=[])
    assert validate_record(record) == []


def test_without_tasks_null_labels_are_rejected(record: Record) -> None:
    record["doc_stance"] = None
    assert any(p.startswith("doc_stance is null; give one of") for p in validate_record(record))


def _write(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_file_messages_name_file_line_and_id(tmp_path: Path, record: Record) -> None:
    broken = copy.deepcopy(record)
    broken["id"] = "doc-2"
    broken["entities"][0]["label"] = "PERS"
    path = _write(tmp_path / "a.jsonl", [json.dumps(record, ensure_ascii=False), "", json.dumps(broken, ensure_ascii=False)])
    problems = validate_file(path)
    assert len(problems) == 1
    assert problems[0].startswith(f"{path}:3: doc-2: entity 0 ")


def test_file_rejects_duplicate_ids(tmp_path: Path, record: Record) -> None:
    line = json.dumps(record, ensure_ascii=False)
    problems = validate_file(_write(tmp_path / "a.jsonl", [line, line]))
    assert problems == [f"{tmp_path / 'a.jsonl'}:2: doc-1: duplicate id (first used on line 1); ids must be unique"]


def test_file_names_lines_that_are_not_utf8_and_reads_the_rest(tmp_path: Path, record: Record) -> None:
    line = json.dumps(record, ensure_ascii=False)
    path = tmp_path / "a.jsonl"
    path.write_bytes(line.encode("utf-8") + b"\n" + line.replace("doc-1", "doc-2").encode("cp1256") + b"\n")
    (problem,) = validate_file(path)
    assert problem.startswith(f"{path}:2: not valid UTF-8 (byte 0x") and "iconv -f WINDOWS-1256 -t UTF-8" in problem
    path.write_text(line + "\n", encoding="utf-16")
    assert validate_file(path) == [f"{path}:1: the file is UTF-16, not UTF-8; save it as UTF-8, e.g. "
                                   f"iconv -f UTF-16 -t UTF-8 {path} > {path}.utf8"]  # fmt: skip


def test_old_mac_line_ends_are_lines(tmp_path: Path, record: Record) -> None:
    line = json.dumps(record, ensure_ascii=False)
    path = tmp_path / "a.jsonl"
    path.write_bytes((line + "\r" + line.replace("doc-1", "doc-2") + "\r").encode("utf-8"))
    assert validate_file(path) == []
    from training.data.records import read_records

    assert [r["id"] for r in read_records(path)] == ["doc-1", "doc-2"]


def test_file_refuses_a_key_given_twice(tmp_path: Path, record: Record) -> None:
    line = json.dumps(record, ensure_ascii=False)
    path = _write(tmp_path / "a.jsonl", [line[:-1] + ', "doc_stance": "pro"}'])
    assert validate_file(path) == [f"{path}:1: the key 'doc_stance' is given twice in one object; keep one"]


def test_truncated_line_names_the_column_where_it_stops(tmp_path: Path) -> None:
    path = _write(tmp_path / "a.jsonl", ['{"id": "trunc", "text": "abc"'])
    assert validate_file(path) == [f"{path}:1: invalid JSON (Expecting ',' delimiter at column 30); one record per line"]


def test_file_reports_invalid_json_and_non_objects(tmp_path: Path, record: Record) -> None:
    path = _write(tmp_path / "a.jsonl", ["{not json", "[1, 2]", json.dumps(record, ensure_ascii=False)])
    problems = validate_file(path)
    assert problems[0].startswith(f"{path}:1: invalid JSON")
    assert problems[1] == f"{path}:2: expected a JSON object, got list"
    assert len(problems) == 2


def test_keys_that_extend_a_known_key_or_are_not_close_are_the_users_own(record: Record) -> None:
    for key in ("source", "author", "date"):
        record.pop(key, None)
    record.update(source_url="https://example.org", author_id=3, sources=[], authors=[], data={}, dates=[])
    assert validate_record(record) == []
    record["sentences"][0]["holders"] = record["sentences"][0].pop("holder")
    assert validate_record(record) == ["sentence 0: unknown key 'holders' (did you mean 'holder'?): a misspelt key is "
                                       "ignored and its annotation lost"]  # fmt: skip


def test_read_valid_records_reads_each_file_once(tmp_path: Path, record: Record, monkeypatch: pytest.MonkeyPatch) -> None:
    """The validation's read gives the records: evaluate and baseline do not read their files a second time."""
    import training.data.records
    from training.data.records import write_records
    from training.data.validate import read_valid_records

    path = tmp_path / "a.jsonl"
    write_records(path, [record])
    reads: list[str] = []
    read_lines = training.data.records.read_lines
    monkeypatch.setattr(training.data.records, "read_lines", lambda p: reads.append(str(p)) or read_lines(p))
    assert read_valid_records([path, path]) == [record, record]  # a file given twice: its records twice, one read
    assert reads == [str(path)]


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("العراق،", "punctuation '،' at the edge"),
        ("بغداد:", "punctuation ':' at the edge"),
        ("العراق.", "a full stop ends the span"),
        ('"داعش', "unmatched quote '\"'"),
        ("«رويترز", "unmatched '«'"),
        ("داعش)", "unmatched ')'"),
        ("سي.إن.إن.", None),
        ('تحالف "دعم الشرعية"', None),
        ("(داعش)", None),
    ],
)
def test_punctuation_copied_at_an_entity_edge_is_named(name: str, problem: str | None) -> None:
    """'العراق،' copied with its comma passed validation: punctuation is a word of its own."""
    text = f"قال {name} اليوم"
    record = {
        "id": "d1", "source": {}, "date": None, "text": text, "doc_stance": "neutral",
        "sentences": [{"start": 0, "end": len(text), "stance": "neutral", "holder": None, "events": []}],
        "entities": [{"start": 4, "end": 4 + len(name), "label": "ORG"}],
    }  # fmt: skip
    problems = validate_record(record)
    if problem is None:
        assert problems == []
    else:
        assert len(problems) == 1 and problem in problems[0] and "outside entities" in problems[0]


def test_a_holder_on_a_neutral_sentence_is_named() -> None:
    """A holder left on a sentence made neutral passed: training data said someone held no position."""
    text = "قال السوداني إن الاجتماع انتهى."
    record = {
        "id": "d1", "source": {}, "date": None, "text": text, "doc_stance": "neutral",
        "sentences": [{"start": 0, "end": len(text), "stance": "neutral", "holder": {"start": 4, "end": 12}, "events": []}],
        "entities": [{"start": 4, "end": 12, "label": "PER"}],
    }  # fmt: skip
    assert validate_record(record) == [
        "sentence 0: holder given on a neutral sentence; a holder names who holds an anti or pro position: "
        "set it to null, or the stance to anti or pro"
    ]
    record["sentences"][0]["stance"] = "anti"
    assert validate_record(record) == []


def test_a_byte_order_mark_inside_the_text_is_named() -> None:
    """A skeleton made from a file saved with a BOM kept U+FEFF as the article's first character."""
    text = "\ufeffقال السوداني."
    record = {
        "id": "d1", "source": {}, "date": None, "text": text, "doc_stance": "neutral",
        "sentences": [{"start": 0, "end": len(text), "stance": "neutral", "holder": None, "events": []}],
        "entities": [],
    }  # fmt: skip
    problems = validate_record(record)
    assert len(problems) == 1 and "byte order mark (U+FEFF) at offset 0" in problems[0] and "utf-8-sig" in problems[0]
