"""Read and write SCHEMA.md §5 records (JSON Lines, UTF-8, one document per line).

A record is a plain ``dict``: ``id``, ``text``, ``doc_stance``, ``sentences`` (``start``,
``end``, ``stance``, ``holder``, ``events``) and ``entities`` (``start``, ``end``, ``label``),
plus optional ``source``, ``date``, ``synthetic``, ``author`` and ``tasks`` (see
:mod:`training.data.validate` for every rule). This module only reads, writes and slices; it
does not validate. Decoding a line or a JSON array is :mod:`training.data.json_decode`'s.

Example:
    >>> record = {"id": "d1", "text": "قصف بغداد.", "doc_stance": "neutral",
    ...           "sentences": [{"start": 0, "end": 10, "stance": "neutral", "holder": None,
    ...                          "events": []}],
    ...           "entities": [{"start": 4, "end": 9, "label": "LOC"}]}
    >>> [span_text(record, e) for e in sentence_entities(record, record["sentences"][0])]
    ['بغداد']
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from arabnews_nlp.errors import DataFormatError
from training.data.json_decode import parse_json_array, parse_line

Record = dict[str, Any]

__all__ = [
    "TASKS",
    "Record",
    "entity_texts",
    "is_surface",
    "iter_records",
    "parse_json_array",
    "parse_line",
    "parsed_lines",
    "read_lines",
    "read_records",
    "record_tasks",
    "sentence_entities",
    "sentence_texts",
    "span_text",
    "to_surface",
    "with_tasks",
    "write_records",
]

TASKS: tuple[str, ...] = ("ner", "stance", "events")
"""Annotation layers a record can declare in ``tasks`` (all three when ``tasks`` is absent)."""


_BOMS_UTF16 = (b"\xff\xfe", b"\xfe\xff")


def read_lines(path: str | Path) -> Iterator[tuple[int, str | DataFormatError]]:
    r"""Yield ``(line_no, line)`` for every line of a UTF-8 text file (a leading BOM dropped).

    A line that is not valid UTF-8 is yielded as a :class:`DataFormatError` naming the file, the
    line and the byte, with how to convert the file, so callers can report it as a problem of
    that line and go on; a UTF-16 file (a Windows "Unicode" text file) is one such error for
    line 1, and nothing more is read.

    Example:
        >>> import tempfile, os
        >>> tmp = os.path.join(tempfile.mkdtemp(), "a.jsonl")
        >>> _ = open(tmp, "wb").write("{}\n".encode() + "نص".encode("cp1256") + b"\n")
        >>> [str(line) for _, line in read_lines(tmp)][1].endswith("byte 0xe4 at byte 1); save it as UTF-8, e.g. "
        ...     f"iconv -f WINDOWS-1256 -t UTF-8 {tmp} > {tmp}.utf8")
        True
    """
    with open(path, "rb") as handle:
        lines = (line for chunk in handle for line in chunk.splitlines(keepends=True))  # \n, \r\n and a lone \r
        for line_no, raw in enumerate(lines, 1):
            if line_no == 1:
                if raw.startswith(_BOMS_UTF16):
                    yield 1, DataFormatError(f"{path}:1: the file is UTF-16, not UTF-8; save it as UTF-8, e.g. "
                                             f"iconv -f UTF-16 -t UTF-8 {path} > {path}.utf8")  # fmt: skip
                    return
                raw = raw.removeprefix(b"\xef\xbb\xbf")
            try:
                yield line_no, raw.decode("utf-8")
            except UnicodeDecodeError as err:
                yield line_no, DataFormatError(
                    f"{path}:{line_no}: not valid UTF-8 (byte 0x{raw[err.start]:02x} at byte {err.start + 1}); save it "
                    f"as UTF-8, e.g. iconv -f WINDOWS-1256 -t UTF-8 {path} > {path}.utf8"
                )


def parsed_lines(path: str | Path) -> Iterator[tuple[int, Record | DataFormatError]]:
    """Yield ``(line_no, record)`` for every non-blank line, or the :class:`DataFormatError` of a
    line that is not UTF-8 or not a JSON object, so callers can report it and go on.

    Example:
        >>> import tempfile, os
        >>> tmp = os.path.join(tempfile.mkdtemp(), "a.jsonl")
        >>> _ = open(tmp, "w", encoding="utf-8").write('{"id": "d1"}\\n\\nnot json\\n')
        >>> [(n, type(r).__name__) for n, r in parsed_lines(tmp)]
        [(1, 'dict'), (3, 'DataFormatError')]
    """
    for line_no, line in read_lines(path):
        if isinstance(line, DataFormatError):
            yield line_no, line
        elif line.strip():
            try:
                yield line_no, parse_line(line, path, line_no)
            except DataFormatError as err:
                yield line_no, err


def iter_records(path: str | Path) -> Iterator[tuple[int, Record]]:
    """Yield ``(line_no, record)`` for every non-blank line of a JSONL file.

    Args:
        path: The ``.jsonl`` file (UTF-8).

    Yields:
        The 1-based line number and the decoded record.

    Raises:
        DataFormatError: On the first line that is not UTF-8 or not a JSON object (message ``file:line: …``).

    Example:
        >>> import tempfile, os
        >>> tmp = os.path.join(tempfile.mkdtemp(), "a.jsonl")
        >>> _ = write_records(tmp, [{"id": "d1"}, {"id": "d2"}])
        >>> [(n, r["id"]) for n, r in iter_records(tmp)]
        [(1, 'd1'), (2, 'd2')]
    """
    for line_no, record in parsed_lines(path):
        if isinstance(record, DataFormatError):
            raise record
        yield line_no, record


def read_records(
    paths: str | Path | Iterable[str | Path], already_read: Mapping[str, list[Record]] | None = None
) -> list[Record]:
    """Read every record of one or more JSONL files, in file order.

    Args:
        paths: One file or several.
        already_read: Records of files read before, by path as given (e.g. what
            :meth:`training.config.FinetuneConfig.check_data` returns): those files are not read again.

    Example:
        >>> read_records([])
        []
        >>> read_records(["no/such.jsonl"], {"no/such.jsonl": [{"id": "d"}]})
        [{'id': 'd'}]
    """
    if isinstance(paths, (str, Path)):
        paths = [paths]
    known = already_read or {}
    return [record for path in paths
            for record in (known[str(path)] if str(path) in known else (r for _, r in iter_records(path)))]  # fmt: skip


def write_records(path: str | Path, records: Iterable[Mapping[str, Any]]) -> int:
    """Write records as JSONL (UTF-8, ``ensure_ascii=False``), creating parent folders.

    Args:
        path: The output file; overwritten.
        records: The records, written in order.

    Returns:
        The number of records written.

    Example:
        >>> import tempfile, os
        >>> write_records(os.path.join(tempfile.mkdtemp(), "out.jsonl"), [{"id": "د"}])
        1
    """
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    with open(out, "w", encoding="utf-8", newline="\n") as handle:
        for record in records:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
            count += 1
    return count


def record_tasks(record: Mapping[str, Any]) -> tuple[str, ...]:
    """Return the annotation layers a record carries (``tasks``, or all of :data:`TASKS`).

    Example:
        >>> record_tasks({"tasks": ["ner"]}), record_tasks({})
        (('ner',), ('ner', 'stance', 'events'))
    """
    tasks = record.get("tasks")
    return tuple(tasks) if isinstance(tasks, list) else TASKS


def with_tasks(record: Mapping[str, Any], tasks: Iterable[str]) -> Record:
    """Return a copy of ``record`` that declares ``tasks`` only, the labels of the other layers ``null``.

    A label of an undeclared layer is ignored by training and reported by validation, so this
    is how to keep one layer of fully annotated records (say, to learn NER only from them).

    Example:
        >>> rec = {"doc_stance": "anti", "entities": [], "sentences": [
        ...     {"start": 0, "end": 3, "stance": "anti", "holder": None, "events": ["THREAT"]}]}
        >>> part = with_tasks(rec, ["ner", "events"])
        >>> part["tasks"], part["doc_stance"], part["sentences"][0]["stance"], part["sentences"][0]["events"]
        (['ner', 'events'], None, None, ['THREAT'])
    """
    tasks = list(tasks)
    copy: Record = {**record, "tasks": tasks, "sentences": [dict(s) for s in record["sentences"]]}
    if "stance" not in tasks:
        copy["doc_stance"] = None
        for sentence in copy["sentences"]:
            sentence.update(stance=None, holder=None)
    if "events" not in tasks:
        for sentence in copy["sentences"]:
            sentence["events"] = None
    return copy


def span_text(record: Mapping[str, Any], span: Mapping[str, Any]) -> str:
    """Return ``record["text"][start:end]`` for a sentence, entity or holder span.

    Example:
        >>> span_text({"text": "في بغداد"}, {"start": 3, "end": 8})
        'بغداد'
    """
    return str(record["text"][span["start"] : span["end"]])


def sentence_texts(record: Mapping[str, Any]) -> list[str]:
    """Return the text of each sentence, in order.

    Example:
        >>> sentence_texts({"text": "أ. ب.", "sentences": [{"start": 0, "end": 2}, {"start": 3, "end": 5}]})
        ['أ.', 'ب.']
    """
    return [span_text(record, sentence) for sentence in record["sentences"]]


def sentence_entities(record: Mapping[str, Any], sentence: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Return the entities lying inside ``sentence``, in order.

    Example:
        >>> rec = {"entities": [{"start": 0, "end": 2, "label": "LOC"}, {"start": 5, "end": 7, "label": "PER"}]}
        >>> sentence_entities(rec, {"start": 4, "end": 9})
        [{'start': 5, 'end': 7, 'label': 'PER'}]
    """
    return [e for e in record["entities"] if sentence["start"] <= e["start"] and e["end"] <= sentence["end"]]


def entity_texts(record: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Return ``(text, label)`` for every entity, in order.

    Example:
        >>> entity_texts({"text": "في بغداد", "entities": [{"start": 3, "end": 8, "label": "LOC"}]})
        [('بغداد', 'LOC')]
    """
    return [(span_text(record, e), str(e["label"])) for e in record["entities"]]


def to_surface(record: Mapping[str, Any]) -> Record:
    """Turn an offset record back into the surface format of :mod:`training.data.surface`.

    Args:
        record: A valid record.

    Returns:
        The surface document; ``surface_to_record`` of it gives ``record`` back (a layer that
        is not annotated, ``null``, stays ``null``).

    Raises:
        DataFormatError: If the surface form would be ambiguous (an entity whose text also
            occurs, unannotated and as whole words, earlier in its sentence, or a holder that
            is not the first entity of the sentence with its text).

    Example:
        >>> rec = {"id": "d1", "text": "في بغداد", "doc_stance": "neutral", "entities": [
        ...     {"start": 3, "end": 8, "label": "LOC"}], "sentences": [
        ...     {"start": 0, "end": 8, "stance": "neutral", "holder": None, "events": []}]}
        >>> to_surface(rec)["sentences"][0]["entities"]
        [['بغداد', 'LOC']]
    """
    from training.data.surface import surface_to_record

    doc = {k: v for k, v in record.items() if k not in ("sentences", "entities")}
    doc["sentences"] = []
    for sentence in record["sentences"]:
        holder = sentence.get("holder")
        doc["sentences"].append(
            {
                "text": span_text(record, sentence),
                "stance": sentence.get("stance"),
                "holder": None if holder is None else span_text(record, holder),
                "events": sentence.get("events"),
                "entities": [[span_text(record, e), e["label"]] for e in sentence_entities(record, sentence)],
            }
        )
    back = surface_to_record(doc)
    holders = [s.get("holder") for s in record["sentences"]]
    if back["entities"] != list(record["entities"]) or [s["holder"] for s in back["sentences"]] != holders:
        raise DataFormatError(
            f"{record.get('id')}: the surface form is ambiguous (an entity or holder text also occurs "
            "earlier in its sentence); keep this record in the offset format"
        )
    return doc


def is_surface(record: Record) -> bool:
    """Return whether a JSONL document is in the surface format (sentences given by text).

    Example:
        >>> is_surface({"sentences": [{"text": "نص"}]}), is_surface({"sentences": [{"start": 0}]})
        (True, False)
    """
    sentences = record.get("sentences")
    first = sentences[0] if isinstance(sentences, list) and sentences else None
    return isinstance(first, dict) and "text" in first and "start" not in first
