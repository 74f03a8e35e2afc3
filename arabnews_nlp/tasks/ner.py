"""NER decoding: per-window token logits -> entities with original offsets.

Each word takes its tag from its first piece (argmax of the softmax), read in the window where
that piece is farthest from an edge (most context on both sides). IOB2 tags become word spans
(:func:`arabnews_nlp.schema.bio_to_spans`, lenient: a stray ``I-X`` starts an entity), an entity
runs from its first word's start to its last word's end in the caller's text, and its score is the
mean probability of its words' tags. A word with no token (e.g. only characters the tokenizer
drops) is tagged ``O``.

Example:
    >>> # entities = decode(text, span, [window_logits, ...], settings)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from arabnews_nlp.encoding import EncodedSpan, first_pieces
from arabnews_nlp.results import Entity
from arabnews_nlp.schema import OUTSIDE, bio_to_spans

if TYPE_CHECKING:
    import torch

    from arabnews_nlp.settings import AnalyzerSettings


def word_tags(span: EncodedSpan, logits: Sequence[torch.Tensor], labels: Sequence[str]) -> list[tuple[str, float]]:
    """Return ``(tag, probability)`` per word of ``span``.

    Args:
        span: The encoded span.
        logits: Per window, ``(len(window.input_ids), len(labels))`` NER logits.
        labels: The NER tags in id order.

    Returns:
        One pair per word; ``("O", 1.0)`` for a word without tokens.

    Example:
        >>> # word_tags(span, logits, NER_TAGS)[0] -> ('B-PER', 0.93)
    """
    best: dict[int, tuple[int, str, float]] = {}
    for window, window_logits in zip(span.windows, logits):
        top = window_logits.float().softmax(dim=-1).max(dim=-1)
        scores, ids = top.values.tolist(), top.indices.tolist()
        last = len(window.input_ids) - 1
        marks = first_pieces(window)
        for position, (word, is_first) in enumerate(zip(window.word_ids, marks)):
            if word is None or not is_first:
                continue
            distance = min(position, last - position)
            if word not in best or distance > best[word][0]:
                best[word] = (distance, labels[ids[position]], scores[position])
    return [(best[i][1], best[i][2]) if i in best else (OUTSIDE, 1.0) for i in range(len(span.words))]


def decode(
    text: str, span: EncodedSpan, logits: Sequence[torch.Tensor], settings: AnalyzerSettings
) -> tuple[Entity, ...]:
    """Decode the entities of one span.

    Args:
        text: The caller's text (offsets index it).
        span: The encoded span.
        logits: Per window, its NER logits (``(tokens, tags)``, padding removed).
        settings: Gives the NER labels.

    Returns:
        The entities in text order.

    Example:
        >>> # decode(text, span, logits, settings)[0].text == text[e.start:e.end]
    """
    if not span.windows:
        return ()
    tags = word_tags(span, logits, settings.labels["ner"])
    entities = []
    for first, last, label in bio_to_spans([tag for tag, _ in tags]):
        start, end = span.words[first][0], span.words[last - 1][1]
        score = sum(probability for _, probability in tags[first:last]) / (last - first)
        entities.append(Entity(start=start, end=end, label=label, text=text[start:end], score=score))
    return tuple(entities)
