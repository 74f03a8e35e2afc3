"""Record fields and offset shapes: the header checks of :func:`training.data.validate.validate_record`.

One job: what a record's top-level fields (id, text, doc_stance, source, date, synthetic,
author, tasks) and any offset object (``start``/``end``) must look like, and misspelt keys.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from typing import Any

from arabnews_nlp.schema import STANCE_LABELS
from training.data.records import TASKS

PREFILLED = "prefilled"
"""The key ``python -m training prefill`` marks a model's unreviewed pre-annotation with."""

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
        return f"{what}: must be an object with integer start and end, got {value!r}"
    start, end = value.get("start"), value.get("end")
    if not (isinstance(start, int) and isinstance(end, int)) or isinstance(start, bool) or isinstance(end, bool):
        return f"{what}: start and end must be integers, got {start!r} and {end!r}"
    if 0 <= start < end and end > len(text):  # a span past the end (clamping it would change what it marks)
        beyond = f"offset {end} is" if start < len(text) else f"offsets {start} and {end} are"
        return f"{what} [{start}:{end}]: {beyond} beyond the end of the text ({len(text)} characters); fix the span"
    if not 0 <= start < end <= len(text):
        return f"{what} [{start}:{end}]: offsets must satisfy 0 <= start < end <= len(text) = {len(text)}"
    return None


def stance_problem(what: str, stance: object, tasks: tuple[str, ...]) -> str | None:
    """What is wrong with a ``stance``/``doc_stance`` value, or ``None`` (null is right only without the stance task)."""
    if stance in STANCE_LABELS or (stance is None and "stance" not in tasks):
        return None
    if stance is None:
        return (f"{what} is null; give one of {list(STANCE_LABELS)} ('neutral' when no position is taken), or declare "
                f"\"tasks\" without \"stance\" for a document not annotated for stance")  # fmt: skip
    return f"{what} {stance!r} is not one of {list(STANCE_LABELS)}"


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
    if "doc_stance" in record:
        problems += [p for p in [stance_problem("doc_stance", record["doc_stance"], tasks)] if p]
    source = record.get("source")
    if source is not None and not isinstance(source, (str, dict)):
        problems.append(f"source must be a string, an object or null, got {type(source).__name__}")
    problems += _check_date_and_author(record)
    if PREFILLED in record:
        model = record[PREFILLED].get("model") if isinstance(record[PREFILLED], Mapping) else record[PREFILLED]
        problems.append(f"pre-annotated by a model ({model}) and not marked reviewed: read the whole document and correct "
                        f"its sentences, entities, stances, holders and events (add back any '{PREFILLED}.left_out'), "
                        f"then delete the '{PREFILLED}' key")  # fmt: skip
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
