"""Command line: analyze text/JSONL/stdin, info, one-line errors with exit code 2."""

from __future__ import annotations

import gzip
import io
import json
import os
import shutil
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
    code, out, _ = _run([*argv[:-2], "--no-text"], capsys)
    short = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and [list(record) for record in short] == [["id", "stance", "events", "entities", "sentences"], ["stance", "events", "entities", "sentences"]]
    assert [record["entities"] for record in short] == [json.loads(line)["entities"] for line in lines]
    code, _, err = _run([*argv[:-2], "--no-text", "--format", "html"], capsys)
    assert code == 2 and "--no-text is for --format json or jsonl" in err


def test_analyze_html_page(tiny_model_dir: Path, inputs: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "out.html"
    argv = ["analyze", str(inputs["text"]), str(inputs["jsonl"]), "--format", "html", "--model", str(tiny_model_dir), "-o", str(target)]
    assert _run(argv, capsys)[0] == 0
    page = target.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and page.count("<article ") == 3
    assert f"<strong>{inputs['text']}</strong>" in page and "<strong>a-1</strong>" in page and "نفى" in page


def test_analyze_markup_html(tiny_model_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    page = tmp_path / "page.html"
    page.write_text("<html><body><p>قال السوداني في بغداد.</p><script>var x = 1;</script></body></html>", encoding="utf-8")
    argv = ["analyze", str(page), "--model", str(tiny_model_dir), "--device", "cpu"]
    code, out, _ = _run([*argv, "--markup", "html"], capsys)
    (record,) = json.loads(out)
    html = page.read_text(encoding="utf-8")
    assert code == 0 and record["text"] == html and len(record["sentences"]) == 1
    assert record["sentences"][0]["text"] == "قال السوداني في بغداد."
    assert all(html[e["start"] : e["end"]] == e["text"] for e in record["entities"])
    _, out, _ = _run(argv, capsys)  # as plain text the markup is text too
    assert len(json.loads(out)[0]["sentences"][0]["text"]) > len("قال السوداني في بغداد.")
    target = tmp_path / "out.html"
    assert _run([*argv, "--markup", "html", "--format", "html", "-o", str(target)], capsys)[0] == 0
    shown = target.read_text(encoding="utf-8")  # the page as a reader sees it, not its tags
    assert "قال" in shown and "&lt;p&gt;" not in shown and "var x" not in shown


def test_analyze_engine_ray_gets_every_analyze_corpus_option(
    inputs: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import arabnews_nlp.cli as cli
    from arabnews_nlp.engines.corpus import CorpusStats

    received = []
    monkeypatch.setattr(cli, "run_analyze_corpus", lambda args: received.append(args) or CorpusStats(0, 0, 0, 0, 0.0, "o"))
    argv = ["analyze", str(inputs["jsonl"]), "--engine", "ray", "-o", str(tmp_path / "o.jsonl"), "--markup", "html", "--batch-size", "7"]
    assert _run(argv, capsys)[0] == 0
    (args,) = received
    defaults = vars(cli._build_parser().parse_args(["analyze-corpus", "in.jsonl", "-o", "o.jsonl"]))
    assert set(vars(args)) == set(defaults)  # e.g. skip_invalid, which analyze does not have
    assert (args.engine, args.markup, args.batch_size, args.skip_invalid) == ("ray", "html", 7, False)
    assert (args.input, args.output) == (str(inputs["jsonl"]), str(tmp_path / "o.jsonl"))
    monkeypatch.chdir(inputs["jsonl"].parent)
    inputs["jsonl"].rename("-news.jsonl")  # a path that looks like an option
    assert _run(["analyze", "--engine", "ray", "-o", "o.jsonl", "--", "-news.jsonl"], capsys)[0] == 0
    assert (received[-1].input, received[-1].output) == ("-news.jsonl", "o.jsonl")


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


def test_info_shows_the_doc_stance_rule_analyze_applies(tiny_model_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A model saved before ``reported_weight`` existed (the bundled one) gets its default at run time; info shows it."""
    model = tmp_path / "older"
    shutil.copytree(tiny_model_dir, model)
    settings = json.loads((model / "arabnews_nlp.json").read_text(encoding="utf-8"))
    settings["doc_stance"] = {"rule": "weighted_mean", "neutral_weight": 0.3}
    (model / "arabnews_nlp.json").write_text(json.dumps(settings), encoding="utf-8")
    code, out, _ = _run(["info", "--model", str(model)], capsys)
    line = next(line for line in out.splitlines() if line.startswith("doc stance:"))
    assert code == 0 and json.loads(line.split(":", 1)[1]) == {"rule": "weighted_mean", "neutral_weight": 0.3, "reported_weight": 0.0}


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
    bad.write_text('{"id": 1, "text": "ok"}\n{"id": 2, "no_text": 1}\n', encoding="utf-8")
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


def test_output_file_is_replaced_only_when_everything_succeeded(
    tiny_model_dir: Path, inputs: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    previous = tmp_path / "results.json"
    previous.write_text('{"keep": "me"}', encoding="utf-8")
    late = tmp_path / "late.jsonl"  # the error comes after results were written
    late.write_text('{"id": 1, "text": "قال السوداني."}\n{"id": 2, "text": "نفت واشنطن."}\n{"id": "bad"}\n', encoding="utf-8")
    for source in ("missing.txt", str(late)):
        for fmt in ("json", "jsonl"):
            code, _, err = _run(["analyze", source, "--format", fmt, "--model", str(tiny_model_dir), "-o", str(previous)], capsys)
            assert code == 2 and err.startswith("arabnews-nlp: error: ")
            assert previous.read_text(encoding="utf-8") == '{"keep": "me"}'  # neither emptied nor half-written
    assert sorted(p.name for p in tmp_path.iterdir()) == ["article.txt", "late.jsonl", "news.jsonl", "results.json"]
    code, _, _ = _run(["analyze", str(inputs["text"]), "--model", str(tiny_model_dir), "-o", str(previous)], capsys)
    assert code == 0 and len(json.loads(previous.read_text(encoding="utf-8"))) == 1
    mask = os.umask(0)
    os.umask(mask)
    assert previous.stat().st_mode & 0o777 == 0o666 & ~mask  # not the temporary file's 0600


def test_output_that_is_an_input_and_directory_inputs_are_refused(
    tiny_model_dir: Path, inputs: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    article = inputs["text"].read_text(encoding="utf-8")
    code, _, err = _run(["analyze", str(inputs["text"]), "--model", str(tiny_model_dir), "-o", str(inputs["text"])], capsys)
    assert code == 2 and "is also an input" in err and inputs["text"].read_text(encoding="utf-8") == article
    for command in ("analyze", "analyze-corpus"):
        out = ["-o", str(tmp_path / "out.jsonl")] if command == "analyze-corpus" else []
        code, _, err = _run([command, str(tmp_path), *out, "--model", str(tiny_model_dir)], capsys)
        assert code == 2 and f"input {tmp_path} is a directory; pass its files" in err, command


def test_an_output_that_is_a_directory_is_refused_before_any_work(
    tiny_model_dir: Path, inputs: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from arabnews_nlp import Analyzer

    folder = tmp_path / "results"
    folder.mkdir()
    analysed: list[int] = []
    pipe = Analyzer.pipe
    monkeypatch.setattr(Analyzer, "pipe", lambda self, *a, **k: (analysed.append(1), (yield from pipe(self, *a, **k)))[1])
    for command in (["analyze", "--format", "jsonl"], ["analyze"], ["analyze-corpus"]):
        code, _, err = _run([*command, str(inputs["jsonl"]), "-o", str(folder), "--model", str(tiny_model_dir)], capsys)
        assert code == 2 and f"{folder} is a directory; give a file name, e.g. {folder / 'results.jsonl'}" in err, command
        assert ".results." not in err and analysed == [], command  # no temporary file named, nothing analysed for nothing
    assert list(folder.iterdir()) == [] and sorted(p.name for p in tmp_path.iterdir()) == ["article.txt", "news.jsonl", "results"]


def test_an_output_in_a_directory_that_cannot_be_written_is_named(
    tiny_model_dir: Path, inputs: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import errno
    import tempfile

    for error in (PermissionError(errno.EACCES, "Permission denied"), OSError(errno.EROFS, "Read-only file system")):

        def refused(*args: object, dir: str, prefix: str, error: OSError = error, **kwargs: object) -> None:  # noqa: A002 (as root, chmod does not refuse)
            raise type(error)(error.errno, error.strerror, os.path.join(dir, f"{prefix}x1y2z3"))

        monkeypatch.setattr(tempfile, "NamedTemporaryFile", refused)
        output = tmp_path / "out.jsonl"
        code, _, err = _run(["analyze", str(inputs["jsonl"]), "-o", str(output), "--model", str(tiny_model_dir)], capsys)
        assert code == 2 and f"--output {output}: cannot write in {tmp_path} ({error.strerror})" in err
        assert "x1y2z3" not in err


def test_inputs_are_read_as_they_are_in_the_file(
    tiny_model_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    text = "قال السوداني في بغداد.\r\nوأكد البرلمان قراره.\r\n"
    crlf = tmp_path / "crlf.txt"
    crlf.write_bytes(b"\xef\xbb\xbf" + text.encode())  # a byte-order mark, as Windows tools write it
    code, out, err = _run(["analyze", str(crlf), "--format", "jsonl", "--model", str(tiny_model_dir)], capsys)
    assert code == 0, err
    from_file = json.loads(out)
    assert from_file["text"] == text  # CRLF kept, the mark dropped: offsets index the file's characters
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(crlf.read_bytes()), encoding="utf-8"))
    code, out, _ = _run(["analyze", "-", "--format", "jsonl", "--model", str(tiny_model_dir)], capsys)
    assert code == 0 and {k: v for k, v in json.loads(out).items() if k != "id"} == {
        k: v for k, v in from_file.items() if k != "id"}  # fmt: skip
    # JSONL: a byte-order mark, CRLF line ends, gzip, and a lone surrogate (a JSON escape of half an emoji)
    records = '{"id": "a", "text": "قال السوداني."}\r\n{"id": "b", "text": "قال \\ud83d العبادي."}\r\n'
    plain, packed = tmp_path / "bom.jsonl", tmp_path / "news.jsonl.gz"
    plain.write_bytes(b"\xef\xbb\xbf" + records.encode())
    packed.write_bytes(gzip.compress(records.encode()))
    for path in (plain, packed):
        code, out, err = _run(["analyze", str(path), "--format", "jsonl", "--model", str(tiny_model_dir)], capsys)
        assert code == 0, err
        results = [json.loads(line) for line in out.splitlines()]
        assert [r["id"] for r in results] == ["a", "b"] and results[1]["text"] == "قال \ud83d العبادي."


def test_undecodable_input_names_the_file_and_line(tiny_model_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    latin = tmp_path / "latin1.txt"
    latin.write_bytes("café".encode("latin-1"))
    code, _, err = _run(["analyze", str(latin), "--model", str(tiny_model_dir)], capsys)
    assert code == 2 and f"{latin}: not UTF-8 text (byte 0xe9 at position 3)" in err
    records = tmp_path / "mixed.jsonl"
    records.write_bytes('{"text": "قال."}\n'.encode() + '{"text": "café"}\n'.encode("latin-1"))
    code, _, err = _run(["analyze", str(records), "--model", str(tiny_model_dir)], capsys)
    assert code == 2 and f"{records}:2: not UTF-8 text" in err
    for name, data, hint in (("utf16.txt", "بغداد".encode("utf-16"), "iconv -f UTF-16 -t UTF-8"),
                             ("bin.dat", bytes(range(256)), "a binary file"),
                             ("cut.txt", "بغداد".encode()[:-1], "the file was cut short"),
                             ("cp1256.txt", "بغداد".encode("cp1256"), "iconv -f WINDOWS-1256")):  # fmt: skip
        (tmp_path / name).write_bytes(data)
        code, _, err = _run(["analyze", str(tmp_path / name), "--model", str(tiny_model_dir)], capsys)
        assert code == 2 and hint in err, (name, err)


def test_a_closed_pipe_ends_quietly(tiny_model_dir: Path, inputs: dict[str, Path], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    class ClosedPipe(io.StringIO):
        def write(self, text: str) -> int:
            raise BrokenPipeError(32, "Broken pipe")

    monkeypatch.setattr(sys, "stdout", ClosedPipe())
    assert main(["analyze", str(inputs["text"]), "--model", str(tiny_model_dir)]) == 141
    assert capsys.readouterr().err == ""


def test_analyze_corpus_refuses_its_input_as_output_and_names_undecodable_lines(
    tiny_model_dir: Path, inputs: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    records = inputs["jsonl"].read_text(encoding="utf-8")
    argv = ["analyze-corpus", str(inputs["jsonl"]), "-o", str(inputs["jsonl"]), "--model", str(tiny_model_dir)]
    code, _, err = _run(argv, capsys)
    assert code == 2 and "is the input file" in err and inputs["jsonl"].read_text(encoding="utf-8") == records
    mixed = tmp_path / "mixed.jsonl"
    mixed.write_bytes('{"id": 1, "text": "قال."}\n'.encode() + '{"id": 2, "text": "café"}\n'.encode("latin-1"))
    code, _, err = _run(["analyze-corpus", str(mixed), "-o", str(tmp_path / "out.jsonl"), "--model", str(tiny_model_dir)], capsys)
    assert code == 2 and f"{mixed}:2: not UTF-8 text (byte 0xe9" in err


def test_version_and_corpus_input_messages(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import arabnews_nlp

    with pytest.raises(SystemExit) as exited:
        main(["--version"])
    assert exited.value.code == 0 and capsys.readouterr().out == f"arabnews-nlp {arabnews_nlp.__version__}\n"
    null_text = tmp_path / "n.jsonl"
    null_text.write_text('{"id": "b", "text": null}\n', encoding="utf-8")
    code, _, err = _run(["analyze-corpus", str(null_text), "-o", str(tmp_path / "o.jsonl")], capsys)
    assert code == 2 and f"{null_text}:1: 'text' is null, expected a string" in err and "--id-field" not in err
    assert "to skip such lines with a warning instead, add --skip-invalid" in err
    code, _, err = _run(["analyze-corpus", "-", "-o", str(tmp_path / "o.jsonl")], capsys)
    assert code == 2 and "analyze-corpus reads a file, not stdin" in err


def test_an_interrupted_corpus_run_says_how_to_go_on(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from arabnews_nlp import cli

    def interrupted(args: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "run_analyze_corpus", interrupted)
    (tmp_path / "in.jsonl").write_text('{"id": "a", "text": "قال"}\n', encoding="utf-8")
    code, _, err = _run(["analyze-corpus", str(tmp_path / "in.jsonl"), "-o", str(tmp_path / "out.jsonl")], capsys)
    assert code == 130 and f"interrupted; what is in {tmp_path / 'out.jsonl'} stays, and the same command goes on" in err


def test_analyze_engine_ray_takes_jsonl_only_and_the_field_options(
    inputs: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """--engine ray writes JSONL: another --format is refused (it was written as JSONL under any name)."""
    import arabnews_nlp.cli as cli
    from arabnews_nlp.engines.corpus import CorpusStats

    received = []
    monkeypatch.setattr(cli, "run_analyze_corpus", lambda args: received.append(args) or CorpusStats(0, 0, 0, 0, 0.0, "o"))
    argv = ["analyze", str(inputs["jsonl"]), "--engine", "ray", "-o", str(tmp_path / "o.out")]
    for fmt in ("html", "json"):
        code, _, err = _run([*argv, "--format", fmt], capsys)
        assert code == 2 and f"--engine ray writes JSONL only (one result per line, appended as it goes); use --format jsonl, or drop --engine ray for --format {fmt}" in err
    code, _, err = _run([*argv, "--device", "cuda"], capsys)
    assert code == 2 and "--device is for --engine local; for GPU actors use 'analyze-corpus --engine ray --gpus-per-actor N'" in err
    assert not received
    assert _run([*argv, "--format", "jsonl", "--id-field", "doc_id", "--text-field", "body", "--keep-fields", "date,source"], capsys)[0] == 0
    (args,) = received
    assert (args.id_field, args.text_field, args.keep_fields) == ("doc_id", "body", ("date", "source"))
    with pytest.raises(SystemExit):
        main(["analyze", "--help"])
    assert "JSONL out only, one line per id: a repeated id is analysed once" in " ".join(capsys.readouterr().out.split())


def test_analyze_names_the_id_field_and_keeps_fields(tiny_model_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pool = tmp_path / "pool.jsonl"
    rows = [{"doc_id": "a1", "date": "2018-04", "body": "قال السوداني."}, {"doc_id": "a2", "body": "نفت واشنطن."}]
    pool.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows), encoding="utf-8")
    argv = ["analyze", str(pool), "--format", "jsonl", "--model", str(tiny_model_dir), "--text-field", "body"]
    code, out, err = _run(argv, capsys)
    assert code == 0 and [list(json.loads(line))[0] for line in out.splitlines()] == ["text", "text"]
    assert err.count("\n") == 1  # once, not per record
    assert f"warning: {pool}:1: no 'id' field (its fields: doc_id, date, body)" in err and "--id-field doc_id" in err
    code, out, err = _run([*argv, "--id-field", "doc_id", "--keep-fields", "date"], capsys)
    assert code == 0 and err == ""
    assert [list(json.loads(line).items())[:2] for line in out.splitlines()] == [[("id", "a1"), ("date", "2018-04")], [("id", "a2"), ("date", None)]]
    code, _, err = _run(["analyze", str(pool), "--model", str(tiny_model_dir)], capsys)
    assert code == 2 and "expected a JSON object with a string 'text' field (its fields: doc_id, date, body); name yours with --text-field" in err
    null = tmp_path / "null.jsonl"
    null.write_text('{"id": "3", "text": null}\n', encoding="utf-8")
    code, _, err = _run(["analyze", str(null), "--model", str(tiny_model_dir)], capsys)
    assert code == 2 and f"{null}:1: 'text' is null, expected a string (the document's text)" in err
    assert "(to skip such lines with a warning instead: arabnews-nlp analyze-corpus IN -o OUT --skip-invalid)" in err
    text = tmp_path / "a.txt"
    text.write_text("قال.", encoding="utf-8")
    code, _, err = _run(["analyze", str(text), "--keep-fields", "date"], capsys)
    assert code == 2 and f"--keep-fields copies fields of JSONL records; {text} is read as one text document" in err


def test_engine_options_the_other_engine_would_ignore_are_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text('{"id": "a", "text": "قال"}\n', encoding="utf-8")
    argv = ["analyze-corpus", str(source), "-o", str(tmp_path / "out.jsonl")]
    code, _, err = _run([*argv, "--num-actors", "4", "--docs-per-batch", "8"], capsys)
    assert code == 2 and "--num-actors, --docs-per-batch are for --engine ray; add --engine ray, or drop them" in err
    code, _, err = _run([*argv, "--engine", "ray", "--device", "cuda"], capsys)
    assert code == 2 and "--device is for --engine local; Ray actors run on GPUs with --gpus-per-actor N" in err
    assert not (tmp_path / "out.jsonl").exists()


def test_invalid_json_in_analyze_names_the_real_cause(tiny_model_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "a6", "text": "broken\n', encoding="utf-8")
    code, _, err = _run(["analyze", str(bad), "--model", str(tiny_model_dir)], capsys)
    assert code == 2 and f"{bad}:1: not valid JSON (Unterminated string starting at column 22)" in err


@pytest.fixture
def results_file(tmp_path: Path) -> Path:
    """Two result lines as analyze-corpus --keep-fields date writes them (the second without texts)."""
    def line(key: str, date: str | None, text: str, entity: str, events: list[str]) -> dict[str, object]:
        start = text.index(entity)
        sentence = {"start": 0, "end": len(text), "text": text, "stance": {"label": "neutral", "score": 0.9, "holder": None},
                    "events": [{"label": label, "score": 0.8} for label in events]}  # fmt: skip
        return {"id": key, "date": date, "text": text, "stance": {"label": "neutral", "score": 0.9},
                "events": [{"label": label, "score": 0.8, "sentences": 1} for label in events],
                "entities": [{"start": start, "end": start + len(entity), "label": "LOC", "text": entity, "score": 0.9}],
                "sentences": [sentence]}  # fmt: skip

    path = tmp_path / "out.jsonl"
    lines = [line("a1", "2018-06-14", "قصفت طائرات مواقع في العراق.", "العراق", ["AIRSTRIKE"]),
             line("a2", "not a date", "وصل الوفد إلى بغداد والعراق.", "والعراق", [])]  # fmt: skip
    path.write_text("".join(json.dumps(record, ensure_ascii=False) + "\n" for record in lines), encoding="utf-8")
    return path


def test_table_writes_csv_to_stdout_or_a_file_with_a_bom_for_excel(results_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(["table", str(results_file), "--layer", "entities"], capsys)
    assert code == 0 and err == ""
    assert out.splitlines() == ["id,date,sentence,start,end,label,text,score", "a1,2018-06-14,0,21,27,LOC,العراق,0.9",
                                "a2,not a date,0,20,27,LOC,والعراق,0.9"]  # fmt: skip
    assert _run(["table", str(results_file), "--layer", "entities", "-o", "-"], capsys)[1] == out
    target = tmp_path / "docs.csv"
    code, out, err = _run(["table", str(results_file), "-o", str(target), "--excel"], capsys)
    assert code == 0 and out == "" and "2 documents rows written to" in err
    data = target.read_bytes()
    assert data.startswith(b"\xef\xbb\xbfid,date,stance,") and b"\r\na2,not a date,neutral,0.9,1,1,0,0,0," in data
    code, out, _ = _run(["table", str(results_file), "--layer", "events", "--fields", "date"], capsys)
    assert code == 0 and out.splitlines() == ["id,date,sentence,start,end,event,score", "a1,2018-06-14,0,0,28,AIRSTRIKE,0.8"]


def test_summary_as_text_and_json(results_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(["summary", str(results_file), "--by", "date"], capsys)
    assert code == 0 and err == ""
    assert out.startswith(f"{results_file}: 2 documents, 2 sentences, 2 entity mentions\n")
    assert "       2      2  العراق  (والعراق)" in out  # والعراق counts as العراق, which is an entity too
    assert "2018-06" in out and "1 documents have no readable 'date' (e.g. 'not a date')" in out
    code, out, _ = _run(["summary", str(results_file), "--by", "date", "--period", "year", "--format", "json"], capsys)
    data = json.loads(out)
    assert code == 0 and data["input"] == str(results_file) and data["events"]["AIRSTRIKE"] == {"documents": 1, "sentences": 1}
    assert list(data["periods"]) == ["2018", "unknown"] and data["unknown_dates"] == 1
    assert data["top_entities"]["LOC"] == [{"text": "العراق", "label": "LOC", "mentions": 2, "documents": 2, "forms": ["العراق", "والعراق"]}]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["table", "{missing}"], "results file not found"),
        (["table", "{corpus}"], "corpus.jsonl:1: not a result line"),
        (["summary", "{corpus}"], "is this the input corpus? give the file that analyze-corpus wrote with -o"),
        (["table", "{results}", "-o", "{results}"], "is the results file"),
        (["summary", "{results}", "--period", "day"], "name it with --by FIELD"),
        (["summary", "{results}", "--top", "-1"], "top must be an integer >= 0"),
        (["table", "{results}", "--fields", "date,score", "--layer", "entities"], "'score' has the name of a column"),
        (["summary", "{malformed}"], "malformed.jsonl:2: a result line with a part missing or of the wrong type (TypeError"),
        (["summary", "{malformed}", "--by", "date"], "malformed.jsonl:2: a result line with a part missing"),
    ],
)
def test_table_and_summary_errors_are_one_line(
    argv: list[str], message: str, results_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text('{"id": "a1", "date": "2018-06-14", "text": "نص"}\n', encoding="utf-8")
    before = results_file.read_bytes()
    malformed = tmp_path / "malformed.jsonl"  # the second line's stance is null
    first = results_file.read_text(encoding="utf-8").splitlines()[0]
    malformed.write_text(first + "\n" + json.dumps({**json.loads(first), "stance": None}) + "\n", encoding="utf-8")
    names = {"missing": tmp_path / "missing.jsonl", "corpus": corpus, "results": results_file, "malformed": malformed}
    code, out, err = _run([arg.format(**names) for arg in argv], capsys)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("arabnews-nlp: error: ") and message in err
    assert results_file.read_bytes() == before


def test_table_skips_a_cut_off_last_line_and_keeps_the_old_csv_after_an_error(
    results_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    with open(results_file, "a", encoding="utf-8") as handle:
        handle.write('{"id": "a3", "date": "2018-07-01", "text": "قطع')
    code, out, err = _run(["table", str(results_file)], capsys)
    assert code == 0 and [line.split(",")[0] for line in out.splitlines()] == ["id", "a1", "a2"]
    assert f"{results_file}:3: skipped a last line cut off mid-write" in caplog.text  # on stderr outside pytest
    target = tmp_path / "docs.csv"
    target.write_text("old", encoding="utf-8")
    results_file.write_text(results_file.read_text(encoding="utf-8") + "\n{broken\n", encoding="utf-8")
    code, _, err = _run(["table", str(results_file), "-o", str(target)], capsys)
    assert code == 2 and f"{results_file}:3: not valid JSON" in err and target.read_text(encoding="utf-8") == "old"


def test_a_line_cut_inside_a_letter_is_skipped_and_a_field_in_no_line_is_named(
    results_file: Path, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    data = results_file.read_bytes()
    second = data.splitlines(keepends=True)[1]
    inside = second.index("بغداد".encode()) + 1  # between the two bytes of ب
    results_file.write_bytes(data[: len(data) - len(second)] + second[:inside])
    code, out, _ = _run(["summary", str(results_file)], capsys)
    assert code == 0 and out.startswith(f"{results_file}: 1 documents,") and "cut off mid-write skipped" in out
    code, out, _ = _run(["table", str(results_file), "--fields", "date,dtae"], capsys)
    rows = out.splitlines()
    assert code == 0 and len(rows) == 2 and rows[0].startswith("id,date,dtae,stance,") and rows[1].startswith("a1,2018-06-14,,neutral,")
    assert f"{results_file}:2: skipped a last line cut off mid-write" in caplog.text  # on stderr outside pytest
    assert "field 'dtae' is in none of the 1 result lines (their kept fields: date); check its name in --fields" in caplog.text
    code, out, _ = _run(["summary", str(results_file), "--by", "dtae"], capsys)
    assert code == 0 and "field 'dtae' is in none of the 1 result lines (their kept fields: date); check its name in --by" in caplog.text


def test_table_excel_writes_formula_like_cells_as_text(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "out.jsonl"
    line = {"id": "=1+1", "src": '=HYPERLINK("x")', "stance": {"label": "neutral", "score": 0.9}, "events": [],
            "entities": [], "sentences": []}  # fmt: skip
    path.write_text(json.dumps(line) + "\n", encoding="utf-8")
    code, out, _ = _run(["table", str(path), "--excel"], capsys)
    assert code == 0 and out.splitlines()[1].startswith('\'=1+1,"\'=HYPERLINK(""x"")",neutral,0.9,0,0,')
    code, out, _ = _run(["table", str(path)], capsys)
    assert code == 0 and out.splitlines()[1].startswith('=1+1,"=HYPERLINK(""x"")",neutral,0.9,0,0,')


def test_analyze_warns_once_about_texts_it_can_say_little_about(
    tiny_model_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    rows = [{"id": "e1", "text": ""}, {"id": "e2", "text": "  "}, {"id": "en", "text": "Breaking news"},
            {"id": "page", "text": "<html><body><div>قال</div><p>السوداني</p></body></html>"}, {"id": "ok", "text": "قال."}]  # fmt: skip
    corpus = tmp_path / "in.jsonl"
    corpus.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows), encoding="utf-8")
    code, out, err = _run(["analyze", str(corpus), "--format", "jsonl", "--model", str(tiny_model_dir)], capsys)
    assert code == 0 and len(out.splitlines()) == 5  # all analysed; the warnings only say what they are
    assert "warning: 2 of 5 documents are empty or only whitespace (e.g. e1)" in err
    assert "warning: 1 of 5 documents has no Arabic letters (e.g. en)" in err and "pass --markup html" in err
    code, _, err = _run(["analyze", str(corpus), "--markup", "html", "--format", "jsonl", "--model", str(tiny_model_dir)], capsys)
    assert code == 0 and "--markup html" not in err
    with caplog.at_level("WARNING", logger="arabnews_nlp.engines.corpus_input"):  # the engine logs (stderr outside pytest)
        code, _, err = _run(["analyze-corpus", str(corpus), "-o", str(tmp_path / "out.jsonl"), "--model", str(tiny_model_dir)], capsys)
    assert code == 0 and len((tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()) == 5
    assert '2 of 5 documents are empty or only whitespace (e.g. "e1")' in caplog.text and "pass --markup html" in caplog.text


def test_analyze_progress_counts_out_of_the_documents_the_inputs_hold(
    tiny_model_dir: Path, inputs: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["analyze", str(inputs["text"]), str(inputs["jsonl"]), "--progress", "--model", str(tiny_model_dir)]
    code, _, err = _run(argv, capsys)
    assert code == 0 and "3/3" in err  # one text file and a JSONL file of two records (and a blank line)
