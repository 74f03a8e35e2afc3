"""Reading the data files a command is given: records or surface documents, converted, validated, counted.

One job: what ``validate``, ``build-data``, ``stats`` and ``conflicts`` read before they report
(``file:line: …`` problems, repeated ids across files, glob patterns expanded).
"""

from __future__ import annotations

import glob
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

from arabnews_nlp.errors import DataFormatError
from training.data.records import Record, is_surface, parsed_lines


class Checked(NamedTuple):
    """What :func:`read_checked` found in one JSONL file."""

    records: list[tuple[int, Record]]
    """``(line, record)`` for each document read and converted (surface documents)."""
    problems: list[str]
    """``file:line: …`` messages, in line order."""
    documents: int
    """Non-blank lines holding a JSON object, including documents that could not be converted."""
    unreadable: int
    """Non-blank lines that are not a JSON object (invalid JSON, or another JSON value)."""


def read_checked(path: str | Path) -> Checked:
    """Read a JSONL file of records or surface documents; convert, validate and count them.

    Surface documents are converted with :func:`training.data.surface.convert_document`, then
    every record is validated; problems are ``file:line: …`` messages.
    """
    from training.data.surface import convert_document
    from training.data.validate import validate_record
    from training.data.validate_file_checks import empty_file_problem, tool_export_problem

    records: list[tuple[int, Record]] = []
    problems: list[str] = []
    documents = unreadable = 0
    for line_no, record in parsed_lines(path):
        if isinstance(record, DataFormatError):
            unreadable += 1
            problems.append(str(record))
            continue
        documents += 1
        try:
            record = convert_document(record, path, line_no) if is_surface(record) else record
        except DataFormatError as err:
            problems.append(str(err))
            continue
        doc_id = record.get("id")
        prefix = f"{path}:{line_no}: {doc_id}:" if isinstance(doc_id, str) else f"{path}:{line_no}:"
        problems += [f"{prefix} {message}" for message in validate_record(record)]
        records.append((line_no, record))
    if not documents and not unreadable:
        problems.append(empty_file_problem(path))
    export = tool_export_problem(path) if problems else None
    if export:  # one message for the file, not one per line or per example
        return Checked([], [export], 0, 0)
    return Checked(records, problems, documents, unreadable)


def load_checked(path: str | Path) -> tuple[list[tuple[int, Record]], list[str]]:
    """Read a JSONL file of records or surface documents; return ``(line, record)`` and problems.

    :func:`read_checked` without the counts.
    """
    checked = read_checked(path)
    return checked.records, checked.problems


def duplicate_problems(files: dict[str, list[tuple[int, Record]]]) -> list[str]:
    """``file:line: id: duplicate id …`` messages for the ids repeated across ``files`` (path -> ``(line, record)``)."""
    from training.data.validate_file_checks import duplicate_id_messages

    return duplicate_id_messages(located_records(files))


def expand_patterns(patterns: Sequence[str]) -> list[str]:
    """The files matching each glob pattern, sorted; a pattern that matches nothing stays as given."""
    paths: list[str] = []
    for pattern in patterns:
        matches = sorted(glob.glob(pattern))
        paths += matches or [pattern]
    return paths


def located_records(files: dict[str, list[tuple[int, Record]]]) -> list[tuple[str, Record]]:
    """``("file:line", record)`` for every record of ``files`` (path -> ``(line, record)``)."""
    return [(f"{path}:{line_no}", record) for path, records in files.items() for line_no, record in records]
