"""Records that look unannotated (a skeleton never annotated), and the note that names them.

One job: the warning ``validate``, ``stats`` and ``build-data`` print for documents with no
entity, no event and only neutral stances; such records are valid, so this is not a problem.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from training.data.records import TASKS, record_tasks


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
