"""Flat tables from result lines: one row per document, sentence, entity or event, for CSV, pandas, R.

A result line is what ``analyze-corpus`` (and ``analyze --format jsonl``) writes per document:
``{"id": ..., <kept fields>, "text", "stance", "events", "entities", "sentences"}`` (no ``"text"``
with ``--no-text``; no ``"id"`` for a record that had none). :func:`iter_rows` turns them into
rows of one *layer*, line by line, so a file of any size streams through:

===========  =================================================================================
layer        columns (after ``id`` and the kept fields)
===========  =================================================================================
documents    ``stance``, ``stance_score``, ``sentences``, ``entities``, then one column per
             event type of :data:`~arabnews_nlp.schema.EVENT_TYPES`: how many of the
             document's sentences report it (0 if none)
sentences    ``sentence``, ``start``, ``end``, ``stance``, ``stance_score``, ``holder`` (the
             holder's text, empty if none), ``events`` (the sentence's event types joined
             with ``;``, highest score first; empty if none), ``text`` (empty for ``--no-text``
             lines)
entities     ``sentence`` (the sentence holding it), ``start``, ``end``, ``label``, ``text``,
             ``score``
events       one row per sentence and event type: ``sentence``, ``start``, ``end`` (the
             sentence's), ``event``, ``score``
===========  =================================================================================

``sentence`` is the position of the sentence in the line's ``sentences`` list, from 0, so the
sentences, entities and events tables join on ``(id, sentence)``. Offsets are those of the line:
they index the document's original text (``text[start:end]``).

The kept fields become columns in the order of the first line. A later line that lacks one of
them gets an empty cell (``None`` in a row); a later line with a field the first line does not
have is an error naming that line, since the columns are already fixed (files joined from runs
with other ``--keep-fields``): pass ``fields`` to choose the columns yourself, and then fields not
chosen are left out. A last line cut off mid-write (an interrupted run) is skipped with a warning,
as ``analyze-corpus`` does when it resumes.

Example:
    >>> line = {"id": "d1", "date": "2018-06-14", "stance": {"label": "neutral", "score": 0.9},
    ...         "events": [], "entities": [{"start": 0, "end": 5, "label": "LOC", "text": "بغداد", "score": 0.8}],
    ...         "sentences": [{"start": 0, "end": 9, "stance": {"label": "neutral", "score": 0.9, "holder": None},
    ...                        "events": []}]}
    >>> next(iter_rows([line], "entities"))
    {'id': 'd1', 'date': '2018-06-14', 'sentence': 0, 'start': 0, 'end': 5, 'label': 'LOC', 'text': 'بغداد', 'score': 0.8}
    >>> columns("events", ["date"])
    ('id', 'date', 'sentence', 'start', 'end', 'event', 'score')
"""

from __future__ import annotations

import bisect
import csv
import json
import os
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from typing import IO, Any

from arabnews_nlp.errors import ConfigError, DataFormatError
from arabnews_nlp.result_lines import Source, kept_fields, malformed_line, read_results, warn_absent
from arabnews_nlp.schema import EVENT_TYPES

__all__ = ["LAYERS", "columns", "iter_rows", "read_results", "write_csv"]  # read_results: from result_lines

LAYERS: tuple[str, ...] = ("documents", "sentences", "entities", "events")
"""The tables :func:`iter_rows` makes: one row per document, sentence, entity, or sentence and event type."""

_LAYER_COLUMNS: dict[str, tuple[str, ...]] = {
    "documents": ("stance", "stance_score", "sentences", "entities", *EVENT_TYPES),
    "sentences": ("sentence", "start", "end", "stance", "stance_score", "holder", "events", "text"),
    "entities": ("sentence", "start", "end", "label", "text", "score"),
    "events": ("sentence", "start", "end", "event", "score"),
}


def columns(layer: str, fields: Sequence[str] = ()) -> tuple[str, ...]:
    """The columns of ``layer``: ``id``, the kept ``fields``, then the layer's own.

    Raises:
        ConfigError: If ``layer`` is not one of :data:`LAYERS`, or a field has the name of a
            column of the layer (it would be written twice).

    Example:
        >>> columns("entities")
        ('id', 'sentence', 'start', 'end', 'label', 'text', 'score')
    """
    if layer not in _LAYER_COLUMNS:
        raise ConfigError(f"unknown layer {layer!r}; choose one of {', '.join(LAYERS)}")
    own = ("id", *_LAYER_COLUMNS[layer])
    if isinstance(fields, str):
        raise ConfigError(f"fields must be a list of kept field names, got the string {fields!r}: write [{fields!r}]")
    for name in fields:
        if not isinstance(name, str) or not name:
            raise ConfigError(f"a kept field name must be a non-empty string, got {name!r}")
        if name in own:
            raise ConfigError(f"the kept field {name!r} has the name of a column of the {layer} table ({', '.join(own)}); "
                              "choose the kept fields to write without it (fields=[...] in Python, --fields in the CLI)")  # fmt: skip
    if len(set(fields)) != len(fields):
        raise ConfigError(f"a field is named twice: {', '.join(fields)}")
    return (own[0], *fields, *own[1:])


def iter_rows(source: Source, layer: str, fields: Sequence[str] | None = None) -> Iterator[dict[str, Any]]:
    """Yield the rows of ``layer`` (see the module's table), one result line at a time.

    Args:
        source: A results JSONL file (``.gz`` read as gzip), or an iterable of result records or
            of analyses (:data:`Source`).
        layer: One of :data:`LAYERS`.
        fields: The kept fields to make columns of; default: those of the first line (a later
            line with another field is then an error). A line that lacks one gets ``None``.

    Yields:
        One dict per row, its keys :func:`columns` in that order; values as in the line
        (``None`` for an empty cell).

    Raises:
        ConfigError: For an unknown layer, or a kept field named like a column of the layer.
        DataFormatError: For a line that is not a result (:func:`read_results`), or (without
            ``fields``) that has a kept field the first line has not.

    Example:
        >>> line = {"id": 7, "stance": {"label": "anti", "score": 0.7}, "events": [], "entities": [], "sentences": []}
        >>> row = next(iter_rows([line], "documents"))
        >>> row["stance"], row["sentences"], row["AIRSTRIKE"]
        ('anti', 0, 0)
    """
    columns(layer, fields or ())  # an unknown layer, or a field named like a column, is refused at the call
    return _rows(source, layer, fields, {})


def _rows(source: Source, layer: str, fields: Sequence[str] | None, found: dict[str, tuple[str, ...]]) -> Iterator[dict[str, Any]]:
    """:func:`iter_rows`, putting the columns in ``found["columns"]`` once the first line fixed them."""
    chosen = None if fields is None else tuple(fields)
    make = _ROW_MAKERS[layer]
    present: Counter[str] = Counter()  # per chosen field, the lines that have it
    seen: dict[str, None] = {}  # the kept fields of all lines, in order
    lines = 0
    for where, record in read_results(source):
        lines += 1
        if fields is not None:
            present.update(name for name in fields if name in record)
            seen.update(dict.fromkeys(kept_fields(record)))
        if chosen is None:
            chosen = kept_fields(record)
            found["columns"] = columns(layer, chosen)
        elif fields is None:
            extra = [name for name in kept_fields(record) if name not in chosen]
            if extra:
                raise DataFormatError(f"{where}: kept field {', '.join(map(repr, extra))} is not in the first line "
                                      f"(whose kept fields are: {', '.join(chosen) or 'none'}), so it has no column: "
                                      "the file joins the outputs of runs with other --keep-fields; choose the "
                                      "columns with --fields (fields=[...] in Python) or table each run's output "
                                      "on its own")  # fmt: skip
        found.setdefault("columns", columns(layer, chosen))
        head = {"id": record.get("id"), **{name: record.get(name) for name in chosen}}
        with malformed_line(where):
            yield from make(record, head, where)
    if fields is not None:
        warn_absent(fields, present, lines, seen, "--fields (fields=[...] in Python)")


def _document_rows(record: Mapping[str, Any], head: dict[str, Any], where: str) -> Iterator[dict[str, Any]]:
    counts = dict.fromkeys(EVENT_TYPES, 0)
    for event in record["events"]:
        if event["label"] not in counts:
            raise DataFormatError(f"{where}: unknown event type {event['label']!r}; this version knows "
                                  f"{', '.join(EVENT_TYPES)} (a result of another schema version?)")  # fmt: skip
        counts[event["label"]] = int(event["sentences"])
    stance = record["stance"]
    yield {**head, "stance": stance["label"], "stance_score": stance["score"], "sentences": len(record["sentences"]),
           "entities": len(record["entities"]), **counts}  # fmt: skip


def _sentence_rows(record: Mapping[str, Any], head: dict[str, Any], where: str) -> Iterator[dict[str, Any]]:
    for index, sentence in enumerate(record["sentences"]):
        stance = sentence["stance"]
        holder = stance.get("holder")
        yield {**head, "sentence": index, "start": sentence["start"], "end": sentence["end"], "stance": stance["label"],
               "stance_score": stance["score"], "holder": holder["text"] if holder else None,
               "events": ";".join(event["label"] for event in sentence["events"]) or None, "text": sentence.get("text")}  # fmt: skip


def _entity_rows(record: Mapping[str, Any], head: dict[str, Any], where: str) -> Iterator[dict[str, Any]]:
    sentences = record["sentences"]
    starts = [sentence["start"] for sentence in sentences]
    for entity in record["entities"]:
        index = bisect.bisect_right(starts, entity["start"]) - 1
        inside = index >= 0 and entity["start"] < sentences[index]["end"]
        yield {**head, "sentence": index if inside else None, "start": entity["start"], "end": entity["end"],
               "label": entity["label"], "text": entity["text"], "score": entity["score"]}  # fmt: skip


def _event_rows(record: Mapping[str, Any], head: dict[str, Any], where: str) -> Iterator[dict[str, Any]]:
    for index, sentence in enumerate(record["sentences"]):
        for event in sentence["events"]:
            yield {**head, "sentence": index, "start": sentence["start"], "end": sentence["end"],
                   "event": event["label"], "score": event["score"]}  # fmt: skip


_ROW_MAKERS = {"documents": _document_rows, "sentences": _sentence_rows, "entities": _entity_rows, "events": _event_rows}


def write_csv(
    source: Source, out: str | os.PathLike[str] | IO[str], layer: str, fields: Sequence[str] | None = None,
    excel: bool = False,
) -> int:
    """Write the rows of ``layer`` as CSV (UTF-8, a header line first); return the number of rows.

    Cells are written by the standard ``csv`` module (RFC 4180: quoted where needed, ``\\r\\n``
    line ends); an empty cell is ``None``; a kept field that is not a string, a number or
    ``None`` (a list, an object) is written as its JSON text, and ``true``/``false`` as in JSON.

    Args:
        source: A results JSONL file (``.gz`` read as gzip), or an iterable of result records or
            of analyses (:data:`Source`).
        out: A file path (written over), or a text stream opened with ``newline=""``.
        layer: One of :data:`LAYERS`.
        fields: The kept fields to make columns of (see :func:`iter_rows`).
        excel: Begin with a UTF-8 byte-order mark, which Excel needs to show Arabic (it reads
            a CSV without one in the computer's legacy code page); pandas and R skip it. Also,
            a text cell beginning with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return
            gets a leading ``'``, so that Excel shows it as text rather than running it as a
            formula (CSV injection, as OWASP advises); numbers are left as they are. Without
            ``excel``, every cell is written exactly as it is in the results.

    Raises:
        ConfigError, DataFormatError: As :func:`iter_rows`; the rows before a bad line are
            written by then.

    Example:
        >>> import io
        >>> line = {"id": "d1", "stance": {"label": "pro", "score": 0.6}, "events": [], "entities": [], "sentences": []}
        >>> buffer = io.StringIO()
        >>> write_csv([line], buffer, "documents")
        1
        >>> buffer.getvalue().splitlines()[1][:21]
        'd1,pro,0.6,0,0,0,0,0,'
    """
    found: dict[str, tuple[str, ...]] = {"columns": columns(layer, fields or ())}
    rows = _rows(source, layer, fields, found)
    if not isinstance(out, (str, os.PathLike)):
        return _write(rows, out, found, excel)
    first = next(rows, None)  # the input is checked before the output is created
    with open(out, "w", encoding="utf-8", newline="") as handle:
        return _write(_chain(first, rows), handle, found, excel)


def _chain(first: dict[str, Any] | None, rows: Iterator[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    if first is not None:
        yield first
        yield from rows


def _write(rows: Iterator[dict[str, Any]], out: IO[str], found: dict[str, tuple[str, ...]], excel: bool) -> int:
    if excel:
        out.write("\ufeff")
    writer = csv.writer(out)
    written = 0
    for row in rows:
        if not written:
            writer.writerow([_cell(name, excel) for name in found["columns"]])  # fixed by the first line, read by now
        writer.writerow([_cell(value, excel) for value in row.values()])
        written += 1
    if not written:  # a table without rows (e.g. no events in the corpus) still has its header
        writer.writerow([_cell(name, excel) for name in found["columns"]])
    return written


_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""What a cell Excel reads as a formula begins with (OWASP, CSV injection)."""


def _cell(value: Any, excel: bool = False) -> Any:
    """The CSV cell of ``value``; for Excel, a text that would be read as a formula gets a leading ``'``."""
    if value is None or (isinstance(value, (int, float)) and not isinstance(value, bool)):
        return value
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return "'" + text if excel and text.startswith(_FORMULA_STARTS) else text
