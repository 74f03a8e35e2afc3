"""Scores for NER, sentence stance and events: pure functions over plain Python values.

* NER: seqeval in strict IOB2 mode (an entity counts only when its ``B-`` tag, every ``I-``
  tag, its type and its extent all match; a stray ``I-`` tag starts no entity), micro and per
  type, on words. :func:`ner_scores` also offers seqeval's default (conlleval) mode, the one
  published ANERcorp numbers use.
* Entities on raw text (document mode): exact ``(start, end, label)`` match.
* Stance: accuracy, per-class P/R/F1, macro-F1 over ``anti``/``pro``/``neutral`` and
  ``f_avg`` = mean of F1(pro) and F1(anti), the StanceEval measure.
* Events (multi-label): micro P/R/F1 over (sentence, type) pairs, macro-F1 over the types
  that occur in gold or predictions, per-type scores, and exact-set accuracy.

Every function returns plain ``float``/``int`` in nested dicts, ready for JSON.

Example:
    >>> stance_scores(["anti", "pro", "neutral"], ["anti", "neutral", "neutral"])["f_avg"]
    0.5
"""

from __future__ import annotations

from collections.abc import Collection, Hashable, Sequence
from typing import Any

from arabnews_nlp.schema import EVENT_TYPES, STANCE_LABELS

THRESHOLD_GRID: tuple[float, ...] = tuple(round(0.05 * i, 2) for i in range(1, 20))
"""Event thresholds tried on dev: 0.05, 0.10, …, 0.95."""


def prf(tp: int, n_pred: int, n_gold: int) -> dict[str, float]:
    """Return precision, recall and F1 from counts (0.0 where a ratio is undefined).

    Example:
        >>> prf(tp=1, n_pred=2, n_gold=1)
        {'precision': 0.5, 'recall': 1.0, 'f1': 0.6667, 'support': 1}
    """
    precision = tp / n_pred if n_pred else 0.0
    recall = tp / n_gold if n_gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4), "support": n_gold}


def ner_scores(gold: Sequence[Sequence[str]], pred: Sequence[Sequence[str]], mode: str = "strict") -> dict[str, Any]:
    """Score IOB2 word tags with seqeval.

    Args:
        gold: Gold tags, one list per sentence.
        pred: Predicted tags, same shape.
        mode: ``"strict"`` (IOB2 scheme, the default) or ``"conlleval"`` (seqeval's default
            lenient mode, where a stray ``I-X`` starts an entity).

    Returns:
        ``{"micro": {precision, recall, f1, support}, "per_type": {type: {…}}}``.

    Raises:
        ValueError: If the shapes differ or ``mode`` is unknown.

    Example:
        >>> gold = [["B-PER", "I-PER", "O", "B-LOC"]]
        >>> pred = [["B-PER", "I-PER", "O", "I-LOC"]]
        >>> ner_scores(gold, pred)["micro"]["f1"], ner_scores(gold, pred, mode="conlleval")["micro"]["f1"]
        (0.6667, 1.0)
    """
    from seqeval.metrics.sequence_labeling import get_entities
    from seqeval.scheme import IOB2, Entities

    if mode not in ("strict", "conlleval"):
        raise ValueError(f"mode must be 'strict' or 'conlleval', got {mode!r}")
    if len(gold) != len(pred) or any(len(g) != len(p) for g, p in zip(gold, pred)):
        raise ValueError("gold and predicted tags must have the same number of sentences and words")
    if mode == "strict":
        gold_set = {e.to_tuple() for sentence in Entities([list(t) for t in gold], IOB2).entities for e in sentence}
        pred_set = {e.to_tuple() for sentence in Entities([list(t) for t in pred], IOB2).entities for e in sentence}
    else:
        gold_set = {(i, t, s, e + 1) for i, tags in enumerate(gold) for t, s, e in get_entities(list(tags))}
        pred_set = {(i, t, s, e + 1) for i, tags in enumerate(pred) for t, s, e in get_entities(list(tags))}
    # items are (sentence, type, first_word, end_word)
    return labelled_set_scores(gold_set, pred_set, label_of=lambda item: item[1])


def labelled_set_scores(gold: Collection[Hashable], pred: Collection[Hashable], label_of: Any) -> dict[str, Any]:
    """Score exact matches between two sets of labelled items, micro and per label.

    Args:
        gold: Gold items (e.g. ``(doc, start, end, label)`` tuples).
        pred: Predicted items, same form.
        label_of: Function giving an item's label.

    Returns:
        ``{"micro": {…}, "per_type": {label: {…}}}`` with labels sorted.

    Example:
        >>> labelled_set_scores({(0, 5, "LOC")}, {(0, 5, "LOC"), (6, 9, "PER")}, lambda x: x[2])["micro"]
        {'precision': 0.5, 'recall': 1.0, 'f1': 0.6667, 'support': 1}
    """
    gold_set, pred_set = set(gold), set(pred)
    labels = sorted({label_of(item) for item in gold_set | pred_set})
    per_type = {}
    for label in labels:
        g = {item for item in gold_set if label_of(item) == label}
        p = {item for item in pred_set if label_of(item) == label}
        per_type[label] = prf(len(g & p), len(p), len(g))
    return {"micro": prf(len(gold_set & pred_set), len(pred_set), len(gold_set)), "per_type": per_type}


def stance_scores(gold: Sequence[str], pred: Sequence[str], labels: Sequence[str] = STANCE_LABELS) -> dict[str, Any]:
    """Score single-label stance predictions.

    Args:
        gold: Gold labels.
        pred: Predicted labels, same length.
        labels: The classes averaged by ``macro_f1``.

    Returns:
        ``accuracy``, ``macro_f1`` (over ``labels``), ``f_avg`` (mean F1 of ``pro`` and
        ``anti``), ``per_class`` P/R/F1 and ``n``.

    Example:
        >>> scores = stance_scores(["anti", "anti", "pro", "neutral"], ["anti", "pro", "pro", "neutral"])
        >>> scores["per_class"]["anti"]["f1"], scores["per_class"]["pro"]["f1"], scores["f_avg"]
        (0.6667, 0.6667, 0.6667)
    """
    if len(gold) != len(pred):
        raise ValueError(f"gold has {len(gold)} labels, pred {len(pred)}")
    per_class = {
        label: prf(
            sum(g == p == label for g, p in zip(gold, pred)),
            sum(p == label for p in pred),
            sum(g == label for g in gold),
        )
        for label in labels
    }
    accuracy = sum(g == p for g, p in zip(gold, pred)) / len(gold) if gold else 0.0
    return {
        "accuracy": round(accuracy, 4),
        "macro_f1": round(sum(c["f1"] for c in per_class.values()) / len(labels), 4),
        "f_avg": round((per_class["pro"]["f1"] + per_class["anti"]["f1"]) / 2, 4),
        "per_class": per_class,
        "n": len(gold),
    }


def event_scores(
    gold: Sequence[Collection[str]], pred: Sequence[Collection[str]], types: Sequence[str] = EVENT_TYPES
) -> dict[str, Any]:
    """Score multi-label event predictions, one set of types per sentence.

    Args:
        gold: Gold event types per sentence.
        pred: Predicted event types per sentence, same length.
        types: The event types, for the per-type table.

    Returns:
        ``micro`` P/R/F1 over (sentence, type) pairs, ``macro_f1`` over the types that occur in
        gold or predictions (``0.0`` when none does), ``per_type``, ``exact_match`` (share of
        sentences whose predicted set equals the gold set) and ``n``.

    Example:
        >>> s = event_scores([{"THREAT"}, {"AIRSTRIKE", "CASUALTIES"}], [{"THREAT"}, {"AIRSTRIKE"}])
        >>> s["micro"]["f1"], s["macro_f1"], s["exact_match"]
        (0.8, 0.6667, 0.5)
    """
    if len(gold) != len(pred):
        raise ValueError(f"gold has {len(gold)} sentences, pred {len(pred)}")
    gold_sets = [set(g) for g in gold]
    pred_sets = [set(p) for p in pred]
    per_type = {
        t: prf(
            sum(t in g and t in p for g, p in zip(gold_sets, pred_sets)),
            sum(t in p for p in pred_sets),
            sum(t in g for g in gold_sets),
        )
        for t in types
    }
    seen = [t for t in types if any(t in g or t in p for g, p in zip(gold_sets, pred_sets))]
    micro = prf(
        sum(len(g & p) for g, p in zip(gold_sets, pred_sets)),
        sum(len(p) for p in pred_sets),
        sum(len(g) for g in gold_sets),
    )
    return {
        "micro": micro,
        "macro_f1": round(sum(per_type[t]["f1"] for t in seen) / len(seen), 4) if seen else 0.0,
        "per_type": per_type,
        "exact_match": round(sum(g == p for g, p in zip(gold_sets, pred_sets)) / len(gold) if gold else 0.0, 4),
        "n": len(gold),
    }


def tune_thresholds(
    probs: Sequence[Sequence[float]],
    gold: Sequence[Collection[str]],
    types: Sequence[str] = EVENT_TYPES,
    grid: Sequence[float] = THRESHOLD_GRID,
    fallback: float = 0.5,
    shared: bool = False,
) -> dict[str, float]:
    """Pick event thresholds of ``grid`` on dev: per type by that type's F1, or one for all types.

    ``shared``: one threshold for every type, the one with the best micro-F1. One number is all
    a small dev set can choose reliably: per-type thresholds fitted on a handful of examples of
    a rare type do not carry over to new articles (docs/training.md). Ties go to the threshold
    closest to ``fallback``; a type (or, shared, a dev set) without any gold event keeps
    ``fallback`` (no evidence to move it).

    Args:
        probs: Per sentence, the probability of each type in ``types`` order.
        gold: Gold event types per sentence (dev data only).
        types: The event types.
        grid: Candidate thresholds.
        fallback: The threshold without evidence.
        shared: One threshold for all types (by micro-F1) instead of one per type.

    Returns:
        ``{type: threshold}`` for every type.

    Example:
        >>> tune_thresholds([[0.3], [0.2], [0.1]], [{"THREAT"}, {"THREAT"}, set()], types=["THREAT"])
        {'THREAT': 0.2}
        >>> tune_thresholds([[0.9, 0.2], [0.4, 0.1], [0.3, 0.6]], [{"A"}, {"A"}, {"B"}], types=["A", "B"], shared=True)
        {'A': 0.4, 'B': 0.4}
    """
    groups = [range(len(types))] if shared else [[k] for k in range(len(types))]
    thresholds: dict[str, float] = {}
    for group in groups:
        truth = [types[k] in g for g in gold for k in group]
        scores = [p[k] for p in probs for k in group]
        best = max(grid, key=lambda t: (_f1_at(t, scores, truth), -abs(t - fallback))) if any(truth) else fallback
        thresholds.update({types[k]: best for k in group})
    return thresholds


def _f1_at(threshold: float, scores: Sequence[float], truth: Sequence[bool]) -> float:
    tp = sum(s >= threshold and y for s, y in zip(scores, truth))
    return prf(tp, sum(s >= threshold for s in scores), sum(truth))["f1"]


def align_sentences(gold: Sequence[tuple[int, int]], pred: Sequence[tuple[int, int]]) -> list[dict[str, Any]]:
    """Align gold sentence spans with predicted ones by character overlap.

    For each gold sentence: ``best`` is the predicted sentence that overlaps it most (``None``
    when none overlaps) and ``members`` the predicted sentences whose largest overlap is with
    this gold sentence (so a gold sentence split in two by the segmenter gets both halves).

    Example:
        >>> align_sentences([(0, 10), (11, 20)], [(0, 5), (6, 20)])
        [{'best': 0, 'members': [0]}, {'best': 1, 'members': [1]}]
    """

    def overlap(a: tuple[int, int], b: tuple[int, int]) -> int:
        return max(0, min(a[1], b[1]) - max(a[0], b[0]))

    owner = {}
    for j, span in enumerate(pred):
        sizes = [overlap(g, span) for g in gold]
        if sizes and max(sizes) > 0:
            owner[j] = max(range(len(gold)), key=lambda i: sizes[i])
    aligned = []
    for i, span in enumerate(gold):
        sizes = [overlap(span, p) for p in pred]
        best = max(range(len(pred)), key=lambda j: sizes[j]) if sizes and max(sizes) > 0 else None
        aligned.append({"best": best, "members": [j for j, g in owner.items() if g == i]})
    return aligned
