"""Label counts of record sets (per split or per file), as a dict, a text table or JSON.

Counted: documents (real and synthetic), documents repeating the id of an earlier one
(``duplicate_ids``, found as ``python -m training validate`` finds them), sentences, entities
per type, sentence stance per label, document stance, events per type and sentences with at
least one event. Labels count only in the layers their record declares (``tasks``, all three
when absent), as training reads them: a record with ``"tasks": ["ner", "events"]`` that keeps its
stance labels adds none to the stance rows. Every schema label appears, with 0 when absent, so a
missing label shows in the table.

Example:
    >>> recs = [{"id": "a", "text": "x", "doc_stance": "anti", "entities": [],
    ...          "sentences": [{"start": 0, "end": 1, "stance": "anti", "holder": None, "events": []}]}]
    >>> compute_stats(recs)["stance"]["anti"]
    1
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from arabnews_nlp.schema import ENTITY_TYPES, EVENT_TYPES, STANCE_LABELS
from training.data.records import record_tasks
from training.data.validate_file_checks import duplicate_ids

Stats = dict[str, Any]


def compute_stats(records: Iterable[Mapping[str, Any]]) -> Stats:
    """Count the labels of ``records``.

    Returns:
        ``{"documents", "real", "synthetic", "duplicate_ids", "sentences", "sentences_with_events",
        "entities": {type: n}, "stance": {label: n}, "doc_stance": {label: n},
        "events": {type: n}}``.

    Example:
        >>> compute_stats([])["entities"]
        {'PER': 0, 'ORG': 0, 'LOC': 0, 'FAC': 0}
    """
    records = list(records)
    stats: Stats = {
        "documents": 0, "real": 0, "synthetic": 0, "duplicate_ids": len(duplicate_ids(enumerate(records))),
        "sentences": 0, "sentences_with_events": 0,
        "entities": dict.fromkeys(ENTITY_TYPES, 0), "stance": dict.fromkeys(STANCE_LABELS, 0),
        "doc_stance": dict.fromkeys(STANCE_LABELS, 0), "events": dict.fromkeys(EVENT_TYPES, 0),
    }  # fmt: skip
    for record in records:
        stats["documents"] += 1
        stats["synthetic" if record.get("synthetic") else "real"] += 1
        tasks = record_tasks(record)
        if "stance" in tasks and record.get("doc_stance") is not None:
            _bump(stats["doc_stance"], record["doc_stance"])
        for entity in _items(record.get("entities") if "ner" in tasks else None):
            _bump(stats["entities"], entity.get("label") if isinstance(entity, Mapping) else None)
        for sentence in _items(record.get("sentences")):
            stats["sentences"] += 1
            if not isinstance(sentence, Mapping):
                continue
            if "stance" in tasks and sentence.get("stance") is not None:
                _bump(stats["stance"], sentence["stance"])
            events = _items(sentence.get("events") if "events" in tasks else None)
            stats["sentences_with_events"] += bool(events)
            for event in events:
                _bump(stats["events"], event)
    return stats


def _items(value: Any) -> list[Any]:
    """``value`` if it is a list, else nothing to count (``stats --force`` counts broken records too)."""
    return value if isinstance(value, list) else []


def brief_ids(ids: Sequence[str], limit: int = 5) -> str:
    """Return the first ``limit`` ids, comma-separated, and how many there are in all when more.

    Example:
        >>> brief_ids(["a", "b", "c"], limit=2)
        'a, b, … (3 in all)'
    """
    shown = ", ".join(ids[:limit])
    return shown if len(ids) <= limit else f"{shown}, … ({len(ids)} in all)"


def _bump(counts: dict[str, int], key: Any) -> None:
    """Count ``key``; a missing or non-string label is counted under its JSON form (``null``, ``["PER"]``)."""
    key = key if isinstance(key, str) else json.dumps(key, ensure_ascii=False)
    counts[key] = counts.get(key, 0) + 1


def _rows(stats: Stats) -> list[tuple[str, int]]:
    rows: list[tuple[str, int]] = []
    for key, value in stats.items():
        if isinstance(value, dict):
            rows += [(f"{key}:{name}", int(n)) for name, n in value.items()]
        else:
            rows.append((key, int(value)))
    return rows


def format_table(by_name: Mapping[str, Stats]) -> str:
    """Render stats side by side: one row per count, one column per split or file, plus total.

    Example:
        >>> print(format_table({"train": {"documents": 3}, "dev": {"documents": 1}}))
        count      train  dev  total
        documents      3    1      4
    """
    names = list(by_name)
    rows: dict[str, list[int]] = {}
    for column, name in enumerate(names):
        for key, n in _rows(by_name[name]):
            rows.setdefault(key, [0] * len(names))[column] = n
    header = ["count", *names, "total"] if len(names) > 1 else ["count", *names]
    body = [[key, *map(str, counts), *([str(sum(counts))] if len(names) > 1 else [])] for key, counts in rows.items()]
    widths = [max(len(row[i]) for row in [header, *body]) for i in range(len(header))]
    lines = []
    for row in [header, *body]:
        cells = [row[0].ljust(widths[0])] + [cell.rjust(width) for cell, width in zip(row[1:], widths[1:])]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)


def to_json(by_name: Mapping[str, Stats]) -> str:
    """Render stats as JSON (UTF-8 friendly, indented).

    Example:
        >>> to_json({"train": {"documents": 1}})
        '{\\n  "train": {\\n    "documents": 1\\n  }\\n}'
    """
    return json.dumps(dict(by_name), ensure_ascii=False, indent=2)
