"""Do two runs say the same thing? Per-sentence agreement of entities, stance and events.

Entities are compared on words (:func:`arabnews_nlp.text.words.split_words` of the sentence):
``(first word, last word, label)``, so a diacritic at a word's edge (kept by the analyzer, left
out by a pipeline's offset mapping) does not count as a disagreement.

Example:
    >>> view = SentenceView(frozenset({(0, 0, "LOC")}), "neutral", frozenset())
    >>> agreement([view], [view])["entities_exact"]
    1.0
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from arabnews_nlp.text.words import split_words


@dataclass(frozen=True)
class SentenceView:
    """What is compared for one sentence.

    Example:
        >>> SentenceView(frozenset(), "neutral", frozenset()).stance
        'neutral'
    """

    entities: frozenset[tuple[int, int, str]]
    stance: str
    events: frozenset[str]


def _word_of_char(sentence: str) -> dict[int, int]:
    return {char: index for index, (start, end) in enumerate(split_words(sentence)) for char in range(start, end)}


def entity_words(sentence: str, spans: Iterable[tuple[int, int, str]]) -> frozenset[tuple[int, int, str]]:
    """Map ``(start, end, label)`` spans (offsets into ``sentence``) to ``(first word, last word, label)``.

    A span whose edge falls outside every word keeps ``-1`` there (and so disagrees).

    Example:
        >>> sorted(entity_words("في بغدادَ", [(3, 8, "LOC")]))
        [(1, 1, 'LOC')]
    """
    words = _word_of_char(sentence)
    return frozenset((words.get(start, -1), words.get(end - 1, -1), label) for start, end, label in spans)


def analysis_views(analyses: Iterable[Any]) -> list[SentenceView]:
    """One view per sentence of each :class:`~arabnews_nlp.results.Analysis`, in order.

    Example:
        >>> # analysis_views(analyzer.pipe(texts))
    """
    views = []
    for analysis in analyses:
        for sentence in analysis.sentences:
            spans = [(e.start - sentence.start, e.end - sentence.start, e.label) for e in sentence.entities]
            views.append(
                SentenceView(
                    entity_words(sentence.text, spans),
                    sentence.stance.label,
                    frozenset(event.label for event in sentence.events),
                )
            )
    return views


def pipeline_views(sentences: Sequence[str], results: Sequence[Any]) -> list[SentenceView]:
    """One view per sentence from :class:`~arabnews_nlp.hf_pipelines.PipelineResult` objects.

    Example:
        >>> # pipeline_views(sentences, run_pipelines(pipes, sentences))
    """
    return [
        SentenceView(
            entity_words(sentence, [(start, end, label) for start, end, label, _ in result.entities]),
            result.stance,
            frozenset(result.events),
        )
        for sentence, result in zip(sentences, results)
    ]


def agreement(first: Sequence[SentenceView], second: Sequence[SentenceView]) -> dict[str, float]:
    """Agreement rates of two equally long view lists.

    Returns:
        ``sentences`` (count); ``entities_exact``: share of sentences with the same entity set;
        ``entities_jaccard``: shared entities / entities in either (1.0 when neither has any);
        ``stance``: same label; ``events_exact``: same event set; ``all``: all three agree.

    Raises:
        ValueError: If the lists differ in length.

    Example:
        >>> a = SentenceView(frozenset({(0, 0, "PER")}), "anti", frozenset({"THREAT"}))
        >>> b = SentenceView(frozenset(), "anti", frozenset({"THREAT"}))
        >>> agreement([a, a], [a, b])["entities_jaccard"]
        0.5
    """
    if len(first) != len(second):
        raise ValueError(f"cannot compare {len(first)} sentences with {len(second)}")
    n = len(first)
    if n == 0:
        return {"sentences": 0}
    shared = sum(len(a.entities & b.entities) for a, b in zip(first, second))
    either = sum(len(a.entities | b.entities) for a, b in zip(first, second))
    return {
        "sentences": n,
        "entities_exact": sum(a.entities == b.entities for a, b in zip(first, second)) / n,
        "entities_jaccard": shared / either if either else 1.0,
        "entities_first": sum(len(a.entities) for a in first),
        "entities_second": sum(len(b.entities) for b in second),
        "stance": sum(a.stance == b.stance for a, b in zip(first, second)) / n,
        "events_exact": sum(a.events == b.events for a, b in zip(first, second)) / n,
        "all": sum(a == b for a, b in zip(first, second)) / n,
    }
