"""One document on either side of the model: its windows (:func:`prepare`), then its analysis (:func:`assemble`).

:func:`prepare` splits a document into sentences (:mod:`arabnews_nlp.text.segment`, or the
blocks of a web page, :mod:`arabnews_nlp.text.markup`) and encodes each as windows
(:mod:`arabnews_nlp.encoding`); once the model has run over them (:mod:`arabnews_nlp.forward`),
:func:`assemble` decodes their outputs with the decoders of :mod:`arabnews_nlp.tasks` into the
document's :class:`~arabnews_nlp.results.Analysis`, its offsets indexing the caller's string.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from arabnews_nlp import ngram
from arabnews_nlp.encoding import EncodedSpan, Window, encode_span
from arabnews_nlp.forward import Outputs
from arabnews_nlp.results import Analysis, Entity, SentenceResult
from arabnews_nlp.schema import NEUTRAL
from arabnews_nlp.settings import AnalyzerSettings
from arabnews_nlp.tasks import events, ner, stance
from arabnews_nlp.text.markup import blank_html, page_sentences, reference_end
from arabnews_nlp.text.segment import split_sentences


@dataclass
class Document:
    """A document to analyse: its sentences, encoded as windows."""

    text: str  # the caller's string
    spans: list[EncodedSpan]
    view: str  # what is analysed: ``text``, or its markup blanked (same length, same offsets)
    markup: str = "text"

    @property
    def windows(self) -> list[Window]:
        """The windows of all its sentences, in order."""
        return [window for span in self.spans for window in span.windows]


def prepare(text: str, markup: str, tokenizer: Any, settings: AnalyzerSettings) -> Document:
    """Split ``text`` into sentences and encode each as windows (none for a blank text)."""
    view = blank_html(text) if markup == "html" else text
    if not view.strip():
        return Document(text, [], view, markup)
    sentences = page_sentences(view) if markup == "html" else split_sentences(view)
    spans = [encode_span(view, s, e, tokenizer, settings) for s, e in sentences]
    return Document(text, spans, view, markup)


def assemble(document: Document, outputs: Outputs, settings: AnalyzerSettings) -> Analysis:
    """Decode every sentence of ``document`` from its windows' ``outputs`` and combine them."""
    if not document.spans:
        return Analysis.empty(document.text, document.markup)
    text = document.view
    sentences: list[SentenceResult] = []
    probabilities: list[list[float]] = []
    reported: list[bool] = []
    linear = ngram.predict_spans(settings.ngram_model, [text] * len(document.spans), document.spans)
    offset = 0
    for span, extra in zip(document.spans, linear):
        n = len(span.windows)
        part = outputs.part(slice(offset, offset + n))
        offset += n
        entities = ner.decode(text, span, part.ner, settings, ngram=extra.tags)
        sentence_stance = stance.decode(text, span, part.stance, settings, entities=entities, ngram=extra.stance)
        found = events.decode(text, span, part.events, settings, ngram=extra.events)
        if n:
            probabilities.append(stance.sentence_probabilities(part.stance, settings, extra.stance))
            reported.append(sentence_stance.label != NEUTRAL and stance.is_reported(text, span.words, entities))
        sentences.append(
            SentenceResult(span.start, span.end, text[span.start : span.end], sentence_stance, found, entities)
        )
    if text is not document.text:
        sentences = [_source_text(sentence, document.text, text) for sentence in sentences]
    return Analysis(
        text=document.text,
        stance=stance.document_stance(probabilities, settings, reported),
        entities=tuple(entity for sentence in sentences for entity in sentence.entities),
        sentences=tuple(sentences),
        markup=document.markup,
    )


def _source_text(sentence: SentenceResult, source: str, view: str) -> SentenceResult:
    """``sentence`` of ``view`` (the blanked ``source``) with its spans and ``text`` fields in ``source``.

    The offsets are those of the view, except an end on a decoded character reference, which
    moves past the rest of the reference.
    """

    def entity(found: Entity) -> Entity:
        end = reference_end(source, view, found.end)
        return replace(found, end=end, text=source[found.start : end])

    holder = sentence.stance.holder
    end = reference_end(source, view, sentence.end)
    return replace(
        sentence,
        end=end,
        text=source[sentence.start : end],
        stance=replace(sentence.stance, holder=entity(holder)) if holder is not None else sentence.stance,
        entities=tuple(entity(found) for found in sentence.entities),
    )
