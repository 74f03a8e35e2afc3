"""Fixtures for the data-tooling tests: one small valid record, built from substrings."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

S1 = "قال السوداني إن القوات الأميركية ستغادر العراق."
S2 = "وأطلقت فصائل صواريخ على قاعدة عين الأسد."
TEXT = f"{S1}\n{S2}"
SHARED_DATA = Path(__file__).resolve().parents[3] / ".." / "shared" / "data"


def span(text: str, surface: str, after: int = 0) -> dict[str, int]:
    """Return the ``{"start", "end"}`` of ``surface`` in ``text`` (first occurrence after ``after``)."""
    start = text.index(surface, after)
    return {"start": start, "end": start + len(surface)}


def make_record(doc_id: str = "doc-1") -> dict[str, Any]:
    """A valid record with every layer: two sentences, four entity types, a holder, events."""
    s2_start = len(S1) + 1
    entities = [
        {**span(TEXT, "السوداني"), "label": "PER"},
        {**span(TEXT, "القوات الأميركية"), "label": "ORG"},
        {**span(TEXT, "العراق"), "label": "LOC"},
        {**span(TEXT, "قاعدة عين الأسد"), "label": "FAC"},
    ]
    sentences = [
        {"start": 0, "end": len(S1), "stance": "anti", "holder": span(TEXT, "السوداني"), "events": ["WITHDRAWAL"]},
        {"start": s2_start, "end": len(TEXT), "stance": "neutral", "holder": None, "events": ["ROCKET_ATTACK"]},
    ]
    return {
        "id": doc_id, "source": {"corpus": "test"}, "date": "2024-01-16", "text": TEXT,
        "doc_stance": "anti", "sentences": sentences, "entities": entities,
    }  # fmt: skip


@pytest.fixture
def record() -> dict[str, Any]:
    """A fresh valid record per test."""
    return copy.deepcopy(make_record())


@pytest.fixture
def shared_data() -> Path:
    """``../shared/data`` relative to the repository root; skips the test when absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"shared data not found at {SHARED_DATA}")
    return SHARED_DATA.resolve()


@pytest.fixture
def record_factory() -> Any:
    """``record_factory(doc_id)`` → a fresh valid record (the same content, another id)."""
    return make_record
