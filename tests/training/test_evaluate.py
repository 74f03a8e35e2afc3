"""Scoring in sentences and documents modes; any analyzer-like object; the CLI."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from training.evaluation.cli import main
from training.evaluation.documents import evaluate_documents
from training.evaluation.modes import evaluate_analyzer


class Oracle:
    """Returns gold-like output from a table (an analyzer-like object, no model)."""

    def __init__(self, outputs: dict[str, dict[str, Any]]) -> None:
        self.outputs = outputs

    def analyze(self, text: str) -> dict[str, Any]:
        return self.outputs[text]


def _gold_as_output(record: dict[str, Any]) -> dict[str, Any]:
    text = record["text"]
    return {
        "text": text,
        "stance": {"label": record["doc_stance"], "score": 1.0},
        "entities": [{**e, "text": text[e["start"] : e["end"]], "score": 1.0} for e in record["entities"]],
        "sentences": [
            {"start": s["start"], "end": s["end"], "stance": {"label": s["stance"], "score": 1.0, "holder": None},
             "events": [{"label": e, "score": 1.0} for e in s["events"]]}
            for s in record["sentences"]
        ],
    }  # fmt: skip


def test_documents_mode_perfect_and_split(gold_records: list[dict[str, Any]]) -> None:
    outputs = {r["text"]: _gold_as_output(r) for r in gold_records}
    scores = evaluate_documents(Oracle(outputs), gold_records)
    assert scores["entities"]["micro"]["f1"] == 1.0
    assert scores["stance"]["accuracy"] == scores["events"]["exact_match"] == scores["doc_stance"]["accuracy"] == 1.0
    # a segmenter that cuts the first gold sentence in two keeps the stance and the union of events
    record = gold_records[1]
    output = _gold_as_output(record)
    first = output["sentences"][0]
    cut = first["start"] + 10
    output["sentences"][:1] = [{**first, "end": cut, "events": []}, {**first, "start": cut + 1}]
    output["entities"] = output["entities"][1:]  # miss one entity
    scores = evaluate_documents(Oracle({record["text"]: output}), [record])
    assert scores["stance"]["accuracy"] == 1.0 and scores["events"]["exact_match"] == 1.0
    assert scores["entities"]["micro"]["recall"] == pytest.approx(3 / 4, abs=1e-4)


def test_documents_mode_scores_the_event_types_of_each_document(gold_records: list[dict[str, Any]]) -> None:
    gold = [{label for s in r["sentences"] for label in s["events"]} for r in gold_records]
    assert sum(map(len, gold)) >= 2
    outputs = {r["text"]: _gold_as_output(r) for r in gold_records}  # no document "events": its sentences' are read
    scores = evaluate_documents(Oracle(outputs), gold_records)["doc_events"]
    assert scores["micro"]["f1"] == 1.0 and scores["micro"]["support"] == sum(map(len, gold))
    index = next(i for i, labels in enumerate(gold) if labels)
    record, wrong = gold_records[index], {"AIRSTRIKE", "THREAT"} - gold[index] or {"WITHDRAWAL"}
    output = _gold_as_output(record) | {"events": [{"label": label, "score": 0.9, "sentences": 1} for label in wrong]}
    scores = evaluate_documents(Oracle({record["text"]: output}), [record])["doc_events"]  # the document's own list wins
    assert scores["micro"]["precision"] == 0.0 and scores["micro"]["support"] == len(gold[index])


def test_documents_mode_scores_the_holders_of_anti_and_pro_sentences(gold_records: list[dict[str, Any]]) -> None:
    gold_records = copy.deepcopy(gold_records)  # a session fixture: the holders below stay here
    positions = [(r, i, s) for r in gold_records for i, s in enumerate(r["sentences"]) if s["stance"] in ("anti", "pro")]
    for record, _, sentence in positions:  # give each position whose sentence names a PER/ORG that one as holder
        inside = [e for e in record["entities"] if sentence["start"] <= e["start"] and e["end"] <= sentence["end"]
                  and e["label"] in ("PER", "ORG")]  # fmt: skip
        sentence["holder"] = {"start": inside[0]["start"], "end": inside[0]["end"]} if inside else None
    assert positions and any(s["holder"] for _, _, s in positions)
    outputs = {r["text"]: _gold_as_output(r) for r in gold_records}
    for record, index, sentence in positions:  # the gold holders, as the runtime writes them
        holder = sentence["holder"]
        outputs[record["text"]]["sentences"][index]["stance"]["holder"] = holder and {**holder, "label": "PER"}
    scores = evaluate_documents(Oracle(outputs), gold_records)["holder"]
    assert scores == {"n": len(positions), "accuracy": 1.0, "n_stance_right": len(positions), "accuracy_stance_right": 1.0}
    record, index, sentence = next(p for p in positions if p[2]["holder"])
    outputs[record["text"]]["sentences"][index]["stance"]["holder"] = None  # a holder missed
    scores = evaluate_documents(Oracle(outputs), gold_records)["holder"]
    assert scores["accuracy"] == scores["accuracy_stance_right"] == pytest.approx(1 - 1 / len(positions))


def test_sentences_mode_for_analyzer_like(gold_records: list[dict[str, Any]]) -> None:
    outputs = {}
    for record in gold_records:
        for sentence in record["sentences"]:
            text = record["text"][sentence["start"] : sentence["end"]]
            ents = [{"start": e["start"] - sentence["start"], "end": e["end"] - sentence["start"], "label": e["label"]}
                    for e in record["entities"] if sentence["start"] <= e["start"] < sentence["end"]]  # fmt: skip
            outputs[text] = {"text": text, "stance": {"label": "neutral", "score": 1.0}, "entities": ents,
                             "sentences": [{"start": 0, "end": len(text), "stance": {"label": sentence["stance"]},
                                            "events": [{"label": e} for e in sentence["events"]]}]}  # fmt: skip
    scores = evaluate_analyzer(Oracle(outputs), gold_records, mode="sentences")["sentences"]
    assert scores["ner"]["micro"]["f1"] == scores["stance"]["accuracy"] == scores["events"]["micro"]["f1"] == 1.0


def test_keyword_baseline_is_scored_by_the_same_code(gold_records: list[dict[str, Any]]) -> None:
    from training.baseline import KeywordBaseline

    scores = evaluate_analyzer(KeywordBaseline.fit(gold_records, min_count=1), gold_records)
    assert {"sentences", "documents"} <= set(scores)
    assert 0.0 <= scores["documents"]["entities"]["micro"]["f1"] <= 1.0


def test_keyword_baseline_learns_each_layer_from_the_records_that_declare_it(gold_records: list[dict[str, Any]]) -> None:
    from training.baseline import KeywordBaseline

    full = KeywordBaseline.fit(gold_records, min_count=1)
    assert full.gazetteer and any(full.stance_keywords.values()) and any(full.event_keywords.values())
    ner_only = KeywordBaseline.fit([dict(r, tasks=["ner"]) for r in gold_records], min_count=1)
    assert ner_only.gazetteer == full.gazetteer
    assert not any(ner_only.stance_keywords.values()) and not any(ner_only.event_keywords.values())
    # events without stance (stance null): the event keywords are still learnt, nothing else
    events_only = [dict(r, tasks=["events"], sentences=[dict(s, stance=None) for s in r["sentences"]])
                   for r in gold_records]  # fmt: skip
    fitted = KeywordBaseline.fit(events_only, min_count=1)
    assert fitted.event_keywords == full.event_keywords
    assert fitted.gazetteer == {} and not any(fitted.stance_keywords.values())


def test_cli_writes_json(
    tiny_model_dir: Path, gold_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "metrics.json"
    assert (
        main(
            ["evaluate", "--model", str(tiny_model_dir), "--data", str(gold_file), "--out", str(out), "--device", "cpu"]
        )
        == 0
    )
    printed = capsys.readouterr().out
    assert "[sentences]" in printed and "[documents]" in printed and "F_avg(pro,anti)" in printed
    scores = json.loads(out.read_text(encoding="utf-8"))
    assert scores["n_documents"] == 2 and scores["sentences"]["n_sentences"] == 4
    assert scores["command"].startswith("python -m training evaluate --model")


def test_baseline_cli_can_exclude_synthetic_documents(gold_records: list[dict[str, Any]], tmp_path: Path) -> None:
    from training.baseline import KeywordBaseline
    from training.baseline import main as baseline_main

    synthetic = {**gold_records[0], "id": "synthetic-1", "synthetic": True, "author": "test"}
    synthetic["text"] = "زار فلانوف بلدة كذا."
    synthetic["sentences"] = [{"start": 0, "end": len(synthetic["text"]), "stance": "neutral", "holder": None, "events": []}]
    synthetic["entities"] = [{"start": 4, "end": 10, "label": "PER"}]
    data = tmp_path / "train.jsonl"
    data.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in [*gold_records, synthetic]), encoding="utf-8")
    for flag, expected in (([], True), (["--exclude-synthetic"], False)):
        out = tmp_path / f"baseline{len(flag)}.json"
        assert baseline_main(["baseline", "--train", str(data), "--out", str(out), *flag]) == 0
        assert ("فلانوف" in KeywordBaseline.load(out).gazetteer) is expected


def test_cli_minimums_and_floor_fail_the_run(
    tiny_model_dir: Path, gold_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A CI job can fail on a metric below a minimum, or below what the model recorded at training."""
    import torch

    from arabnews_nlp.errors import ConfigError
    from arabnews_nlp.model_dir import load_analyzer, save_analyzer

    base = ["evaluate", "--model", str(tiny_model_dir), "--data", str(gold_file), "--device", "cpu"]
    out = tmp_path / "m.json"
    assert main([*base, "--out", str(out)]) == 0
    ner = json.loads(out.read_text(encoding="utf-8"))["sentences"]["ner"]["micro"]["f1"]
    capsys.readouterr()
    assert main([*base, "--min", f"sentences/ner_f1={ner}"]) == 0
    assert main([*base, "--min", f"sentences/ner_f1={ner + 0.01}", "--min", "sentences/stance_accuracy=0"]) == 1
    err = capsys.readouterr().err
    assert f"sentences/ner_f1 {ner:.4f} is below the minimum {ner + 0.01:.4f}" in err and "1 failure(s) among 2" in err
    with pytest.raises(ConfigError, match="recorded no metrics when it was trained .* use --min"):
        main([*base, "--floor", "0.02"])  # the tiny model records no metric: refused before scoring
    with pytest.raises(ConfigError, match="unknown metric 'ner'"):
        main([*base, "--min", "ner=0.5"])
    # the floor: the metrics recorded in the model's settings, less a tolerance
    model, tokenizer, settings = load_analyzer(tiny_model_dir, device="cpu", dtype=torch.float32)
    settings.metrics = {"sentences/ner_f1": ner + 0.05}
    save_analyzer(tmp_path / "recorded", model, tokenizer, settings, dtype=torch.float32)
    floored = ["evaluate", "--model", str(tmp_path / "recorded"), "--data", str(gold_file), "--device", "cpu"]
    assert main([*floored, "--floor", "0.1"]) == 0
    assert main([*floored, "--floor", "0.02"]) == 1
    assert f"is below the recorded {ner + 0.05:.4f} - 0.02" in capsys.readouterr().err


def test_cli_refuses_thresholds_and_data_that_would_guard_nothing(
    tiny_model_dir: Path, gold_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A NaN or out-of-range threshold, an impossible metric, no documents or a document twice: refused."""
    from arabnews_nlp.errors import ConfigError, DataFormatError

    base = ["evaluate", "--model", str(tiny_model_dir), "--data", str(gold_file), "--device", "cpu"]
    for value in ("nan", "1.5", "-3"):
        with pytest.raises(ConfigError, match=r"the minimum must be a number in \[0, 1\]"):
            main([*base, "--min", f"sentences/ner_f1={value}"])
    for name in ("documents/ner_f1", "sentences/entity_f1", "sentences/doc_stance_accuracy"):
        with pytest.raises(ConfigError, match=f"unknown metric '{name}'"):  # a mode never scores it
            main([*base, "--min", f"{name}=0.5"])
    # a metric the --mode asked for leaves out: refused before the model is loaded (it failed after scoring)
    with pytest.raises(ConfigError, match="--min documents/doc_stance_accuracy: --mode sentences does not score it"):
        main([*base[:2], str(tmp_path / "no-model"), *base[3:], "--mode", "sentences",
              "--min", "documents/doc_stance_accuracy=0.5"])  # fmt: skip
    for flags in (["--floor", "nan"], ["--floor", "-0.5"], ["--batch-size", "0"], ["--batch-size", "-4"]):
        with pytest.raises(SystemExit) as exited:
            main([*base, *flags])
        assert exited.value.code == 2
    assert "expected a whole number of at least 1, got '-4'" in capsys.readouterr().err
    empty = tmp_path / "empty.jsonl"
    empty.write_text("", encoding="utf-8")
    with pytest.raises(DataFormatError, match="holds no documents"):
        main(["evaluate", "--model", str(tiny_model_dir), "--data", str(empty), "--device", "cpu"])
    copy = tmp_path / "copy.jsonl"
    copy.write_bytes(gold_file.read_bytes())
    for data in ([str(gold_file), str(copy)], [str(gold_file), str(gold_file)]):
        with pytest.raises(DataFormatError, match="'doc-0' of .* is also in .*: it would be scored twice"):
            main(["evaluate", "--model", str(tiny_model_dir), "--data", *data, "--device", "cpu"])
    # the names --min takes are the keys of the JSON's summary
    out = tmp_path / "m.json"
    assert main([*base, "--out", str(out), "--min", "documents/doc_stance_accuracy=0"]) == 0
    report = json.loads(out.read_text(encoding="utf-8"))
    assert "sentences/ner_f1" in report["summary"] and "documents/entity_f1" in report["summary"]
    assert report["summary"]["sentences/ner_f1"] == report["sentences"]["ner"]["micro"]["f1"]


def test_cli_refuses_a_file_that_is_not_a_baseline_and_an_out_directory(
    tiny_model_dir: Path, gold_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """One line and exit 2 (not the exit 1 of a metric below its minimum), before anything is scored."""
    from training.__main__ import main as training_main

    not_json, other_json = tmp_path / "config.yaml", tmp_path / "config.json"
    not_json.write_text("name: x\n", encoding="utf-8")
    other_json.write_text('{"architectures": ["BertModel"]}', encoding="utf-8")
    for path, what in ((not_json, "not JSON"), (other_json, "keys ['architectures']")):
        assert training_main(["evaluate", "--baseline", str(path), "--data", str(gold_file)]) == 2
        err = capsys.readouterr().err
        assert f"error: {path} is not a keyword baseline ({what}" in err and "python -m training baseline" in err
    argv = ["evaluate", "--model", str(tiny_model_dir), "--data", str(gold_file), "--device", "cpu", "--out", str(tmp_path)]
    assert training_main(argv) == 2
    assert f"--out {tmp_path} is a directory" in capsys.readouterr().err
    assert not list(tmp_path.parent.glob("*.part"))


def test_cli_records_the_outcome_of_its_checks_in_the_json(
    tiny_model_dir: Path, gold_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """CI reads which metrics were checked against what, and which failed, from --out (probe16 corpus #9)."""
    import torch

    from arabnews_nlp.model_dir import load_analyzer, save_analyzer

    model, tokenizer, settings = load_analyzer(tiny_model_dir, device="cpu", dtype=torch.float32)
    out = tmp_path / "plain.json"
    base = ["evaluate", "--data", str(gold_file), "--device", "cpu", "--no-progress"]
    assert main([*base, "--model", str(tiny_model_dir), "--out", str(out)]) == 0
    assert "checks" not in json.loads(out.read_text(encoding="utf-8"))  # nothing was checked
    ner = json.loads(out.read_text(encoding="utf-8"))["summary"]["sentences/ner_f1"]
    settings.metrics = {"sentences/ner_f1": ner + 0.05, "documents/entity_f1": 0.0}
    save_analyzer(tmp_path / "recorded", model, tokenizer, settings, dtype=torch.float32)
    assert ner < 0.99  # a random tiny model
    argv = [*base, "--model", str(tmp_path / "recorded"), "--out", str(out), "--floor", "0.02",
            "--min", "sentences/stance_accuracy=0", "--min", f"sentences/ner_f1={ner + 0.01}"]  # fmt: skip
    capsys.readouterr()
    assert main(argv) == 1
    checks = json.loads(out.read_text(encoding="utf-8"))["checks"]
    by_kind = {(c["kind"], c["metric"]): c for c in checks["metrics"]}
    assert set(by_kind) == {("min", "sentences/stance_accuracy"), ("min", "sentences/ner_f1"),
                            ("floor", "sentences/ner_f1"), ("floor", "documents/entity_f1")}  # fmt: skip
    assert by_kind[("min", "sentences/stance_accuracy")]["passed"] is True
    floor = by_kind[("floor", "sentences/ner_f1")]
    assert floor["passed"] is False and floor["value"] == ner and floor["recorded"] == ner + 0.05
    assert floor["threshold"] == pytest.approx(ner + 0.03) and floor["tolerance"] == 0.02
    assert by_kind[("floor", "documents/entity_f1")]["passed"] is True
    assert checks["passed"] is False and len(checks["failures"]) == 2
    err = capsys.readouterr().err
    assert all(f"evaluate: {failure}" in err for failure in checks["failures"])


def test_cli_shows_progress_on_stderr_unless_told_not_to(
    tiny_model_dir: Path, gold_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`evaluate` on a real dev file predicts for minutes: bars over windows and documents (probe16 corpus #8)."""
    base = ["evaluate", "--model", str(tiny_model_dir), "--data", str(gold_file), "--device", "cpu"]
    assert main(base) == 0
    err = capsys.readouterr().err
    assert "sentences mode" in err and "window" in err and "documents mode" in err and "2/2" in err
    assert main([*base, "--no-progress"]) == 0
    assert "documents mode" not in capsys.readouterr().err


def test_cli_names_a_missing_gold_file(
    tiny_model_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """One line, exit 2: no raw `[Errno 2]` (probe16 corpus #9)."""
    from training.__main__ import main as training_main

    missing = tmp_path / "nope.jsonl"
    assert training_main(["evaluate", "--model", str(tiny_model_dir), "--data", str(missing)]) == 2
    err = capsys.readouterr().err
    assert f"error: gold file not found: {missing}" in err and "Errno" not in err


def test_cli_names_where_a_gold_line_is_not_json_in_plain_words(
    tiny_model_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`Unterminated string starting at column 21`, not "at at column" (probe16 corpus #9)."""
    from training.__main__ import main as training_main

    broken = tmp_path / "broken.jsonl"
    broken.write_text('{"id": "d", "text": "unterminated\n', encoding="utf-8")
    assert training_main(["evaluate", "--model", str(tiny_model_dir), "--data", str(broken)]) == 2
    err = capsys.readouterr().err
    assert "Unterminated string starting at column 21" in err and "at at" not in err


def test_training_commands_without_the_train_extra_stop_first_with_exit_2(
    monkeypatch: pytest.MonkeyPatch, gold_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Not a traceback after minutes of predictions, with the exit 1 of a failed floor (probe16 corpus #3)."""
    import sys

    import training.evaluation.cli
    from training.__main__ import main as training_main
    from training.extras import TrainExtraMissingError, check_extra

    def scored(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("predicted before the missing dependency was named")

    monkeypatch.setattr(training.evaluation.cli, "evaluate_model", scored)
    monkeypatch.setitem(sys.modules, "seqeval", None)  # as if not installed: it cannot be found or imported
    argv = ["evaluate", "--model", "models/default", "--data", str(gold_file), "--floor", "0.02"]
    assert training_main(argv) == 2
    err = capsys.readouterr().err
    assert "python -m training evaluate: error: evaluate needs seqeval, which is not installed. Install it with: pip install" in err
    assert 'pip install "arabnews-nlp[train]"' in err and "Traceback" not in err
    monkeypatch.setitem(sys.modules, "sklearn", None)
    with pytest.raises(TrainExtraMissingError, match=r"seqeval, scikit-learn \(module sklearn\), which are not installed"):
        check_extra("finetune")
    assert training_main(["validate", str(gold_file)]) == 0  # the data commands need none of it


def test_floor_fails_when_recorded_metrics_of_the_mode_are_not_scored() -> None:
    """--floor on a file without stance/events checked NER alone and passed (exit 0): the guard now names the rest."""
    from training.evaluation.checks import check_metrics

    recorded = {"sentences/ner_f1": 0.9, "sentences/stance_macro_f1": 0.7, "documents/entity_f1": 0.9}
    checks = check_metrics({"sentences/ner_f1": 0.91}, {}, recorded, 0.02)  # NER-only data, --mode sentences
    assert not checks["passed"]
    assert checks["failures"] == ["--floor: sentences/stance_macro_f1 recorded but not scored (the data do not "
                                  "annotate its layer): score the dev file the model was evaluated on, or use "
                                  "--min for the rest"]  # fmt: skip
    unscored = [m for m in checks["metrics"] if m["metric"] == "sentences/stance_macro_f1"]
    assert unscored and unscored[0]["value"] is None and unscored[0]["passed"] is False
    # a mode left out (--mode sentences: no documents/) is the user's choice, not a gap in the data
    full = {"sentences/ner_f1": 0.91, "sentences/stance_macro_f1": 0.7}
    assert check_metrics(full, {}, recorded, 0.02)["passed"]
