"""Labels of the arabnews-nlp schema: the one source of truth for every label name.

Everything that names a label (models, training data, evaluation, the CLI) reads it from here.
The contract is ``SCHEMA.md`` (schema version 1): entity types, sentence stance toward the
US/coalition military presence in Iraq and Syria, and multi-label conflict events.

Example:
    >>> from arabnews_nlp.schema import ENTITY_TYPES, bio_labels
    >>> bio_labels(ENTITY_TYPES)[:3]
    ('O', 'B-PER', 'I-PER')
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

SCHEMA_VERSION = 1

ENTITY_TYPES: tuple[str, ...] = ("PER", "ORG", "LOC", "FAC")
"""Named-entity types (SCHEMA.md §2)."""

STANCE_LABELS: tuple[str, ...] = ("anti", "pro", "neutral")
"""Sentence and document stance toward the foreign military presence (SCHEMA.md §3)."""

EVENT_TYPES: tuple[str, ...] = (
    "ROCKET_ATTACK",
    "DRONE_ATTACK",
    "AIRSTRIKE",
    "ARMED_CLASH",
    "INTERCEPTION",
    "CASUALTIES",
    "TROOP_DEPLOYMENT",
    "WITHDRAWAL",
    "WITHDRAWAL_TALKS",
    "LEGISLATIVE_ACTION",
    "THREAT",
)
"""Conflict event types, zero or more per sentence (SCHEMA.md §4)."""

NEUTRAL = "neutral"
OUTSIDE = "O"

ANERCORP_TO_SCHEMA: dict[str, str | None] = {"PERS": "PER", "PER": "PER", "LOC": "LOC", "ORG": "ORG", "MISC": None}
"""ANERcorp entity types mapped to ours (SCHEMA.md §2); ``None`` means the span becomes ``O``."""


def bio_labels(entity_types: Iterable[str] = ENTITY_TYPES) -> tuple[str, ...]:
    """Return the IOB2 tag set for ``entity_types``: ``O`` then ``B-X``, ``I-X`` per type.

    Args:
        entity_types: Entity type names, in a fixed order.

    Returns:
        The tags, ``O`` first, in a stable order used as model label ids.

    Example:
        >>> bio_labels(["PER"])
        ('O', 'B-PER', 'I-PER')
    """
    tags = [OUTSIDE]
    for entity_type in entity_types:
        tags += [f"B-{entity_type}", f"I-{entity_type}"]
    return tuple(tags)


NER_TAGS: tuple[str, ...] = bio_labels(ENTITY_TYPES)
"""The IOB2 tag set of the NER head, in label-id order."""


def spans_to_bio(n_words: int, spans: Iterable[tuple[int, int, str]]) -> list[str]:
    """Turn word-index spans ``(first, last_exclusive, type)`` into IOB2 tags.

    Args:
        n_words: Number of words in the sequence.
        spans: Non-overlapping spans over word indices, end exclusive.

    Returns:
        One tag per word.

    Raises:
        ValueError: If a span is out of range, empty or overlaps another.

    Example:
        >>> spans_to_bio(3, [(1, 3, "LOC")])
        ['O', 'B-LOC', 'I-LOC']
    """
    tags = [OUTSIDE] * n_words
    for first, last, entity_type in spans:
        if not 0 <= first < last <= n_words:
            raise ValueError(f"span ({first}, {last}) is outside 0..{n_words} or empty")
        if any(tag != OUTSIDE for tag in tags[first:last]):
            raise ValueError(f"span ({first}, {last}, {entity_type}) overlaps another span")
        tags[first] = f"B-{entity_type}"
        for i in range(first + 1, last):
            tags[i] = f"I-{entity_type}"
    return tags


def bio_to_spans(tags: Sequence[str]) -> list[tuple[int, int, str]]:
    """Decode IOB2 tags into ``(first, last_exclusive, type)`` word spans.

    A stray ``I-X`` that does not continue an ``X`` span starts a new span (the lenient reading
    used by transformers' aggregation), so no predicted entity is dropped.

    Args:
        tags: One IOB2 tag per word.

    Returns:
        The spans in order.

    Example:
        >>> bio_to_spans(["B-PER", "I-PER", "O", "I-LOC"])
        [(0, 2, 'PER'), (3, 4, 'LOC')]
    """
    spans: list[tuple[int, int, str]] = []
    start: int | None = None
    current: str | None = None
    for i, tag in enumerate(tags):
        prefix, _, entity_type = tag.partition("-")
        continues = prefix == "I" and entity_type == current
        if start is not None and not continues:
            spans.append((start, i, current or ""))
            start, current = None, None
        if prefix in ("B", "I") and not continues:
            start, current = i, entity_type
    if start is not None:
        spans.append((start, len(tags), current or ""))
    return spans


def check_labels(kind: str, found: Sequence[str], expected: Sequence[str]) -> None:
    """Raise if a model's labels differ from the schema's.

    Args:
        kind: What the labels are for (``"ner"``, ``"stance"``, ``"events"``), for the message.
        found: The labels the model declares, in id order.
        expected: The labels of this schema version, in id order.

    Raises:
        arabnews_nlp.errors.LabelMismatchError: If they differ in content or order.
    """
    from arabnews_nlp.errors import LabelMismatchError

    if tuple(found) != tuple(expected):
        raise LabelMismatchError(kind, tuple(found), tuple(expected))
