"""``scripts/ngram_cv.py``: grouped cross-validation of the n-gram models on the training split."""

from __future__ import annotations

import copy
import re
import runpy
from pathlib import Path
from typing import Any

import pytest

from training.data.records import write_records

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "ngram_cv.py"


def _scores(summary: str) -> dict[str, float]:
    """The four scores of the script's summary line."""
    found = re.findall(r"(stance macro-F1|events micro-F1|events macro-F1|NER micro-F1) ([0-9.]+)", summary)
    return {name: float(value) for name, value in found}


@pytest.mark.parametrize("tagger", ["maxent", "crf"])
def test_scores_held_out_real_documents_only(
    gold_records: list[dict[str, Any]], tiny_model_dir: Path, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tagger: str,
) -> None:  # fmt: skip
    # six copies of each gold document: every held-out copy has copies in the fitted folds
    records = [dict(copy.deepcopy(r), id=f"{r['id']}-{i}") for i in range(6) for r in gold_records]
    synthetic = [dict(copy.deepcopy(r), id=f"synth-{r['id']}", synthetic=True) for r in gold_records]
    train = tmp_path / "train.jsonl"
    write_records(train, records + synthetic)
    argv = ["ngram_cv.py", "--model", str(tiny_model_dir), "--train", str(train), "--ner-extra", "--folds", "3",
            "--tagger", tagger]  # fmt: skip
    monkeypatch.setattr("sys.argv", argv)
    runpy.run_path(str(SCRIPT), run_name="__main__")
    out = capsys.readouterr().out
    assert out.count("held-out documents") == 3
    summary = out.strip().splitlines()[-1]
    assert summary.startswith("12 real training documents in 3 folds")  # the synthetic ones are never scored
    assert _scores(summary) == {
        "stance macro-F1": 1.0, "events micro-F1": 1.0, "events macro-F1": 1.0, "NER micro-F1": 1.0}


def test_fit_only_records_are_fitted_in_every_fold_and_never_scored(
    gold_records: list[dict[str, Any]], tiny_model_dir: Path, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    # one copy per document in --train: a held-out document is seen only through its --fit-only copy
    train, new = tmp_path / "train.jsonl", tmp_path / "new.jsonl"
    write_records(train, gold_records)
    write_records(new, [dict(copy.deepcopy(r), id=f"new-{r['id']}") for r in gold_records])
    argv = ["ngram_cv.py", "--model", str(tiny_model_dir), "--train", str(train), "--fit-only", str(new),
            "--ner-extra", "--folds", str(len(gold_records))]  # fmt: skip
    monkeypatch.setattr("sys.argv", argv)
    runpy.run_path(str(SCRIPT), run_name="__main__")
    summary = capsys.readouterr().out.strip().splitlines()[-1]
    assert summary.startswith(f"{len(gold_records)} real training documents in {len(gold_records)} folds")
    assert _scores(summary) == {
        "stance macro-F1": 1.0, "events micro-F1": 1.0, "events macro-F1": 1.0, "NER micro-F1": 1.0}


def test_subset_scores_the_held_out_documents_of_a_prefix_on_their_own(
    gold_records: list[dict[str, Any]], tiny_model_dir: Path, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    # six pool- copies of each document, and one news- copy whose sentences carry no event: the
    # pool- labels win in every fitted part, so only the news- documents are scored wrong
    pool = [dict(copy.deepcopy(r), id=f"pool-{r['id']}-{i}") for i in range(6) for r in gold_records]
    news = [dict(copy.deepcopy(r), id=f"news-{r['id']}") for r in gold_records]
    for record in news:
        for sentence in record["sentences"]:
            sentence["events"] = []
    train = tmp_path / "train.jsonl"
    write_records(train, pool + news)
    argv = ["ngram_cv.py", "--model", str(tiny_model_dir), "--train", str(train), "--ner-extra", "--folds", "3",
            "--subset", "pool-"]  # fmt: skip
    monkeypatch.setattr("sys.argv", argv)
    runpy.run_path(str(SCRIPT), run_name="__main__")
    subset, summary = capsys.readouterr().out.strip().splitlines()[-2:]
    assert subset.startswith(f"{len(pool)} held-out documents with ids starting 'pool-': ")
    assert _scores(subset) == {
        "stance macro-F1": 1.0, "events micro-F1": 1.0, "events macro-F1": 1.0, "NER micro-F1": 1.0}
    assert summary.startswith(f"{len(pool) + len(news)} real training documents in 3 folds")
    assert _scores(summary)["events micro-F1"] < 1.0


def test_subset_that_names_no_document_is_refused_before_fitting(
    gold_records: list[dict[str, Any]], tiny_model_dir: Path, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    train = tmp_path / "train.jsonl"
    write_records(train, gold_records)
    argv = ["ngram_cv.py", "--model", str(tiny_model_dir), "--train", str(train), "--ner-extra", "--subset", "pool-"]
    monkeypatch.setattr("sys.argv", argv)
    with pytest.raises(SystemExit) as stop:
        runpy.run_path(str(SCRIPT), run_name="__main__")
    assert stop.value.code == 2
    out, err = capsys.readouterr()
    assert "--subset pool-: no real training document's id starts with it" in err
    assert "held-out documents" not in out


def test_gazetteer_fills_the_names_the_tagger_misses(
    gold_records: list[dict[str, Any]], tiny_model_dir: Path, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    # the --ner-extra records are the same sentences without a name: the tagger learns to tag
    # every word O, and only the gazetteer of the fitted documents finds the names again
    records = [dict(copy.deepcopy(r), id=f"{r['id']}-{i}") for i in range(6) for r in gold_records]
    extra = [dict(copy.deepcopy(r), id=f"extra-{r['id']}-{i}", entities=[], tasks=["ner"])
             for i in range(60) for r in gold_records]  # fmt: skip
    train, ner_extra = tmp_path / "train.jsonl", tmp_path / "extra.jsonl"
    write_records(train, records)
    write_records(ner_extra, extra)
    scores = {}
    for mode in ("off", "fill"):
        argv = ["ngram_cv.py", "--model", str(tiny_model_dir), "--train", str(train), "--ner-extra", str(ner_extra),
                "--folds", "3", "--gazetteer", mode]  # fmt: skip
        monkeypatch.setattr("sys.argv", argv)
        runpy.run_path(str(SCRIPT), run_name="__main__")
        scores[mode] = _scores(capsys.readouterr().out.strip().splitlines()[-1])["NER micro-F1"]
    assert scores["off"] < 0.5 and scores["fill"] == 1.0
