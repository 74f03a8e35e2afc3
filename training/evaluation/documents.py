"""Documents mode: ``analyze(text)`` on each whole document, with its own sentence splitting.

Entities are matched exactly on ``(start, end, label)``; each gold sentence takes the stance of
the predicted sentence overlapping it most and the events of the predicted sentences that overlap
it most (:func:`training.metrics.align_sentences`); document stance accuracy; the holders of the
gold ``anti``/``pro`` sentences (:func:`holder_scores`), which the runtime finds with a rule
(:func:`arabnews_nlp.tasks.stance.find_holder`); document events: the event types a document
reports (those of any of its gold sentences) against the result's ``events``
(:attr:`arabnews_nlp.results.Analysis.events`; a result without them: its sentences' events),
micro and per type over (document, type) pairs.

Anything with ``analyze(text)`` returning an object with ``to_dict()`` (SCHEMA.md §6), or that
dict itself, can be scored: a keyword baseline uses the same code as the model.

Example:
    >>> class Nothing:
    ...     def analyze(self, text):
    ...         return {"text": text, "stance": {"label": "neutral", "score": 1.0}, "entities": [], "sentences": []}
    >>> record = {"id": "d", "text": "قال", "doc_stance": "neutral", "entities": [],
    ...           "sentences": [{"start": 0, "end": 3, "stance": "neutral", "holder": None, "events": []}]}
    >>> evaluate_documents(Nothing(), [record])["doc_stance"]["accuracy"]
    1.0
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from arabnews_nlp.text.words import split_words
from training.data.records import record_tasks
from training.evaluation.sentences import (
    AnalyzerLike,
    SentencePred,
    aligned_labels,
    progress_bar,
    result_dict,
    score_sentences,
    tags_from_entities,
)
from training.metrics import labelled_set_scores, stance_scores

Holder = tuple[str, str | None, tuple[int, int] | None, tuple[int, int] | None]
"""(gold stance, predicted stance, gold holder span, predicted holder span) of one sentence."""


def holder_scores(items: Sequence[Holder]) -> dict[str, Any]:
    """Score the holders of the gold ``anti``/``pro`` sentences.

    Args:
        items: ``(gold stance, predicted stance, gold holder span, predicted holder span)`` per
            gold ``anti``/``pro`` sentence; a span is ``None`` for no holder.

    Returns:
        ``{"n", "accuracy", "n_stance_right", "accuracy_stance_right"}``: the share of the
        sentences whose predicted stance and holder (``None`` matching ``None``) are both right,
        and among those whose stance is right, the share whose holder is right too.

    Example:
        >>> holder_scores([("anti", "anti", (0, 3), (0, 3)), ("pro", "anti", None, None),
        ...                ("anti", "anti", None, (4, 9))])
        {'n': 3, 'accuracy': 0.3333333333333333, 'n_stance_right': 2, 'accuracy_stance_right': 0.5}
    """
    right = [item for item in items if item[1] == item[0]]
    both = sum(item[2] == item[3] for item in right)
    return {"n": len(items), "accuracy": both / len(items) if items else 0.0, "n_stance_right": len(right),
            "accuracy_stance_right": both / len(right) if right else 0.0}  # fmt: skip


def document_events(result: Mapping[str, Any]) -> set[str]:
    """The event types a SCHEMA.md §6 result gives its document: its ``events``, else its sentences' events.

    Example:
        >>> sorted(document_events({"sentences": [{"events": [{"label": "THREAT", "score": 0.9}]}]}))
        ['THREAT']
    """
    if "events" in result:
        return {event["label"] for event in result["events"]}
    return {event["label"] for sentence in result.get("sentences", []) for event in sentence.get("events", [])}


def evaluate_documents(
    analyzer: AnalyzerLike, records: Sequence[Mapping[str, Any]], progress: bool = False
) -> dict[str, Any]:
    """Score ``analyzer.analyze`` on whole documents against gold (see the module docstring; ``progress``: a bar).

    Example:
        >>> evaluate_documents(None, [])["n_documents"]
        0
    """
    gold_entities, pred_entities = set(), set()
    sentence_preds: list[SentencePred] = []
    doc_gold, doc_pred = [], []
    events_gold, events_pred = set(), set()
    holders: list[Holder] = []
    for index, record in enumerate(progress_bar(records, progress, "documents mode", "doc")):
        result = result_dict(analyzer.analyze(record["text"]))
        tasks = record_tasks(record)
        if "ner" in tasks:
            gold_entities |= {(index, e["start"], e["end"], e["label"]) for e in record["entities"]}
            pred_entities |= {(index, e["start"], e["end"], e["label"]) for e in result.get("entities", [])}
        gold_spans = [(s["start"], s["end"]) for s in record["sentences"]]
        aligned = aligned_labels(gold_spans, result.get("sentences", []))
        for sentence, (start, end), (stance, events, holder) in zip(record["sentences"], gold_spans, aligned):
            words = split_words(record["text"], start, end)
            inside = [e for e in result.get("entities", []) if start <= e["start"] and e["end"] <= end]
            sentence_preds.append((tags_from_entities(words, inside), stance, events))
            if "stance" in tasks and sentence.get("stance") in ("anti", "pro"):
                gold = sentence.get("holder")
                holders.append((sentence["stance"], stance, None if gold is None else (gold["start"], gold["end"]), holder))
        if "stance" in tasks and record.get("doc_stance") is not None:
            doc_gold.append(record["doc_stance"])
            doc_pred.append(result["stance"]["label"])
        if "events" in tasks:
            events_gold |= {(index, label) for sentence in record["sentences"] for label in sentence.get("events") or ()}
            events_pred |= {(index, label) for label in document_events(result)}
    scores: dict[str, Any] = {"n_documents": len(records)}
    if any("ner" in record_tasks(r) for r in records):
        scores["entities"] = labelled_set_scores(gold_entities, pred_entities, label_of=lambda item: item[3])
    sentence_scores = score_sentences(records, sentence_preds) if records else {}
    scores.update({k: v for k, v in sentence_scores.items() if k in ("stance", "events", "n_sentences")})
    if doc_gold:
        scores["doc_stance"] = stance_scores(doc_gold, doc_pred)
    if any("events" in record_tasks(r) for r in records):
        scores["doc_events"] = labelled_set_scores(events_gold, events_pred, label_of=lambda item: item[1])
    if holders:
        scores["holder"] = holder_scores(holders)
    return scores
