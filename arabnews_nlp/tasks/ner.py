"""NER decoding: per-window token logits -> entities with original offsets.

Each word reads the tag distribution of its first piece (softmax), in the window where that
piece is farthest from an edge (most context on both sides); when the model has an n-gram tagger,
that distribution is blended with the tagger's (:func:`arabnews_nlp.ngram.blend`, weight
``settings.ngram["ner_weight"]``). The sentence's tags are then the most probable **valid** IOB2
sequence (Viterbi: ``I-X`` only after ``B-X`` or ``I-X``), so a multi-word name is never cut into
fragments by one uncertain word. Tags become word spans
(:func:`arabnews_nlp.schema.bio_to_spans`), an entity
runs from its first word's start to its last word's end in the caller's text, and its score is the
mean probability of its words' tags. A word with no token (e.g. only characters the tokenizer
drops) is tagged ``O``. Two names of one type joined by an underscore, as hashtags write them
(``#دونالد_ترامب``), are one entity (:func:`join_underscored`), as the annotated data has them.

Example:
    >>> # entities = decode(text, span, [window_logits, ...], settings)
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from arabnews_nlp.encoding import EncodedSpan, first_pieces
from arabnews_nlp.ngram import blend
from arabnews_nlp.results import Entity
from arabnews_nlp.tasks.arrays import softmax
from arabnews_nlp.tasks.gazetteer import apply_gazetteer
from arabnews_nlp.schema import OUTSIDE, bio_to_spans

if TYPE_CHECKING:
    from arabnews_nlp.settings import AnalyzerSettings


def word_probabilities(span: EncodedSpan, logits: Sequence[Any], labels: Sequence[str]) -> list[list[float]]:
    """Return the tag distribution of each word of ``span`` (``O`` with 1.0 for a word without tokens).

    Args:
        span: The encoded span.
        logits: Per window, ``(len(window.input_ids), len(labels))`` NER logits.
        labels: The NER tags in id order.

    Example:
        >>> # word_probabilities(span, logits, NER_TAGS)[0] -> [0.9, 0.02, ...]
    """
    best: dict[int, tuple[int, list[float]]] = {}
    for window, window_logits in zip(span.windows, logits):
        probabilities = softmax(window_logits).tolist()
        last = len(window.input_ids) - 1
        marks = first_pieces(window)
        for position, (word, is_first) in enumerate(zip(window.word_ids, marks)):
            if word is None or not is_first:
                continue
            distance = min(position, last - position)
            if word not in best or distance > best[word][0]:
                best[word] = (distance, probabilities[position])
    outside = [1.0 if label == OUTSIDE else 0.0 for label in labels]
    return [best[i][1] if i in best else outside for i in range(len(span.words))]


def tag_words(rows: Sequence[Sequence[float]], labels: Sequence[str], decoding: str = "viterbi") -> list[tuple[str, float]]:
    """Return ``(tag, probability)`` per word from its tag distribution (``rows``).

    Example:
        >>> tag_words([[0.2, 0.8, 0.0], [0.6, 0.0, 0.4]], ["O", "B-PER", "I-PER"])
        [('B-PER', 0.8), ('O', 0.6)]
    """
    decode = viterbi_bio if decoding == "viterbi" else argmax_tags
    return [(labels[tag], rows[i][tag]) for i, tag in enumerate(decode(rows, labels))]


def word_tags(
    span: EncodedSpan, logits: Sequence[Any], labels: Sequence[str], decoding: str = "viterbi",
    ngram: Sequence[Sequence[float]] | None = None, weight: float = 0.0,
) -> list[tuple[str, float]]:
    """Return ``(tag, probability)`` per word of ``span``.

    Args:
        span: The encoded span.
        logits: Per window, ``(len(window.input_ids), len(labels))`` NER logits.
        labels: The NER tags in id order.
        decoding: ``"viterbi"`` (valid IOB2, the default) or ``"argmax"`` (each word's most
            probable tag, as ``transformers``' token-classification pipeline does).
        ngram: Per word, the n-gram tagger's distribution (:mod:`arabnews_nlp.ngram`), if any.
        weight: Its weight in the blend with the encoder's distribution.

    Returns:
        One pair per word; ``("O", 1.0)`` for a word without tokens (unless the tagger says otherwise).

    Example:
        >>> # word_tags(span, logits, NER_TAGS)[0] -> ('B-PER', 0.93)
    """
    return tag_words(blend_rows(word_probabilities(span, logits, labels), ngram, weight), labels, decoding)


def blend_rows(
    rows: Sequence[Sequence[float]], ngram: Sequence[Sequence[float]] | None, weight: float
) -> list[list[float]]:
    """Blend each word's tag distribution with the n-gram tagger's (``rows`` unchanged without one).

    Example:
        >>> blend_rows([[1.0, 0.0]], [[0.0, 1.0]], 0.25)
        [[0.75, 0.25]]
    """
    if ngram is None:
        return [list(row) for row in rows]
    return [blend(row, tagger, weight) for row, tagger in zip(rows, ngram)]


def postprocess(
    text: str, words: Sequence[tuple[int, int]], tags: list[tuple[str, float]], settings: AnalyzerSettings
) -> list[tuple[str, float]]:
    """Drop the model's entities scored below ``settings.ner_min_score``, then join the gazetteer.

    An entity's score is the mean probability of its words' tags; a name found by the gazetteer
    scores 1.0.

    Example:
        >>> # postprocess(text, span.words, word_tags(span, logits, labels), settings)
    """
    if settings.ner_min_score > 0.0:
        kept = list(tags)
        for first, last, _ in bio_to_spans([tag for tag, _ in tags]):
            if sum(p for _, p in tags[first:last]) / (last - first) < settings.ner_min_score:
                kept[first:last] = [(OUTSIDE, 1.0)] * (last - first)
        tags = kept
    if settings.gazetteer_mode == "off" or not settings.gazetteer:
        return tags
    combined = apply_gazetteer(
        text, words, [tag for tag, _ in tags], settings.gazetteer, settings.gazetteer_mode, settings.normalization
    )
    return [(new, probability if new == old else 1.0) for new, (old, probability) in zip(combined, tags)]


def join_underscored(
    text: str, words: Sequence[tuple[int, int]], tags: Sequence[tuple[str, float]]
) -> list[tuple[str, float]]:
    """Join two entities of one type that only an underscore touching both separates (``#جو_بايدن``).

    The word splitter makes ``_`` a word of its own, and the model, which has seen few hashtags,
    may tag ``دونالد _ ترامب`` as two names; the annotated data never has two entities joined so,
    and 11 of its entities hold an underscore. The underscore takes the second name's tag
    probability.

    Args:
        text: The caller's text.
        words: The word spans.
        tags: Per word, its tag and that tag's probability.

    Returns:
        The tags, with each such underscore and the name after it continuing the name before.

    Example:
        >>> text = "#دونالد_ترامب"
        >>> join_underscored(text, [(0, 1), (1, 7), (7, 8), (8, 13)],
        ...                  [("O", 0.9), ("B-PER", 0.8), ("O", 0.6), ("B-PER", 0.7)])
        [('O', 0.9), ('B-PER', 0.8), ('I-PER', 0.7), ('I-PER', 0.7)]
    """
    joined = list(tags)
    for i in range(1, len(words) - 1):
        (_, before_end), (start, end), (after_start, _) = words[i - 1], words[i], words[i + 1]
        previous, following = joined[i - 1][0], joined[i + 1][0]
        if (
            text[start:end] == "_" and before_end == start and end == after_start
            and previous != OUTSIDE and following.startswith("B-") and previous[2:] == following[2:]
        ):  # fmt: skip
            joined[i] = joined[i + 1] = ("I-" + following[2:], joined[i + 1][1])
    return joined


def _allowed(previous: str | None, current: str) -> bool:
    if not current.startswith("I-"):
        return True
    return previous is not None and previous[2:] == current[2:] and previous[:2] in ("B-", "I-")


def argmax_tags(probabilities: Sequence[Sequence[float]], labels: Sequence[str]) -> list[int]:
    """Return each word's most probable label id (the sequence may be invalid IOB2).

    Example:
        >>> argmax_tags([[0.1, 0.9], [0.7, 0.3]], ["O", "B-PER"])
        [1, 0]
    """
    return [max(range(len(row)), key=row.__getitem__) for row in probabilities]


def viterbi_bio(probabilities: Sequence[Sequence[float]], labels: Sequence[str]) -> list[int]:
    """Return the label ids of the most probable valid IOB2 sequence.

    Args:
        probabilities: Per word, a probability per label.
        labels: The IOB2 tags in id order.

    Example:
        >>> labels = ["O", "B-ORG", "I-ORG", "B-LOC", "I-LOC"]
        >>> # argmax would give B-ORG, B-LOC, I-ORG: a fragment; the valid best keeps one name
        >>> [labels[i] for i in viterbi_bio([[0, .9, .1, 0, 0], [0, .1, .4, .5, 0], [0, 0, .9, 0, .1]], labels)]
        ['B-ORG', 'I-ORG', 'I-ORG']
    """
    if not probabilities:
        return []
    n = len(labels)
    sources = [[i for i in range(n) if _allowed(labels[i], labels[j])] for j in range(n)]
    logs = [[math.log(max(p, 1e-12)) for p in row] for row in probabilities]
    score = [logs[0][j] if _allowed(None, labels[j]) else -math.inf for j in range(n)]
    back: list[list[int]] = []
    for row in logs[1:]:
        pointers = [max(sources[j], key=score.__getitem__) for j in range(n)]
        score = [score[pointers[j]] + row[j] for j in range(n)]
        back.append(pointers)
    path = [max(range(n), key=lambda j: score[j])]
    for pointers in reversed(back):
        path.append(pointers[path[-1]])
    return path[::-1]


def decode(
    text: str, span: EncodedSpan, logits: Sequence[Any], settings: AnalyzerSettings,
    ngram: Sequence[Sequence[float]] | None = None,
) -> tuple[Entity, ...]:
    """Decode the entities of one span.

    Args:
        text: The caller's text (offsets index it).
        span: The encoded span.
        logits: Per window, its NER logits (``(tokens, tags)``, padding removed).
        settings: Gives the NER labels.
        ngram: Per word, the n-gram tagger's tag distribution, if the model has one.

    Returns:
        The entities in text order.

    Example:
        >>> # decode(text, span, logits, settings)[0].text == text[e.start:e.end]
    """
    if not span.windows:
        return ()
    weight = float(settings.ngram.get("ner_weight", 0.0))
    decoded = word_tags(span, logits, settings.labels["ner"], settings.ner_decoding, ngram, weight)
    tags = join_underscored(text, span.words, postprocess(text, span.words, decoded, settings))
    entities = []
    for first, last, label in bio_to_spans([tag for tag, _ in tags]):
        start, end = span.words[first][0], span.words[last - 1][1]
        score = sum(probability for _, probability in tags[first:last]) / (last - first)
        entities.append(Entity(start=start, end=end, label=label, text=text[start:end], score=score))
    return tuple(entities)
