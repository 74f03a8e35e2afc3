"""Corpus engines: every id once with the analyzer's own result, and reruns that resume.

The local engine tests always run; the Ray tests skip when ray is not installed and start a
one-CPU local Ray instance for the module.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from arabnews_nlp.engines.corpus import analyze_corpus_local
from arabnews_nlp.engines.corpus_input import id_key
from arabnews_nlp.engines.corpus_output import done_ids, output_line
from arabnews_nlp.errors import ConfigError, DataFormatError

SENTENCES = [
    "قال رئيس الوزراء محمد شياع السوداني إن بغداد تريد خروج قوات التحالف الدولي من العراق.",
    "أعلنت وزارة الدفاع الأميركية أن قاعدة عين الأسد تعرضت لهجوم بطائرات مسيرة.",
    "وأكد البرلمان العراقي قراره إنهاء وجود القوات الأجنبية في البلاد.",
    "حذرت كتائب حزب الله من استمرار وجود القوات الأميركية في الأنبار وأربيل.",
    "نفى البنتاغون وجود خطط لسحب القوات من سوريا والعراق.",
]
N_DOCS = 12


def _documents() -> list[dict[str, Any]]:
    docs: list[dict[str, Any]] = []
    for i in range(N_DOCS):
        text = " ".join(SENTENCES[(i + k) % len(SENTENCES)] for k in range(1 + i % 3))
        docs.append({"id": f"doc-{i}" if i % 4 else i, "text": text if i != 5 else "   ", "extra": {"n": i}})
    return docs


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    path = tmp_path / "in.jsonl"
    path.write_text("".join(json.dumps(d, ensure_ascii=False) + "\n" for d in _documents()), encoding="utf-8")
    return path


def _expected(tiny_model_dir: Path) -> dict[str, dict[str, Any]]:
    from arabnews_nlp import Analyzer

    analyzer = Analyzer.from_pretrained(tiny_model_dir, device="cpu")
    return {id_key(d["id"], "t"): {"id": d["id"], **analyzer.analyze(d["text"]).to_dict()} for d in _documents()}


def _read(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _rounded(value: Any) -> Any:
    """Scores rounded: batched and single-document runs differ in the last float bits."""
    if isinstance(value, float):
        return round(value, 4)
    if isinstance(value, dict):
        return {key: _rounded(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_rounded(item) for item in value]
    return value


def _check_complete(output: Path, expected: dict[str, dict[str, Any]]) -> None:
    records = _read(output)
    keys = [id_key(r["id"], "t") for r in records]
    assert sorted(keys) == sorted(expected)  # every id exactly once
    for key, record in zip(keys, records):
        assert _rounded(record) == _rounded(json.loads(json.dumps(expected[key], ensure_ascii=False)))


def _half_written(output: Path) -> int:
    """Keep the first half of the lines plus half of the next line (a crash mid-write)."""
    lines = output.read_text(encoding="utf-8").splitlines(keepends=True)
    keep = len(lines) // 2
    output.write_text("".join(lines[:keep]) + lines[keep][: len(lines[keep]) // 2], encoding="utf-8")
    return keep


def test_output_line_is_the_analysis_with_the_id_first() -> None:
    from arabnews_nlp.results import Analysis

    record = json.loads(output_line(id_key("x", "t"), Analysis.empty("نص")))
    assert list(record)[0] == "id" and record == {"id": "x", **Analysis.empty("نص").to_dict()}


def test_ids_must_be_strings_or_integers() -> None:
    for bad in (None, 1.5, True, ["a"]):
        with pytest.raises(DataFormatError, match="string or an integer"):
            id_key(bad, "in.jsonl:3")


def test_done_ids_drops_a_cut_off_last_line(tmp_path: Path) -> None:
    output = tmp_path / "out.jsonl"
    output.write_text('{"id": "a", "text": ""}\n{"id": 2}\n{"id": "c", "te', encoding="utf-8")
    assert done_ids(output) == {'"a"', "2"}
    assert output.read_text(encoding="utf-8").endswith("}\n")


def test_done_ids_leaves_a_one_line_file_that_is_not_an_output_as_it_was(tmp_path: Path) -> None:
    """A mistyped -o (notes, an article: one line, no line end) is refused, not taken for a cut result line."""
    for text in ("my notes, not results", "قال السوداني", '{"text": "an input record"}'):
        notes = tmp_path / "notes.txt"
        notes.write_text(text, encoding="utf-8")
        with pytest.raises(DataFormatError, match="notes.txt:1: not an output of analyze-corpus"):
            done_ids(notes)
        assert notes.read_text(encoding="utf-8") == text
    first = tmp_path / "first.jsonl"  # a run cut off while writing its first line
    first.write_text('{"id": "a", "te', encoding="utf-8")
    assert done_ids(first) == set() and first.read_text(encoding="utf-8") == ""


def test_done_ids_refuses_a_file_that_is_not_an_output(tmp_path: Path) -> None:
    output = tmp_path / "out.jsonl"
    output.write_text('{"text": "no id"}\n', encoding="utf-8")
    with pytest.raises(DataFormatError, match="expected an object with an 'id'"):
        done_ids(output)


def test_bad_input_lines_name_the_line(tmp_path: Path, tiny_model_dir: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text('{"id": "a", "text": "قال"}\n{"id": "b"}\n', encoding="utf-8")
    with pytest.raises(DataFormatError, match=r"in\.jsonl:2"):
        analyze_corpus_local(source, tmp_path / "out.jsonl", model=tiny_model_dir, device="cpu")


def test_a_bad_line_keeps_the_documents_before_it_and_can_be_skipped(
    tmp_path: Path, tiny_model_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The documents read before a bad line are written (a rerun resumes after them); --skip-invalid goes on."""
    import logging

    lines = [json.dumps({"id": f"d{i}", "text": SENTENCES[i % len(SENTENCES)]}, ensure_ascii=False) for i in range(40)]
    lines[30] = "{not json"
    lines[35] = json.dumps({"doc_id": "x", "text": "قال"})
    source, output = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(DataFormatError, match=r"in\.jsonl:31: not valid JSON"):
        analyze_corpus_local(source, output, model=tiny_model_dir, batch_size=2, device="cpu")
    assert [r["id"] for r in _read(output)] == [f"d{i}" for i in range(30)]  # none of the 30 before it is lost
    with caplog.at_level(logging.WARNING, logger="arabnews_nlp.engines.corpus_input"):
        stats = analyze_corpus_local(source, output, model=tiny_model_dir, batch_size=2, device="cpu", skip_invalid=True)
    assert (stats.processed, stats.already_done, stats.invalid) == (8, 30, 2)
    assert len(_read(output)) == 38
    warnings = [r.getMessage() for r in caplog.records]
    assert any("in.jsonl:31: not valid JSON" in w for w in warnings)
    assert any("in.jsonl:36: expected an object with 'id'" in w and "its fields: doc_id, text" in w
               and "--id-field" in w for w in warnings)  # fmt: skip


def test_a_lone_surrogate_is_written_as_its_escape(tmp_path: Path, tiny_model_dir: Path) -> None:
    """Python strings may hold lone surrogates (from JSON escapes); UTF-8 cannot: the output keeps the escape."""
    source, output = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    source.write_text(json.dumps({"id": "s", "text": "قال \ud800 السوداني"}) + "\n", encoding="utf-8")
    assert analyze_corpus_local(source, output, model=tiny_model_dir, device="cpu").processed == 1
    assert _read(output)[0]["text"] == "قال \ud800 السوداني"


def test_local_engine_writes_every_id_once_and_resumes(corpus: Path, tmp_path: Path, tiny_model_dir: Path) -> None:
    output = tmp_path / "out.jsonl"
    expected = _expected(tiny_model_dir)
    stats = analyze_corpus_local(corpus, output, model=tiny_model_dir, batch_size=4, device="cpu")
    assert (stats.input_documents, stats.processed, stats.already_done) == (N_DOCS, N_DOCS, 0)
    _check_complete(output, expected)
    keep = _half_written(output)
    stats = analyze_corpus_local(corpus, output, model=tiny_model_dir, batch_size=4, device="cpu")
    assert (stats.processed, stats.already_done) == (N_DOCS - keep, keep)
    _check_complete(output, expected)


def test_duplicate_input_ids_are_analysed_once(tmp_path: Path, tiny_model_dir: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text('{"id": 1, "text": "قال"}\n{"id": 1, "text": "قال"}\n{"id": "1", "text": "قال"}\n', encoding="utf-8")
    stats = analyze_corpus_local(source, tmp_path / "out.jsonl", model=tiny_model_dir, device="cpu")
    assert (stats.processed, stats.duplicates) == (2, 1)  # 1 and "1" are different ids


def test_a_repeated_id_with_another_text_is_named(tmp_path: Path, tiny_model_dir: Path, caplog: pytest.LogCaptureFixture) -> None:
    import logging

    source = tmp_path / "in.jsonl"
    source.write_text('{"id": "a", "text": "قال"}\n{"id": "a", "text": "قال"}\n{"id": "a", "text": "نفى"}\n', encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="arabnews_nlp.engines.corpus_input"):
        stats = analyze_corpus_local(source, tmp_path / "out.jsonl", model=tiny_model_dir, device="cpu")
    assert (stats.processed, stats.duplicates) == (1, 2)
    (warning,) = [r.getMessage() for r in caplog.records]  # the same text again is only counted
    assert 'in.jsonl:3: the id "a" was given at line 1 with another text' in warning


def test_run_settings_are_kept_and_a_rerun_with_others_is_refused(
    tmp_path: Path, tiny_model_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    import logging
    import shutil

    source, output = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    source.write_text('{"id": "a", "text": "<p>قال</p>"}\n', encoding="utf-8")
    analyze_corpus_local(source, output, model=tiny_model_dir, device="cpu")
    kept = json.loads((tmp_path / "out.jsonl.run.json").read_text(encoding="utf-8"))
    assert (kept["model"], kept["markup"], kept["quantize"]) == (str(tiny_model_dir), "text", False)
    assert len(kept["model_settings_sha256"]) == 64
    with pytest.raises(ConfigError, match=r"markup 'text' -> 'html'.*rerun with the settings it was started with"):
        analyze_corpus_local(source, output, model=tiny_model_dir, device="cpu", markup="html")
    with pytest.raises(ConfigError, match=r"text_field 'text' -> 'body'"):
        analyze_corpus_local(source, output, model=tiny_model_dir, device="cpu", text_field="body")
    copy = tmp_path / "same_model"  # the same model by another path: the same results
    shutil.copytree(tiny_model_dir, copy)
    assert analyze_corpus_local(source, output, model=copy, device="cpu").already_done == 1
    settings = json.loads((copy / "arabnews_nlp.json").read_text(encoding="utf-8"))
    settings["event_thresholds"] = {name: 0.9 for name in settings["event_thresholds"]}
    (copy / "arabnews_nlp.json").write_text(json.dumps(settings), encoding="utf-8")
    with pytest.raises(ConfigError, match=r"another model: its arabnews_nlp.json differs"):
        analyze_corpus_local(source, output, model=copy, device="cpu")
    (tmp_path / "out.jsonl.run.json").unlink()  # an output from before: a warning, then its settings are kept
    with caplog.at_level(logging.WARNING, logger="arabnews_nlp.engines.corpus_settings"):
        analyze_corpus_local(source, output, model=copy, device="cpu", markup="html")
    assert any("cannot be checked" in r.getMessage() for r in caplog.records)
    assert json.loads((tmp_path / "out.jsonl.run.json").read_text(encoding="utf-8"))["markup"] == "html"


def test_gzip_output_is_refused_and_gzip_input_misnamed_is_named(tmp_path: Path, tiny_model_dir: Path) -> None:
    import gzip

    source = tmp_path / "in.jsonl"
    source.write_bytes(gzip.compress('{"id": "a", "text": "قال"}\n'.encode()))
    with pytest.raises(DataFormatError, match=r"in\.jsonl:1: this is gzip-compressed data; name the file \.gz"):
        analyze_corpus_local(source, tmp_path / "out.jsonl", model=tiny_model_dir, device="cpu")
    with pytest.raises(ConfigError, match=r"out\.jsonl\.gz would not be gzip.*gzip FILE"):
        analyze_corpus_local(source, tmp_path / "out.jsonl.gz", model=tiny_model_dir, device="cpu")
    source.write_text("id,text\na,قال\n", encoding="utf-8")
    with pytest.raises(DataFormatError, match=r"in\.jsonl:1: not valid JSON .*the input must be JSONL"):
        analyze_corpus_local(source, tmp_path / "out.jsonl", model=tiny_model_dir, device="cpu")


def test_ray_driver_writes_a_lone_surrogate_as_its_escape(tmp_path: Path, tiny_model_dir: Path) -> None:
    """The driver's output file takes what the actors return, lone surrogates included (no ray needed)."""
    from arabnews_nlp.engines.ray_engine import _write_shards

    class Dataset:
        def __init__(self, items: list[dict[str, str]]) -> None:
            self.items = items

        def map_batches(self, actor: Any, fn_constructor_kwargs: dict[str, Any], **_: Any) -> Dataset:
            batch = {name: np.array([item[name] for item in self.items], dtype=object) for name in ("key", "text")}
            self.result = actor(**fn_constructor_kwargs)(batch)
            return self

        def iter_batches(self, **_: Any) -> Iterator[dict[str, Any]]:
            yield self.result

    fake_ray = type("FakeRay", (), {"data": type("Data", (), {"from_items": staticmethod(Dataset)})})
    output = tmp_path / "out.jsonl"
    options = {"model": str(tiny_model_dir), "device": "cpu", "threads": None, "window_batch_size": 8}
    shard = [{"key": '"s"', "text": "قال \ud800 السوداني"}, {"key": '"t"', "text": "قال"}]
    assert _write_shards(fake_ray, iter([shard]), output, options, {}) == 2
    assert [r["text"] for r in _read(output)] == ["قال \ud800 السوداني", "قال"]


@pytest.fixture(scope="module")
def local_ray() -> Iterator[Any]:
    ray = pytest.importorskip("ray")
    pytest.importorskip("ray.data")
    started = not ray.is_initialized()
    if started:
        ray.init(num_cpus=1, include_dashboard=False, log_to_driver=False, configure_logging=False)
    yield ray
    if started:
        ray.shutdown()


@pytest.mark.slow
def test_ray_engine_writes_every_id_once_and_resumes(
    local_ray: Any, corpus: Path, tmp_path: Path, tiny_model_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from arabnews_nlp.engines import analyze_corpus_ray

    output = tmp_path / "out.jsonl"
    expected = _expected(tiny_model_dir)
    options = {"model": tiny_model_dir, "batch_size": 3, "num_actors": 1, "num_gpus_per_actor": 0, "window_batch_size": 8}
    with caplog.at_level("WARNING", logger="arabnews_nlp.engines.corpus_input"):
        stats = analyze_corpus_ray(corpus, output, **options)
    assert f'1 of {N_DOCS} documents is empty or only whitespace (e.g. "doc-5")' in caplog.text  # as the local engine says
    assert (stats.input_documents, stats.processed, stats.already_done) == (N_DOCS, N_DOCS, 0)
    _check_complete(output, expected)
    keep = _half_written(output)
    stats = analyze_corpus_ray(corpus, output, shard_size=4, **options)  # several shards, too
    assert (stats.processed, stats.already_done) == (N_DOCS - keep, keep)
    _check_complete(output, expected)
    stats = analyze_corpus_ray(corpus, output, **options)
    assert stats.processed == 0 and stats.already_done == N_DOCS


def test_ray_engine_refuses_quantize_on_gpu_actors(corpus: Path, tmp_path: Path) -> None:
    pytest.importorskip("ray")
    from arabnews_nlp.engines import analyze_corpus_ray

    with pytest.raises(ConfigError, match="CPU actors only"):
        analyze_corpus_ray(corpus, tmp_path / "out.jsonl", num_actors=1, num_gpus_per_actor=1, quantize=True)


def test_missing_ray_says_what_to_install(monkeypatch: pytest.MonkeyPatch, corpus: Path, tmp_path: Path) -> None:
    import sys

    from arabnews_nlp.engines.ray_engine import analyze_corpus_ray
    from arabnews_nlp.errors import MissingDependencyError

    monkeypatch.setitem(sys.modules, "ray", None)
    with pytest.raises(MissingDependencyError, match=r'pip install "arabnews-nlp\[ray\]"'):
        analyze_corpus_ray(corpus, tmp_path / "out.jsonl")


def test_analyze_corpus_command_runs_the_local_engine(corpus: Path, tmp_path: Path, tiny_model_dir: Path) -> None:
    import argparse

    from arabnews_nlp.engines.command import add_analyze_corpus_parser, run_analyze_corpus, summary

    parser = argparse.ArgumentParser()
    add_analyze_corpus_parser(parser.add_subparsers(dest="command"))
    output = tmp_path / "out.jsonl"
    argv = ["analyze-corpus", str(corpus), "-o", str(output), "--model", str(tiny_model_dir), "--device", "cpu"]
    stats = run_analyze_corpus(parser.parse_args([*argv, "--quantize", "--progress"]))
    assert stats.processed == N_DOCS and len(_read(output)) == N_DOCS
    assert summary(stats).startswith(f"{output}: {N_DOCS} documents analysed, 0 already done")
    assert run_analyze_corpus(parser.parse_args([*argv, "--quantize"])).already_done == N_DOCS
    with pytest.raises(ConfigError, match=r"other settings \(quantize True -> False, see .*out\.jsonl\.run\.json\)"):
        run_analyze_corpus(parser.parse_args(argv))  # float results would join int8 ones


def test_local_engine_reads_html_pages(tmp_path: Path, tiny_model_dir: Path) -> None:
    from arabnews_nlp import Analyzer

    pages = [{"id": i, "text": f"<article><h1>{s}</h1><p>{s}</p></article>"} for i, s in enumerate(SENTENCES[:3])]
    source = tmp_path / "pages.jsonl"
    source.write_text("".join(json.dumps(p, ensure_ascii=False) + "\n" for p in pages), encoding="utf-8")
    output = tmp_path / "out.jsonl"
    analyzer = Analyzer.from_pretrained(tiny_model_dir, device="cpu")
    with pytest.raises(ConfigError, match="markup"):
        analyze_corpus_local(source, output, analyzer=analyzer, markup="htm")
    assert not output.exists()
    assert analyze_corpus_local(source, output, analyzer=analyzer, markup="html").processed == 3
    for page, record in zip(pages, _read(output)):
        assert record["text"] == page["text"] and len(record["sentences"]) == 2
        assert _rounded(record) == _rounded({"id": page["id"], **analyzer.analyze(page["text"], markup="html").to_dict()})


def test_ray_actor_reads_html_pages(tiny_model_dir: Path) -> None:
    import numpy as np

    from arabnews_nlp.engines.ray_engine import AnalyzerActor

    page = f"<p>{SENTENCES[0]}</p><script>var x = 1;</script>"
    actor = AnalyzerActor(str(tiny_model_dir), "cpu", 1, 8, markup="html")
    (line,) = actor({"key": np.array(['"d"'], dtype=object), "text": np.array([page], dtype=object)})["line"]
    record = json.loads(line)
    assert record["text"] == page and [s["text"] for s in record["sentences"]] == [SENTENCES[0]]


def test_an_interrupted_local_run_keeps_what_it_wrote_and_says_so(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    import logging

    from arabnews_nlp.results import Analysis

    class StopsAfterTwo:
        def pipe(self, texts: Iterator[str], batch_size: int, markup: str = "text") -> Iterator[Analysis]:
            for count, text in enumerate(texts):
                if count == 2:
                    raise KeyboardInterrupt
                yield Analysis.empty(text)

    source, output = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    source.write_text("".join(json.dumps({"id": i, "text": " "}) + "\n" for i in range(5)), encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="arabnews_nlp.engines.corpus"), pytest.raises(KeyboardInterrupt):
        analyze_corpus_local(source, output, analyzer=StopsAfterTwo(), batch_size=100)
    assert [r["id"] for r in _read(output)] == [0, 1]  # flushed although the batch was not full
    assert any("interrupted: 2 documents analysed in this run are in" in r.getMessage() for r in caplog.records)


def test_kept_input_fields_follow_the_id(tmp_path: Path, tiny_model_dir: Path) -> None:
    import argparse

    from arabnews_nlp.engines.command import add_analyze_corpus_parser, run_analyze_corpus
    from arabnews_nlp.engines.ray_engine import AnalyzerActor

    source, output = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    rows = [{"id": "a", "text": "قال", "date": "2018-04-08", "source": {"name": "bbc"}}, {"id": "b", "text": "نفى"}]
    source.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows), encoding="utf-8")
    parser = argparse.ArgumentParser()
    add_analyze_corpus_parser(parser.add_subparsers(dest="command"))
    argv = ["analyze-corpus", str(source), "-o", str(output), "--model", str(tiny_model_dir), "--device", "cpu"]
    run_analyze_corpus(parser.parse_args([*argv, "--keep-fields", "date, source"]))
    lines = [json.loads(line) for line in output.read_text(encoding="utf-8").splitlines()]
    assert [list(line)[:3] for line in lines] == [["id", "date", "source"]] * 2
    assert [(line["date"], line["source"]) for line in lines] == [("2018-04-08", {"name": "bbc"}), (None, None)]
    with pytest.raises(ConfigError, match=r"keep_fields \[.date., .source.\] -> \[\]"):
        run_analyze_corpus(parser.parse_args(argv))  # lines with and without the fields would mix
    for wrong, message in (("text", "already a field"), ("stance", "already a field"), ("date,date", "twice"), ("", "non-empty")):
        with pytest.raises(ConfigError, match=message):
            run_analyze_corpus(parser.parse_args([*argv, "-o", str(tmp_path / "x.jsonl"), "--keep-fields", wrong]))
    actor = AnalyzerActor(str(tiny_model_dir), "cpu", 1, 8)
    batch = {name: np.array(values, dtype=object) for name, values in
             (("key", ['"a"']), ("text", ["قال"]), ("fields", [', "date": "2018-04-08"']))}  # fmt: skip
    (line,) = actor(batch)["line"]
    assert list(json.loads(line).items())[:2] == [("id", "a"), ("date", "2018-04-08")]


def test_run_settings_read_a_model_path_with_a_tilde_as_the_loader_does(
    tmp_path: Path, tiny_model_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from arabnews_nlp.engines.corpus_settings import run_settings

    monkeypatch.setenv("HOME", str(tiny_model_dir.parent))
    by_tilde = run_settings(f"~/{tiny_model_dir.name}", False, "text", "id", "text")
    assert by_tilde["model_settings_sha256"] == run_settings(tiny_model_dir, False, "text", "id", "text")["model_settings_sha256"]
    assert by_tilde["model_settings_sha256"] is not None


def test_odd_field_names_are_kept_in_the_run_settings(tmp_path: Path, tiny_model_dir: Path) -> None:
    source, output = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    source.write_text('{"id": "a", "text": "قال"}\n', encoding="utf-8")
    analyze_corpus_local(source, output, model=tiny_model_dir, device="cpu", keep_fields=["\ud801x", "تاريخ"])
    assert json.loads((tmp_path / "out.jsonl.run.json").read_text(encoding="utf-8"))["keep_fields"] == ["\ud801x", "تاريخ"]
    assert list(_read(output)[0])[:3] == ["id", "\ud801x", "تاريخ"]


def test_results_without_texts_are_smaller_and_keep_offsets(tmp_path: Path, tiny_model_dir: Path) -> None:
    import argparse

    from arabnews_nlp.engines.command import add_analyze_corpus_parser, run_analyze_corpus
    from arabnews_nlp.engines.ray_engine import AnalyzerActor

    source = tmp_path / "in.jsonl"
    rows = [{"id": i, "text": " ".join(SENTENCES[i:i + 3])} for i in range(3)]
    source.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows), encoding="utf-8")
    parser = argparse.ArgumentParser()
    add_analyze_corpus_parser(parser.add_subparsers(dest="command"))
    argv = ["analyze-corpus", str(source), "--model", str(tiny_model_dir), "--device", "cpu"]
    run_analyze_corpus(parser.parse_args([*argv, "-o", str(tmp_path / "full.jsonl")]))
    run_analyze_corpus(parser.parse_args([*argv, "-o", str(tmp_path / "short.jsonl"), "--no-text"]))
    full, short = _read(tmp_path / "full.jsonl"), _read(tmp_path / "short.jsonl")
    for row, with_text, without in zip(rows, full, short):
        assert "text" not in without and all("text" not in sentence for sentence in without["sentences"])
        assert without["entities"] == with_text["entities"] and without["events"] == with_text["events"]
        assert [row["text"][s["start"]:s["end"]] for s in without["sentences"]] == [s["text"] for s in with_text["sentences"]]
    assert json.loads((tmp_path / "short.jsonl.run.json").read_text(encoding="utf-8"))["with_text"] is False
    source.write_text(source.read_text(encoding="utf-8") + json.dumps({"id": 9, "text": "قال"}) + "\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="with_text False -> True"):
        run_analyze_corpus(parser.parse_args([*argv, "-o", str(tmp_path / "short.jsonl")]))
    actor = AnalyzerActor(str(tiny_model_dir), "cpu", 1, 8, with_text=False)
    (line,) = actor({"key": np.array(['"a"'], dtype=object), "text": np.array([SENTENCES[0]], dtype=object)})["line"]
    assert list(json.loads(line)) == ["id", "stance", "events", "entities", "sentences"]


def test_an_output_started_before_with_text_was_kept_resumes(tmp_path: Path, tiny_model_dir: Path) -> None:
    source, output = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    source.write_text('{"id": "a", "text": "قال"}\n', encoding="utf-8")
    analyze_corpus_local(source, output, model=tiny_model_dir, device="cpu")
    run_file = tmp_path / "out.jsonl.run.json"
    saved = json.loads(run_file.read_text(encoding="utf-8"))
    del saved["with_text"]  # as an earlier version wrote it
    run_file.write_text(json.dumps(saved), encoding="utf-8")
    source.write_text('{"id": "a", "text": "قال"}\n{"id": "b", "text": "نفى"}\n', encoding="utf-8")
    assert analyze_corpus_local(source, output, model=tiny_model_dir, device="cpu").processed == 1


class _NoRay:
    """A ray module whose every use fails the test: the run must stop before Ray is touched."""

    def __getattr__(self, name: str) -> Any:
        raise AssertionError(f"ray.{name} was used")


def test_a_second_run_onto_an_output_being_written_is_refused(
    tmp_path: Path, tiny_model_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two runs appending to one output would write every document twice: the second is refused, by either engine."""
    pytest.importorskip("fcntl")
    from arabnews_nlp.engines import ray_engine
    from arabnews_nlp.engines.corpus_output import output_lock

    source, output = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    source.write_text('{"id": "a", "text": "قال"}\n', encoding="utf-8")
    monkeypatch.setattr(ray_engine, "_import_ray", _NoRay)
    with output_lock(output):  # another run (flock is per open file, so this process counts as another)
        with pytest.raises(ConfigError, match=r"out\.jsonl is being written by another run"):
            analyze_corpus_local(source, output, model=tiny_model_dir, device="cpu")
        with pytest.raises(ConfigError, match=r"out\.jsonl is being written by another run"):
            ray_engine.analyze_corpus_ray(source, output, model=tiny_model_dir)
    assert output.read_text(encoding="utf-8") == ""
    assert analyze_corpus_local(source, output, model=tiny_model_dir, device="cpu").processed == 1  # released


def test_done_ids_names_ids_written_twice(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    import logging

    output = tmp_path / "out.jsonl"
    output.write_text('{"id": "a"}\n{"id": 2}\n{"id": "a"}\n{"id": 2}\n{"id": "c"}\n', encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="arabnews_nlp.engines.corpus_output"):
        assert done_ids(output) == {'"a"', "2", '"c"'}
    (warning,) = [r.getMessage() for r in caplog.records]
    assert 'holds 2 lines whose id is already on an earlier line ("a" at lines 1 and 3, 2 at lines 2 and 4)' in warning


def test_an_output_without_its_run_file_is_checked_against_its_lines(
    tmp_path: Path, tiny_model_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """out.jsonl copied without out.jsonl.run.json: what its lines show must match, and no run file claims otherwise."""
    import logging

    source, output = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    source.write_text('{"id": "a", "text": "قال", "date": "2018"}\n', encoding="utf-8")
    options: dict[str, Any] = {"model": tiny_model_dir, "device": "cpu"}
    analyze_corpus_local(source, output, with_text=False, keep_fields=["date"], **options)
    run_file = tmp_path / "out.jsonl.run.json"
    run_file.unlink()
    source.write_text(source.read_text(encoding="utf-8") + '{"id": "b", "text": "نفى"}\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"has no out\.jsonl\.run\.json, and its lines were made with other settings "
                       r"than this run's \(with_text False -> True; keep_fields \['date'\] -> \[\]\)"):  # fmt: skip
        analyze_corpus_local(source, output, **options)
    assert not run_file.exists() and len(_read(output)) == 1
    with caplog.at_level(logging.WARNING, logger="arabnews_nlp.engines.corpus_settings"):
        assert analyze_corpus_local(source, output, with_text=False, keep_fields=["date"], **options).processed == 1
    assert any("its lines show the same with_text and kept fields" in r.getMessage() for r in caplog.records)
    assert json.loads(run_file.read_text(encoding="utf-8"))["keep_fields"] == ["date"]


def test_impossible_ray_sizes_are_refused_before_ray_starts(corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from arabnews_nlp.engines import ray_engine

    monkeypatch.setattr(ray_engine, "_import_ray", _NoRay)
    output = tmp_path / "out.jsonl"
    for wrong, message in (
        ({"num_cpus_per_actor": 0}, r"num_cpus_per_actor \(--cpus-per-actor\) must be > 0, got 0"),
        ({"batch_size": 0}, r"batch_size \(--docs-per-batch\) must be >= 1, got 0"),
        ({"num_actors": 0, "window_batch_size": -1}, r"num_actors \(--num-actors\) must be >= 1, got 0; window_batch_size"),
        ({"num_gpus_per_actor": -1}, r"num_gpus_per_actor \(--gpus-per-actor\) must be >= 0"),
    ):
        with pytest.raises(ConfigError, match=message):
            ray_engine.analyze_corpus_ray(corpus, output, **wrong)
    assert not output.exists() and not (tmp_path / "out.jsonl.run.json").exists()


def test_more_gpus_per_actor_than_a_ray_started_here_has_is_refused(caplog: pytest.LogCaptureFixture) -> None:
    """A local Ray instance without GPUs cannot place a GPU actor: Ray would wait forever."""
    import logging

    from arabnews_nlp.engines.ray_engine import _resources

    class CpuOnly:
        @staticmethod
        def cluster_resources() -> dict[str, float]:
            return {"CPU": 2.0}

    with pytest.raises(ConfigError, match=r"--gpus-per-actor 1 but the cluster has 0 GPUs .*--gpus-per-actor 0"):
        _resources(CpuOnly, None, 1.0, 1.0, started_here=True)
    with pytest.raises(ConfigError, match=r"--cpus-per-actor 4 but the cluster has 2 CPUs"):
        _resources(CpuOnly, None, 4.0, 0.0, started_here=True)
    with caplog.at_level(logging.WARNING, logger="arabnews_nlp.engines.ray_engine"):  # a cluster that may scale up
        assert _resources(CpuOnly, 2, 1.0, 1.0, started_here=False) == (2, 1.0)
    assert any("no actor can start until the cluster scales up" in r.getMessage() for r in caplog.records)
    assert _resources(CpuOnly, None, 1.0, None, started_here=True) == (2, 0.0)  # the defaults fit


def test_ray_started_by_the_engine_logs_warnings_only() -> None:
    from arabnews_nlp.engines.ray_engine import _init_ray

    class FakeRay:
        initialized = False
        calls: list[dict[str, Any]] = []

        @classmethod
        def is_initialized(cls) -> bool:
            return cls.initialized

        @classmethod
        def init(cls, **options: Any) -> None:
            cls.calls.append(options)

    assert _init_ray(FakeRay) is False  # no node to read: not known to be started here, so never refused
    assert FakeRay.calls == [{"logging_level": 30}]
    FakeRay.initialized = True
    assert _init_ray(FakeRay) is False and len(FakeRay.calls) == 1  # connected already: left as it is


def test_a_kept_field_no_document_has_is_named(tmp_path: Path, tiny_model_dir: Path, caplog: pytest.LogCaptureFixture) -> None:
    import logging

    source, output = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    source.write_text('{"id": "a", "text": "قال", "date": 1}\n{"id": "b", "text": "نفى"}\n', encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="arabnews_nlp.engines.corpus_input"):
        analyze_corpus_local(source, output, model=tiny_model_dir, device="cpu", keep_fields=["date", "nosuch"])
    (warning,) = [r.getMessage() for r in caplog.records]  # date is in one document: not named
    assert "kept field 'nosuch' was absent from all 2 documents analysed" in warning and "--keep-fields" in warning


def test_messages_name_the_real_cause(tmp_path: Path, tiny_model_dir: Path, caplog: pytest.LogCaptureFixture) -> None:
    """A cut-off JSON string is 'Unterminated string', not the newline after it; a missing directory is named."""
    import logging

    source = tmp_path / "in.jsonl"
    source.write_text('{"id": "a5", "text": "قال"}\n{"doc_id": "a6", "text": "broken\n', encoding="utf-8")
    with pytest.raises(DataFormatError, match=r"in\.jsonl:2: not valid JSON \(Unterminated string starting at column 26\)"):
        analyze_corpus_local(source, tmp_path / "out.jsonl", model=tiny_model_dir, device="cpu")
    with pytest.raises(FileNotFoundError, match=r"its directory .*nodir does not exist"):
        analyze_corpus_local(source, tmp_path / "nodir" / "x.jsonl", model=tiny_model_dir, device="cpu")
    output = tmp_path / "cut.jsonl"
    output.write_text('{"id": "a"}\n{"id": "b", "te', encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="arabnews_nlp.engines.corpus_output"):
        assert done_ids(output) == {'"a"'}
    (warning,) = [r.getMessage() for r in caplog.records]
    assert warning.endswith("cut.jsonl:2: removed a last line cut off mid-write (15 bytes); its document is analysed again")


def test_a_local_run_ended_by_sigterm_keeps_what_it_wrote_and_exits_143(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """SIGTERM (a scheduler's stop) ends a corpus run as Ctrl-C does: lines flushed, the handler restored, exit 143."""
    import logging
    import os
    import signal

    from arabnews_nlp import cli
    from arabnews_nlp.results import Analysis
    from arabnews_nlp.signals import Terminated

    class TerminatedAfterTwo:
        def pipe(self, texts: Iterator[str], batch_size: int, markup: str = "text") -> Iterator[Analysis]:
            for count, text in enumerate(texts):
                if count == 2:
                    os.kill(os.getpid(), signal.SIGTERM)
                yield Analysis.empty(text)

    source, output = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    source.write_text("".join(json.dumps({"id": i, "text": " "}) + "\n" for i in range(5)), encoding="utf-8")
    handler = signal.getsignal(signal.SIGTERM)
    with caplog.at_level(logging.WARNING, logger="arabnews_nlp.engines.corpus"), pytest.raises(Terminated):
        analyze_corpus_local(source, output, analyzer=TerminatedAfterTwo(), batch_size=100)
    assert [r["id"] for r in _read(output)] == [0, 1]  # flushed although the batch was not full
    assert any("terminated (SIGTERM): 2 documents analysed in this run are in" in r.getMessage() for r in caplog.records)
    assert signal.getsignal(signal.SIGTERM) is handler

    monkeypatch.setattr(cli, "run_analyze_corpus", lambda args: analyze_corpus_local(
        args.input, args.output, analyzer=TerminatedAfterTwo(), batch_size=100))  # fmt: skip
    assert cli.main(["analyze-corpus", str(source), "-o", str(output)]) == 143
    assert [r["id"] for r in _read(output)] == [0, 1, 2, 3]  # the rerun went on from there, and stopped again
    err = capsys.readouterr().err  # the engine said where the run stands (a warning): the command line says it once
    assert err.count("the same command goes on") <= 1 and "arabnews-nlp: terminated (SIGTERM)\n" in err


def test_ray_datas_hint_to_enable_its_progress_bars_is_dropped_while_a_run_lasts(caplog: pytest.LogCaptureFixture) -> None:
    """It tells CLI users to edit Python (set DataContext.enable_progress_bars); they pass --progress."""
    import logging
    from types import SimpleNamespace

    from arabnews_nlp.engines.ray_engine import PROGRESS_HINT_LOGGER, _data_context

    context = SimpleNamespace(enable_progress_bars=True, print_on_execution_start=True)
    ray = SimpleNamespace(data=SimpleNamespace(DataContext=SimpleNamespace(get_current=lambda: context)))
    hint = logging.getLogger(PROGRESS_HINT_LOGGER)
    with caplog.at_level(logging.WARNING, logger=PROGRESS_HINT_LOGGER):
        with _data_context(ray, progress=False):
            assert not context.enable_progress_bars
            hint.warning("Progress bars disabled. To enable, set `ray.data.DataContext.get_current()...`")
            hint.warning("Progress bars for operators disabled.")
        hint.warning("Progress bars disabled. (outside a run)")
    assert [r.getMessage() for r in caplog.records] == ["Progress bars for operators disabled.",
                                                        "Progress bars disabled. (outside a run)"]  # fmt: skip
    assert context.enable_progress_bars and not hint.filters


def test_sigterm_while_the_model_loads_ends_the_run_as_ctrl_c_does(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A scheduler may stop a job at any moment, start-up included: Terminated (exit 143), not a silent kill."""
    import os
    import signal

    from arabnews_nlp.api import Analyzer
    from arabnews_nlp.signals import Terminated

    def loading(*args: Any, **kwargs: Any) -> None:
        os.kill(os.getpid(), signal.SIGTERM)

    monkeypatch.setattr(Analyzer, "from_pretrained", loading)
    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps({"id": 1, "text": "قال"}) + "\n", encoding="utf-8")
    handler = signal.getsignal(signal.SIGTERM)
    with pytest.raises(Terminated):
        analyze_corpus_local(source, tmp_path / "out.jsonl")
    assert signal.getsignal(signal.SIGTERM) is handler


def test_the_sigterm_handler_ray_init_sets_on_the_driver_is_undone() -> None:
    """Ray's driver handler prints a C stack and exits with status 15; the handler from before comes back."""
    import signal
    from types import SimpleNamespace

    from arabnews_nlp.engines.ray_engine import _init_ray
    from arabnews_nlp.signals import Terminated

    def init(**kwargs: Any) -> None:
        signal.signal(signal.SIGTERM, lambda signum, frame: None)  # as ray.init does on a driver

    ray = SimpleNamespace(is_initialized=lambda: False, init=init)
    handler = signal.getsignal(signal.SIGTERM)
    _init_ray(ray)
    assert signal.getsignal(signal.SIGTERM) is handler

    def init_stopped(**kwargs: Any) -> None:  # SIGTERM while Ray starts: its handler's sys.exit(15)
        init()
        raise SystemExit(signal.SIGTERM)

    with pytest.raises(Terminated):
        _init_ray(SimpleNamespace(is_initialized=lambda: False, init=init_stopped))
    assert signal.getsignal(signal.SIGTERM) is handler
