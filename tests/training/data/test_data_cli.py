"""Smoke tests of ``python -m training validate | build-data | convert | stats``."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from arabnews_nlp.errors import DataFormatError
from arabnews_nlp.schema import EVENT_TYPES
from training.__main__ import main as training_main
from training.data.cli import main
from training.data.records import read_records, to_surface, write_records


def _surface_file(path: Path, records: list[dict[str, Any]]) -> Path:
    write_records(path, [to_surface(r) for r in records])
    return path


def _varied(record_factory: Any, doc_id: str, i: int) -> dict[str, Any]:
    record = record_factory(doc_id)
    record["sentences"][1]["events"] = [["ROCKET_ATTACK"], ["THREAT"], ["AIRSTRIKE", "CASUALTIES"]][i % 3]
    record["sentences"][1]["stance"] = ["neutral", "pro"][i % 2]
    # a long tail of words of its own, so documents are not near duplicates (which share a split)
    tail = " ".join(f"كلمة{i}س{k}" for k in range(120)) + "."
    start = len(record["text"]) + 1
    record["text"] = f"{record['text']} {tail}"
    record["sentences"].append({"start": start, "end": len(record["text"]), "stance": "neutral", "holder": None, "events": []})
    return record


def test_validate_ok_and_broken(tmp_path: Path, record: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    good = tmp_path / "good.jsonl"
    write_records(good, [record])
    assert training_main(["validate", str(good)]) == 0
    broken = copy.deepcopy(record)
    broken["sentences"][0]["events"] = ["BOMBING"]
    bad = tmp_path / "bad.jsonl"
    write_records(bad, [record, dict(broken, id="doc-2")])
    capsys.readouterr()
    assert main(["validate", str(good), str(bad)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out == [f"{bad}:2: doc-2: sentence 0: event 'BOMBING' is not one of {list(EVENT_TYPES)}"]


def test_validate_reads_surface_documents(tmp_path: Path, record: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    surface = to_surface(record)
    surface["sentences"][1]["entities"] = [["قاعدة عين الأسد", "FAC"], ["بغداد", "LOC"]]
    path = tmp_path / "batch.jsonl"
    write_records(path, [to_surface(record), dict(surface, id="doc-2")])
    assert main(["validate", str(path)]) == 1
    assert f"{path}:2: " in capsys.readouterr().out


def test_build_data_writes_splits_and_keeps_them(tmp_path: Path, record_factory: Any, capsys: pytest.CaptureFixture[str]) -> None:
    records = [_varied(record_factory, f"pool-{i:02d}", i) for i in range(8)] + [_varied(record_factory, "seed-000", 0)]
    _surface_file(tmp_path / "surface" / "batch1.jsonl", records)
    out = tmp_path / "seeds"
    assert main(["build-data", "--surface", str(tmp_path / "surface" / "*.jsonl"), "--out", str(out)]) == 0
    split = json.loads((out / "split.json").read_text(encoding="utf-8"))
    train, dev = read_records(out / "train.jsonl"), read_records(out / "dev.jsonl")
    assert len(train) + len(dev) == 9 and dev and {r["id"] for r in dev} == {k for k, v in split.items() if v == "dev"}
    assert [r["id"] for r in read_records(out / "seeds.jsonl")] == ["seed-000"]
    first = capsys.readouterr()
    assert "events:THREAT" in first.out
    # a new --out folder reads no manifest: every document is split again, which dev would not survive unsaid
    assert f"warning: no split manifest at {out / 'split.json'}: all 9 documents were split afresh" in first.err
    more = [_varied(record_factory, f"pool-{i:02d}", i) for i in range(8, 12)]
    _surface_file(tmp_path / "surface" / "batch2.jsonl", more)
    assert main(["build-data", "--surface", str(tmp_path / "surface" / "*.jsonl"), "--out", str(out)]) == 0
    grown = json.loads((out / "split.json").read_text(encoding="utf-8"))
    assert {k: grown[k] for k in split} == split and len(grown) == 13
    assert "no split manifest" not in capsys.readouterr().err


def test_build_data_refuses_broken_input(tmp_path: Path, record: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    surface = dict(to_surface(record), id="doc-9")
    surface["sentences"][0]["holder"] = "بغداد"
    write_records(tmp_path / "a.jsonl", [surface, to_surface(record)])
    _surface_file(tmp_path / "b.jsonl", [record])
    files = [str(tmp_path / "a.jsonl"), str(tmp_path / "b.jsonl")]
    assert main(["build-data", "--surface", *files, "--out", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert f"{files[0]}:1: doc-9: holder 'بغداد' is not an entity" in err
    assert f"{files[1]}:1: doc-1: duplicate id (first at {files[0]}:2)" in err
    assert not (tmp_path / "out").exists()


def test_convert_reports_repeated_ids(tmp_path: Path, capsys: Any) -> None:
    """Two Doccano examples with one id make two records with one id: named, as validate names them."""
    item = {"id": 5, "text": "قصفت طائرات مواقع في الأنبار.", "entities": []}
    source = tmp_path / "export.jsonl"
    source.write_text("\n".join(json.dumps(item, ensure_ascii=False) for _ in range(2)) + "\n", encoding="utf-8")
    assert main(["convert", "doccano", str(source), str(tmp_path / "mine.jsonl")]) == 1
    out = capsys.readouterr()
    assert f"{tmp_path / 'mine.jsonl'}:2: doccano-5: duplicate id (first at {tmp_path / 'mine.jsonl'}:1)" in out.out
    assert "1 problem(s)" in out.err


def test_convert_anercorp_both_ways(tmp_path: Path) -> None:
    source = tmp_path / "ANERCorp_x.txt"
    source.write_text("زار O\nساركوزي B-PERS\nبغداد B-LOC\n. O\n\n", encoding="utf-8")
    assert main(["convert", "anercorp", str(source), str(tmp_path / "a.jsonl")]) == 0
    assert read_records(tmp_path / "a.jsonl")[0]["entities"][0]["label"] == "PER"
    assert main(["convert", "anercorp", str(tmp_path / "a.jsonl"), str(tmp_path / "back.txt"), "--export"]) == 0
    assert (tmp_path / "back.txt").read_text(encoding="utf-8") == source.read_text(encoding="utf-8")
    assert main(["convert", "wikifane", str(tmp_path / "a.jsonl"), str(tmp_path / "x"), "--export"]) == 2


@pytest.mark.parametrize("fmt", ["doccano", "labelstudio", "surface"])
def test_convert_annotation_tools_round_trip(tmp_path: Path, record: dict[str, Any], fmt: str) -> None:
    write_records(tmp_path / "r.jsonl", [record])
    args = ["--config", str(tmp_path / "config.xml")] if fmt == "labelstudio" else []
    assert main(["convert", fmt, str(tmp_path / "r.jsonl"), str(tmp_path / "tool"), "--export", *args]) == 0
    assert main(["convert", fmt, str(tmp_path / "tool"), str(tmp_path / "back.jsonl")]) == 0
    assert read_records(tmp_path / "back.jsonl") == [record]


@pytest.mark.parametrize(("fmt", "key"), [("labelstudio", "annotations"), ("doccano", "label")])
def test_convert_refuses_a_key_given_twice_in_a_json_array(
    tmp_path: Path, record: dict[str, Any], fmt: str, key: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """A whole-file JSON array is checked for repeated keys like a JSONL line: json would keep the last silently."""
    write_records(tmp_path / "r.jsonl", [record, dict(record, id="doc-2")])
    assert main(["convert", fmt, str(tmp_path / "r.jsonl"), str(tmp_path / "tool"), "--export"]) == 0
    capsys.readouterr()
    if fmt == "doccano":  # exported as JSONL; Doccano also exports one JSON array
        items = [json.loads(line) for line in (tmp_path / "tool").read_text(encoding="utf-8").splitlines()]
        (tmp_path / "tool").write_text(json.dumps(items, ensure_ascii=False, indent=1), encoding="utf-8")
    text = (tmp_path / "tool").read_text(encoding="utf-8")
    second = text.index(f'"{key}":', text.index(f'"{key}":') + 1)  # in the second item
    (tmp_path / "tool").write_text(f'{text[:second]}"{key}": [], {text[second:]}', encoding="utf-8")
    assert main(["convert", fmt, str(tmp_path / "tool"), str(tmp_path / "back.jsonl")]) == 1
    line = [n for n, content in enumerate(text.splitlines(), 1) if content == " {"][1]  # where the second item starts
    message = f"convert: {tmp_path / 'tool'}:{line}: item 2: the key {key!r} is given twice in one object; keep one"
    assert capsys.readouterr().err.strip() == message
    assert not (tmp_path / "back.jsonl").exists()


def test_convert_doccano_sentences_merges(
    tmp_path: Path, record: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    write_records(tmp_path / "r.jsonl", [record])
    assert main(["convert", "doccano-sentences", str(tmp_path / "r.jsonl"), str(tmp_path / "s.jsonl"), "--export"]) == 0
    assert main(["convert", "doccano-sentences", str(tmp_path / "s.jsonl"), str(tmp_path / "m.jsonl")]) == 1
    merged = ["convert", "doccano-sentences", str(tmp_path / "s.jsonl"), str(tmp_path / "m.jsonl"), "--records", str(tmp_path / "r.jsonl")]
    assert main(merged) == 0 and read_records(tmp_path / "m.jsonl") == [record]
    # NER-only records (ANERcorp-style) have no stance to classify: left out, and unchanged by the merge
    ner_only = dict(copy.deepcopy(record), id="doc-ner", tasks=["ner"], doc_stance=None)
    for sentence in ner_only["sentences"]:
        sentence.update(stance=None, holder=None, events=None)
    write_records(tmp_path / "r.jsonl", [record, ner_only])
    capsys.readouterr()
    assert main(["convert", "doccano-sentences", str(tmp_path / "r.jsonl"), str(tmp_path / "s.jsonl"), "--export"]) == 0
    assert capsys.readouterr().err.splitlines() == [
        "convert: left out 1 of 2 record(s) that are NER-only (\"tasks\" without 'stance'): doc-ner; pass "
        "--include-ner-only to export them for stance and events annotation (the merge then adds those layers to them)",
        f"wrote 2 example(s) of 1 record(s) to {tmp_path / 's.jsonl'}",
    ]
    assert {json.loads(line)["doc_id"] for line in (tmp_path / "s.jsonl").read_text(encoding="utf-8").splitlines()} == {"doc-1"}
    assert main(merged) == 0 and read_records(tmp_path / "m.jsonl") == [record, ner_only]
    # a sentence made neutral in Doccano loses its holder (holders are not edited there)
    items = [json.loads(line) for line in (tmp_path / "s.jsonl").read_text(encoding="utf-8").splitlines()]
    assert items[0]["label"][0] == "anti" and record["sentences"][0]["holder"] is not None
    items[0]["label"][0] = "neutral"
    write_records(tmp_path / "s.jsonl", items)
    assert main(merged) == 0
    assert read_records(tmp_path / "m.jsonl")[0]["sentences"][0] | {"stance": "anti"} == record["sentences"][0] | {"holder": None}
    # a sentence deleted in Doccano is an error, unless its labels are kept on purpose
    write_records(tmp_path / "s.jsonl", items[:1])
    assert main(merged) == 1 and "have no Doccano example" in capsys.readouterr().err
    assert main([*merged, "--keep-missing"]) == 0
    assert read_records(tmp_path / "m.jsonl")[0]["sentences"][1] == record["sentences"][1]


def test_stats_table_and_json(tmp_path: Path, record: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    write_records(tmp_path / "train.jsonl", [record])
    write_records(tmp_path / "dev.jsonl", [dict(record, id="doc-2")])
    assert main(["stats", str(tmp_path / "train.jsonl"), str(tmp_path / "dev.jsonl")]) == 0
    assert capsys.readouterr().out.splitlines()[0].split() == ["count", "train", "dev", "total"]
    assert main(["stats", str(tmp_path / "train.jsonl"), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["train"]["events"]["WITHDRAWAL"] == 1


def test_stats_into_a_closed_pipe_ends_quietly(
    tmp_path: Path, record: dict[str, Any], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """``python -m training stats ... | head``: the reader stopping early is not an error (exit 141, no traceback)."""
    import io
    import sys

    class ClosedPipe(io.StringIO):
        def write(self, text: str) -> int:
            raise BrokenPipeError(32, "Broken pipe")

    write_records(tmp_path / "train.jsonl", [record])
    monkeypatch.setattr(sys, "stdout", ClosedPipe())
    assert training_main(["stats", str(tmp_path / "train.jsonl")]) == 141
    assert capsys.readouterr().err == ""


@pytest.mark.integration
def test_convert_real_anercorp(tmp_path: Path, shared_data: Path) -> None:
    source = shared_data / "anercorp" / "ANERCorp_CamelLab_test.reconstructed.txt"
    assert main(["convert", "anercorp", str(source), str(tmp_path / "test.jsonl")]) == 0
    assert main(["validate", str(tmp_path / "test.jsonl")]) == 0


def test_errors_the_user_can_fix_are_one_line_and_exit_2(tmp_path: Path, capsys: Any) -> None:
    assert training_main(["finetune", "--config", str(tmp_path / "nope.yaml")]) == 2
    assert "python -m training finetune: error: config file" in capsys.readouterr().err
    assert training_main(["evaluate", "--model", str(tmp_path / "no-model"), "--data", str(tmp_path / "x.jsonl")]) == 2
    err = capsys.readouterr().err
    assert "python -m training evaluate: error:" in err and "x.jsonl" in err and "Traceback" not in err


def test_evaluate_and_baseline_refuse_invalid_data(tmp_path: Path, record: dict[str, Any], capsys: Any) -> None:
    broken = copy.deepcopy(record)
    broken["entities"][0]["label"] = "PERSON"
    bad, surface = tmp_path / "bad.jsonl", tmp_path / "surface.jsonl"
    write_records(bad, [broken])
    write_records(surface, [to_surface(record)])
    baseline = tmp_path / "baseline.json"
    for argv, message in (
        (["baseline", "--train", str(bad), "--out", str(baseline)], "bad.jsonl has 1 problem(s), the first:"),
        (["baseline", "--train", str(surface), "--out", str(baseline)], "is in the surface format"),
    ):
        assert training_main(argv) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and message in err and "Traceback" not in err
    write_records(tmp_path / "good.jsonl", [record])
    assert training_main(["baseline", "--train", str(tmp_path / "good.jsonl"), "--out", str(baseline)]) == 0
    for data, message in ((bad, "'PERSON'"), (surface, "is in the surface format")):
        assert training_main(["evaluate", "--baseline", str(baseline), "--data", str(data)]) == 2
        assert message in capsys.readouterr().err
    assert training_main(["evaluate", "--baseline", str(tmp_path), "--data", str(tmp_path / "good.jsonl")]) == 2
    err = capsys.readouterr().err
    assert "python -m training evaluate: error:" in err and "Is a directory" in err


def test_stats_reports_repeated_ids(tmp_path: Path, record: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "train.jsonl"
    write_records(path, [record, dict(record, id="doc-2"), record])
    assert main(["stats", str(path)]) == 1
    err = capsys.readouterr().err
    assert f"{path}:3: doc-1: duplicate id (first at {path}:1); ids must be unique" in err
    assert main(["stats", str(path), "--json", "--force"]) == 0
    out, err = capsys.readouterr()
    assert json.loads(out)["train"]["duplicate_ids"] == 1
    assert f"stats: {path}: 1 document(s) repeat the id of an earlier one (doc-1)" in err


def test_validate_summary_counts_documents_and_unreadable_lines(
    tmp_path: Path, record: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    unconvertible = dict(to_surface(record), id="doc-3")
    unconvertible["sentences"][0]["holder"] = "بغداد"
    path = tmp_path / "a.jsonl"
    lines = [json.dumps(record, ensure_ascii=False), "not json", "", json.dumps(unconvertible, ensure_ascii=False), "[1]"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert main(["validate", str(path)]) == 1
    out, err = capsys.readouterr()
    assert [line.split(": ")[0] for line in out.splitlines()] == [f"{path}:2", f"{path}:4", f"{path}:5"]
    assert err.splitlines()[-1] == "3 problem(s) in 1 file(s): 2 document(s) read, 2 line(s) not read (not UTF-8 or not a JSON object)"
    assert main(["stats", str(path), "--json", "--force"]) == 0  # counts what it could read, and says what it left out
    out, err = capsys.readouterr()
    assert json.loads(out)["a"]["documents"] == 1
    assert f"stats: {path}: 3 line(s) could not be read or converted and are not counted" in err


def test_convert_surface_names_every_problem_and_writes_nothing(
    tmp_path: Path, record: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    bad_holder = dict(to_surface(record), id="doc-2")
    bad_holder["sentences"][0]["holder"] = "بغداد"
    bad_entity = dict(to_surface(record), id="doc-3")
    bad_entity["sentences"][1]["entities"].append(["بغداد", "LOC"])
    source, target = tmp_path / "s.jsonl", tmp_path / "out.jsonl"
    write_records(source, [to_surface(record), bad_holder, bad_entity])
    assert main(["convert", "surface", str(source), str(target)]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err[0] == f"convert: {source}: 2 line(s) cannot be converted; nothing written. Fix them:"
    assert err[1].startswith(f"{source}:2: doc-2: holder 'بغداد'") and err[2].startswith(f"{source}:3: doc-3: entity 'بغداد'")
    assert not target.exists()


def test_convert_surface_round_trip_keeps_null_layers(tmp_path: Path, record: dict[str, Any]) -> None:
    ner_only = dict(copy.deepcopy(record), id="doc-ner", tasks=["ner"], doc_stance=None)
    for sentence in ner_only["sentences"]:
        sentence.update(stance=None, holder=None, events=None)
    write_records(tmp_path / "r.jsonl", [record, ner_only])
    assert main(["convert", "surface", str(tmp_path / "r.jsonl"), str(tmp_path / "s.jsonl"), "--export"]) == 0
    assert main(["convert", "surface", str(tmp_path / "s.jsonl"), str(tmp_path / "back.jsonl")]) == 0
    assert read_records(tmp_path / "back.jsonl") == [record, ner_only]


def test_validate_accepts_a_byte_order_mark_and_refuses_an_empty_file(
    tmp_path: Path, record: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    """Windows editors save UTF-8 with a BOM: it is read; an empty export is a problem, not a pass."""
    from training.data.validate import check_files, read_valid_records

    bom = tmp_path / "bom.jsonl"
    bom.write_bytes(b"\xef\xbb\xbf" + (json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8"))
    assert main(["validate", str(bom)]) == 0
    assert [r["id"] for r in read_valid_records(bom)] == [record["id"]]
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n", encoding="utf-8")
    capsys.readouterr()
    assert main(["validate", str(empty)]) == 1
    assert capsys.readouterr().out.strip() == f"{empty}: holds no documents (an empty file): nothing to train on or score"
    with pytest.raises(DataFormatError, match="holds no documents"):
        check_files([empty])


def _lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_doccano_two_project_workflow_from_plain_articles(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Entities in Doccano, then stance and events in a second Doccano project, from articles with no metadata."""
    text = "قال السوداني إن القوات الأميركية ستغادر العراق. وأطلقت فصائل صواريخ على قاعدة عين الأسد."
    fac = text.index("قاعدة")
    plain = [{"id": 101, "text": text, "label": [[4, 12, "PER"], [fac, fac + len("قاعدة عين الأسد"), "FAC"]]}]
    (tmp_path / "ner.jsonl").write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in plain), encoding="utf-8")
    records, export, merged = tmp_path / "records.jsonl", tmp_path / "sentences.jsonl", tmp_path / "merged.jsonl"
    assert main(["convert", "doccano", str(tmp_path / "ner.jsonl"), str(records)]) == 0
    assert read_records(records)[0]["tasks"] == ["ner"]
    # without the option: an error naming the records and the option, and no (empty) file
    capsys.readouterr()
    assert main(["convert", "doccano-sentences", str(records), str(export), "--export"]) == 1
    assert capsys.readouterr().err == (
        f"convert: {records}: nothing to export: all 1 record(s) are NER-only (\"tasks\" without 'stance', e.g. from a "
        "plain Doccano project: doccano-101); pass --include-ner-only to export them for stance and events "
        "annotation (the merge then adds those layers to them)\n"
    )
    assert not export.exists()
    assert main(["convert", "doccano-sentences", str(records), str(export), "--export", "--include-ner-only"]) == 0
    items = _lines(export)
    assert [(x["sentence"], x["label"]) for x in items] == [(0, []), (1, []), ("document", [])]
    assert items[2]["text"] == text
    # annotated in Doccano: one sentence only (the probe's hand-made example) is refused, naming what is missing
    items[0]["label"] = ["anti", "WITHDRAWAL"]
    write_records(export, items[:1])
    merge = ["convert", "doccano-sentences", str(export), str(merged), "--records", str(records)]
    capsys.readouterr()
    assert main(merge) == 1
    assert ("2 sentence(s) or document stance(s) of the records have no Doccano example ('doccano-101' sentence 1, "
            "'doccano-101' document stance)") in capsys.readouterr().err  # fmt: skip
    # --keep-missing: the partly reviewed record stays NER-only (valid), with a note saying its labels are not kept
    assert main([*merge, "--keep-missing"]) == 0
    assert "'doccano-101': 2 of its sentences or its document stance have no Doccano example, so it stays NER-only" in capsys.readouterr().err
    assert read_records(merged)[0]["tasks"] == ["ner"] and main(["validate", str(merged)]) == 0
    # every sentence and the document: the record gains the stance and events layers and is valid
    items[1]["label"], items[2]["label"] = ["neutral", "ROCKET_ATTACK"], ["neutral"]
    write_records(export, items)
    assert main(merge) == 0
    record = read_records(merged)[0]
    assert record["tasks"] == ["ner", "stance", "events"] and record["doc_stance"] == "neutral"
    assert [(s["stance"], s["holder"], s["events"]) for s in record["sentences"]] == [
        ("anti", None, ["WITHDRAWAL"]), ("neutral", None, ["ROCKET_ATTACK"])]  # fmt: skip
    assert main(["validate", str(merged)]) == 0
    # a document example takes one stance and no events
    items[2]["label"] = ["neutral", "BOMBING"]
    write_records(export, items)
    assert main(merge) == 1
    assert "(the document stance): labels ['neutral', 'BOMBING'] must be exactly one stance" in capsys.readouterr().err


def test_convert_doccano_prints_the_relations_note(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    item = {"id": 102, "text": "قال السوداني إن القوات ستغادر.", "relations": [{"from_id": 1, "to_id": 2, "type": "holder"}],
            "entities": [{"id": 1, "start_offset": 4, "end_offset": 12, "label": "PER"}]}  # fmt: skip
    (tmp_path / "dc.jsonl").write_text(json.dumps(item, ensure_ascii=False) + "\n", encoding="utf-8")
    assert main(["convert", "doccano", str(tmp_path / "dc.jsonl"), str(tmp_path / "out.jsonl")]) == 0
    assert capsys.readouterr().err.splitlines()[0] == (
        "convert: ignored 1 Doccano relation(s) in 1 example(s) (102): relations are not read; holders come from the "
        "records (the arabnews metadata) or from Label Studio (convert labelstudio)"
    )


def _tool_exports(tmp_path: Path, record: dict[str, Any]) -> dict[str, Path]:
    """A Label Studio export (an indented JSON array), a Doccano one (JSONL) and a Doccano sentence one."""
    from training.data.annotation_tools import to_doccano_sentences, to_label_studio

    paths = {name: tmp_path / name for name in ("ls.json", "dc.jsonl", "dcs.jsonl")}
    tasks = [dict(task, id=i) for i, task in enumerate(to_label_studio([record, dict(record, id="doc-2")]), 1)]
    paths["ls.json"].write_text(json.dumps(tasks, ensure_ascii=False, indent=2), encoding="utf-8")
    text = record["text"]
    write_records(paths["dc.jsonl"], [{"id": 101, "text": text, "label": [[4, 12, "PER"]]}, {"id": 102, "text": text, "label": []}])
    write_records(paths["dcs.jsonl"], to_doccano_sentences([record]))
    return paths


def test_validate_recognises_a_tool_export(tmp_path: Path, record: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    """One message per file with the converting command, not one per line of the JSON array or per example."""
    paths = _tool_exports(tmp_path, record)
    assert main(["validate", *map(str, paths.values())]) == 1
    assert capsys.readouterr().out.splitlines() == [
        f"{paths['ls.json']}: this looks like a Label Studio export (tasks with data and annotations), not records; "
        f"run python -m training convert labelstudio {paths['ls.json']} OUT.jsonl first",
        f"{paths['dc.jsonl']}: this looks like a Doccano export (one example per document), not records; run python "
        f"-m training convert doccano {paths['dc.jsonl']} OUT.jsonl first",
        f"{paths['dcs.jsonl']}: this looks like a Doccano text-classification export (one example per sentence), not "
        f"records; run python -m training convert doccano-sentences {paths['dcs.jsonl']} OUT.jsonl --records "
        "RECORDS.jsonl first",
    ]
    assert main(["stats", str(paths["dc.jsonl"])]) == 1
    assert "convert doccano" in capsys.readouterr().err


def test_evaluate_recognises_a_tool_export(tmp_path: Path, record: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    paths = _tool_exports(tmp_path, record)
    write_records(tmp_path / "good.jsonl", [record])
    baseline = tmp_path / "baseline.json"
    assert training_main(["baseline", "--train", str(tmp_path / "good.jsonl"), "--out", str(baseline)]) == 0
    capsys.readouterr()
    assert training_main(["evaluate", "--baseline", str(baseline), "--data", str(paths["ls.json"])]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.endswith(
        f"{paths['ls.json']}: this looks like a Label Studio export (tasks with data and annotations), not records; "
        f"run python -m training convert labelstudio {paths['ls.json']} OUT.jsonl first\n"
    )


@pytest.mark.parametrize("value", ["array", "object"])
def test_pretty_printed_records_are_one_problem_with_the_command_that_fixes_them(
    tmp_path: Path, record: dict[str, Any], value: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Records as one indented JSON value gave one 'invalid JSON' problem per line; now one, whose command works."""
    import subprocess
    import sys

    path = tmp_path / "pretty.json"
    path.write_text(json.dumps([record, dict(record, id="doc-2")] if value == "array" else record, ensure_ascii=False, indent=2), encoding="utf-8")
    assert main(["validate", str(path)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 1 and out[0].startswith(f"{path}: this looks like a JSON {value} written over ")
    command = out[0].split("write one record per line: ", 1)[1]
    assert command.startswith("python -c ") and command.endswith(f" {path} > OUT.jsonl")
    fixed = tmp_path / "OUT.jsonl"
    subprocess.run(command.replace("python", sys.executable, 1).replace("OUT.jsonl", str(fixed)), shell=True, check=True, cwd=tmp_path)
    assert read_records(fixed) == ([record, dict(record, id="doc-2")] if value == "array" else [record])
    assert main(["validate", str(fixed)]) == 0
    with pytest.raises(DataFormatError, match="this looks like a JSON"):
        from training.data.validate import check_files

        check_files([path])


def test_validate_notes_documents_that_look_never_annotated(
    tmp_path: Path, record: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    """A skeleton left as written validates (it is valid data), with a note naming it."""
    skeleton = dict(copy.deepcopy(record), id="doc-9", doc_stance="neutral", entities=[])
    for sentence in skeleton["sentences"]:
        sentence.update(stance="neutral", events=[], holder=None)
    path = tmp_path / "batch.jsonl"
    write_records(path, [record, skeleton])
    assert main(["validate", str(path)]) == 0
    err = capsys.readouterr().err
    assert f"note: 1 document(s) have no entity, no event and only neutral stances, as a skeleton has before it is annotated: doc-9 ({path}:2)" in err
    write_records(path, [record])
    assert main(["validate", str(path)]) == 0 and "note:" not in capsys.readouterr().err


def test_convert_doccano_problems_say_where_to_fix_them(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    export = tmp_path / "export.jsonl"
    export.write_text(json.dumps({"id": 7, "text": "قال التحالف الدولي إنه.", "label": [[4, 19, "ORG"]]}, ensure_ascii=False) + "\n",
                      encoding="utf-8")  # fmt: skip  # the span takes the space after the name
    out = tmp_path / "records.jsonl"
    assert main(["convert", "doccano", str(export), str(out)]) == 1
    printed, err = capsys.readouterr()
    assert printed.startswith(f"{out}:1: doccano-7: entity 0")
    assert f"a record doccano-N is the example with id N of {export}" in err and f"python -m training validate {out}" in err
