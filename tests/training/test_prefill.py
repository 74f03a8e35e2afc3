"""python -m training prefill: the model's analyses as documents for annotators to correct."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from arabnews_nlp.errors import ConfigError, DataFormatError
from training.data.annotation_label_studio import from_label_studio, label_studio_config
from training.data.surface import surface_to_record
from training.prefill import PREFILLED, main, to_prefilled_surface

TEXTS = {
    "a": "قال السوداني في بغداد إن القوات الأمريكية ستبقى.\nوسقط صاروخ على قاعدة عين الأسد غربي العراق.",
    "b": "أعلن التحالف الدولي انسحاب قواته من الموصل. ورحب البرلمان العراقي بالقرار.",
}


def _pool(tmp_path: Path) -> Path:
    path = tmp_path / "pool.jsonl"
    rows = [{"doc_id": k, "date": "2018-01-0" + str(i), "corpus": "c", "url": None, "text": t}
            for i, (k, t) in enumerate(TEXTS.items(), 1)]  # fmt: skip
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


def _run(tiny_model_dir: Path, *args: str | Path) -> None:
    assert main(["prefill", *map(str, args), "--model", str(tiny_model_dir), "--no-progress", "--device", "cpu"]) == 0


def _read(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_records_say_what_the_model_says(tiny_model_dir: Path, tmp_path: Path) -> None:
    from arabnews_nlp import Analyzer

    out = tmp_path / "out.jsonl"
    _run(tiny_model_dir, _pool(tmp_path), out, "--format", "records", "--id-field", "doc_id", "--id-prefix", "pool-",
         "--keep-fields", "date", "--source-fields", "corpus", "url")  # fmt: skip
    records = _read(out)
    analyzer = Analyzer.from_pretrained(tiny_model_dir, device="cpu")
    assert [r["id"] for r in records] == ["pool-a", "pool-b"]
    for record, (key, text) in zip(records, TEXTS.items(), strict=True):
        analysis = analyzer.analyze(text)
        assert record["text"] == text and record["date"].startswith("2018-01-0")
        assert record["source"] == {"corpus": "c"}  # a null field is not carried
        assert record[PREFILLED]["model"] == str(tiny_model_dir)
        assert record["doc_stance"] == analysis.stance.label
        assert record["entities"] == [{"start": e.start, "end": e.end, "label": e.label} for e in analysis.entities]
        assert [(s["start"], s["end"], s["stance"], s["events"]) for s in record["sentences"]] == [
            (s.start, s.end, s.stance.label, [e.label for e in s.events]) for s in analysis.sentences
        ]


def test_surface_documents_convert_back_to_the_records(tiny_model_dir: Path, tmp_path: Path) -> None:
    files = []
    for key, text in TEXTS.items():
        files.append(tmp_path / f"{key}.txt")
        files[-1].write_text(text, encoding="utf-8")
    _run(tiny_model_dir, *files, tmp_path / "records.jsonl", "--format", "records")
    _run(tiny_model_dir, *files, tmp_path / "surface.jsonl")
    for record, doc in zip(_read(tmp_path / "records.jsonl"), _read(tmp_path / "surface.jsonl"), strict=True):
        assert doc["id"] == record["id"] in TEXTS  # a text file's id is its name
        left = doc[PREFILLED].get("left_out", [])
        back = surface_to_record(doc)
        assert len(back["entities"]) + len([x for x in left if x["label"] != "holder"]) == len(record["entities"])
        if not left:
            assert back["entities"] == record["entities"] and back["sentences"] == record["sentences"]


def _ambiguous_record() -> dict[str, Any]:
    text = "قال العراق إن العراق يرفض."
    return {"id": "d", "text": text, "doc_stance": "anti", PREFILLED: {"model": "m"},
            "sentences": [{"start": 0, "end": len(text), "stance": "anti", "holder": {"start": 14, "end": 20},
                           "events": ["THREAT"]}],
            "entities": [{"start": 14, "end": 20, "label": "LOC"}]}  # fmt: skip


def test_what_the_surface_cannot_name_is_listed_not_dropped() -> None:
    doc = to_prefilled_surface(_ambiguous_record())
    assert doc["sentences"][0]["entities"] == [] and doc["sentences"][0]["holder"] is None
    assert doc[PREFILLED]["left_out"] == [
        {"sentence": 0, "text": "العراق", "label": "LOC", "start": 14},
        {"sentence": 0, "text": "العراق", "label": "holder", "start": 14},
    ]
    assert doc["sentences"][0]["events"] == ["THREAT"] and doc["doc_stance"] == "anti"


def test_an_unambiguous_holder_stays() -> None:
    record = _ambiguous_record()
    record["entities"].insert(0, {"start": 4, "end": 10, "label": "LOC"})
    doc = to_prefilled_surface(record)
    assert doc["sentences"][0]["entities"] == [["العراق", "LOC"], ["العراق", "LOC"]]
    assert doc["sentences"][0]["holder"] == "العراق" and "left_out" not in doc[PREFILLED]


def test_label_studio_tasks_carry_predictions_that_import_only_once_submitted(tiny_model_dir: Path, tmp_path: Path) -> None:
    _run(tiny_model_dir, _pool(tmp_path), tmp_path / "records.jsonl", "--format", "records", "--id-field", "doc_id")
    _run(tiny_model_dir, _pool(tmp_path), tmp_path / "tasks.json", "--format", "labelstudio", "--id-field", "doc_id",
         "--config", tmp_path / "config.xml")  # fmt: skip
    assert (tmp_path / "config.xml").read_text(encoding="utf-8") == label_studio_config()
    tasks = json.loads((tmp_path / "tasks.json").read_text(encoding="utf-8"))
    assert all("annotations" not in t and t["predictions"][0]["model_version"] == str(tiny_model_dir) for t in tasks)
    notes: list[str] = []
    assert from_label_studio(tasks, notes) == [] and notes  # never submitted: not training data
    submitted = copy.deepcopy(tasks)
    for task in submitted:
        task["annotations"] = [{k: v for k, v in task.pop("predictions")[0].items() if k != "model_version"}]
    expected = [{k: v for k, v in r.items() if k != PREFILLED} for r in _read(tmp_path / "records.jsonl")]
    assert from_label_studio(submitted) == expected


@pytest.mark.parametrize(
    ("rows", "error", "words"),
    [
        ([{"text": "نص"}], DataFormatError, "--id-field"),
        ([{"id": "x", "text": "نص"}, {"id": "x", "text": "نص آخر"}], DataFormatError, "repeated"),
        ([{"id": "x", "text": " \n "}], DataFormatError, "nothing to annotate"),
    ],
)
def test_bad_inputs_are_refused_before_the_model_loads(tmp_path: Path, rows: list[dict[str, str]], error: type, words: str) -> None:
    path = tmp_path / "in.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    with pytest.raises(error, match=words):
        main(["prefill", str(path), str(tmp_path / "out.jsonl"), "--model", str(tmp_path / "no-such-model")])
    assert not (tmp_path / "out.jsonl").exists()


def test_paths_are_checked(tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl"
    path.write_text('{"id": "x", "text": "نص"}\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="also an input"):
        main(["prefill", str(path), str(path)])
    with pytest.raises(FileNotFoundError, match="missing.jsonl"):
        main(["prefill", str(tmp_path / "missing.jsonl"), str(tmp_path / "out.jsonl")])
    with pytest.raises(ConfigError, match="needs --format labelstudio"):
        main(["prefill", str(path), str(tmp_path / "out.jsonl"), "--config", str(tmp_path / "c.xml")])
    with pytest.raises(ConfigError, match="writes these keys itself"):
        main(["prefill", str(path), str(tmp_path / "out.jsonl"), "--keep-fields", "date", "id"])
    with pytest.raises(ConfigError, match="batch-size"):
        main(["prefill", str(path), str(tmp_path / "out.jsonl"), "--batch-size", "0"])


def test_validate_refuses_the_mark_until_it_is_deleted(tiny_model_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from training.data.cli import main as data_main

    text = tmp_path / "a.txt"
    text.write_text(TEXTS["a"], encoding="utf-8")
    for fmt in ("surface", "records"):
        out = tmp_path / f"{fmt}.jsonl"
        _run(tiny_model_dir, text, out, "--format", fmt)
        capsys.readouterr()
        assert data_main(["validate", str(out)]) == 1
        assert "pre-annotated by a model" in capsys.readouterr().out
        docs = _read(out)
        for doc in docs:
            doc.pop(PREFILLED)
        out.write_text("".join(json.dumps(d, ensure_ascii=False) + "\n" for d in docs), encoding="utf-8")
        data_main(["validate", str(out)])
        assert "pre-annotated" not in capsys.readouterr().out


def test_skip_annotated_leaves_out_and_names_documents_already_annotated(
    tiny_model_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    annotated = tmp_path / "batch1.jsonl"
    rows = [{"id": "pool-a", "text": "نص آخر"},  # the same id
            {"id": "seed-7", "text": TEXTS["b"] + " وأضاف المتحدث أن القرار نهائي."}]  # the same article, another id
    annotated.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows[:1]), encoding="utf-8")
    out = tmp_path / "out.jsonl"
    _run(tiny_model_dir, _pool(tmp_path), out, "--format", "records", "--id-field", "doc_id", "--id-prefix", "pool-",
         "--skip-annotated", annotated)  # fmt: skip
    assert [r["id"] for r in _read(out)] == ["pool-b"]
    assert f"left out 'pool-a', already annotated in {annotated} (the same id)\n" in capsys.readouterr().err
    annotated.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    with pytest.raises(DataFormatError, match="all 2 input document.s. are already annotated"):
        _run(tiny_model_dir, _pool(tmp_path), out, "--id-field", "doc_id", "--id-prefix", "pool-",
             "--skip-annotated", annotated)  # fmt: skip
    assert f"left out 'pool-b', already annotated in {annotated} (as 'seed-7')\n" in capsys.readouterr().err


def test_skip_annotated_refuses_the_output_file(tiny_model_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    out.write_text("", encoding="utf-8")
    with pytest.raises(ConfigError, match="--skip-annotated lists the output"):
        _run(tiny_model_dir, _pool(tmp_path), out, "--id-field", "doc_id", "--skip-annotated", out)
    with pytest.raises(FileNotFoundError, match="no_such.jsonl"):
        _run(tiny_model_dir, _pool(tmp_path), out, "--id-field", "doc_id", "--skip-annotated", tmp_path / "no_such.jsonl")
    with pytest.raises(SystemExit):  # no file given (an empty glob): refused, not a silent no-op
        _run(tiny_model_dir, _pool(tmp_path), out, "--id-field", "doc_id", "--skip-annotated")
