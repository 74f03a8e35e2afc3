"""Repeated sentences with different labels: a review list for annotation teams.

News outlets copy wire copy, so the same sentence often appears in several annotated articles.
Guidelines ask for the same labels wherever the same sentence reports the same thing; a
different stance or event set on a copy is usually an oversight (sometimes the article's
context justifies it, e.g. a sentence that is news in one article and background in another).
:func:`label_conflicts` finds such sentences so that a person can decide.

Sentences are compared by their words after the runtime's normalisation
(:func:`arabnews_nlp.text.normalize.normalize_word`: diacritics, tatweel, alef forms…), so
copies that differ only in those still match. Only layers that both records declare
(``tasks``) are compared.

Example:
    >>> def rec(i, events):
    ...     text = "قصفت الطائرات مواقع التنظيم في الموصل أمس"
    ...     return {"id": i, "text": text, "sentences": [
    ...         {"start": 0, "end": len(text), "stance": "neutral", "events": events}]}
    >>> [c.where for c in label_conflicts([("a.jsonl:1", rec("a", ["AIRSTRIKE"])),
    ...                                    ("b.jsonl:4", rec("b", []))])[0].copies]
    ['a.jsonl:1', 'b.jsonl:4']
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from typing import Any

from arabnews_nlp.text.normalize import normalize_word
from training.data.records import record_tasks, span_text


@dataclasses.dataclass(frozen=True)
class Copy:
    """One occurrence of a repeated sentence.

    Attributes:
        where: Where its record is (e.g. ``"seeds/train.jsonl:12"``).
        doc_id: The record's id.
        sentence: The sentence's index in the record.
        stance: Its stance, or ``None`` when the record does not annotate stance.
        events: Its event types (sorted), or ``None`` when the record does not annotate events.
    """

    where: str
    doc_id: str
    sentence: int
    stance: str | None
    events: tuple[str, ...] | None


@dataclasses.dataclass(frozen=True)
class Conflict:
    """A sentence found more than once whose copies disagree on stance or events.

    Attributes:
        text: The first copy's text.
        copies: Every copy, in input order.
        layers: The layers on which they disagree (``"stance"``, ``"events"``).
    """

    text: str
    copies: tuple[Copy, ...]
    layers: tuple[str, ...]


def sentence_key(text: str) -> str:
    """Return the words of ``text``, normalised as the runtime does, joined by single spaces.

    Example:
        >>> sentence_key("قَالَ   الـمتحدث") == sentence_key("قال المتحدث")
        True
    """
    return " ".join(normalize_word(word) for word in text.split())


def label_conflicts(
    records: Iterable[tuple[str, Mapping[str, Any]]], min_words: int = 6
) -> list[Conflict]:
    """Return the sentences of at least ``min_words`` words whose copies carry different labels.

    Args:
        records: ``(where, record)`` pairs; ``where`` names the record in the output (a file and line).
        min_words: Shorter sentences (datelines, "read also" headlines…) are not compared.

    Returns:
        One :class:`Conflict` per repeated sentence whose copies differ in stance or in the event
        set, in order of first appearance.

    Raises:
        ValueError: If ``min_words`` is below 1.
    """
    if min_words < 1:
        raise ValueError(f"min_words must be at least 1, got {min_words}")
    groups: dict[str, list[tuple[str, Copy]]] = {}
    for where, record in records:
        tasks = record_tasks(record)
        for index, sentence in enumerate(record.get("sentences") or []):
            text = span_text(record, sentence)
            key = sentence_key(text)
            if len(key.split()) < min_words:
                continue
            events = sentence.get("events")
            copy = Copy(where, str(record.get("id")), index,
                        sentence.get("stance") if "stance" in tasks else None,
                        tuple(sorted(events)) if "events" in tasks and events is not None else None)  # fmt: skip
            groups.setdefault(key, []).append((text, copy))
    conflicts = []
    for group in groups.values():
        copies = tuple(copy for _, copy in group)
        layers = tuple(
            layer for layer in ("stance", "events")
            if len({getattr(c, layer) for c in copies if getattr(c, layer) is not None}) > 1
        )  # fmt: skip
        if layers:
            conflicts.append(Conflict(group[0][0], copies, layers))
    return conflicts
