"""Check SCHEMA.md §5 records against every rule of the format; messages ``file:line: …``.

Rules checked, one message per violation (:func:`validate_record` gives ``what is wrong``,
:func:`validate_file` prefixes ``file:line: id:``):

* **Record**: a JSON object; ``id`` a non-empty string, unique within the file; ``text`` a
  non-empty string; ``sentences`` and ``entities`` lists; ``doc_stance`` one of
  ``STANCE_LABELS``; optional ``source`` a string, object or ``null``; optional ``date``
  ``null`` or a non-empty string (SCHEMA.md shows ``YYYY-MM-DD`` but fixes no format; the pool
  has RFC 2822 and ``YYYY-MM-DD HH:MM:SS`` dates as published); optional ``synthetic`` a boolean, and a synthetic document
  (``"synthetic": true``) must name its ``author`` (a non-empty string).
* **Offsets** (sentences, entities, holders): objects whose ``start`` and ``end`` are integers
  with ``0 <= start < end <= len(text)``.
* **Sentences**: in order, non-overlapping, stripped (no whitespace at either edge), and
  together covering every non-whitespace character of ``text`` (only whitespace between, before
  and after them); ``stance`` one of ``STANCE_LABELS``; ``events`` a list of distinct
  ``EVENT_TYPES``; ``holder`` ``null`` or exactly the span of an entity lying inside the sentence,
  and ``null`` on a ``neutral`` sentence (no position, so no one holds it).
* **Review**: a record or surface document still marked ``"prefilled"`` (a model's
  pre-annotation from ``python -m training prefill``) is refused until the key is deleted.
* **Keys**: a key that is not one of the format's but close to one (``entites``, ``holdr``,
  ``"synthetic "``) is reported with the key it was probably meant to be: a misspelt key is
  ignored, and its annotation lost. Other extra keys (your own metadata) are allowed.
* **Entities** (SCHEMA.md §2): ``label`` one of ``ENTITY_TYPES``; no whitespace at either edge,
  nor punctuation copied with the name (a comma, colon, question mark, a full stop, an unmatched
  bracket or quote: ``العراق،``); whole words (:func:`arabnews_nlp.text.words.is_whole_words`); sorted by ``start``;
  non-overlapping; each inside one sentence.

**Extension: partially annotated records (``tasks``).** A record may declare which layers it
carries with ``"tasks"``: a non-empty list of distinct names from ``("ner", "stance",
"events")``; without ``tasks`` it carries all three. The layers it does not declare may be
``null``: without ``"stance"``, ``doc_stance`` and every sentence ``stance`` may be ``null`` and
holders must be ``null``; without ``"events"``, sentence ``events`` may be ``null``. Whatever is
not ``null`` is still checked, and training ignores it (``tasks`` says what a record teaches:
a subset taken for NER only keeps its other labels). NER corpora converted by :mod:`training.data.convert_conll`
(ANERcorp, WikiFANE) are written as ``"tasks": ["ner"]``; training must only learn a task from
the records that declare it.

The checks live in small modules, re-exported here: :mod:`training.data.validate_fields`
(record fields, offsets, misspelt keys), :mod:`training.data.validate_spans` (entities,
sentences, holders), :mod:`training.data.validate_file_checks` (repeated ids, tool exports,
empty files) and :mod:`training.data.validate_unannotated` (the note on skeleton-like records);
this module checks whole records and files.

Example:
    >>> record = {"id": "d1", "text": "قصف بغداد.", "doc_stance": "neutral",
    ...           "sentences": [{"start": 0, "end": 10, "stance": "neutral", "holder": None,
    ...                          "events": []}],
    ...           "entities": [{"start": 4, "end": 8, "label": "LOC"}]}
    >>> validate_record(record)
    ["entity 0 [4:8] 'بغدا' LOC: not whole words (a span must start and end on word boundaries)"]
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from arabnews_nlp.errors import DataFormatError
from training.data.json_decode import parse_line
from training.data.records import Record, is_surface, parsed_lines, read_lines
from training.data.validate_fields import ENTITY_KEYS, RECORD_KEYS, SENTENCE_KEYS, _check_header, _declared_tasks, misspelt_keys
from training.data.validate_file_checks import duplicate_id_messages, duplicate_ids, empty_file_problem, tool_export_problem
from training.data.validate_spans import _check_entities, _check_links, _check_sentences
from training.data.validate_unannotated import looks_unannotated, unannotated_note

__all__ = [
    "ENTITY_KEYS",
    "RECORD_KEYS",
    "SENTENCE_KEYS",
    "check_files",
    "duplicate_id_messages",
    "duplicate_ids",
    "empty_file_problem",
    "looks_unannotated",
    "misspelt_keys",
    "read_valid_records",
    "read_validated",
    "tool_export_problem",
    "unannotated_note",
    "validate_file",
    "validate_record",
]


def validate_record(record: Any) -> list[str]:
    """Return what is wrong with one record (empty when it is valid).

    Args:
        record: A decoded JSON value, expected to be a SCHEMA.md §5 record.

    Returns:
        One message per violated rule (see the module docstring), without file or line.

    Example:
        >>> validate_record({"id": "d1", "text": "نص", "doc_stance": "neutral", "entities": [],
        ...                  "sentences": [{"start": 0, "end": 2, "stance": "neutral",
        ...                                 "holder": None, "events": []}]})
        []
    """
    if not isinstance(record, Mapping):
        return [f"a record must be a JSON object, got {type(record).__name__}"]
    problems: list[str] = []
    tasks = _declared_tasks(record, problems)
    problems += _check_header(record, tasks)
    text, sentences, entities = record.get("text"), record.get("sentences"), record.get("entities")
    if not (isinstance(text, str) and text.strip() and isinstance(sentences, list) and isinstance(entities, list)):
        return problems
    entity_problems, entity_spans = _check_entities(text, entities)
    sentence_problems, sentence_spans = _check_sentences(text, sentences, tasks)
    problems += sentence_problems + entity_problems
    if len(entity_spans) == len(entities) and len(sentence_spans) == len(sentences):
        problems += _check_links(record, entity_spans, sentence_spans, tasks)
    return problems


def validate_file(path: str | Path) -> list[str]:
    """Validate every record of a JSONL file; return ``file:line: id: what is wrong`` messages.

    Blank lines are skipped; ids must be unique within the file (:func:`duplicate_ids`).

    Args:
        path: The JSONL file.

    Returns:
        The messages, in line order (empty when the file is valid).

    Example:
        >>> import tempfile, os
        >>> tmp = os.path.join(tempfile.mkdtemp(), "a.jsonl")
        >>> _ = open(tmp, "w", encoding="utf-8").write('{"id": "d1"}\\n')
        >>> validate_file(tmp)[0].endswith("d1: missing required field 'text'")
        True
    """
    return read_validated(path)[1]


def read_validated(path: str | Path) -> tuple[list[Record], list[str]]:
    """The records of a JSONL file and its :func:`validate_file` messages, from one read of it.

    Args:
        path: The JSONL file.

    Returns:
        Every record that is a JSON object, in line order, and the messages (empty when the file
        is valid, and then the records are those of :func:`~training.data.records.read_records`).

    Example:
        >>> import tempfile, os
        >>> tmp = os.path.join(tempfile.mkdtemp(), "a.jsonl")
        >>> _ = open(tmp, "w", encoding="utf-8").write('{"id": "d1"}\\n')
        >>> records, problems = read_validated(tmp)
        >>> records, len(problems)
        ([{'id': 'd1'}], 4)
    """
    problems: list[tuple[int, str]] = []
    records: list[tuple[int, Record]] = []
    for line_no, record in parsed_lines(path):
        if isinstance(record, DataFormatError):
            problems.append((line_no, str(record)))
            continue
        doc_id = record.get("id")
        prefix = f"{path}:{line_no}: {doc_id}:" if isinstance(doc_id, str) else f"{path}:{line_no}:"
        problems += [(line_no, f"{prefix} {message}") for message in validate_record(record)]
        records.append((line_no, record))
    for line_no, doc_id, first in duplicate_ids(records):
        message = f"{path}:{line_no}: {doc_id}: duplicate id (first used on line {first}); ids must be unique"
        problems.append((line_no, message))
    if not records and not problems:
        problems.append((0, empty_file_problem(path)))
    export = tool_export_problem(path) if problems else None
    if export:
        return [], [export]
    return [record for _, record in records], [message for _, message in sorted(problems, key=lambda item: item[0])]


def check_files(paths: Iterable[str | Path]) -> dict[str, list[Record]]:
    """Raise unless every file is valid SCHEMA.md JSONL: what commands that read data check first.

    Each file is read once (a file listed twice too); its records come back, so that a caller
    need not read it again.

    Returns:
        ``str(path)`` -> the file's records, in file order (:func:`read_validated`).

    Raises:
        DataFormatError: Naming the file and its first problem, with the command that lists them
            all; a file in the surface format gets the command that converts it.

    Example:
        >>> check_files([])
        {}
    """
    valid: dict[str, list[Record]] = {}
    for path in paths:
        if str(path) in valid:
            continue
        records, problems = read_validated(path)
        if not problems:
            valid[str(path)] = records
            continue
        first = next((line for _, line in read_lines(path) if not isinstance(line, str) or line.strip()), "")
        try:
            record = parse_line(first, path, 1) if isinstance(first, str) else {}
        except DataFormatError:
            record = {}
        if is_surface(record):
            raise DataFormatError(f"{path} is in the surface format (sentences given by text); convert it first: "
                                  f"python -m training convert surface {path} OUT.jsonl")  # fmt: skip
        if len(problems) == 1 and problems[0].startswith(f"{path}: this looks like a "):  # tool_export_problem
            raise DataFormatError(problems[0])
        raise DataFormatError(f"{path} has {len(problems)} problem(s), the first: {problems[0]}; "
                              f"python -m training validate {path} lists them all")  # fmt: skip
    return valid


def read_valid_records(paths: str | Path | Iterable[str | Path]) -> list[Record]:
    """:func:`check_files`, then every record of the files in file order (each file read once).

    Example:
        >>> read_valid_records([])
        []
    """
    paths = [paths] if isinstance(paths, (str, Path)) else list(paths)
    valid = check_files(paths)
    return [record for path in paths for record in valid[str(path)]]
