"""The input of a corpus run: each document not yet done, with its id key, text and kept fields, checked line by line.

Input: one JSON object per line with an id (``id_field``) and a text (``text_field``); ``.gz``
files are read as gzip (:mod:`arabnews_nlp.engines.jsonl`). A document's id, as JSON text
(:func:`id_key`), is the key a rerun resumes by.

Example:
    >>> id_key("doc-1", "in.jsonl:1")
    '"doc-1"'
"""

from __future__ import annotations

import json
import logging
import os
import zlib
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, NamedTuple

from arabnews_nlp.engines.jsonl import decode_utf8, json_line, open_bytes
from arabnews_nlp.errors import ConfigError, DataFormatError
from arabnews_nlp.text.screen import InputNotes

logger = logging.getLogger(__name__)


def id_key(value: Any, where: str) -> str:
    """Return the JSON text of a document id, the key used for resume (str and int ids only).

    Raises:
        DataFormatError: If the id is missing or not a str or int.

    Example:
        >>> id_key("doc-1", "x"), id_key(7, "x")
        ('"doc-1"', '7')
    """
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise DataFormatError(f"{where}: the id must be a string or an integer, got {value!r}")
    return json.dumps(value, ensure_ascii=False)


class Pending(NamedTuple):
    """An input document to analyse.

    Attributes:
        key: Its id as JSON text (:func:`id_key`), the key of resume.
        text: Its text.
        fields: The input fields kept in its output line, as JSON members (``', "date": "…"'``), or ``""``.
    """

    key: str
    text: str
    fields: str = ""


def check_keep_fields(keep_fields: Sequence[str], id_field: str, text_field: str) -> tuple[str, ...]:
    """Return the input fields to copy into each output line, checked.

    Raises:
        ConfigError: If one is not a non-empty string, is the id or text field (already in the
            line), or is the name of an output field (it would be written twice).

    Example:
        >>> check_keep_fields(["date", "source"], "id", "text")
        ('date', 'source')
    """
    from arabnews_nlp.results import Analysis

    if isinstance(keep_fields, str):
        raise ConfigError(f"keep_fields must be a list of field names, got the string {keep_fields!r}")
    taken = ("id", *Analysis.empty("").to_dict())  # the fields of every output line
    fields = tuple(keep_fields)
    for name in fields:
        if not isinstance(name, str) or not name.strip():
            raise ConfigError(f"keep_fields: a field name must be a non-empty string, got {name!r}")
        if name in (id_field, text_field, *taken):
            raise ConfigError(f"keep_fields: {name!r} is already a field of each output line "
                              f"({', '.join(taken)}); keep only other input fields")  # fmt: skip
    if len(set(fields)) != len(fields):
        raise ConfigError(f"keep_fields names a field twice: {', '.join(fields)}")
    return fields


def iter_pending(
    source: str | os.PathLike[str], done: set[str], id_field: str, text_field: str, counts: dict[str, int],
    skip_invalid: bool = False, keep_fields: Sequence[str] = (), present: Counter[str] | None = None,
) -> Iterator[Pending]:
    """Yield each input document not in ``done`` (first occurrence of an id only).

    ``keep_fields`` are copied from the input line into :attr:`Pending.fields` (``null`` where
    the line lacks one); ``present`` counts, per kept field, the documents yielded that have it
    (see :func:`warn_absent_fields`).

    ``counts`` gets ``input_documents``, ``already_done``, ``duplicates`` and ``invalid``. A
    repeated id whose text differs from the first one's is a warning naming both lines (that
    document is not analysed). With ``skip_invalid``, a line that is not valid (not UTF-8, not
    JSON, no id or text) is logged as a warning naming ``file:line`` and skipped, instead of
    stopping the run.

    Raises:
        DataFormatError: If a line is not an object with an id and a string text (unless
            ``skip_invalid``).

    Example:
        >>> # list(iter_pending("news.jsonl", set(), "id", "text", {}))
    """
    path = Path(source)
    seen: dict[str, tuple[int, int]] = {}  # id key -> (line, CRC-32 of its text)
    with open_bytes(path) as handle:
        for number, raw in enumerate(handle, start=1):
            where = f"{path}:{number}"
            try:
                found = _read_line(raw, where, id_field, text_field)
            except DataFormatError as error:
                if not skip_invalid:
                    raise DataFormatError(f"{error}; to skip such lines with a warning instead, add --skip-invalid "
                                          "(skip_invalid=True in Python)") from error  # fmt: skip
                logger.warning("skipped: %s", error)
                counts["invalid"] = counts.get("invalid", 0) + 1
                continue
            if found is None:
                continue
            key, text, record = found
            counts["input_documents"] = counts.get("input_documents", 0) + 1
            checksum = zlib.crc32(text.encode("utf-8", "surrogatepass"))
            if key in seen:
                counts["duplicates"] = counts.get("duplicates", 0) + 1
                first, first_checksum = seen[key]
                if checksum != first_checksum:
                    logger.warning("%s: the id %s was given at line %d with another text; only that first document "
                                   "is analysed (give each document its own id)", where, key, first)  # fmt: skip
                continue
            seen[key] = (number, checksum)
            if key in done:
                counts["already_done"] = counts.get("already_done", 0) + 1
                continue
            kept = "".join(f", {json.dumps(name, ensure_ascii=False)}: {json.dumps(record.get(name), ensure_ascii=False)}"
                           for name in keep_fields)  # fmt: skip
            if present is not None:
                present.update(name for name in keep_fields if name in record)
            yield Pending(key, text, kept)


def warn_absent_fields(keep_fields: Sequence[str], present: Counter[str], documents: int) -> None:
    """Warn about each kept field that none of the ``documents`` analysed had (a misspelt name?).

    Example:
        >>> warn_absent_fields(["date"], Counter(date=3), 3)  # present: nothing to say
    """
    if not documents:
        return
    for name in keep_fields:
        if not present[name]:
            logger.warning("kept field %r was absent from all %d documents analysed (null in each of their lines); "
                           "check its name in --keep-fields (keep_fields in Python)", name, documents)  # fmt: skip


def check_text_value(record: dict[str, Any], text_field: str, where: str) -> None:
    """Raise when ``record`` has ``text_field`` but its value is not a string (null, a number…).

    Example:
        >>> check_text_value({"text": "نص"}, "text", "in.jsonl:1")
    """
    if text_field in record and not isinstance(record[text_field], str):
        found = "null" if record[text_field] is None else type(record[text_field]).__name__
        raise DataFormatError(f"{where}: {text_field!r} is {found}, expected a string (the document's text)")


def _read_line(raw: bytes, where: str, id_field: str, text_field: str) -> tuple[str, str, dict[str, Any]] | None:
    """``(id key, text, record)`` of one input line; ``None`` for a blank line."""
    line = decode_utf8(raw, where)
    if not line.strip():
        return None
    record = json_line(line, where)
    if isinstance(record, dict) and id_field in record:
        check_text_value(record, text_field, where)
    if not isinstance(record, dict) or id_field not in record or not isinstance(record.get(text_field), str):
        fields = f"; its fields: {', '.join(map(str, record))}" if isinstance(record, dict) else ""
        raise DataFormatError(f"{where}: expected an object with {id_field!r} and a string {text_field!r}{fields} "
                              "(name yours with --id-field and --text-field, or id_field and text_field in Python)")  # fmt: skip
    return id_key(record[id_field], where), record[text_field], record


def noted(pending: Iterable[Pending], notes: InputNotes, markup: str) -> Iterator[Pending]:
    """``pending`` as it is, each text counted in ``notes`` on its way (:class:`~arabnews_nlp.text.screen.InputNotes`)."""
    for document in pending:
        notes.add(document.key, document.text, markup)
        yield document


def warn_notes(notes: InputNotes) -> None:
    """Log one warning per kind of text the run could say little about (empty, not Arabic, a page read as text)."""
    for message in notes.messages():
        logger.warning(message)
