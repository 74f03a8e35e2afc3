"""Tables and summaries of result lines: each layer's columns and values, kept fields, reading errors, counts."""

from __future__ import annotations

import csv
import gzip
import io
import json
import logging
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from arabnews_nlp.engines.corpus import analyze_corpus_local
from arabnews_nlp.entity_names import bare_forms
from arabnews_nlp.errors import ConfigError, DataFormatError
from arabnews_nlp.periods import UNKNOWN, period_of
from arabnews_nlp.schema import EVENT_TYPES
from arabnews_nlp.summary import summarize
from arabnews_nlp.tables import LAYERS, columns, iter_rows, read_results, write_csv

TEXTS = {
    "a1": "قال السوداني إن بغداد تريد خروج قوات التحالف. وقصفت طائرات مسيرة قاعدة عين الأسد.",
    "a2": "نفى البنتاغون وجود خطط لسحب القوات من سوريا والعراق.",
}


def _entity(start: int, end: int, label: str, text: str, score: float = 0.9) -> dict[str, Any]:
    return {"start": start, "end": end, "label": label, "text": text, "score": score}


def _line(entities: Sequence[dict[str, Any]] = (), events: Sequence[Sequence[str]] = (), **head: Any) -> dict[str, Any]:
    """A result line with one sentence per ``events`` item (reporting those types), entities in sentence 0."""
    sentences = [{"start": 10 * i, "end": 10 * i + 9, "stance": {"label": "neutral", "score": 0.8, "holder": None},
                  "events": [{"label": label, "score": 0.7} for label in labels]} for i, labels in enumerate(events or [[]])]  # fmt: skip
    found: dict[str, int] = {}
    for sentence in sentences:
        for event in sentence["events"]:
            found[event["label"]] = found.get(event["label"], 0) + 1
    return {**head, "stance": {"label": "neutral", "score": 0.8},
            "events": [{"label": label, "score": 0.7, "sentences": n} for label, n in found.items()],
            "entities": list(entities), "sentences": sentences}  # fmt: skip


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory, _session_analyzer: Any) -> dict[str, Path]:
    """Real result lines of the tiny model: with texts, and with --no-text, both keeping "date"."""
    folder = tmp_path_factory.mktemp("tables")
    corpus = folder / "news.jsonl"
    corpus.write_text("".join(json.dumps({"doc_id": key, "date": f"2018-0{i}-14", "text": text}, ensure_ascii=False) + "\n"
                              for i, (key, text) in enumerate(TEXTS.items(), start=5)), encoding="utf-8")  # fmt: skip
    paths = {"corpus": corpus}
    for name, with_text in (("out", True), ("short", False)):
        paths[name] = folder / f"{name}.jsonl"
        analyze_corpus_local(corpus, paths[name], analyzer=_session_analyzer, id_field="doc_id",
                             keep_fields=["date"], with_text=with_text)  # fmt: skip
    return paths


def _records(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_each_layer_has_its_columns_in_order_and_a_row_per_item(results: dict[str, Path]) -> None:
    records = _records(results["out"])
    expected_rows = {
        "documents": len(records),
        "sentences": sum(len(r["sentences"]) for r in records),
        "entities": sum(len(r["entities"]) for r in records),
        "events": sum(len(s["events"]) for r in records for s in r["sentences"]),
    }
    assert expected_rows["entities"] > 0 and expected_rows["sentences"] > len(records)
    for layer in LAYERS:
        rows = list(iter_rows(results["out"], layer))
        assert len(rows) == expected_rows[layer], layer
        assert all(tuple(row) == columns(layer, ["date"]) for row in rows)
        assert [row["date"] for row in rows[:1]] == ["2018-05-14"] or layer == "events"
    assert columns("documents")[:5] == ("id", "stance", "stance_score", "sentences", "entities")
    assert columns("documents")[5:] == EVENT_TYPES


def test_document_rows_count_sentences_per_event_type(results: dict[str, Path]) -> None:
    for record, row in zip(_records(results["out"]), iter_rows(results["out"], "documents")):
        assert row["id"] == record["id"] and row["date"] == record["date"]
        assert (row["stance"], row["stance_score"]) == (record["stance"]["label"], record["stance"]["score"])
        assert (row["sentences"], row["entities"]) == (len(record["sentences"]), len(record["entities"]))
        for label in EVENT_TYPES:
            assert row[label] == sum(label in [e["label"] for e in s["events"]] for s in record["sentences"])
    made = _line(events=[["AIRSTRIKE", "THREAT"], ["AIRSTRIKE"], []], id="x")
    row = next(iter_rows([made], "documents"))
    assert (row["AIRSTRIKE"], row["THREAT"], row["ROCKET_ATTACK"], row["sentences"]) == (2, 1, 0, 3)


def test_sentence_and_entity_offsets_index_the_document_text(results: dict[str, Path]) -> None:
    for row in iter_rows(results["out"], "sentences"):
        text = TEXTS[row["id"]]
        assert row["text"] == text[row["start"] : row["end"]]
    sentences = {(row["id"], row["sentence"]): row for row in iter_rows(results["out"], "sentences")}
    for row in iter_rows(results["out"], "entities"):
        assert TEXTS[row["id"]][row["start"] : row["end"]] == row["text"]
        sentence = sentences[(row["id"], row["sentence"])]  # the sentence holding it
        assert sentence["start"] <= row["start"] < row["end"] <= sentence["end"]


def test_no_text_lines_give_the_same_rows_with_empty_sentence_texts(results: dict[str, Path]) -> None:
    for layer in LAYERS:
        full, short = list(iter_rows(results["out"], layer)), list(iter_rows(results["short"], layer))
        if layer == "sentences":
            assert all(row["text"] is None for row in short) and all(row["text"] for row in full)
            full = [{**row, "text": None} for row in full]
        assert short == full, layer


def test_sentence_rows_holder_and_joined_events() -> None:
    made = _line(events=[["ROCKET_ATTACK", "CASUALTIES"], []], id=3)
    made["sentences"][0]["stance"] = {"label": "anti", "score": 0.6, "holder": _entity(0, 3, "ORG", "الحشد")}
    first, second = iter_rows([made], "sentences")
    assert (first["holder"], first["events"], first["stance"], first["sentence"]) == ("الحشد", "ROCKET_ATTACK;CASUALTIES", "anti", 0)
    assert (second["holder"], second["events"], second["start"], second["end"]) == (None, None, 10, 19)  # empty cell: None
    events = list(iter_rows([made], "events"))
    assert [(row["sentence"], row["event"], row["start"]) for row in events] == [(0, "ROCKET_ATTACK", 0), (0, "CASUALTIES", 0)]


def test_kept_fields_absent_later_are_empty_and_other_fields_are_refused() -> None:
    lines = [_line(id=1, date="2018-01-01", source="bbc"), _line(id=2, date="2018-01-02")]
    rows = list(iter_rows(lines, "documents"))
    assert [(row["date"], row["source"]) for row in rows] == [("2018-01-01", "bbc"), ("2018-01-02", None)]
    mixed = [_line(id=1, date="2018"), _line(id=2, date="2019", source="bbc")]
    with pytest.raises(DataFormatError, match=r"record 2: kept field 'source' is not in the first line.*--fields"):
        list(iter_rows(mixed, "documents"))
    chosen = list(iter_rows(mixed, "documents", fields=["source"]))
    assert [tuple(row)[:2] for row in chosen] == [("id", "source")] * 2 and [r["source"] for r in chosen] == [None, "bbc"]
    with pytest.raises(ConfigError, match="'label' has the name of a column of the entities table"):
        list(iter_rows([_line(id=1, label="x")], "entities"))
    with pytest.raises(ConfigError, match="unknown layer 'words'"):
        iter_rows([], "words")


def test_analyze_jsonl_output_without_ids_is_read() -> None:
    plain = {"text": "بغداد", **_line(entities=[_entity(0, 5, "LOC", "بغداد")])}
    (row,) = iter_rows([plain], "entities")
    assert row == {"id": None, "sentence": 0, "start": 0, "end": 5, "label": "LOC", "text": "بغداد", "score": 0.9}


def test_analyses_are_read_with_their_position_as_id(results: dict[str, Path], _session_analyzer: Any) -> None:
    analyses = list(_session_analyzer.pipe(TEXTS.values()))
    by_file = {layer: [{**row, "id": n} for n, key in enumerate(TEXTS) for row in iter_rows(results["out"], layer, fields=[])
                       if row["id"] == key] for layer in LAYERS}  # fmt: skip
    for layer in LAYERS:  # as the rows of the same documents' result lines, ids 0, 1
        assert list(iter_rows(iter(analyses), layer)) == by_file[layer]
    assert summarize(analyses).documents == 2
    with pytest.raises(ConfigError, match="put one analysis in a list"):
        list(iter_rows(analyses[0], "entities"))  # type: ignore[arg-type]


def test_python_mistakes_get_clear_errors(_session_analyzer: Any, caplog: pytest.LogCaptureFixture) -> None:
    analyses = _session_analyzer.pipe(TEXTS.values())  # a generator, read once
    assert len(list(iter_rows(analyses, "documents"))) == 2
    with caplog.at_level(logging.WARNING, logger="arabnews_nlp.result_lines"):
        assert list(iter_rows(analyses, "documents")) == [] and summarize(analyses).documents == 0
    assert caplog.text.count("can be read once") == 2  # was silent: empty tables and zero counts
    with pytest.raises(ConfigError, match="got a text of .* not a results file"):
        list(iter_rows(TEXTS["a1"] + "\n", "entities"))  # was FileNotFoundError printing the article as a path
    with pytest.raises(ConfigError, match=r"fields must be a list .* write \['date'\]"):
        list(iter_rows([], "documents", fields="date"))  # type: ignore[arg-type]  # was columns d, a, t, e
    with pytest.raises(DataFormatError, match=r"record 1: got a str \(the texts\? give their analyses"):
        list(iter_rows(list(TEXTS.values()), "entities"))  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="got a NoneType"):
        list(iter_rows(None, "entities"))  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="period"):
        summarize([], period="week")  # without by too


def test_csv_round_trip_gz_input_bom_and_cells(results: dict[str, Path], tmp_path: Path) -> None:
    packed = tmp_path / "out.jsonl.gz"
    packed.write_bytes(gzip.compress(results["out"].read_bytes()))
    target = tmp_path / "entities.csv"
    count = write_csv(packed, target, "entities")
    data = target.read_bytes()
    assert not data.startswith(b"\xef\xbb\xbf")
    with open(target, encoding="utf-8", newline="") as handle:
        table = list(csv.DictReader(handle))
    expected = list(iter_rows(results["out"], "entities"))
    assert count == len(table) == len(expected)
    assert [(r["id"], r["date"], r["text"], int(r["start"]), float(r["score"])) for r in table] == [
        (e["id"], e["date"], e["text"], e["start"], e["score"]) for e in expected
    ]
    excel = io.StringIO()
    write_csv(results["out"], excel, "documents", excel=True)
    assert excel.getvalue().startswith("\ufeffid,date,stance,")
    cells = io.StringIO()
    write_csv([_line(id=1, tags=["a", "ب"], flag=True, date=None)], cells, "documents")
    assert cells.getvalue().splitlines()[1].startswith('1,"[""a"", ""ب""]",true,,neutral,')


def test_excel_cells_that_would_run_as_formulas_get_a_quote_and_plain_csv_is_unchanged() -> None:
    line = _line(id="=1+1", src='=HYPERLINK("x")', sign="-5", at="@SUM(A1)", plus="+1", tab="\tx", cr="\rx", safe="a=b",
                 number=-5, real=-0.5)  # fmt: skip
    expected = ["=1+1", '=HYPERLINK("x")', "-5", "@SUM(A1)", "+1", "\tx", "\rx", "a=b", "-5", "-0.5"]
    for excel, quote in ((False, ""), (True, "'")):
        buffer = io.StringIO()
        write_csv([line], buffer, "documents", excel=excel)
        header, row = list(csv.reader(io.StringIO(buffer.getvalue().lstrip("\ufeff"), newline="")))
        assert header[:10] == ["id", "src", "sign", "at", "plus", "tab", "cr", "safe", "number", "real"]
        assert row[:10] == [quote + cell if i < 7 else cell for i, cell in enumerate(expected)]  # numbers never change
    buffer = io.StringIO()
    write_csv([_line(id=1, **{"=x": 1})], buffer, "documents", excel=True)
    assert buffer.getvalue().startswith("\ufeffid,'=x,")


def test_a_field_in_no_line_is_named_in_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    lines = [_line(id=1, date="2018-06-14", title="t"), _line(id=2, date="2018-06-15", title="u")]
    with caplog.at_level(logging.WARNING):
        rows = list(iter_rows(lines, "documents", fields=["date", "dtae"]))
        assert [row["dtae"] for row in rows] == [None, None]
        assert "field 'dtae' is in none of the 2 result lines (their kept fields: date, title); check its name in --fields" in caplog.text
        assert "'date' is in none" not in caplog.text
        caplog.clear()
        summarize(lines, by="Date")
        assert "field 'Date' is in none of the 2 result lines (their kept fields: date, title); check its name in --by" in caplog.text
        caplog.clear()
        summarize(lines, by="date")
        list(iter_rows(lines, "documents", fields=["title"]))
        list(iter_rows([], "documents", fields=["title"]))
        assert caplog.text == ""


def test_a_table_without_rows_has_its_header(tmp_path: Path) -> None:
    buffer = io.StringIO()
    assert write_csv([_line(id=1, date="2018")], buffer, "events") == 0
    assert buffer.getvalue() == "id,date,sentence,start,end,event,score\r\n"


def test_reading_errors_name_the_file_and_line(results: dict[str, Path], tmp_path: Path) -> None:
    with pytest.raises(DataFormatError, match=r"news.jsonl:1: not a result line.*\(its fields: doc_id, date, text\); is this the input corpus\?"):
        list(iter_rows(results["corpus"], "entities"))
    array = tmp_path / "out.json"
    array.write_text("[\n" + json.dumps(_line()) + "\n]\n", encoding="utf-8")
    with pytest.raises(DataFormatError, match=r"out.json:1: a JSON array \(analyze --format json\).*--format jsonl"):
        list(read_results(array))
    broken = tmp_path / "broken.jsonl"
    broken.write_text(json.dumps(_line(id=1)) + "\n{not json\n" + json.dumps(_line(id=2)) + "\n", encoding="utf-8")
    with pytest.raises(DataFormatError, match=r"broken.jsonl:2: not valid JSON"):
        list(read_results(broken))
    with pytest.raises(FileNotFoundError, match="results file not found"):
        list(read_results(tmp_path / "missing.jsonl"))
    bad_events = _line(events=[["NOT_A_TYPE"]], id=1)
    with pytest.raises(DataFormatError, match="record 1: unknown event type 'NOT_A_TYPE'"):
        list(iter_rows([bad_events], "documents"))
    with pytest.raises(DataFormatError, match="record 1: a result line with a part missing"):
        list(iter_rows([{**_line(), "sentences": [{"start": 0}]}], "sentences"))


def test_a_one_line_file_that_is_not_results_is_an_error_not_a_cut_off_line(tmp_path: Path) -> None:
    """An article, a page or a cp1256 text given by mistake is named, not read as zero documents."""
    for name, data in (("one.txt", "hello world".encode()), ("page.html", b"<html><body>x</body></html>"),
                       ("cp.txt", "قال السوداني".encode("cp1256"))):  # fmt: skip
        path = tmp_path / name
        path.write_bytes(data)
        with pytest.raises(DataFormatError, match=f"{name}:1: not"):
            list(iter_rows(path, "documents"))
        with pytest.raises(DataFormatError, match=f"{name}:1: not"):
            summarize(path)


def test_a_cut_off_last_line_is_skipped_with_a_warning(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "out.jsonl"
    whole = json.dumps(_line(id=1)) + "\n"
    path.write_text(whole + json.dumps(_line(id=2))[:40], encoding="utf-8")
    with caplog.at_level(logging.WARNING):
        rows = list(iter_rows(path, "documents"))
    assert [row["id"] for row in rows] == [1]
    assert "out.jsonl:2: skipped a last line cut off mid-write" in caplog.text
    assert summarize(path).cut_off == 1
    path.write_text(whole + json.dumps(_line(id=2)), encoding="utf-8")  # complete, only its line end missing
    assert [row["id"] for row in iter_rows(path, "documents")] == [1, 2]
    path.write_text(json.dumps(_line(id=1))[:40], encoding="utf-8")  # a run cut off in its first line
    assert list(iter_rows(path, "documents")) == []


def test_a_last_line_cut_inside_an_arabic_character_is_skipped(results: dict[str, Path], tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    first, second = results["out"].read_bytes().splitlines(keepends=True)
    inside = next(i for i in range(len(second) // 2, len(second)) if 0x80 <= second[i] < 0xC0)  # a continuation byte
    path = tmp_path / "cut.jsonl"
    path.write_bytes(first + second[:inside])  # an interrupted run, cut in the middle of an Arabic letter
    with pytest.raises(UnicodeDecodeError):
        second[:inside].decode("utf-8")
    with caplog.at_level(logging.WARNING):
        rows = list(iter_rows(path, "documents"))
    assert [row["id"] for row in rows] == ["a1"] and "cut.jsonl:2: skipped a last line cut off mid-write" in caplog.text
    summary = summarize(path)
    assert (summary.documents, summary.cut_off) == (1, 1)
    counts: Counter[str] = Counter()
    assert len(list(read_results(path, counts))) == 1 and counts["cut_off"] == 1
    path.write_bytes(first + second[:inside] + b"\n")  # with its line end, it is no cut-off line: an error
    with pytest.raises(DataFormatError, match=r"cut.jsonl:2: not UTF-8 text"):
        list(iter_rows(path, "documents"))


@pytest.mark.parametrize(
    ("change", "part"),
    [
        (lambda line: line.update(stance=None), "TypeError"),
        (lambda line: line["entities"].append({"text": "x", "start": 0, "end": 1, "score": 1.0}), "KeyError: 'label'"),
        (lambda line: line["events"].append({"label": "AIRSTRIKE", "score": 0.7}), "KeyError: 'sentences'"),
        (lambda line: line["sentences"][0].update(stance={"score": 1.0}), "KeyError: 'label'"),
        (lambda line: line["events"].append({"label": "AIRSTRIKE", "score": 0.7, "sentences": "two"}), "ValueError"),
    ],
    ids=["stance-null", "entity-without-label", "event-without-sentences", "sentence-stance-without-label", "sentences-not-a-number"],
)  # fmt: skip
def test_summary_names_the_line_of_a_malformed_result(change: Any, part: str, tmp_path: Path) -> None:
    bad = _line(id=2)
    change(bad)
    with pytest.raises(DataFormatError, match=rf"record 2: a result line with a part missing or of the wrong type \({part}"):
        summarize([_line(id=1), bad])
    path = tmp_path / "out.jsonl"
    path.write_text(json.dumps(_line(id=1)) + "\n" + json.dumps(bad) + "\n", encoding="utf-8")
    with pytest.raises(DataFormatError, match=rf"out.jsonl:2: a result line with a part missing or of the wrong type \({part}"):
        summarize(path, by="date")


def _names(entities: Sequence[tuple[str, str, int]]) -> dict[str, Any]:
    """A result line naming each ``(text, label, times)``."""
    return _line(entities=[_entity(0, len(text), label, text) for text, label, times in entities for _ in range(times)])


@pytest.mark.parametrize(
    ("documents", "expected"),
    [
        ([[("بغداد", "LOC", 5)], [("غداد", "LOC", 1)]], [("بغداد", 5, 1), ("غداد", 1, 1)]),
        ([[("وليد", "PER", 3)], [("ليد", "PER", 1)]], [("وليد", 3, 1), ("ليد", 1, 1)]),
        ([[("فرنسا", "LOC", 3)], [("رنسا", "LOC", 1)]], [("فرنسا", 3, 1), ("رنسا", 1, 1)]),
        ([[("بشار الأسد", "PER", 3)], [("شار الأسد", "PER", 1)]], [("بشار الأسد", 3, 1), ("شار الأسد", 1, 1)]),
        ([[("ولبنان", "LOC", 1), ("لبنان", "LOC", 1)], [("بنان", "LOC", 1)]], [("لبنان", 2, 1), ("بنان", 1, 1)]),
        ([[("للعراق", "LOC", 1)], [("العراق", "LOC", 1)], [("لعراق", "LOC", 1)]], [("لعراق", 2, 2), ("العراق", 1, 1)]),
        ([[("والعراق", "LOC", 4)], [("العراق", "LOC", 1)], [("بالعراق", "LOC", 1), ("العراق", "LOC", 1)]],
         [("والعراق", 4, 1), ("العراق", 3, 2)]),
        ([[("العراق", "LOC", 2), ("والعراق", "LOC", 1)], [("بالعراق", "LOC", 1)], [("للعراق", "LOC", 2)]],
         [("العراق", 6, 3)]),
        ([[("وبغداد", "LOC", 3)]], [("وبغداد", 3, 1)]),
    ],
    ids=["baghdad", "walid", "france", "bashar", "lebanon-chain", "lam-lam", "frequent-proclitic-form", "iraq", "bare-absent"],
)  # fmt: skip
def test_names_merge_only_into_a_bare_form_found_as_often_and_count_documents_exactly(
    documents: list[list[tuple[str, str, int]]], expected: list[tuple[str, int, int]], tmp_path: Path
) -> None:
    lines = [_names(entities) for entities in documents]
    path = tmp_path / "out.jsonl"
    path.write_text("".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines), encoding="utf-8")
    for source in (lines, iter(lines), (line for line in lines), path):  # a list, one-shot iterators, a file
        top = summarize(source).top_entities  # type: ignore[arg-type]
        found = [(e.text, e.mentions, e.documents) for label in ("LOC", "PER") for e in top[label]]
        assert found == expected, source


def test_bare_forms_strip_proclitics_and_read_lam_lam_as_the_article() -> None:
    assert bare_forms("للعراق")[-1] == "العراق" and "العراق" in bare_forms("وللعراق")
    assert "العراق" in bare_forms("والعراق") and "العراق" in bare_forms("بالعراق")
    assert bare_forms("بغداد") == ["غداد"] and bare_forms("العراق") == []


def test_names_merge_into_a_bare_form_only_when_it_is_an_entity_of_that_label() -> None:
    lines = [
        _line(entities=[_entity(0, 6, "LOC", "العراق"), _entity(0, 7, "LOC", "والعراق"), _entity(0, 7, "LOC", "بالعراق")]),
        _line(entities=[_entity(0, 6, "LOC", "للعراق"), _entity(0, 6, "LOC", "وبغداد"), _entity(0, 6, "LOC", "واشنطن")]),
        _line(entities=[_entity(0, 5, "LOC", "بغداد"), _entity(0, 4, "PER", "وليد"), _entity(0, 6, "ORG", "والعراق")]),
        _line(entities=[_entity(0, 7, "LOC", "وكركوك"), _entity(0, 5, "PER", "الأمير"), _entity(0, 5, "PER", "الامير")]),
    ]
    top = summarize(lines).top_entities
    loc = {entity.text: entity for entity in top["LOC"]}
    assert (loc["العراق"].mentions, loc["العراق"].documents) == (4, 2)
    assert set(loc["العراق"].forms) == {"العراق", "والعراق", "بالعراق", "للعراق"}
    assert (loc["بغداد"].mentions, loc["بغداد"].documents, loc["بغداد"].forms) == (2, 2, ("بغداد", "وبغداد"))
    assert loc["واشنطن"].mentions == 1 and loc["وكركوك"].mentions == 1  # no bare form found: kept as written
    assert [e.text for e in top["PER"]] == ["الأمير", "وليد"] and top["PER"][0].mentions == 2  # alef forms unified
    assert [(e.text, e.mentions) for e in top["ORG"]] == [("والعراق", 1)]  # العراق is a LOC, not an ORG
    assert summarize(lines, top=1).top_entities["LOC"][0].text == "العراق"
    article_later = [_line(entities=[_entity(0, 6, "LOC", "للعراق")]), _line(entities=[_entity(0, 6, "LOC", "العراق")])]
    assert [(e.text, e.mentions, e.documents) for e in summarize(article_later).top_entities["LOC"]] == [("العراق", 2, 2)]


def test_summary_counts_stance_and_events(results: dict[str, Path]) -> None:
    records = _records(results["out"])
    summary = summarize(results["out"])
    assert (summary.documents, summary.sentences) == (2, sum(len(r["sentences"]) for r in records))
    assert summary.entities == sum(len(r["entities"]) for r in records)
    assert sum(summary.sentence_stance.values()) == summary.sentences
    assert summary.document_stance[records[0]["stance"]["label"]] >= 1
    made = summarize([_line(events=[["AIRSTRIKE"], ["AIRSTRIKE", "THREAT"]]), _line(events=[["THREAT"]])])
    assert made.events["AIRSTRIKE"] == {"documents": 1, "sentences": 2}
    assert made.events["THREAT"] == {"documents": 2, "sentences": 2} and made.events["WITHDRAWAL"]["documents"] == 0
    assert made.sentence_stance == {"anti": 0, "pro": 0, "neutral": 3}


def test_periods_count_documents_and_keep_unknown_dates() -> None:
    lines = [
        _line(events=[["AIRSTRIKE"]], date="2018-06-14"), _line(events=[["AIRSTRIKE"]], date="20180602"),
        _line(date="Tue, 17 Jul 2018 18:48:23 GMT"), _line(events=[["THREAT"]], date="14/06/2018"), _line(date=None),
    ]  # fmt: skip
    summary = summarize(lines, by="date", period="month")
    assert list(summary.periods) == ["2018-06", "2018-07", UNKNOWN]
    assert summary.periods["2018-06"].documents == 2 and summary.periods["2018-06"].events["AIRSTRIKE"] == 2
    assert summary.periods[UNKNOWN].documents == summary.unknown_dates == 2
    assert summary.periods[UNKNOWN].events["THREAT"] == 1 and summary.unknown_examples == ["14/06/2018", None]
    assert sum(counts.documents for counts in summary.periods.values()) == summary.documents
    assert summary.to_dict()["periods"]["2018-07"] == {"documents": 1, "document_stance": {"anti": 0, "pro": 0, "neutral": 1},
                                                       "events": dict.fromkeys(EVENT_TYPES, 0)}  # fmt: skip
    assert list(summarize(lines, by="date", period="year").periods) == ["2018", UNKNOWN]
    report = str(summary)  # a command-line user is told the formats, not a Python function's name
    assert "day-first dates (14/06/2018) are ambiguous" in report and "period_of" not in report
    with pytest.raises(ConfigError, match="unknown period 'week'"):
        summarize(lines, by="date", period="week")


@pytest.mark.parametrize(
    ("value", "period", "expected"),
    [
        ("2018-06-14T10:00:00+03:00", "day", "2018-06-14"), ("2018/6/4", "day", "2018-06-04"),
        ("2018-06-14 10:00", "month", "2018-06"), ("Sun, 18 Feb 2018 21:35:43 +0400", "day", "2018-02-18"),
        ("2018-06", "month", "2018-06"), ("2018-06", "day", UNKNOWN), ("2018", "year", "2018"),
        ("2018-13-01", "month", UNKNOWN), ("2018-06-31", "day", UNKNOWN), ("yesterday", "year", UNKNOWN),
        (2018, "month", UNKNOWN), ("", "year", UNKNOWN), (True, "year", UNKNOWN),
    ],
)  # fmt: skip
def test_period_of(value: Any, period: str, expected: str) -> None:
    assert period_of(value, period) == expected


def test_a_name_spelt_with_a_no_break_space_is_not_shown_as_another_form() -> None:
    lines = [_line(entities=[_entity(0, 9, "PER", "زايد بن سعيد"), _entity(0, 9, "PER", "زايد\xa0بن سعيد")])]
    (found,) = summarize(lines).top_entities["PER"]
    assert (found.text, found.mentions, found.forms) == ("زايد بن سعيد", 2, ("زايد بن سعيد",))
