"""The inputs of ``arabnews-nlp analyze``: text files, JSONL files and stdin, read one document at a time.

Each text file (or stdin, ``-``) is one document, read as it is (line ends kept, so offsets index
the file; a leading byte-order mark dropped); each line of a JSONL file (``*.jsonl``,
``*.jsonl.gz``, or ``--input-format jsonl``) is one document, a JSON object with a text field, an
id and the fields to keep. Warnings go to a callback: printing stays in :mod:`arabnews_nlp.cli`.

Example:
    >>> is_jsonl("news.jsonl.gz", "auto"), is_jsonl("article.txt", "auto"), is_jsonl("-", "jsonl")
    (True, False, True)
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from arabnews_nlp.engines.corpus_input import check_text_value
from arabnews_nlp.engines.jsonl import decode_utf8, json_line, open_bytes
from arabnews_nlp.errors import ConfigError, DataFormatError

__all__ = ["check_paths", "is_jsonl", "read_inputs"]


def read_inputs(
    inputs: Sequence[str], input_format: str, id_field: str = "id", text_field: str = "text",
    keep_fields: Sequence[str] = (), *, warn: Callable[[str], None],
) -> Iterator[tuple[Any, dict[str, Any], str]]:
    """Yield ``(id or None, kept fields, text)`` per document, reading files one at a time.

    Text is read as it is in the file (no newline translation, so offsets index the file's
    characters; a leading byte-order mark is dropped), the same from a file and from stdin. The
    first JSONL record without ``id_field`` is named in a warning, given to ``warn`` (once per run;
    the CLI prints it on stderr).
    """
    warned = False
    for name in inputs:
        source = "<stdin>" if name == "-" else name
        if not is_jsonl(name, input_format):
            yield (None if name == "-" else name), {}, decode_utf8(_read_bytes(name), source)
            continue
        with contextlib.ExitStack() as stack:
            lines = _read_bytes(name).split(b"\n") if name == "-" else stack.enter_context(open_bytes(name))
            for where, record in _read_jsonl(lines, source, text_field):
                if id_field not in record and not warned:
                    warned = True
                    warn(_no_id(where, record, id_field))
                yield record.get(id_field), {field: record.get(field) for field in keep_fields}, record[text_field]


def is_jsonl(name: str, input_format: str) -> bool:
    """Whether ``name`` is read as JSONL: ``--input-format jsonl``, or ``auto`` and a ``.jsonl``/``.jsonl.gz`` name."""
    return input_format == "jsonl" or (input_format == "auto" and name.endswith((".jsonl", ".jsonl.gz")))


def check_paths(inputs: Sequence[str], output: str | None) -> None:
    """Raise before any work if an input is missing or a directory, or the output is an input."""
    for name in inputs:
        if name == "-":
            continue
        path = Path(name)
        if path.is_dir():
            raise ConfigError(f"input {name} is a directory; pass its files (e.g. {path / '*.txt'})")
        if not path.is_file():
            raise FileNotFoundError(f"input file not found: {name}")
        if output is not None and Path(output).exists() and path.samefile(output):
            raise ConfigError(f"--output {output} is also an input; write the results to another file")


def _read_jsonl(lines: Iterator[bytes] | Sequence[bytes], source: str, text_field: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """Yield ``(file:line, record)`` for each non-blank line, a JSON object with a string ``text_field``.

    A line that is not one stops the run, with a hint at ``analyze-corpus --skip-invalid``,
    which skips such lines with a warning.
    """
    for number, raw in enumerate(lines, start=1):
        where = f"{source}:{number}"
        try:
            record = _jsonl_record(raw, where, text_field)
        except DataFormatError as error:
            raise DataFormatError(f"{error} (to skip such lines with a warning instead: arabnews-nlp analyze-corpus "
                                  "IN -o OUT --skip-invalid)") from error  # fmt: skip
        if record is not None:
            yield where, record


def _jsonl_record(raw: bytes, where: str, text_field: str) -> dict[str, Any] | None:
    """The record of one JSONL line; ``None`` for a blank line."""
    line = decode_utf8(raw, where)
    if not line.strip():
        return None
    record = json_line(line, where)
    if isinstance(record, dict):
        check_text_value(record, text_field, where)
    if not isinstance(record, dict) or not isinstance(record.get(text_field), str):
        fields = f" (its fields: {', '.join(map(str, record))})" if isinstance(record, dict) else ""
        raise DataFormatError(f"{where}: expected a JSON object with a string {text_field!r} field{fields}; "
                              "name yours with --text-field")  # fmt: skip
    return record


def _read_bytes(name: str) -> bytes:
    """All of stdin (``-``) or of the (possibly gzipped) file ``name``."""
    if name == "-":
        return sys.stdin.buffer.read()
    with open_bytes(name) as handle:
        return handle.read()


def _no_id(where: str, record: dict[str, Any], id_field: str) -> str:
    """The warning for a JSONL record without an id, suggesting the field that looks like one."""
    like = [str(name) for name in record if str(name).lower().endswith("id")]
    return (f"{where}: no {id_field!r} field (its fields: {', '.join(map(str, record))}): its result, and those of "
            f"any other record without one, carry no id; name the id field with --id-field {like[0] if like else 'NAME'}")  # fmt: skip
