"""Annotate without counting characters: surface-string annotations to SCHEMA.md offsets.

A *surface* document names its sentences and entities by their exact text instead of offsets::

    {"id": "pool-…", "source": {...}, "date": "…", "text": "<raw article>", "doc_stance": "anti",
     "sentences": [{"text": "<exact substring of text>", "stance": "anti", "holder": "السوداني",
                    "events": ["WITHDRAWAL_TALKS"],
                    "entities": [["السوداني", "PER"], ["بغداد", "LOC"]]}]}

Sentences are located in order, each after the previous one, and only whitespace may lie
between them. Entities are located in order inside their sentence, each after the previous one,
on whole-word boundaries; list a repeated name once per occurrence. ``holder`` is the text of
one of the sentence's entities (the first with that text), or ``null``.

Layers a partially annotated record leaves out (``tasks``, see :mod:`training.data.validate`)
stay ``null`` both ways: a sentence ``"events": null`` (or ``"stance": null``) converts to
``null``, never to ``[]``, so :func:`training.data.records.to_surface` then
:func:`surface_to_record` gives the record back unchanged. :func:`read_surface_file` converts a
whole file and names the ``file:line`` of every document it cannot convert.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from arabnews_nlp.errors import DataFormatError
from arabnews_nlp.text.normalize import MARKS
from arabnews_nlp.text.words import is_whole_words
from training.data.records import TASKS, Record, parsed_lines
from training.data.validate_fields import misspelt_keys

SURFACE_SENTENCE_KEYS = ("text", "entities", "stance", "holder", "events")
"""The keys of a sentence in the surface format."""

# A one-letter word before a full stop is an abbreviation (د. for doctor), not a sentence end.
_SENTENCE_END = re.compile(r"(?<![\s(«\"]\w)[.!?؟؛]+(?=\s)|[.!?؟؛]+$|\n+")


def presplit(text: str) -> list[str]:
    """Cut ``text`` into candidate sentences for an annotator to correct (exact substrings).

    Args:
        text: The raw article.

    Returns:
        Stripped, non-empty substrings of ``text`` in order.
    """
    pieces: list[str] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        end = match.end() if match.group().strip() else match.start()
        if text[start:end].strip():
            pieces.append(text[start:end].strip())
        start = match.end()
    if text[start:].strip():
        pieces.append(text[start:].strip())
    return pieces


def skeleton(doc_id: str, text: str, **fields: Any) -> dict[str, Any]:
    """Return a surface document with pre-split sentences and empty labels, ready to annotate."""
    return {
        "id": doc_id,
        **fields,
        "text": text,
        "doc_stance": "neutral",
        "sentences": [
            {"text": s, "stance": "neutral", "holder": None, "events": [], "entities": []} for s in presplit(text)
        ],
    }


# Any run of the tatweel and diacritics the runtime's normalisation deletes.
_MARKS = "[" + "".join(map(re.escape, sorted(MARKS))) + "]*"


def _written_otherwise(text: str, surface: str, start: int, end: int) -> str:
    """A hint when ``surface`` occurs in ``text[start:end]`` with other diacritics or tatweel, else ``""``."""
    bare = re.sub(_MARKS, "", surface)
    if not bare:
        return ""
    pattern = re.compile(_MARKS.join(re.escape(char) for char in bare) + _MARKS)
    for match in pattern.finditer(text, start, end):
        if match.group() != surface and is_whole_words(text, match.start(), match.end()):
            return f"; the sentence writes it {match.group()!r} (diacritics or tatweel differ): copy it from the text"
    return ""


def find_whole_words(text: str, surface: str, start: int, end: int) -> int:
    """Offset of the first occurrence of ``surface`` in ``text[start:end]`` on whole-word boundaries, else -1.

    This is where the surface format places an entity listed after one ending at ``start``.

    Example:
        >>> find_whole_words("بالعراق في العراق", "العراق", 0, 17)
        11
    """
    found = text.find(surface, start, end)
    while found >= 0 and not is_whole_words(text, found, found + len(surface)):
        found = text.find(surface, found + 1, end)
    return found


def _locate_entities(doc_id: str, text: str, sent_start: int, sent_end: int, sentence: dict[str, Any]) -> list[dict[str, Any]]:
    entities: list[dict[str, Any]] = []
    pos = sent_start
    listed = sentence.get("entities", [])
    if not isinstance(listed, list):
        raise DataFormatError(f"{doc_id}: entities {listed!r} must be a list of [surface_text, label] pairs")
    for item in listed:
        if not (isinstance(item, (list, tuple)) and len(item) == 2):
            raise DataFormatError(f"{doc_id}: entity {item!r} must be [surface_text, label]")
        surface, label = item
        found = find_whole_words(text, surface, pos, sent_end)
        if found < 0:
            raise DataFormatError(
                f"{doc_id}: entity {surface!r} ({label}) not found as whole words in sentence "
                f"{text[sent_start:sent_end][:60]!r}… after offset {pos}; list entities in order of occurrence"
                + _written_otherwise(text, surface, pos, sent_end)
            )
        entities.append({"start": found, "end": found + len(surface), "label": label})
        pos = found + len(surface)
    return entities


def surface_to_record(doc: dict[str, Any]) -> dict[str, Any]:
    """Convert a surface document into a SCHEMA.md §5 record with character offsets.

    Args:
        doc: A surface document (see the module docstring).

    Returns:
        The record: same fields, sentences and entities as offsets, holder as a span or ``None``;
        a ``null`` (or missing) ``stance`` or ``events`` is ``None``, for the validator to accept
        when the record's ``tasks`` leave that layer out.

    Raises:
        DataFormatError: When a sentence or entity cannot be located, text lies between
            sentences, or a holder names no entity of its sentence.
    """
    doc_id = str(doc.get("id", "?"))
    text = doc["text"]
    sentences: list[dict[str, Any]] = []
    entities: list[dict[str, Any]] = []
    pos = 0
    layers = doc.get("tasks") or TASKS
    for number, sentence in enumerate(doc["sentences"]):
        if isinstance(sentence, dict) and "text" not in sentence and "start" in sentence:
            raise DataFormatError(
                f"{doc_id}: sentence {number} has offsets ('start', 'end'), not 'text': this is a record, not a "
                "surface document; records need no conversion (--export writes them as surface documents)"
            )
        typos = misspelt_keys(sentence, SURFACE_SENTENCE_KEYS, f"sentence {number}")
        if typos:
            raise DataFormatError(f"{doc_id}: {typos[0]}")
        if "ner" in layers and isinstance(sentence, dict) and "entities" not in sentence:
            raise DataFormatError(f"{doc_id}: sentence {number} has no 'entities' (write [] when it names none)")
        surface = sentence["text"]
        if not isinstance(surface, str) or not surface.strip():
            raise DataFormatError(f"{doc_id}: sentence {number} text {surface!r} is empty; remove the sentence")
        start = text.find(surface, pos)
        if start < 0:
            raise DataFormatError(f"{doc_id}: sentence {surface[:60]!r}… not found after offset {pos}")
        if text[pos:start].strip():
            raise DataFormatError(f"{doc_id}: text {text[pos:start][:60]!r} between sentences belongs to no sentence")
        end = start + len(surface)
        sent_entities = _locate_entities(doc_id, text, start, end, sentence)
        holder = sentence.get("holder")
        holder_span = None
        if holder is not None:
            matches = [e for e in sent_entities if text[e["start"] : e["end"]] == holder]
            if not matches:
                raise DataFormatError(f"{doc_id}: holder {holder!r} is not an entity of sentence {surface[:60]!r}…")
            holder_span = {"start": matches[0]["start"], "end": matches[0]["end"]}
        events = sentence.get("events")
        sentences.append(
            {
                "start": start,
                "end": end,
                "stance": sentence.get("stance"),
                "holder": holder_span,
                "events": list(events) if isinstance(events, list) else events,  # a string is not split into letters
            }
        )
        entities.extend(sent_entities)
        pos = end
    if text[pos:].strip():
        raise DataFormatError(f"{doc_id}: trailing text {text[pos:][:60]!r} belongs to no sentence")
    record = {k: v for k, v in doc.items() if k not in ("sentences",)}
    record["sentences"] = sentences
    record["entities"] = entities
    return record


def convert_document(doc: Record, path: str | Path, line_no: int) -> Record:
    """:func:`surface_to_record`, with any failure as a ``file:line: id: what is wrong`` error.

    Raises:
        DataFormatError: When the document cannot be converted, naming ``path`` and ``line_no``;
            a missing field or a value of the wrong type reads "malformed surface document".
    """
    try:
        return surface_to_record(doc)
    except DataFormatError as err:
        raise DataFormatError(f"{path}:{line_no}: {err}") from err
    except (KeyError, TypeError, AttributeError) as err:
        raise DataFormatError(f"{path}:{line_no}: malformed surface document ({type(err).__name__}: {err})") from err


def read_surface_file(path: str | Path) -> tuple[list[tuple[int, Record]], list[str]]:
    """Convert every document of a surface JSONL file, past any that fails.

    Args:
        path: The surface JSONL file (blank lines are skipped).

    Returns:
        ``(line, record)`` for each document converted, and one ``file:line: …`` message for each
        line that is not a JSON object or whose document cannot be converted. The records are
        not validated (:func:`training.data.validate.validate_record` does that).

    Example:
        >>> import tempfile, os
        >>> tmp = os.path.join(tempfile.mkdtemp(), "s.jsonl")
        >>> _ = open(tmp, "w", encoding="utf-8").write('{"id": "d1", "text": "نص", "sentences": []}\\n')
        >>> read_surface_file(tmp)[1] == [f"{tmp}:1: d1: trailing text 'نص' belongs to no sentence"]
        True
    """
    records: list[tuple[int, Record]] = []
    problems: list[str] = []
    for line_no, record in parsed_lines(path):
        try:
            if isinstance(record, DataFormatError):
                raise record
            records.append((line_no, convert_document(record, path, line_no)))
        except DataFormatError as err:
            problems.append(str(err))
    return records, problems


def check_surface_file(path: str) -> tuple[list[str], dict[str, int]]:
    """Convert and validate every document of a surface JSONL file; return the problems and label counts.

    Problems are those of :func:`read_surface_file` and of
    :func:`training.data.validate.validate_record` (which accepts the ``null`` layers a record's
    ``tasks`` leave out); only annotated layers are counted.
    """
    import collections

    from training.data.records import record_tasks
    from training.data.validate import validate_record

    records, problems = read_surface_file(path)
    counts: collections.Counter[str] = collections.Counter()
    for line_no, record in records:
        problems += [f"{path}:{line_no}: {record.get('id')}: {message}" for message in validate_record(record)]
        tasks = record_tasks(record)
        for sent in record["sentences"]:
            counts["sentences"] += 1
            if "stance" in tasks:
                counts[f"stance:{sent['stance']}"] += 1
            for event in sent["events"] or []:
                counts[f"event:{event}"] += 1
        for ent in record["entities"]:
            counts[f"entity:{ent['label']}"] += 1
        counts["documents"] += 1
    return problems, dict(counts)


if __name__ == "__main__":
    import sys

    all_problems: list[str] = []
    for file_path in sys.argv[1:]:
        found, label_counts = check_surface_file(file_path)
        all_problems += found
        print(file_path, dict(sorted(label_counts.items())))
    print("\n".join(all_problems) or "no problems")
    sys.exit(1 if all_problems else 0)
