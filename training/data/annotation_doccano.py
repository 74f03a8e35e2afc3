"""Doccano sequence-labeling projects: records to and from one example per document.

One job: :func:`to_doccano` / :func:`from_doccano` and the UTF-16 offsets Doccano counts in
(see :mod:`training.data.annotation_tools` for the format).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from arabnews_nlp.errors import DataFormatError
from training.data.annotation_common import META_KEY, _check_not_ours, _fallback_sentences, _item_id
from training.data.records import Record
from training.data.stats import brief_ids


def utf16_offset(text: str, index: int) -> int:
    """Return the UTF-16 code-unit offset of Python index ``index`` (as JavaScript counts).

    Example:
        >>> utf16_offset("😀ب", 1), utf16_offset("بب", 1)
        (2, 1)
    """
    return index + sum(1 for char in text[:index] if ord(char) > 0xFFFF)


def python_offset(text: str, units: int) -> int:
    """Return the Python index of UTF-16 code-unit offset ``units`` (inverse of :func:`utf16_offset`).

    An offset outside the text stays outside it (one index per unit past either end), so that
    validation reports the span instead of a silently clamped one.

    Example:
        >>> python_offset("😀ب", 2), python_offset("😀ب", 5)
        (1, 4)
    """
    if units < 0:
        return units
    count = 0
    for index, char in enumerate(text):
        if count >= units:
            return index
        count += 2 if ord(char) > 0xFFFF else 1
    return len(text) + max(0, units - count)


def to_doccano(records: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Export records for a Doccano sequence-labeling project (one example per document).

    Example:
        >>> to_doccano([{"id": "d1", "text": "في بغداد", "entities": [{"start": 3, "end": 8, "label": "LOC"}],
        ...              "sentences": [], "doc_stance": None}])[0]["label"]
        [[3, 8, 'LOC']]
    """
    out = []
    for record in records:
        text = record["text"]
        labels = [[utf16_offset(text, e["start"]), utf16_offset(text, e["end"]), e["label"]] for e in record["entities"]]
        meta = {k: v for k, v in record.items() if k not in ("text", "entities")}
        out.append({"text": text, "label": labels, META_KEY: meta})
    return out


def _doccano_spans(item: Mapping[str, Any], number: int) -> list[tuple[int, int, str]]:
    if isinstance(item.get("entities"), list):
        try:
            return [(e["start_offset"], e["end_offset"], e["label"]) for e in item["entities"]]
        except (KeyError, TypeError) as err:
            raise DataFormatError(
                f"Doccano example {number}: an item of 'entities' is not "
                f"{{'start_offset', 'end_offset', 'label'}} ({type(err).__name__}: {err})"
            ) from err
    spans = item.get("label", item.get("labels", []))
    if not isinstance(spans, list):
        raise DataFormatError(f"Doccano example {item.get('id')!r}: 'label' must be a list of [start, end, label]")
    return [(int(s[0]), int(s[1]), str(s[2])) for s in spans]


def from_doccano(items: Sequence[Mapping[str, Any]], notes: list[str] | None = None) -> list[Record]:
    """Import a Doccano sequence-labeling export as records (entities sorted by offset).

    An offset past the end of the text stays past it (:func:`python_offset`), for validation to
    report. Doccano ``relations`` are not read: holders come from the ``arabnews`` metadata (the
    records) or from Label Studio.

    Args:
        items: The export, one example per document.
        notes: If given, a line is appended naming the examples whose relations were ignored.

    Raises:
        DataFormatError: On an example without ``text`` or with malformed labels, or one of
            our records or surface documents (``sentences`` without ``arabnews`` metadata).

    Example:
        >>> notes = []
        >>> from_doccano([{"id": 7, "text": "في بغداد.", "label": [[3, 8, "LOC"]],
        ...                "relations": [{"from_id": 1, "to_id": 2, "type": "holder"}]}], notes)[0]["tasks"]
        ['ner']
        >>> notes[0].split(":")[0]
        'ignored 1 Doccano relation(s) in 1 example(s) (7)'
    """
    records: list[Record] = []
    relations: dict[str, int] = {}
    for number, item in enumerate(items, 1):
        if isinstance(item.get("relations"), list) and item["relations"]:
            relations[str(item.get("id", f"#{number}"))] = len(item["relations"])
        _check_not_ours(item, f"Doccano example {number}")
        text = item.get("text")
        if not isinstance(text, str):
            raise DataFormatError(f"Doccano example {number}: missing 'text'")
        entities = sorted(
            ({"start": python_offset(text, s), "end": python_offset(text, e), "label": label} for s, e, label in _doccano_spans(item, number)),
            key=lambda ent: (ent["start"], ent["end"]),
        )
        meta = item.get(META_KEY)
        if isinstance(meta, Mapping):
            record: Record = {**meta, "text": text, "entities": entities}
        else:
            record = {"id": f"doccano-{_item_id(item, number)}", "tasks": ["ner"], "text": text, "doc_stance": None,
                      "sentences": _fallback_sentences(text), "entities": entities}  # fmt: skip
        records.append(record)
    if relations and notes is not None:
        notes.append(
            f"ignored {sum(relations.values())} Doccano relation(s) in {len(relations)} example(s) "
            f"({brief_ids(list(relations), limit=20)}): relations are not read; holders come from the records "
            "(the arabnews metadata) or from Label Studio (convert labelstudio)"
        )
    return records
