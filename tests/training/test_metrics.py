"""Metric functions against hand-computed cases."""

from __future__ import annotations

import pytest

from training.metrics import (
    align_sentences,
    event_scores,
    labelled_set_scores,
    ner_scores,
    prf,
    stance_scores,
    tune_thresholds,
)


def test_seqeval_strict_differs_from_lenient() -> None:
    # Gold: PER (0-2), LOC (3-4). Pred: PER right; LOC written as a stray I-LOC.
    gold = [["B-PER", "I-PER", "O", "B-LOC"], ["B-ORG", "I-ORG"]]
    pred = [["B-PER", "I-PER", "O", "I-LOC"], ["B-ORG", "I-ORG"]]
    strict = ner_scores(gold, pred)
    # strict: the stray I-LOC is no entity -> tp 2, pred 2, gold 3
    assert strict["micro"] == {"precision": 1.0, "recall": 0.6667, "f1": 0.8, "support": 3}
    assert strict["per_type"]["LOC"] == {"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 1}
    lenient = ner_scores(gold, pred, mode="conlleval")
    assert lenient["micro"]["f1"] == 1.0


def test_seqeval_strict_type_and_boundary_errors() -> None:
    gold = [["B-PER", "I-PER", "B-LOC", "O"]]
    pred = [["B-PER", "O", "B-ORG", "O"]]  # PER too short, LOC typed ORG
    scores = ner_scores(gold, pred)
    assert scores["micro"]["f1"] == 0.0
    assert set(scores["per_type"]) == {"PER", "LOC", "ORG"}
    with pytest.raises(ValueError):
        ner_scores(gold, [["O"]])


def test_stance_eval_f_avg_and_macro() -> None:
    gold = ["anti", "anti", "anti", "pro", "neutral", "neutral"]
    pred = ["anti", "anti", "neutral", "anti", "neutral", "pro"]
    scores = stance_scores(gold, pred)
    # anti: tp 2, pred 3, gold 3 -> F1 2/3; pro: tp 0 -> 0; neutral: tp 1, pred 2, gold 2 -> 0.5
    assert scores["per_class"]["anti"]["f1"] == 0.6667
    assert scores["per_class"]["pro"]["f1"] == 0.0
    assert scores["per_class"]["neutral"]["f1"] == 0.5
    assert scores["f_avg"] == pytest.approx((0.6667 + 0.0) / 2, abs=1e-4)
    assert scores["macro_f1"] == pytest.approx((0.6667 + 0.0 + 0.5) / 3, abs=1e-4)
    assert scores["accuracy"] == 0.5


def test_event_micro_macro() -> None:
    gold = [{"ROCKET_ATTACK", "CASUALTIES"}, {"THREAT"}, set(), {"AIRSTRIKE"}]
    pred = [{"ROCKET_ATTACK"}, {"THREAT", "AIRSTRIKE"}, set(), set()]
    scores = event_scores(gold, pred)
    # pairs: gold 4, pred 3, tp 2 -> P 2/3, R 1/2, F1 4/7
    assert scores["micro"] == {"precision": 0.6667, "recall": 0.5, "f1": 0.5714, "support": 4}
    # per type: ROCKET 1, CASUALTIES 0, THREAT 1, AIRSTRIKE 0 (pred 1 wrong, gold 1 missed)
    assert scores["macro_f1"] == 0.5
    assert scores["per_type"]["AIRSTRIKE"] == {"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 1}
    assert scores["exact_match"] == 0.25


def test_prf_and_labelled_sets() -> None:
    assert prf(0, 0, 0) == {"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 0}
    gold = {(0, 0, 5, "LOC"), (0, 6, 9, "PER")}
    pred = {(0, 0, 5, "LOC"), (0, 6, 10, "PER")}
    scores = labelled_set_scores(gold, pred, lambda x: x[3])
    assert scores["micro"]["f1"] == 0.5 and scores["per_type"]["PER"]["f1"] == 0.0


def test_tune_shared_threshold() -> None:
    types = ["ROCKET_ATTACK", "THREAT"]
    probs = [[0.9, 0.2], [0.35, 0.1], [0.3, 0.6], [0.1, 0.7]]
    gold = [{"ROCKET_ATTACK"}, {"ROCKET_ATTACK"}, {"THREAT"}, {"THREAT"}]
    # per type: ROCKET is perfect in (0.30, 0.35], THREAT in (0.2, 0.6] (tie: closest to 0.5);
    # one shared threshold must do for both: 0.35 is perfect for both
    assert tune_thresholds(probs, gold, types=types) == {"ROCKET_ATTACK": 0.35, "THREAT": 0.5}
    assert tune_thresholds(probs, gold, types=types, shared=True) == {"ROCKET_ATTACK": 0.35, "THREAT": 0.35}
    # no perfect shared threshold: 0.35 finds the 3 events with one false THREAT (micro-F1 6/7),
    # 0.7 misses a rocket (4/5), 0.4-0.65 both (2/3); per type, THREAT alone would take 0.7
    gold = [{"ROCKET_ATTACK"}, {"ROCKET_ATTACK"}, set(), {"THREAT"}]
    probs = [[0.9, 0.2], [0.35, 0.1], [0.3, 0.65], [0.1, 0.7]]
    assert tune_thresholds(probs, gold, types=types)["THREAT"] == 0.7
    assert tune_thresholds(probs, gold, types=types, shared=True) == {"ROCKET_ATTACK": 0.35, "THREAT": 0.35}
    assert tune_thresholds(probs, [set()] * 4, types=types, shared=True) == {"ROCKET_ATTACK": 0.5, "THREAT": 0.5}


def test_tune_thresholds() -> None:
    probs = [[0.9, 0.2], [0.35, 0.1], [0.3, 0.6], [0.1, 0.7]]
    gold = [{"ROCKET_ATTACK"}, {"ROCKET_ATTACK"}, set(), set()]
    thresholds = tune_thresholds(probs, gold, types=["ROCKET_ATTACK", "THREAT"])
    # ROCKET: any t in (0.30, 0.35] separates perfectly -> 0.35; THREAT absent from gold -> 0.5
    assert thresholds == {"ROCKET_ATTACK": 0.35, "THREAT": 0.5}


def test_align_sentences_split_and_merge() -> None:
    gold = [(0, 10), (11, 20), (21, 30)]
    pred = [(0, 4), (5, 10), (11, 30)]  # first gold split in two, last two merged
    aligned = align_sentences(gold, pred)
    assert aligned[0] == {"best": 1, "members": [0, 1]}
    assert aligned[1]["best"] == 2 and aligned[2]["best"] == 2
    assert align_sentences([(0, 5)], []) == [{"best": None, "members": []}]
