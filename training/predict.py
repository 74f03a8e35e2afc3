"""Batched predictions on given spans (gold sentences), for scoring and threshold tuning.

The runtime (:class:`arabnews_nlp.api.Analyzer`) splits a document into its own sentences;
scoring on *gold* sentences needs the model run on spans we choose. This module runs the model
over every window of the spans in length-sorted batches and hands the per-window logits to the
runtime decoders (:func:`arabnews_nlp.tasks.ner.word_tags`,
:func:`arabnews_nlp.tasks.stance.sentence_probabilities`,
:func:`arabnews_nlp.tasks.events.span_probabilities`, with the model's n-gram blend when ``texts``
and ``settings`` are given), so training scores exactly what inference
would output for those spans.

Example:
    >>> # preds = predict_spans(model, tokenizer, settings, [(text, 0, 42)])
    >>> # preds[0].tags, preds[0].stance, preds[0].events(settings)
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from arabnews_nlp import ngram
from arabnews_nlp.encoding import EncodedSpan, Window, collate, encode_span
from arabnews_nlp.tasks import events as events_task
from arabnews_nlp.tasks import ner as ner_task
from arabnews_nlp.tasks import stance as stance_task

if TYPE_CHECKING:
    import torch

    from arabnews_nlp.settings import AnalyzerSettings

Span = tuple[str, int, int]
"""``(text, start, end)``: a span of a caller's text."""


@dataclass(frozen=True)
class SpanPrediction:
    """The model's output for one span.

    Attributes:
        words: Word spans (offsets into the span's text).
        tags: Predicted IOB2 tag per word.
        stance_probs: Stance probabilities (label order of the settings); empty for a model
            without a stance head or a span without tokens.
        event_probs: Event probabilities (label order of the settings); empty likewise.
        decoded: The model's own ``(tag, probability)`` per word, before the post-processing
            that gave ``tags`` (so other post-processing settings can be tried without the model).
        ner_probs: Per word, the encoder's tag distribution before any n-gram blend (so blend
            weights can be tried without the model).

    Example:
        >>> p = SpanPrediction([(0, 3)], ["O"], [0.1, 0.2, 0.7], [0.9])
        >>> p.stance(["anti", "pro", "neutral"]), p.events(["THREAT"], {"THREAT": 0.5})
        ('neutral', {'THREAT'})
    """

    words: list[tuple[int, int]]
    tags: list[str]
    stance_probs: list[float] = field(default_factory=list)
    event_probs: list[float] = field(default_factory=list)
    decoded: list[tuple[str, float]] = field(default_factory=list)
    ner_probs: list[list[float]] = field(default_factory=list)

    def stance(self, labels: Sequence[str], weights: Mapping[str, float] | None = None) -> str | None:
        """Return the stance label as inference chooses it (``None`` when there is no probability).

        ``weights``: ``settings.stance_weights`` (see :func:`arabnews_nlp.tasks.stance.choose`).
        """
        if not self.stance_probs:
            return None
        return labels[stance_task.choose(self.stance_probs, labels, weights or {})]

    def events(self, labels: Sequence[str], thresholds: dict[str, float]) -> set[str]:
        """Return the event types whose probability reaches their threshold."""
        return {label for label, p in zip(labels, self.event_probs) if p >= thresholds.get(label, 0.5)}


def window_logits(
    model: Any, windows: Sequence[Window], pad_token_id: int, batch_size: int = 32, progress: bool = False
) -> list[dict[str, torch.Tensor]]:
    """Run ``model`` over ``windows`` and return, per window, its CPU float logits.

    Works for :class:`~arabnews_nlp.modeling.AnalyzerModel` (keys ``ner``, ``stance``,
    ``events``) and any token-classification model (key ``ner`` from ``logits``). Padding
    positions are cut off. Batches are formed from length-sorted windows; the model's mode is
    left unchanged but gradients are off. ``progress``: a bar over the windows on stderr.

    Example:
        >>> # window_logits(model, span.windows, tokenizer.pad_token_id)[0]["ner"].shape
    """
    import torch

    from tqdm import tqdm

    device = next(model.parameters()).device
    order = sorted(range(len(windows)), key=lambda i: len(windows[i].input_ids))
    result: list[dict[str, torch.Tensor]] = [{} for _ in windows]
    bar = tqdm(total=len(order), unit="window", desc="sentences mode", file=sys.stderr, disable=not progress)
    with torch.no_grad(), bar:
        for begin in range(0, len(order), batch_size):
            rows = order[begin : begin + batch_size]
            batch = {k: v.to(device) for k, v in collate([windows[i] for i in rows], pad_token_id).items()}
            output = model(**batch)
            ner = output["ner_logits"] if "ner_logits" in output else output["logits"]
            for j, i in enumerate(rows):
                size = len(windows[i].input_ids)
                result[i]["ner"] = ner[j, :size].float().cpu()
                for key, name in (("stance", "stance_logits"), ("events", "event_logits")):
                    if output.get(name) is not None:
                        result[i][key] = output[name][j].float().cpu()
            bar.update(len(rows))
    return result


def predict_encoded(
    model: Any,
    spans: Sequence[EncodedSpan],
    pad_token_id: int,
    ner_labels: Sequence[str],
    batch_size: int = 32,
    texts: Sequence[str] | None = None,
    settings: AnalyzerSettings | None = None,
    progress: bool = False,
) -> list[SpanPrediction]:
    """Predict every encoded span (see :func:`predict_spans`; ``progress``: :func:`window_logits`).

    With ``texts`` (one per span) and ``settings``, the NER tags are post-processed as at run time
    (:func:`arabnews_nlp.tasks.ner.postprocess`: confidence floor, gazetteer).

    Example:
        >>> predict_encoded(None, [], 0, ["O"])
        []
    """
    windows = [window for span in spans for window in span.windows]
    logits = window_logits(model, windows, pad_token_id, batch_size, progress) if windows else []
    predictions = []
    position = 0
    decoding = settings.ner_decoding if settings is not None else "viterbi"
    ngram_model = settings.ngram_model if settings is not None and texts is not None else None
    linear = ngram.predict_spans(ngram_model, texts or [], spans)  # None fields without a model
    ner_weight = float(settings.ngram.get("ner_weight", 0.0)) if settings is not None else 0.0
    for index, span in enumerate(spans):
        own = logits[position : position + len(span.windows)]
        position += len(span.windows)
        rows = ner_task.word_probabilities(span, [w["ner"] for w in own], ner_labels)
        decoded = ner_task.tag_words(ner_task.blend_rows(rows, linear[index].tags, ner_weight), ner_labels, decoding)
        pairs = decoded
        if texts is not None and settings is not None:
            pairs = ner_task.postprocess(texts[index], span.words, decoded, settings)
        tags = [tag for tag, _ in pairs]
        stance, events = [w["stance"] for w in own if "stance" in w], [w["events"] for w in own if "events" in w]
        if settings is not None:
            stance = stance_task.sentence_probabilities(stance, settings, linear[index].stance)
            events = events_task.span_probabilities(events, settings, linear[index].events)
        else:
            stance, events = stance_task.mean_probabilities(stance), events_task.probabilities(events)
        predictions.append(SpanPrediction(list(span.words), tags, stance, events, decoded, rows))
    return predictions


def predict_spans(
    model: Any,
    tokenizer: Any,
    settings: AnalyzerSettings,
    spans: Sequence[Span],
    batch_size: int = 32,
    progress: bool = False,
) -> list[SpanPrediction]:
    """Encode ``spans`` as inference does and predict word tags, stance and event probabilities.

    Args:
        model: An analyzer (or token-classification) model, on any device.
        tokenizer: Its fast tokenizer.
        settings: Normalisation, window size and labels.
        spans: ``(text, start, end)`` spans.
        batch_size: Windows per forward pass.
        progress: Show a bar over the windows on stderr.

    Returns:
        One :class:`SpanPrediction` per span, in order.

    Example:
        >>> # predict_spans(model, tokenizer, settings, [("قال السوداني", 0, 12)])[0].tags
    """
    encoded = [encode_span(text, start, end, tokenizer, settings) for text, start, end in spans]
    texts = [text for text, _, _ in spans]
    return predict_encoded(model, encoded, tokenizer.pad_token_id, settings.labels["ner"], batch_size, texts, settings,
                           progress)  # fmt: skip
