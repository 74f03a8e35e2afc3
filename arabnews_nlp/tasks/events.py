"""Event decoding: per-window event logits -> the event types a sentence reports.

Each type is an independent sigmoid; a span's probability is the maximum over its windows (an
event mentioned anywhere in a long sentence counts), blended, when the model has one, with the
bag-of-n-grams model's probability (:func:`arabnews_nlp.ngram.blend`, weight
``settings.ngram["events_weight"]``); a type is reported when it reaches its
threshold in ``settings.event_thresholds`` (tuned on dev data by training, 0.5 by default).

Example:
    >>> # events = decode(text, span, [window_logits, ...], settings)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from arabnews_nlp.encoding import EncodedSpan
from arabnews_nlp.ngram import blend
from arabnews_nlp.results import Event
from arabnews_nlp.tasks.arrays import as_array, sigmoid

if TYPE_CHECKING:
    from arabnews_nlp.settings import AnalyzerSettings


def probabilities(logits: Sequence[Any]) -> list[float]:
    """Return per event type the maximum sigmoid probability over windows (``[]`` if none).

    Example:
        >>> probabilities([[0.0, 2.0], [1.0, -2.0]])[1] > 0.88
        True
    """
    if not logits:
        return []
    stacked = sigmoid([as_array(window_logits) for window_logits in logits])
    return [float(value) for value in stacked.max(axis=0)]


def span_probabilities(
    logits: Sequence[Any], settings: AnalyzerSettings, ngram: Sequence[float] | None = None
) -> list[float]:
    """Return the span's event probabilities: the windows' maximum, blended with ``ngram`` if given.

    Example:
        >>> from arabnews_nlp.settings import AnalyzerSettings
        >>> span_probabilities([[0.0]], AnalyzerSettings(ngram={"events_weight": 0.5}), [1.0])
        [0.75]
    """
    return blend(probabilities(logits), ngram, float(settings.ngram.get("events_weight", 0.0)))


def decode(
    text: str, span: EncodedSpan, logits: Sequence[Any], settings: AnalyzerSettings,
    ngram: Sequence[float] | None = None,
) -> tuple[Event, ...]:
    """Decode the events of one span.

    Args:
        text: The caller's text (unused; kept so every task decoder has the same shape).
        span: The encoded span.
        logits: Per window, its event logits (``(len(event types),)``).
        settings: Gives the event labels and thresholds.
        ngram: The n-gram model's event probabilities for the span, if any.

    Returns:
        The reported events, highest probability first.

    Example:
        >>> # decode(text, span, logits, settings) -> (Event('ROCKET_ATTACK', 0.97),)
    """
    if not span.windows:
        return ()
    labels = settings.labels["events"]
    events = [
        Event(label=label, score=score)
        for label, score in zip(labels, span_probabilities(logits, settings, ngram))
        if score >= settings.event_thresholds.get(label, 0.5)
    ]
    return tuple(sorted(events, key=lambda event: -event.score))
