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

Example:
    >>> record = {"id": "d1", "text": "قصف بغداد.", "doc_stance": "neutral",
    ...           "sentences": [{"start": 0, "end": 10, "stance": "neutral", "holder": None,
    ...                          "events": []}],
    ...           "entities": [{"start": 4, "end": 8, "label": "LOC"}]}
    >>> validate_record(record)
    ["entity 0 [4:8] 'بغدا' LOC: not whole words (a span must start and end on word boundaries)"]
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

from arabnews_nlp.errors import DataFormatError
from arabnews_nlp.schema import ENTITY_TYPES, EVENT_TYPES, STANCE_LABELS
from arabnews_nlp.text.words import is_whole_words
from training.data.records import TASKS, Record, is_surface, parse_line, parsed_lines, read_lines, record_tasks

Where = TypeVar("Where")

RECORD_KEYS = ("id", "source", "date", "text", "doc_stance", "sentences", "entities", "synthetic", "author", "tasks")
"""The keys of a record (SCHEMA.md §5 and the extensions above)."""
SENTENCE_KEYS = ("start", "end", "stance", "holder", "events")
_METADATA = ("source", "author", "date")  # users keep more of these under longer names (sources, dates)
ENTITY_KEYS = ("start", "end", "label")


def misspelt_keys(value: object, known: Sequence[str], what: str = "") -> list[str]:
    """Messages for the keys of ``value`` that are not in ``known`` but look like one of them.

    A key equal to a known one but for case or surrounding spaces, or close to one that
    ``value`` lacks (:func:`difflib.get_close_matches`, cutoff 0.8), is probably a typo; any
    other extra key is the user's own and allowed, and so is a key that extends a known one
    (``source_url``, ``author_id``, ``sources``, ``dates``; not ``holders``, which loses a holder).

    Example:
        >>> misspelt_keys({"start": 0, "entites": [], "note": "x"}, ["start", "entities"], "sentence 3")
        ["sentence 3: unknown key 'entites' (did you mean 'entities'?): a misspelt key is ignored and its annotation lost"]
    """
    if not isinstance(value, Mapping):
        return []
    prefix = f"{what}: " if what else ""
    missing = [key for key in known if key not in value]
    problems = []
    for key in value:
        if not isinstance(key, str) or key in known:
            continue
        name = key.strip().lower()
        if name not in known and any(k in name.split("_") or (k in _METADATA and name.startswith(k)) for k in known):
            continue  # an extension of a known key: the user's own (source_url, authors)
        close = [k for k in missing if k == name] or difflib.get_close_matches(name, missing, 1, 0.8)
        if close:
            problems.append(f"{prefix}unknown key {key!r} (did you mean {close[0]!r}?): a misspelt key is ignored "
                            "and its annotation lost")  # fmt: skip
    return problems


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _excerpt(text: str, limit: int = 30) -> str:
    return repr(text if len(text) <= limit else text[:limit] + "…")


def _span_problem(value: object, text: str, what: str) -> str | None:
    """Return what is wrong with an offset object, or ``None`` when it is a usable span."""
    if not isinstance(value, Mapping):
        return f"{what} must be an object with integer start and end, got {value!r}"
    start, end = value.get("start"), value.get("end")
    if not (isinstance(start, int) and isinstance(end, int)) or isinstance(start, bool) or isinstance(end, bool):
        return f"{what}: start and end must be integers, got {start!r} and {end!r}"
    if 0 <= start < end and end > len(text):  # a span past the end (clamping it would change what it marks)
        beyond = f"offset {end} is" if start < len(text) else f"offsets {start} and {end} are"
        return f"{what} [{start}:{end}]: {beyond} beyond the end of the text ({len(text)} characters); fix the span"
    if not 0 <= start < end <= len(text):
        return f"{what} [{start}:{end}]: offsets must satisfy 0 <= start < end <= len(text) = {len(text)}"
    return None


def _declared_tasks(record: Mapping[str, Any], problems: list[str]) -> tuple[str, ...]:
    if "tasks" not in record:
        return TASKS
    tasks = record["tasks"]
    if not (isinstance(tasks, list) and tasks and all(t in TASKS for t in tasks) and len(set(tasks)) == len(tasks)):
        problems.append(f"tasks must be a non-empty list of distinct names from {list(TASKS)}, got {tasks!r}")
        return TASKS
    return tuple(tasks)


def _check_header(record: Mapping[str, Any], tasks: tuple[str, ...]) -> list[str]:
    problems: list[str] = misspelt_keys(record, RECORD_KEYS)
    for key in ("id", "text", "sentences", "entities", "doc_stance"):
        if key not in record:
            problems.append(f"missing required field {key!r}")
    doc_id = record.get("id")
    if "id" in record and not (isinstance(doc_id, str) and doc_id.strip()):
        problems.append(f"id must be a non-empty string, got {doc_id!r}")
    text = record.get("text")
    if "text" in record and not (isinstance(text, str) and text.strip()):
        problems.append(f"text must be a non-empty string, got {_excerpt(str(text))}")
    elif isinstance(text, str) and "\ufeff" in text:
        problems.append(f"text holds a byte order mark (U+FEFF) at offset {text.index(chr(0xFEFF))}: a file artefact, not "
                        "part of the article; read the article with encoding='utf-8-sig' and make the skeleton again")  # fmt: skip
    for key in ("sentences", "entities"):
        if key in record and not isinstance(record[key], list):
            problems.append(f"{key} must be a list, got {type(record[key]).__name__}")
    stance = record.get("doc_stance")
    if "doc_stance" in record and stance not in STANCE_LABELS and not (stance is None and "stance" not in tasks):
        problems.append(f"doc_stance {stance!r} is not one of {list(STANCE_LABELS)}")
    source = record.get("source")
    if source is not None and not isinstance(source, (str, dict)):
        problems.append(f"source must be a string, an object or null, got {type(source).__name__}")
    problems += _check_date_and_author(record)
    return problems


def _check_date_and_author(record: Mapping[str, Any]) -> list[str]:
    problems: list[str] = []
    date = record.get("date")
    if date is not None and not (isinstance(date, str) and date.strip()):
        problems.append(f"date must be null or a non-empty string (the publication date as found), got {date!r}")
    synthetic = record.get("synthetic", False)
    if not isinstance(synthetic, bool):
        problems.append(f"synthetic must be true or false, got {synthetic!r}")
    author = record.get("author")
    if "author" in record and author is not None and not isinstance(author, str):
        problems.append(f"author must be a string, got {type(author).__name__}")
    if synthetic is True and not (isinstance(author, str) and author.strip()):
        problems.append("a synthetic document must name its author (\"author\": who or what wrote it)")
    return problems


_SEPARATORS = ",،;؛:!?؟"
_PAIRS = {"«": "»", "(": ")", "[": "]", "“": "”", "{": "}"}


def _edge_punctuation(span: str) -> str | None:
    """Name a comma, colon, full stop, question mark or unmatched bracket or quote copied at a span's edge.

    Punctuation stays outside entities (``[العراق]LOC،``); a full stop ending an abbreviation
    with stops inside (``سي.إن.إن.``) and a quote or bracket closed inside the span
    (``تحالف "دعم الشرعية"``) are part of the name.
    """
    edge = next((char for char in (span[0], span[-1]) if char in _SEPARATORS), None)
    if edge:
        return f"punctuation {edge!r} at the edge of the span (punctuation stays outside entities)"
    if span[-1] == "." and "." not in span[:-1]:
        return "a full stop ends the span (punctuation stays outside entities)"
    for char in (span[0], span[-1]):
        if char in "\"'":
            if span.count(char) % 2:
                return f"unmatched quote {char!r} at the edge of the span (quotes stay outside entities)"
        elif char in _PAIRS or char in _PAIRS.values():
            opening = char if char in _PAIRS else next(k for k, v in _PAIRS.items() if v == char)
            if span.count(opening) != span.count(_PAIRS[opening]):
                return f"unmatched {char!r} at the edge of the span (brackets and quotes stay outside entities)"
    return None


def _check_entities(text: str, entities: Sequence[Any]) -> tuple[list[str], list[tuple[int, int]]]:
    """Check entity spans; return the problems and the usable ``(start, end)`` spans."""
    problems: list[str] = []
    spans: list[tuple[int, int]] = []
    prev: tuple[int, int] | None = None
    for i, entity in enumerate(entities):
        bad = _span_problem(entity, text, f"entity {i}")
        if bad:
            problems.append(bad)
            continue
        start, end, label = entity["start"], entity["end"], entity.get("label")
        what = f"entity {i} [{start}:{end}] {_excerpt(text[start:end])} {label}"
        problems += misspelt_keys(entity, ENTITY_KEYS, what)
        if "label" not in entity:
            problems.append(f"{what}: missing field 'label' (one of {list(ENTITY_TYPES)})")
        elif isinstance(label, list):  # a Label Studio region given several labels (or none)
            problems.append(f"{what}: an entity takes exactly one label, this one has {len(label)} (a region with "
                            f"several labels in the annotation tool); keep one of {list(ENTITY_TYPES)}")  # fmt: skip
        elif label not in ENTITY_TYPES:
            problems.append(f"{what}: label {label!r} is not one of {list(ENTITY_TYPES)}")
        if text[start].isspace() or text[end - 1].isspace():
            problems.append(f"{what}: leading or trailing whitespace inside the span")
        elif not is_whole_words(text, start, end):
            problems.append(f"{what}: not whole words (a span must start and end on word boundaries)")
        else:
            problems += [f"{what}: {edge}" for edge in [_edge_punctuation(text[start:end])] if edge]
        if prev is not None and start < prev[0]:
            problems.append(f"{what}: entities must be sorted by start (previous starts at {prev[0]})")
        elif prev is not None and start < prev[1]:
            problems.append(f"{what}: overlaps the previous entity [{prev[0]}:{prev[1]}] (no nesting or overlap)")
        prev = (start, end)
        spans.append((start, end))
    return problems, spans


def _check_sentence_labels(i: int, sentence: Mapping[str, Any], tasks: tuple[str, ...]) -> list[str]:
    problems: list[str] = misspelt_keys(sentence, SENTENCE_KEYS, f"sentence {i}")
    problems += misspelt_keys(sentence.get("holder"), ("start", "end"), f"sentence {i} holder")
    stance = sentence.get("stance")
    if "stance" not in sentence and "stance" in tasks:
        problems.append(f"sentence {i}: missing field 'stance' (one of {list(STANCE_LABELS)})")
    elif stance not in STANCE_LABELS and not (stance is None and "stance" not in tasks):
        problems.append(f"sentence {i}: stance {stance!r} is not one of {list(STANCE_LABELS)}")
    events = sentence.get("events")
    if events is None and "events" not in tasks:
        return problems
    if "events" not in sentence:
        problems.append(f"sentence {i}: missing field 'events' (a list of event types, [] for none)")
        return problems
    if not isinstance(events, list):
        problems.append(f"sentence {i}: events must be a list of event types, got {events!r}")
        return problems
    for event in events:
        if event not in EVENT_TYPES:
            problems.append(f"sentence {i}: event {event!r} is not one of {list(EVENT_TYPES)}")
    if len(set(map(str, events))) != len(events):
        problems.append(f"sentence {i}: events {events} repeat a label (each type at most once)")
    return problems


def _check_sentences(text: str, sentences: Sequence[Any], tasks: tuple[str, ...]) -> tuple[list[str], list[tuple[int, int]]]:
    """Check sentence spans, order, coverage and labels; return problems and usable spans."""
    problems: list[str] = []
    spans: list[tuple[int, int]] = []
    covered_to = 0
    for i, sentence in enumerate(sentences):
        bad = _span_problem(sentence, text, f"sentence {i}")
        if bad:
            problems.append(bad)
            continue
        problems += _check_sentence_labels(i, sentence, tasks)
        start, end = sentence["start"], sentence["end"]
        if text[start].isspace() or text[end - 1].isspace():
            problems.append(f"sentence {i} [{start}:{end}]: must be stripped (no whitespace at its start or end)")
        if spans and start < spans[-1][0]:
            problems.append(f"sentence {i} [{start}:{end}]: sentences must be in order (previous starts at {spans[-1][0]})")
        elif spans and start < spans[-1][1]:
            problems.append(f"sentence {i} [{start}:{end}]: overlaps the previous sentence [{spans[-1][0]}:{spans[-1][1]}]")
        elif text[covered_to:start].strip():
            problems.append(_gap_message(text, covered_to, start))
        covered_to = max(covered_to, end)
        spans.append((start, end))
    if text[covered_to:].strip():
        problems.append(_gap_message(text, covered_to, len(text)))
    return problems, spans


def _gap_message(text: str, start: int, end: int) -> str:
    first = start + (len(text[start:end]) - len(text[start:end].lstrip()))
    return (
        f"text [{start}:{end}] {_excerpt(text[start:end].strip())} lies in no sentence "
        f"(sentences must cover every non-whitespace character; first uncovered at {first})"
    )


def _check_links(
    record: Mapping[str, Any], entity_spans: list[tuple[int, int]], sentence_spans: list[tuple[int, int]], tasks: tuple[str, ...]
) -> list[str]:
    """Check that entities lie inside sentences and that holders are entities of their sentence."""
    problems: list[str] = []
    text = record["text"]
    for start, end in entity_spans:
        if sentence_spans and not any(s <= start and end <= e for s, e in sentence_spans):
            problems.append(f"entity [{start}:{end}] {_excerpt(text[start:end])}: does not lie inside one sentence")
    known = set(entity_spans)
    for i, sentence in enumerate(record["sentences"]):
        holder = sentence.get("holder") if isinstance(sentence, Mapping) else None
        if holder is None:
            continue
        if "stance" not in tasks:
            problems.append(f"sentence {i}: holder must be null when the record does not declare the stance task")
        elif sentence.get("stance") == "neutral":
            problems.append(f"sentence {i}: holder given on a neutral sentence; a holder names who holds an anti or "
                            "pro position: set it to null, or the stance to anti or pro")  # fmt: skip
        bad = _span_problem(holder, text, f"sentence {i} holder")
        if bad:
            problems.append(bad)
            continue
        span = (holder["start"], holder["end"])
        inside = _is_int(sentence.get("start")) and sentence["start"] <= span[0] and span[1] <= sentence.get("end", -1)
        if span not in known or not inside:
            problems.append(
                f"sentence {i}: holder [{span[0]}:{span[1]}] {_excerpt(text[span[0] : span[1]])} "
                "must equal the span of an entity inside this sentence"
            )
    return problems


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


def _first_item(path: str | Path) -> Any:
    """The first item of a JSON array file, or the first JSON value of a JSONL file (None if unreadable)."""
    lines: list[str] = []
    for _, line in read_lines(path):
        if not isinstance(line, str):
            return None
        lines.append(line)
    content = "".join(lines).strip()
    try:
        if content.startswith("["):
            items = json.loads(content)
            return items[0] if isinstance(items, list) and items else None
        return json.loads(next(line for line in lines if line.strip()))
    except (ValueError, StopIteration):
        return None


def tool_export_problem(path: str | Path) -> str | None:
    """The problem of a file that is a Label Studio or Doccano export rather than records, else None.

    A Label Studio export is a JSON array of tasks (``data``, ``annotations``); a Doccano
    sequence-labeling export has ``text`` with ``label`` (or ``entities`` with ``start_offset``);
    a Doccano classification export of sentences has ``doc_id`` and ``sentence``. Reading one as
    records gives a message per line; this gives one, with the command that converts it.

    Example:
        >>> import tempfile, os
        >>> tmp = os.path.join(tempfile.mkdtemp(), "export.jsonl")
        >>> _ = open(tmp, "w", encoding="utf-8").write('{"id": 1, "text": "في بغداد", "label": [[3, 8, "LOC"]]}\\n')
        >>> tool_export_problem(tmp).endswith(f"run python -m training convert doccano {tmp} OUT.jsonl first")
        True
    """
    item = _first_item(path)
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


def looks_unannotated(record: Mapping[str, Any]) -> bool:
    """Whether a record declaring every layer has no entity, no event and only neutral stances.

    That is a skeleton as :func:`training.data.surface.skeleton` writes it, before anyone
    annotated it; it is valid, and would train as an article where nothing is named or happens.

    Example:
        >>> looks_unannotated({"doc_stance": "neutral", "entities": [],
        ...                    "sentences": [{"stance": "neutral", "events": []}]})
        True
    """
    if record_tasks(record) != TASKS or record.get("entities") or record.get("doc_stance") not in (None, "neutral"):
        return False
    sentences = record.get("sentences")
    if not isinstance(sentences, list) or not sentences:
        return False
    return all(isinstance(s, Mapping) and s.get("stance") in (None, "neutral") and not s.get("events") for s in sentences)


def unannotated_note(located: Iterable[tuple[str, Any]]) -> str | None:
    """A note naming the records that :func:`looks_unannotated` (``located``: ``("file:line", record)``).

    Example:
        >>> unannotated_note([("a.jsonl:1", {"id": "d1", "text": "x", "entities": [],
        ...                   "sentences": [{"stance": "neutral", "events": []}]})])[:40]
        'note: 1 document(s) have no entity, no e'
    """
    found = [(where, record.get("id")) for where, record in located if isinstance(record, Mapping) and looks_unannotated(record)]
    if not found:
        return None
    shown = ", ".join(f"{doc_id} ({where})" for where, doc_id in found[:3]) + (", …" if len(found) > 3 else "")
    return (f"note: {len(found)} document(s) have no entity, no event and only neutral stances, as a skeleton has "
            f"before it is annotated: {shown}; if they were never annotated, annotate them or leave them out")  # fmt: skip
