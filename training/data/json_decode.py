"""Strict JSON decoding of data files: one JSONL line or a whole-file array, with ``file:line`` errors.

One job: turn text into JSON values, refusing what ``json`` would accept silently (a key given
twice keeps only its last value) and naming the line and column of what is wrong.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from arabnews_nlp.errors import DataFormatError


def parse_line(line: str, path: str | Path = "<string>", line_no: int = 0) -> dict[str, Any]:
    """Parse one JSONL line into a record ``dict``.

    Args:
        line: The line (a trailing newline is fine).
        path: The file, for the message.
        line_no: The 1-based line number, for the message.

    Returns:
        The decoded JSON object.

    Raises:
        DataFormatError: If the line is not JSON or not a JSON object.

    Example:
        >>> parse_line('{"id": "d1"}')["id"]
        'd1'
    """
    try:
        value = json.loads(line.rstrip("\r\n"), object_pairs_hook=_unique_keys)
    except json.JSONDecodeError as err:
        raise DataFormatError(f"{path}:{line_no}: invalid JSON ({_json_cause(err)}); one record per line") from err
    except _DuplicateKey as err:
        raise DataFormatError(f"{path}:{line_no}: the key {err.args[0]!r} is given twice in one object; keep one") from None
    if not isinstance(value, dict):
        raise DataFormatError(f"{path}:{line_no}: expected a JSON object, got {type(value).__name__}")
    return value


def _json_cause(err: json.JSONDecodeError) -> str:
    """What is wrong and at which column (``Unterminated string starting at column 9``: one "at", as the runtime says).

    Example:
        >>> try:
        ...     json.loads('{"a": "b')
        ... except json.JSONDecodeError as err:
        ...     _json_cause(err)
        'Unterminated string starting at column 7'
    """
    cause = err.msg if err.msg.endswith(" at") else f"{err.msg} at"
    return f"{cause} column {err.colno}"


class _DuplicateKey(ValueError):
    pass


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """``json`` object hook: a dict, refusing a key given twice (``json`` would keep the last silently)."""
    value = dict(pairs)
    if len(value) != len(pairs):
        seen: set[str] = set()
        raise _DuplicateKey(next(key for key, _ in pairs if key in seen or seen.add(key)))  # type: ignore[func-returns-value]
    return value


def parse_json_array(text: str, path: str | Path = "<string>") -> list[Any]:
    """Parse a whole-file JSON array (Doccano, Label Studio), refusing a key given twice as :func:`parse_line` does.

    Args:
        text: The file's text.
        path: The file, for the message.

    Returns:
        The array's items.

    Raises:
        DataFormatError: If the text is not JSON or not an array, or an object in it gives a key
            twice (``file:line: item N: …``, the line where that item starts).

    Example:
        >>> parse_json_array('[{"id": 1}]')
        [{'id': 1}]
        >>> parse_json_array('[{"id": 1},\\n {"id": 2, "text": "a", "id": 3}]', "a.json")
        Traceback (most recent call last):
        ...
        arabnews_nlp.errors.DataFormatError: a.json:2: item 2: the key 'id' is given twice in one object; keep one
    """
    if not text.lstrip().startswith("["):
        raise DataFormatError(f"{path}: expected a JSON array of items ([...])")
    decoder = json.JSONDecoder(object_pairs_hook=_unique_keys)
    try:
        value: list[Any] = decoder.decode(text)
    except json.JSONDecodeError as err:
        raise DataFormatError(f"{path}:{err.lineno}: invalid JSON ({_json_cause(err)})") from err
    except _DuplicateKey as err:
        line, item = _duplicate_item(text, decoder)
        raise DataFormatError(f"{path}:{line}: item {item}: the key {err.args[0]!r} is given twice in one object; "
                              "keep one") from None  # fmt: skip
    return value


def _duplicate_item(text: str, decoder: json.JSONDecoder) -> tuple[int, int]:
    """The line and 1-based number of the first item of the JSON array ``text`` that ``decoder`` refuses."""
    skip = re.compile(r"[ \t\n\r]*,?[ \t\n\r]*")  # whitespace, the comma between items
    at, item = skip.match(text, text.index("[") + 1).end(), 1
    while True:
        try:
            at = skip.match(text, decoder.raw_decode(text, at)[1]).end()
        except _DuplicateKey:
            return text.count("\n", 0, at) + 1, item
        item += 1
