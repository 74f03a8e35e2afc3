"""Reading JSONL bytes: plain or gzip files, UTF-8 checked, one JSON value per line, errors that say what to do.

Shared by the corpus engines (their input and output) and :mod:`arabnews_nlp.tables` (results files).

Example:
    >>> json_line(decode_utf8(b'{"id": "d1"}\\n', "in.jsonl:1"), "in.jsonl:1")
    {'id': 'd1'}
"""

from __future__ import annotations

import gzip
import io
import json
import os
from typing import Any

from arabnews_nlp.errors import DataFormatError

JSONL_HINT = 'the input must be JSONL: one JSON object per line, e.g. {"id": "d1", "text": "…"}'


def open_bytes(path: str | os.PathLike[str]) -> io.BufferedIOBase:
    """The file at ``path`` in binary mode, decompressed when it ends with ``.gz``."""
    return gzip.open(path, "rb") if str(path).endswith(".gz") else open(path, "rb")  # noqa: SIM115


def decode_utf8(data: bytes, where: str) -> str:
    """``data`` as UTF-8 text, a leading byte-order mark (Windows tools) dropped.

    Raises:
        DataFormatError: Naming ``where`` (a file, or a file and line) and the first bad byte.

    Example:
        >>> decode_utf8("\ufeffنص".encode(), "a.txt")
        'نص'
    """
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        if data.startswith(b"\x1f\x8b"):
            raise DataFormatError(f"{where}: this is gzip-compressed data; name the file .gz (it is then read "
                                  "as gzip) or gunzip it first") from error  # fmt: skip
        raise DataFormatError(
            f"{where}: not UTF-8 text (byte 0x{data[error.start]:02x} at position {error.start}); {_encoding_hint(data, error)}"
        ) from error


def _encoding_hint(data: bytes, error: UnicodeDecodeError) -> str:
    """What to do about bytes that are not UTF-8, from what they look like."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "it begins with a UTF-16 byte-order mark: convert it first, e.g. iconv -f UTF-16 -t UTF-8"
    if b"\x00" in data[:4096]:
        return "it holds NUL bytes: a binary file, or UTF-16 without a byte-order mark (iconv -f UTF-16LE -t UTF-8)?"
    if error.end == len(data) and error.reason == "unexpected end of data":
        return "the data ends inside a UTF-8 character: the file was cut short (an interrupted copy or download?)"
    return "convert it first, e.g. iconv -f WINDOWS-1256 -t UTF-8 (the usual Arabic encoding before UTF-8)"


def json_line(line: str | bytes, where: str, hint: str = JSONL_HINT) -> Any:
    """The JSON value of one line of a JSONL file, parsed without its line end.

    Without the line end, a string cut off before it is reported as "Unterminated string", not
    "Invalid control character".

    Raises:
        DataFormatError: If the line is not valid JSON: ``where``, what is wrong and at which
            column, then ``hint``.

    Example:
        >>> json_line('{"id": "a6"}\\r\\n', "in.jsonl:6")
        {'id': 'a6'}
        >>> json_line('{"id": "a6", "text": "broken\\n', "in.jsonl:6", hint="one object per line")
        Traceback (most recent call last):
        ...
        arabnews_nlp.errors.DataFormatError: in.jsonl:6: not valid JSON (Unterminated string starting at column 22); one object per line
    """
    try:
        return json.loads(line.rstrip("\r\n") if isinstance(line, str) else line.rstrip(b"\r\n"))
    except json.JSONDecodeError as error:
        cause = error.msg if error.msg.endswith(" at") else f"{error.msg} at"
        raise DataFormatError(f"{where}: not valid JSON ({cause} column {error.colno}); {hint}") from error


def count_lines(path: str | os.PathLike[str]) -> int:
    """Non-blank lines of a (possibly gzipped) file, for a progress bar's total.

    Example:
        >>> count_lines(__file__) > 0
        True
    """
    with open_bytes(path) as handle:
        return sum(1 for line in handle if line.strip())
