"""Decoders from model logits to results, one module per task, identically shaped.

Each module has ``decode(text, span, logits, settings) -> result`` where ``span`` is an
:class:`arabnews_nlp.encoding.EncodedSpan` and ``logits`` holds one array per window of the span
(NumPy; torch tensors are accepted too): :mod:`~arabnews_nlp.tasks.ner` (token tags ->
entities), :mod:`~arabnews_nlp.tasks.stance` (sentence stance, holder, document stance),
:mod:`~arabnews_nlp.tasks.events` (multi-label events).
"""
