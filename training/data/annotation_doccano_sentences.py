"""Doccano text-classification projects: one example per sentence, for stance and events.

One job: :func:`to_doccano_sentences` exports the sentences, :func:`merge_doccano_sentences`
writes the reviewed labels back into the records (see :mod:`training.data.annotation_tools`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from arabnews_nlp.errors import DataFormatError
from arabnews_nlp.schema import EVENT_TYPES, STANCE_LABELS
from training.data.annotation_common import _check_not_ours
from training.data.records import TASKS, Record, record_tasks, span_text

DOCUMENT = "document"
"""``sentence`` value of the Doccano classification example that holds a document's stance."""

SENTENCE_LAYERS = ("stance", "events")
"""The layers that a Doccano classification project edits (one example per sentence)."""


def has_sentence_layers(record: Mapping[str, Any]) -> bool:
    """Whether ``record`` declares the stance task, so its sentences are exported for review by default.

    Example:
        >>> has_sentence_layers({"tasks": ["ner"]}), has_sentence_layers({})
        (False, True)
    """
    return "stance" in record_tasks(record)


def to_doccano_sentences(records: Sequence[Mapping[str, Any]], include_ner_only: bool = False) -> list[dict[str, Any]]:
    """Export one Doccano text-classification example per sentence (labels: stance + events).

    Records that do not annotate stance (``"tasks": ["ner"]``: ANERcorp, a plain Doccano
    project) are left out unless ``include_ner_only``; then their sentences are exported without
    labels, followed by one example of the whole text (``"sentence": "document"``) for the
    document stance, and :func:`merge_doccano_sentences` adds the stance and events layers.

    Example:
        >>> rec = {"id": "d1", "text": "قصف.", "entities": [], "sentences": [
        ...     {"start": 0, "end": 4, "stance": "neutral", "holder": None, "events": ["AIRSTRIKE"]}]}
        >>> to_doccano_sentences([rec])[0]["label"]
        ['neutral', 'AIRSTRIKE']
        >>> ner = dict(rec, tasks=["ner"], sentences=[{"start": 0, "end": 4, "stance": None, "holder": None, "events": None}])
        >>> [(x["sentence"], x["label"]) for x in to_doccano_sentences([ner], include_ner_only=True)]
        [(0, []), ('document', [])]
    """
    out = []
    for record in records:
        annotated = has_sentence_layers(record)
        if not (annotated or include_ner_only):
            continue
        for index, sentence in enumerate(record["sentences"]):
            labels = ([sentence["stance"]] if sentence.get("stance") else []) + list(sentence.get("events") or [])
            holder = sentence.get("holder")
            out.append(
                {"text": span_text(record, sentence), "label": labels, "doc_id": record["id"], "sentence": index,
                 "start": sentence["start"], "end": sentence["end"],
                 "holder": None if holder is None else span_text(record, holder)}
            )  # fmt: skip
        if not annotated:
            text = record["text"]
            out.append({"text": text, "label": [], "doc_id": record["id"], "sentence": DOCUMENT, "start": 0,
                        "end": len(text), "holder": None})  # fmt: skip
    return out


def merge_doccano_sentences(
    records: Sequence[Mapping[str, Any]],
    items: Sequence[Mapping[str, Any]],
    keep_missing: bool = False,
    notes: list[str] | None = None,
) -> list[Record]:
    """Write stance and events from a Doccano classification export back into copies of ``records``.

    Every sentence that :func:`to_doccano_sentences` exports must come back exactly once: an
    example deleted in Doccano (or left out of a partial export) would otherwise keep its old
    labels without anyone having reviewed them. A record without the stance or events layer
    (``"tasks": ["ner"]``) that has examples in the export gains both layers (its ``tasks``
    lists them, so training learns them); then all of its sentences and its document example
    (``"sentence": "document"``, one stance label: the document stance) must come back. Its
    holders stay ``null``: Doccano does not edit holders.

    Args:
        records: The records that were exported.
        items: The Doccano export (one example per sentence).
        keep_missing: Keep the current labels of sentences that have no example instead of
            failing (e.g. to merge the export of a subset of the documents); a NER-only record
            with some examples missing then stays as it was (it cannot gain layers that some of
            its sentences lack), with a note.
        notes: Where to append those notes (the CLI prints them).

    Raises:
        DataFormatError: On an unknown document or sentence, a sentence whose text changed, a
            label that is neither a stance nor an event, not exactly one stance label, two
            examples of one sentence, or (unless ``keep_missing``) sentences without an example.

    Example:
        >>> rec = {"id": "d1", "text": "قصف.", "entities": [], "sentences": [
        ...     {"start": 0, "end": 4, "stance": "neutral", "holder": None, "events": []}]}
        >>> item = {"text": "قصف.", "label": ["anti", "THREAT"], "doc_id": "d1", "sentence": 0}
        >>> merge_doccano_sentences([rec], [item])[0]["sentences"][0]
        {'start': 0, 'end': 4, 'stance': 'anti', 'holder': None, 'events': ['THREAT']}
        >>> ner = dict(rec, tasks=["ner"], doc_stance=None)
        >>> doc = {"text": "قصف.", "label": ["neutral"], "doc_id": "d1", "sentence": "document"}
        >>> merged = merge_doccano_sentences([ner], [item, doc])[0]
        >>> merged["tasks"], merged["doc_stance"]
        (['ner', 'stance', 'events'], 'neutral')
    """
    merged = {r["id"]: {**r, "sentences": [dict(s) for s in r["sentences"]]} for r in records}
    seen: set[tuple[str, int | str]] = set()
    for number, item in enumerate(items, 1):
        _check_not_ours(item, f"Doccano example {number}")
        record = merged.get(item.get("doc_id"))
        if record is not None and item.get("sentence") == DOCUMENT:
            _merge_document_example(record, item, seen)
        else:
            _merge_sentence_example(record, item, seen)
    missing = _add_layers_or_note(records, merged, seen, keep_missing, notes)
    if missing and not keep_missing:
        shown = ", ".join(f"{doc!r} {'document stance' if i == DOCUMENT else f'sentence {i}'}" for doc, i in missing[:5])
        what = "sentence(s)" if all(i != DOCUMENT for _, i in missing) else "sentence(s) or document stance(s)"
        raise DataFormatError(
            f"{len(missing)} {what} of the records have no Doccano example ({shown}{', ...' if len(missing) > 5 else ''}): "
            "deleted in Doccano or left out of the export, their labels were never reviewed. Restore them in Doccano, "
            "or pass --keep-missing to keep their current labels"
        )
    return [merged[r["id"]] for r in records]


def _merge_sentence_example(record: Record | None, item: Mapping[str, Any], seen: set[tuple[str, int | str]]) -> None:
    """Set a sentence's stance and events from its Doccano example (exactly one stance label, plus events)."""
    where = f"Doccano example for {item.get('doc_id')!r} sentence {item.get('sentence')!r}"
    index = item.get("sentence")
    if record is None or not isinstance(index, int) or not 0 <= index < len(record["sentences"]):
        raise DataFormatError(f"{where}: no such document or sentence in the records")
    if (record["id"], index) in seen:
        raise DataFormatError(f"{where}: the export holds two examples of this sentence; keep one in Doccano")
    seen.add((record["id"], index))
    sentence = record["sentences"][index]
    if span_text(record, sentence) != item.get("text"):
        raise DataFormatError(f"{where}: the sentence text changed; edit texts in the records, not in Doccano")
    labels = list(item.get("label", []))
    unknown = [x for x in labels if x not in STANCE_LABELS and x not in EVENT_TYPES]
    stances = [x for x in labels if x in STANCE_LABELS]
    if unknown or len(stances) != 1:
        raise DataFormatError(f"{where}: labels {labels} must be exactly one stance of {list(STANCE_LABELS)} plus events")
    sentence["stance"] = stances[0]
    if stances[0] == "neutral":  # a neutral sentence holds no position, so no holder
        sentence["holder"] = None
    sentence["events"] = [x for x in EVENT_TYPES if x in labels]


def _add_layers_or_note(
    records: Sequence[Mapping[str, Any]],
    merged: dict[str, Record],
    seen: set[tuple[str, int | str]],
    keep_missing: bool,
    notes: list[str] | None,
) -> list[tuple[str, int | str]]:
    """Give the reviewed NER-only records their new layers; return the examples missing from the export.

    With ``keep_missing``, a NER-only record with examples missing is put back as it was (with
    the layers it would be invalid), and a note says so.
    """
    reviewed = {doc for doc, _ in seen}
    missing: list[tuple[str, int | str]] = []
    for original in records:
        record, tasks, annotated = merged[original["id"]], record_tasks(original), has_sentence_layers(original)
        if not annotated and record["id"] not in reviewed:
            continue
        own: list[tuple[str, int | str]] = [(record["id"], i) for i in range(len(record["sentences"])) if (record["id"], i) not in seen]
        if not annotated and (record["id"], DOCUMENT) not in seen:
            own.append((record["id"], DOCUMENT))
        missing += own
        if all(layer in tasks for layer in SENTENCE_LAYERS):
            continue
        if own and keep_missing:
            merged[record["id"]] = original  # type: ignore[assignment]
            kept = sum(1 for doc, _ in seen if doc == record["id"])
            if notes is not None:
                notes.append(f"{record['id']!r}: {len(own)} of its sentences or its document stance have no Doccano "
                             f"example, so it stays NER-only and the labels of its {kept} example(s) are not kept; "
                             "restore the missing examples in Doccano to add its stance and events")  # fmt: skip
        else:
            record["tasks"] = [t for t in TASKS if t in tasks or t in SENTENCE_LAYERS]  # the layers it now carries
    return missing


def _merge_document_example(record: Record, item: Mapping[str, Any], seen: set[tuple[str, int | str]]) -> None:
    """Set ``record``'s document stance from its Doccano document example (one stance label, no events)."""
    where = f"Doccano example for {record['id']!r} (the document stance)"
    if (record["id"], DOCUMENT) in seen:
        raise DataFormatError(f"{where}: the export holds two document examples of this record; keep one in Doccano")
    seen.add((record["id"], DOCUMENT))
    if item.get("text") != record["text"]:
        raise DataFormatError(f"{where}: the text changed; edit texts in the records, not in Doccano")
    labels = list(item.get("label", []))
    if len(labels) != 1 or labels[0] not in STANCE_LABELS:
        raise DataFormatError(f"{where}: labels {labels} must be exactly one stance of {list(STANCE_LABELS)} "
                              "(the article's own voice; events are labelled per sentence)")  # fmt: skip
    record["doc_stance"] = labels[0]
