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
import contextlib
import csv
import json
import logging
import os
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import IO, Any

from arabnews_nlp.engines.jsonl import decode_utf8, json_line, open_bytes
from arabnews_nlp.errors import ArabNewsError, ConfigError, DataFormatError
from arabnews_nlp.results import Analysis
from arabnews_nlp.schema import EVENT_TYPES

__all__ = ["LAYERS", "columns", "iter_rows", "read_results", "write_csv"]

logger = logging.getLogger(__name__)

LAYERS: tuple[str, ...] = ("documents", "sentences", "entities", "events")
"""The tables :func:`iter_rows` makes: one row per document, sentence, entity, or sentence and event type."""

ANALYSIS_FIELDS: tuple[str, ...] = tuple(Analysis.empty("").to_dict())
"""The fields of ``Analysis.to_dict()`` (``text`` first); every other field of a result line but ``id`` is a kept field."""

_LAYER_COLUMNS: dict[str, tuple[str, ...]] = {
    "documents": ("stance", "stance_score", "sentences", "entities", *EVENT_TYPES),
    "sentences": ("sentence", "start", "end", "stance", "stance_score", "holder", "events", "text"),
    "entities": ("sentence", "start", "end", "label", "text", "score"),
    "events": ("sentence", "start", "end", "event", "score"),
}
_NOT_A_RESULT = (
    "expected a result line of arabnews-nlp (analyze-corpus -o OUT.jsonl, or analyze --format jsonl), with "
    "'stance', 'events', 'entities' and 'sentences'"
)

_LONGEST_PATH = 4096  # PATH_MAX on Linux: a longer string is a text, not a file name

Source = str | os.PathLike[str] | Iterable[Mapping[str, Any] | Analysis]
"""A results file (JSONL, ``.gz`` read as gzip), result records already parsed (dicts), or
analyses (``Analyzer.pipe``'s, each taken as its ``to_dict()`` with its position from 0 as id)."""


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


def read_results(
    source: Source, counts: Counter[str] | None = None, *, warn: bool = True,
) -> Iterator[tuple[str, dict[str, Any]]]:
    """Yield ``(where, record)`` for each result line of ``source``, checked to be a result.

    ``where`` is ``file:line`` (``record N`` for records given as dicts, from 1). Blank lines
    are skipped; so is a last line cut off mid-write (no line end, and not valid UTF-8 or not
    valid JSON: the cut may fall inside a multi-byte character), with a warning, counted in
    ``counts["cut_off"]``.

    Args:
        source: A results JSONL file (``.gz`` read as gzip), or an iterable of result records or
            of analyses (:data:`Source`).
        counts: Gets ``lines`` (results yielded) and ``cut_off``.
        warn: Warn about a cut-off last line (``False`` for a second reading of the file).

    Raises:
        FileNotFoundError: If ``source`` is a path to no file.
        DataFormatError: Naming ``file:line``, for a line that is not UTF-8, not JSON, or not a
            result (an input corpus given by mistake, an ``analyze --format json`` array).

    Example:
        >>> [where for where, _ in read_results([{"stance": {}, "events": [], "entities": [], "sentences": []}])]
        ['record 1']
    """
    counts = Counter() if counts is None else counts
    if isinstance(source, str) and ("\n" in source or len(source) > _LONGEST_PATH):
        raise ConfigError(f"got a text of {len(source):,} characters ({source[:30]!r}…), not a results file: give the "
                          "analyses (list(analyzer.pipe(texts))) or the path of the file analyze-corpus wrote")  # fmt: skip
    if isinstance(source, (str, os.PathLike)):
        given, records = False, _file_records(source, counts, warn)
    else:
        given, records = True, _given_records(source)
    for where, record in records:
        _check_result(record, where, given)
        counts["lines"] += 1
        yield where, record
    if given and isinstance(source, Iterator) and not counts["lines"] and warn:
        logger.warning("the iterator of results gave none: was it read before? A generator such as analyzer.pipe(texts) "
                       "can be read once; keep its results in a list: analyses = list(analyzer.pipe(texts))")  # fmt: skip


def _given_records(records: Iterable[Mapping[str, Any] | Analysis]) -> Iterator[tuple[str, Any]]:
    if isinstance(records, (bytes, Mapping, Analysis)) or not isinstance(records, Iterable):
        hint = "; put one analysis in a list" if isinstance(records, Analysis) else ""
        raise ConfigError(f"expected a path or an iterable of result records (dicts) or analyses, "
                          f"got a {type(records).__name__}{hint}")  # fmt: skip
    for number, record in enumerate(records, start=1):
        yield f"record {number}", {"id": number - 1, **record.to_dict()} if isinstance(record, Analysis) else record


def _file_records(path: str | os.PathLike[str], counts: Counter[str], warn: bool = True) -> Iterator[tuple[str, Any]]:
    if Path(path).is_dir():
        raise ConfigError(f"{path} is a directory; give the results file (the -o of analyze-corpus)")
    if not Path(path).is_file():
        raise FileNotFoundError(f"results file not found: {path} (the file analyze-corpus wrote with -o)")
    with open_bytes(path) as handle:
        for number, raw in enumerate(handle, start=1):
            where = f"{path}:{number}"
            if number == 1 and raw.strip().removeprefix(b"\xef\xbb\xbf") == b"[":
                raise DataFormatError(f"{where}: a JSON array (analyze --format json); tables read one result per "
                                      "line: write it with analyze --format jsonl or analyze-corpus")  # fmt: skip
            try:
                line = decode_utf8(raw, where)
                if not line.strip():
                    continue
                record = json_line(line, where, hint="is this a results file of analyze-corpus?")
            except DataFormatError:
                # a last line without a line end that is not UTF-8 (cut inside a character) or not JSON is
                # what an interrupted run leaves; a line with its line end (or gzip data) is an error, and so
                # is a file's only line unless it begins as a result does (a text or page given by mistake)
                if raw.endswith(b"\n") or raw.startswith(b"\x1f\x8b") or (number == 1 and not raw.startswith(b"{")):
                    raise
                if warn:
                    logger.warning("%s: skipped a last line cut off mid-write (%d bytes; an interrupted run leaves one): "
                                   "rerun the same analyze-corpus command to analyse its document again", where, len(raw))  # fmt: skip
                counts["cut_off"] += 1
                continue
            yield where, record


def _check_result(record: Any, where: str, given: bool = False) -> None:
    if not isinstance(record, Mapping) and given:
        hint = " (the texts? give their analyses: list(analyzer.pipe(texts)))" if isinstance(record, str) else ""
        raise DataFormatError(f"{where}: got a {type(record).__name__}{hint}; expected analyses or their to_dict() dicts")
    if not isinstance(record, Mapping):
        raise DataFormatError(f"{where}: got a JSON {type(record).__name__}; {_NOT_A_RESULT}")
    missing = [name for name in ANALYSIS_FIELDS[1:] if name not in record]
    if missing:
        names = [str(name) for name in record]
        shown = ", ".join(names[:8]) + (", …" if len(names) > 8 else "")
        corpus = "is this the input corpus? " if "text" in record else ""
        raise DataFormatError(f"{where}: not a result line, no {', '.join(map(repr, missing))} (its fields: {shown}); "
                              f"{corpus}give the file that analyze-corpus wrote with -o, or analyze --format jsonl")  # fmt: skip
    for name in ANALYSIS_FIELDS[2:]:
        if not isinstance(record[name], list):
            raise DataFormatError(f"{where}: {name!r} is a {type(record[name]).__name__}, expected a list; {_NOT_A_RESULT}")


def kept_fields(record: Mapping[str, Any]) -> tuple[str, ...]:
    """The kept fields of a result record: every field but ``id`` and the analysis's own, in order.

    Example:
        >>> kept_fields({"id": 1, "date": "2018", "source": "bbc", "stance": {}, "events": []})
        ('date', 'source')
    """
    return tuple(str(name) for name in record if name != "id" and name not in ANALYSIS_FIELDS)


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


@contextlib.contextmanager
def malformed_line(where: str) -> Iterator[None]:
    """Turn a part of a result line that is missing or of the wrong type into a :class:`DataFormatError`.

    Raises:
        DataFormatError: Naming ``where`` (``file:line``), for a ``KeyError``, ``TypeError``,
            ``AttributeError``, ``IndexError`` or ``ValueError`` raised inside the block.

    Example:
        >>> with malformed_line("out.jsonl:3"):
        ...     {"stance": None}["stance"]["label"]
        Traceback (most recent call last):
        ...
        arabnews_nlp.errors.DataFormatError: out.jsonl:3: a result line with a part missing or of the wrong type (TypeError: 'NoneType' object is not subscriptable); expected a result line of arabnews-nlp (analyze-corpus -o OUT.jsonl, or analyze --format jsonl), with 'stance', 'events', 'entities' and 'sentences'
    """
    try:
        yield
    except ArabNewsError:
        raise
    except (KeyError, TypeError, AttributeError, IndexError, ValueError) as error:
        raise DataFormatError(f"{where}: a result line with a part missing or of the wrong type "
                              f"({type(error).__name__}: {error}); {_NOT_A_RESULT}") from error  # fmt: skip


def warn_absent(names: Iterable[str], present: Mapping[str, int], lines: int, seen: Iterable[str], option: str) -> None:
    """Warn about each of ``names`` that none of the ``lines`` read had (a misspelt field?).

    Args:
        names: The fields asked for.
        present: Per field, the lines that have it.
        lines: The result lines read (no warning if none).
        seen: The kept fields the lines do have, to name in the warning.
        option: How the fields were asked for, to name in the warning (``--fields``…).

    Example:
        >>> warn_absent(["date"], {"date": 3}, 3, ["date"], "--by")  # present: nothing to say
    """
    if not lines:
        return
    have = list(seen)
    shown = ", ".join(have[:10]) + (", …" if len(have) > 10 else "") if have else "none"
    for name in names:
        if not present.get(name):
            logger.warning("field %r is in none of the %d result lines (their kept fields: %s); check its name in %s",
                           name, lines, shown, option)  # fmt: skip


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
