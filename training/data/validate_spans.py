"""Span checks of :func:`training.data.validate.validate_record`: entities, sentences, holders.

One job: the entity spans (labels, word boundaries, edge punctuation, order, overlap), the
sentence spans (order, stripping, coverage, stance and events labels) and the links between
them (entities inside one sentence, holders equal to an entity of their sentence).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from arabnews_nlp.schema import ENTITY_TYPES, EVENT_TYPES, STANCE_LABELS
from arabnews_nlp.text.words import is_whole_words
from training.data.validate_fields import ENTITY_KEYS, SENTENCE_KEYS, _excerpt, _is_int, _span_problem, misspelt_keys, stance_problem

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
    else:
        problems += [f"sentence {i}: {p}" for p in [stance_problem("stance", stance, tasks)] if p]
    events = sentence.get("events")
    if events is None and "events" not in tasks:
        return problems
    if "events" not in sentence:
        problems.append(f"sentence {i}: missing field 'events' (a list of event types, [] for none)")
        return problems
    if events is None:
        problems.append(f"sentence {i}: events is null; give [] for a sentence with no event, or declare \"tasks\" "
                        "without \"events\" for a document not annotated for events")  # fmt: skip
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
