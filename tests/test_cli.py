"""Command line: analyze text/JSONL/stdin, info, one-line errors with exit code 2."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from arabnews_nlp.cli import main

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def inputs(tmp_path: Path) -> dict[str, Path]:
    text = tmp_path / "article.txt"
    text.write_text("قال السوداني في بغداد. وأكد البرلمان قراره.\n", encoding="utf-8")
    records = tmp_path / "news.jsonl"
    records.write_text(
        json.dumps({"id": "a-1", "text": "نفى البنتاغون ذلك."}, ensure_ascii=False) + "\n\n"
        + json.dumps({"text": "hello"}) + "\n",
        encoding="utf-8",
    )  # fmt: skip
    return {"text": text, "jsonl": records}


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_analyze_text_and_jsonl_as_json(tiny_model_dir: Path, inputs: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["analyze", str(inputs["text"]), str(inputs["jsonl"]), "--model", str(tiny_model_dir), "--device", "cpu"]
    code, out, err = _run(argv, capsys)
    assert code == 0, err
    results = json.loads(out)
    assert [r.get("id") for r in results] == [str(inputs["text"]), "a-1", None]
    assert results[0]["text"] == inputs["text"].read_text(encoding="utf-8")
    assert {"stance", "entities", "sentences"} <= set(results[1])
    assert "بغداد" in out  # not \\u-escaped


def test_analyze_jsonl_format_and_output_file(tiny_model_dir: Path, inputs: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "out.jsonl"
    argv = ["analyze", str(inputs["jsonl"]), "--format", "jsonl", "--batch-size", "2", "--model", str(tiny_model_dir), "-o", str(target)]
    code, out, _ = _run(argv, capsys)
    assert code == 0 and out == ""
    lines = target.read_text(encoding="utf-8").splitlines()
    assert [json.loads(line).get("id") for line in lines] == ["a-1", None]


def test_analyze_html_page(tiny_model_dir: Path, inputs: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "out.html"
    argv = ["analyze", str(inputs["text"]), str(inputs["jsonl"]), "--format", "html", "--model", str(tiny_model_dir), "-o", str(target)]
    assert _run(argv, capsys)[0] == 0
    page = target.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and page.count("<article>") == 3
    assert f"<strong>{inputs['text']}</strong>" in page and "<strong>a-1</strong>" in page and "نفى" in page


def test_analyze_stdin(tiny_model_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    stdin = io.TextIOWrapper(io.BytesIO("قال السوداني.\nنفت واشنطن.".encode()), encoding="utf-8")
    monkeypatch.setattr(sys, "stdin", stdin)
    code, out, _ = _run(["analyze", "-", "--format", "jsonl", "--model", str(tiny_model_dir)], capsys)
    assert code == 0
    (record,) = [json.loads(line) for line in out.splitlines()]
    assert "id" not in record and len(record["sentences"]) == 2


def test_info(tiny_model_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(["info", "--model", str(tiny_model_dir)], capsys)
    assert code == 0
    assert str(tiny_model_dir) in out and "UNTRAINED" in out and "ROCKET_ATTACK" in out and "transformers" in out
    assert "decoding:     NER viterbi, gazetteer off (0 names), entity floor 0.00, stance factors {}" in out
    code, out, _ = _run(["info", "--model", str(tiny_model_dir), "--json"], capsys)
    data = json.loads(out)
    assert data["trained"] is False and data["settings"]["max_length"] == 16


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["analyze", "missing.txt"], "input file not found"),
        (["analyze", "{jsonl}", "--model", "/no/such/model"], "does not exist"),
        (["analyze", "{bad}", "--model", "{model}"], "bad.jsonl:2"),
        (["analyze", "{text}", "--model", "{model}", "--device", "tpu"], "unknown device"),
        (["info", "--model", "{text}"], "is a file"),
    ],
)
def test_errors_are_one_line(
    argv: list[str], message: str, tiny_model_dir: Path, inputs: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "ok"}\n{"no_text": 1}\n', encoding="utf-8")
    names = {"jsonl": inputs["jsonl"], "text": inputs["text"], "bad": bad, "model": tiny_model_dir}
    code, out, err = _run([arg.format(**names) for arg in argv], capsys)
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("arabnews-nlp: error: ") and message in err
    assert "Traceback" not in err


def test_json_output_is_empty_after_an_input_error_and_a_list_without_input(
    tiny_model_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    latin = tmp_path / "latin1.txt"
    latin.write_bytes("café".encode("latin-1"))
    code, out, err = _run(["analyze", str(latin), "--model", str(tiny_model_dir)], capsys)
    assert code == 2 and out == "" and "not UTF-8" in err  # no half-written "[" to parse
    empty = tmp_path / "empty.jsonl"
    empty.write_text("", encoding="utf-8")
    code, out, _ = _run(["analyze", str(empty), "--model", str(tiny_model_dir)], capsys)
    assert code == 0 and json.loads(out) == []


def test_python_dash_m(tiny_model_dir: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "arabnews_nlp", "info", "--model", str(tiny_model_dir)],
        capture_output=True, text=True, encoding="utf-8", cwd=ROOT, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "UNTRAINED" in result.stdout
