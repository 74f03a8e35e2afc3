"""Sentences mode: predictions on the gold sentence spans, scored per layer.

NER on words (seqeval, strict IOB2), sentence stance, sentence events. For a model directory the
model runs on each gold span through the runtime's encoder and decoders (:mod:`training.predict`);
for any other object with the analyzer interface, ``analyze()`` runs on each gold sentence's text.

Example:
    >>> rec = {"text": "في بغداد", "entities": [{"start": 3, "end": 8, "label": "LOC"}],
    ...        "sentences": [{"start": 0, "end": 8, "stance": "neutral", "events": []}]}
    >>> score_sentences([rec], [(["O", "B-LOC"], "neutral", set())])["ner"]["micro"]["f1"]
    1.0
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Protocol, TypeVar

from arabnews_nlp.schema import OUTSIDE, spans_to_bio
from arabnews_nlp.text.words import split_words
from training.data.records import record_tasks, sentence_entities
from training.features import gold_sentences, word_spans_of_entities
from training.metrics import align_sentences, event_scores, ner_scores, stance_scores

SentencePred = tuple[list[str], str | None, set[str]]
"""Per gold sentence: predicted word tags, stance label, event types."""


class AnalyzerLike(Protocol):
    """Anything scored in ``documents`` mode: ``analyze(text)`` gives a SCHEMA.md §6 result."""

    def analyze(self, text: str) -> Any:
        """Return an object with ``to_dict()`` (or the dict) for ``text``."""


def result_dict(result: Any) -> dict[str, Any]:
    """Return the SCHEMA.md §6 dict of an analysis (``to_dict()`` or the dict itself).

    Example:
        >>> result_dict({"entities": []})
        {'entities': []}
    """
    return dict(result) if isinstance(result, Mapping) else result.to_dict()


def gold_tags(record: Mapping[str, Any], sentence: Mapping[str, Any]) -> list[str]:
    """Return the gold IOB2 tag of each word of ``sentence``.

    Example:
        >>> rec = {"text": "في بغداد", "entities": [{"start": 3, "end": 8, "label": "LOC"}]}
        >>> gold_tags(rec, {"start": 0, "end": 8})
        ['O', 'B-LOC']
    """
    words = split_words(record["text"], sentence["start"], sentence["end"])
    return spans_to_bio(len(words), word_spans_of_entities(words, sentence_entities(record, sentence)))


def tags_from_entities(words: Sequence[tuple[int, int]], entities: Iterable[Mapping[str, Any]]) -> list[str]:
    """Tag words from predicted character spans: a word is inside an entity lying over it.

    Predicted spans that cover no whole word, or that overlap an earlier one, are skipped.

    Example:
        >>> tags_from_entities([(0, 2), (3, 8)], [{"start": 3, "end": 8, "label": "LOC"}])
        ['O', 'B-LOC']
    """
    tags = [OUTSIDE] * len(words)
    for entity in entities:
        inside = [i for i, (s, e) in enumerate(words) if entity["start"] <= s and e <= entity["end"]]
        if not inside or any(tags[i] != OUTSIDE for i in inside):
            continue
        tags[inside[0]] = f"B-{entity['label']}"
        for i in inside[1:]:
            tags[i] = f"I-{entity['label']}"
    return tags


def score_sentences(records: Sequence[Mapping[str, Any]], predictions: Sequence[SentencePred]) -> dict[str, Any]:
    """Score per-gold-sentence predictions (in :func:`training.features.gold_sentences` order).

    Each layer is scored only on the sentences whose record annotates it (``tasks``).

    Example:
        >>> rec = {"text": "في بغداد", "entities": [{"start": 3, "end": 8, "label": "LOC"}],
        ...        "sentences": [{"start": 0, "end": 8, "stance": "neutral", "events": []}]}
        >>> score_sentences([rec], [(["O", "B-LOC"], "neutral", set())])["ner"]["micro"]["f1"]
        1.0
    """
    refs = gold_sentences(records)
    if len(refs) != len(predictions):
        raise ValueError(f"{len(refs)} gold sentences but {len(predictions)} predictions")
    ner_gold, ner_pred, stance_gold, stance_pred, event_gold, event_pred = [], [], [], [], [], []
    for (record, sentence), (tags, stance, events) in zip(refs, predictions):
        tasks = record_tasks(record)
        if "ner" in tasks:
            ner_gold.append(gold_tags(record, sentence))
            ner_pred.append(tags)
        if "stance" in tasks and sentence.get("stance") is not None:
            stance_gold.append(sentence["stance"])
            stance_pred.append(stance or "")
        if "events" in tasks and sentence.get("events") is not None:
            event_gold.append(set(sentence["events"]))
            event_pred.append(events)
    scores: dict[str, Any] = {"n_sentences": len(refs)}
    if ner_gold:
        scores["ner"] = ner_scores(ner_gold, ner_pred)
    if stance_gold:
        scores["stance"] = stance_scores(stance_gold, stance_pred)
    if event_gold:
        scores["events"] = event_scores(event_gold, event_pred)
    return scores


def model_sentence_predictions(
    model: Any,
    tokenizer: Any,
    settings: Any,
    records: Sequence[Mapping[str, Any]],
    batch_size: int = 32,
    progress: bool = False,
) -> list[SentencePred]:
    """Run an analyzer model on every gold sentence span (see :mod:`training.predict`; ``progress``: a bar).

    Example:
        >>> # preds = model_sentence_predictions(model, tokenizer, settings, records)
    """
    from training.predict import predict_spans

    refs = gold_sentences(records)
    spans = [(record["text"], s["start"], s["end"]) for record, s in refs]
    predictions = predict_spans(model, tokenizer, settings, spans, batch_size, progress)
    stance_labels, event_labels = settings.labels["stance"], settings.labels["events"]
    return [
        (p.tags, p.stance(stance_labels, settings.stance_weights), p.events(event_labels, settings.event_thresholds))
        for p in predictions
    ]


def analyzer_sentence_predictions(
    analyzer: AnalyzerLike, records: Sequence[Mapping[str, Any]], progress: bool = False
) -> list[SentencePred]:
    """Run ``analyzer.analyze`` on each gold sentence's text (for analyzers that are not models; ``progress``: a bar).

    Example:
        >>> # preds = analyzer_sentence_predictions(KeywordBaseline(), records)
    """
    predictions: list[SentencePred] = []
    for record, sentence in progress_bar(gold_sentences(records), progress, "sentences mode", "sentence"):
        start, end = sentence["start"], sentence["end"]
        result = result_dict(analyzer.analyze(record["text"][start:end]))
        words = split_words(record["text"][start:end])
        tags = tags_from_entities(words, result.get("entities", []))
        stance, events, _ = aligned_labels([(0, end - start)], result.get("sentences", []))[0]
        predictions.append((tags, stance, events))
    return predictions


def aligned_labels(
    gold_spans: Sequence[tuple[int, int]], predicted: Sequence[Mapping[str, Any]]
) -> list[tuple[str | None, set[str], tuple[int, int] | None]]:
    """Per gold sentence: the stance and holder span of the predicted sentence overlapping it most, and the events.

    The events are those of the predicted sentences that overlap it most
    (:func:`training.metrics.align_sentences`).

    Example:
        >>> aligned_labels([(0, 5)], [{"start": 0, "end": 5, "stance": {"label": "pro"}, "events": []}])
        [('pro', set(), None)]
    """
    spans = [(p["start"], p["end"]) for p in predicted]
    labels = []
    for match in align_sentences(gold_spans, spans):
        best = match["best"]
        stance = predicted[best]["stance"] if best is not None else None
        holder = (stance or {}).get("holder")
        members = match["members"] or ([best] if best is not None else [])
        events = {e["label"] for j in members for e in predicted[j].get("events", [])}
        labels.append((stance["label"] if stance else None, events, None if holder is None else (holder["start"], holder["end"])))
    return labels


T = TypeVar("T")


def progress_bar(items: Sequence[T], progress: bool, desc: str, unit: str) -> Iterable[T]:
    """``items``, behind a tqdm bar on stderr when ``progress``.

    Example:
        >>> progress_bar([1, 2], False, "documents mode", "doc")
        [1, 2]
    """
    if not progress:
        return items
    from tqdm import tqdm

    return tqdm(items, desc=desc, unit=unit, file=sys.stderr)
