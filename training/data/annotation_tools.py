"""Import and export annotations for Doccano and Label Studio.

**Doccano** (JSONL), two projects:

* *Sequence labeling*, one example per document (:func:`to_doccano` / :func:`from_doccano`):
  ``{"text", "label": [[start, end, "PER"], …], "arabnews": {…}}``. Doccano edits the
  entities; ``arabnews`` holds everything else of the record (id, source, sentences with
  stance, holder and events, doc_stance…) as metadata that Doccano keeps and exports back
  unchanged. Doccano offsets count UTF-16 code units (issue doccano#2290), so offsets are
  converted both ways; they equal Python's for Arabic text. An example without ``arabnews``
  metadata (made in Doccano from plain text) becomes an NER-only record (``"tasks": ["ner"]``)
  with sentences from :func:`training.data.surface.presplit`. ``label``, ``labels`` and
  ``entities`` (``start_offset``/``end_offset``) exports are all read; ``relations`` are not
  (a note counts them). An offset past the end of the text is kept, for validation to report.
* *Text classification*, one example per sentence (:func:`to_doccano_sentences` /
  :func:`merge_doccano_sentences`): ``{"text": sentence, "label": [stance, *events],
  "doc_id", "sentence", "start", "end", "holder"}``. Doccano edits the stance (exactly one of
  the stance labels) and events; merging writes them back into the records by ``doc_id`` and
  sentence index. Holders are shown (their text) but not edited. NER-only records are exported
  only on request, with one more example per record for the document stance
  (``"sentence": "document"``); the merge then adds the stance and events layers to them.

**Label Studio** (JSON list of tasks; :func:`to_label_studio` / :func:`from_label_studio`,
project config from :func:`label_studio_config`). Everything is carried and editable:
``data.text`` and ``data.arabnews`` (the other record fields), and in ``annotations[0].result``:
entity regions (``type: labels``, ``from_name: entities``), sentence regions (``type:
labels``, ``from_name: sentence``, label ``SENTENCE``) with per-region ``choices`` for
``stance`` (one) and ``events`` (several), the holder as a ``relation`` from the sentence region
to the entity region labelled ``holder``, and the document stance as a ``choices`` result
``doc_stance``. Label Studio offsets are code points, as in Python.

The converters live in one module per project kind, re-exported here:
:mod:`training.data.annotation_doccano` (sequence labeling),
:mod:`training.data.annotation_doccano_sentences` (text classification),
:mod:`training.data.annotation_label_studio` and :mod:`training.data.annotation_common`
(what they share).

Example:
    >>> record = {"id": "d1", "text": "قصف بغداد.", "doc_stance": "neutral", "entities": [
    ...     {"start": 4, "end": 9, "label": "LOC"}], "sentences": [
    ...     {"start": 0, "end": 10, "stance": "neutral", "holder": None, "events": ["AIRSTRIKE"]}]}
    >>> from_label_studio(to_label_studio([record])) == [record]
    True
"""

from __future__ import annotations

from training.data.annotation_common import META_KEY
from training.data.annotation_doccano import from_doccano, python_offset, to_doccano, utf16_offset
from training.data.annotation_doccano_sentences import (
    DOCUMENT,
    SENTENCE_LAYERS,
    has_sentence_layers,
    merge_doccano_sentences,
    to_doccano_sentences,
)
from training.data.annotation_label_studio import HOLDER_RELATION, SENTENCE_LABEL, from_label_studio, label_studio_config, to_label_studio

__all__ = [
    "DOCUMENT",
    "HOLDER_RELATION",
    "META_KEY",
    "SENTENCE_LABEL",
    "SENTENCE_LAYERS",
    "from_doccano",
    "from_label_studio",
    "has_sentence_layers",
    "label_studio_config",
    "merge_doccano_sentences",
    "python_offset",
    "to_doccano",
    "to_doccano_sentences",
    "to_label_studio",
    "utf16_offset",
]
