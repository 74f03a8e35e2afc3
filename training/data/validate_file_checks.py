"""File-level problems of a data file: repeated ids, annotation-tool exports, empty files.

One job: what is wrong with a file as a whole rather than with one record (the per-record
rules are :func:`training.data.validate.validate_record`'s).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

from training.data.records import read_lines

Where = TypeVar("Where")


def duplicate_ids(located: Iterable[tuple[Where, Any]]) -> list[tuple[Where, str, Where]]:
    """Find the records whose id an earlier record already used (ids must be unique).

    Only string ids are compared; :func:`validate_record` reports any other id.

    Args:
        located: ``(where, record)`` pairs in reading order; ``where`` is anything that places
            the record (a line number, ``"file:line"``).

    Returns:
        ``(where, id, where the id was first used)`` for each repeat, in reading order.

    Example:
        >>> duplicate_ids([(1, {"id": "a"}), (2, {"id": "b"}), (3, {"id": "a"})])
        [(3, 'a', 1)]
    """
    first: dict[str, Where] = {}
    repeats: list[tuple[Where, str, Where]] = []
    for where, record in located:
        doc_id = record.get("id") if isinstance(record, Mapping) else None
        if not isinstance(doc_id, str):
            continue
        if doc_id in first:
            repeats.append((where, doc_id, first[doc_id]))
        else:
            first[doc_id] = where
    return repeats


def duplicate_id_messages(located: Iterable[tuple[str, Any]]) -> list[str]:
    """:func:`duplicate_ids` as ``where: id: duplicate id (first at …)`` messages.

    Example:
        >>> duplicate_id_messages([("a.jsonl:1", {"id": "d"}), ("a.jsonl:2", {"id": "d"})])
        ['a.jsonl:2: d: duplicate id (first at a.jsonl:1); ids must be unique']
    """
    return [f"{where}: {doc_id}: duplicate id (first at {first}); ids must be unique"
            for where, doc_id, first in duplicate_ids(located)]  # fmt: skip


def _first_item(lines: Sequence[str]) -> Any:
    """The first item of a JSON array file, or the first JSON value of a JSONL file (None if unreadable)."""
    content = "".join(lines).strip()
    try:
        if content.startswith("["):
            items = json.loads(content)
            return items[0] if isinstance(items, list) and items else None
        return json.loads(next(line for line in lines if line.strip()))
    except (ValueError, StopIteration):
        return None


def _spread_json_problem(path: str | Path, lines: Sequence[str]) -> str | None:
    """The problem of records or surface documents written as one JSON value over several lines, else None."""
    if len(lines) < 2:
        return None
    try:
        json.loads(next((line for line in lines if line.strip()), ""))
        return None  # the first line is a JSON value on its own: JSONL, whatever the other lines hold
    except ValueError:
        pass
    try:
        value = json.loads("".join(lines))
    except ValueError:
        return None
    if isinstance(value, list) and value and all(isinstance(item, Mapping) and "sentences" in item for item in value):
        kind, records = "JSON array", "[json.dumps(r, ensure_ascii=False) for r in json.load(f)]"
    elif isinstance(value, Mapping) and "sentences" in value:
        kind, records = "JSON object", "[json.dumps(json.load(f), ensure_ascii=False)]"
    else:
        return None  # an annotation tool's export (named by the caller) or not data at all
    return (f"{path}: this looks like a {kind} written over {len(lines)} lines (pretty-printed), not JSONL records; write "
            f"one record per line: python -c \"import json, sys; f = open(sys.argv[1], encoding='utf-8'); "
            f"print(*{records}, sep=chr(10))\" {path} > OUT.jsonl")  # fmt: skip


def tool_export_problem(path: str | Path) -> str | None:
    """The problem of a file that is a tool export or pretty-printed JSON rather than JSONL records, else None.

    A Label Studio export is a JSON array of tasks (``data``, ``annotations``); a Doccano
    sequence-labeling export has ``text`` with ``label`` (or ``entities`` with ``start_offset``);
    a Doccano classification export of sentences has ``doc_id`` and ``sentence``; records or
    surface documents written as one indented JSON array or object span several lines. Reading
    one as records gives a message per line; this gives one, with the command that converts it.

    Example:
        >>> import tempfile, os
        >>> tmp = os.path.join(tempfile.mkdtemp(), "export.jsonl")
        >>> _ = open(tmp, "w", encoding="utf-8").write('{"id": 1, "text": "في بغداد", "label": [[3, 8, "LOC"]]}\\n')
        >>> tool_export_problem(tmp).endswith(f"run python -m training convert doccano {tmp} OUT.jsonl first")
        True
    """
    read = [line for _, line in read_lines(path)]
    lines = [line for line in read if isinstance(line, str)]
    if len(lines) < len(read):  # a line that is not UTF-8: not a tool's export
        return None
    spread = _spread_json_problem(path, lines)
    if spread:
        return spread
    item = _first_item(lines)
    if not isinstance(item, Mapping) or "sentences" in item:
        return None
    entities = item.get("entities")
    data = item.get("data")
    if isinstance(data, Mapping) and ("annotations" in item or "predictions" in item or "text" in data):
        kind, command = "Label Studio export (tasks with data and annotations)", f"convert labelstudio {path} OUT.jsonl"
    elif "doc_id" in item and "sentence" in item:
        kind = "Doccano text-classification export (one example per sentence)"
        command = f"convert doccano-sentences {path} OUT.jsonl --records RECORDS.jsonl"
    elif isinstance(item.get("text"), str) and (
        "label" in item or "labels" in item
        or (isinstance(entities, list) and all(isinstance(e, Mapping) and "start_offset" in e for e in entities))
    ):  # fmt: skip
        kind, command = "Doccano export (one example per document)", f"convert doccano {path} OUT.jsonl"
    else:
        return None
    return f"{path}: this looks like a {kind}, not records; run python -m training {command} first"


def empty_file_problem(path: str | Path) -> str:
    """The problem reported for a data file that holds no document (validation and ``validate``).

    Example:
        >>> empty_file_problem("a.jsonl")
        'a.jsonl: holds no documents (an empty file): nothing to train on or score'
    """
    return f"{path}: holds no documents (an empty file): nothing to train on or score"
