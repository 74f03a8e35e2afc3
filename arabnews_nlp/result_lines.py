"""Reading result lines: from a results file or from records or analyses, each checked to be a result.

A result line is what ``analyze-corpus`` (and ``analyze --format jsonl``) writes per document:
``{"id": ..., <kept fields>, "text", "stance", "events", "entities", "sentences"}``.
:func:`read_results` yields them one at a time with where each came from (``file:line``), skipping
blank lines and, with a warning, a last line cut off mid-write (an interrupted run); the tables
(:mod:`arabnews_nlp.tables`) and the counts (:mod:`arabnews_nlp.summary`) read them through it,
and name a malformed part of a line with :func:`malformed_line`.

Example:
    >>> kept_fields({"id": 1, "date": "2018", "stance": {}, "events": []})
    ('date',)
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from arabnews_nlp.engines.jsonl import decode_utf8, json_line, open_bytes
from arabnews_nlp.errors import ArabNewsError, ConfigError, DataFormatError
from arabnews_nlp.results import Analysis

logger = logging.getLogger(__name__)

ANALYSIS_FIELDS: tuple[str, ...] = tuple(Analysis.empty("").to_dict())
"""The fields of ``Analysis.to_dict()`` (``text`` first); every other field of a result line but ``id`` is a kept field."""

_NOT_A_RESULT = (
    "expected a result line of arabnews-nlp (analyze-corpus -o OUT.jsonl, or analyze --format jsonl), with "
    "'stance', 'events', 'entities' and 'sentences'"
)

_LONGEST_PATH = 4096  # PATH_MAX on Linux: a longer string is a text, not a file name

Source = str | os.PathLike[str] | Iterable[Mapping[str, Any] | Analysis]
"""A results file (JSONL, ``.gz`` read as gzip), result records already parsed (dicts), or
analyses (``Analyzer.pipe``'s, each taken as its ``to_dict()`` with its position from 0 as id)."""


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
