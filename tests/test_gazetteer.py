"""The optional gazetteer and the NER confidence floor (arabnews_nlp.tasks.gazetteer, ner.postprocess)."""

from __future__ import annotations

from typing import Any

import pytest

from arabnews_nlp.errors import ConfigError
from arabnews_nlp.settings import AnalyzerSettings
from arabnews_nlp.tasks.gazetteer import apply_gazetteer, find_names
from arabnews_nlp.text.words import split_words

NAMES = {"قوات سوريا الديمقراطية": "ORG", "سوريا": "LOC", "بغداد": "LOC"}


def _words(text: str) -> list[tuple[int, int]]:
    return split_words(text)


def test_longest_name_first_and_proclitics() -> None:
    assert find_names(["وقوات", "سوريا", "الديمقراطية", "في", "لبغداد"], NAMES) == [(0, 3, "ORG"), (4, 5, "LOC")]


def test_fill_only_where_the_model_saw_nothing() -> None:
    text = "قالت قوات سوريا الديمقراطية في بغداد"
    tags = ["O", "B-ORG", "B-LOC", "O", "O", "O"]
    assert apply_gazetteer(text, _words(text), tags, NAMES, "fill", None) == ["O", "B-ORG", "B-LOC", "O", "O", "B-LOC"]


def test_override_replaces_overlapping_model_entities_whole() -> None:
    text = "قالت قوات سوريا الديمقراطية في بغداد"
    tags = ["B-PER", "I-PER", "B-LOC", "O", "O", "O"]
    expected = ["O", "B-ORG", "I-ORG", "I-ORG", "O", "B-LOC"]
    assert apply_gazetteer(text, _words(text), tags, NAMES, "override", None) == expected
    assert apply_gazetteer(text, _words(text), tags, NAMES, "off", None) == tags


def test_settings_validate_the_gazetteer() -> None:
    with pytest.raises(ConfigError, match="gazetteer_mode"):
        AnalyzerSettings(gazetteer_mode="always")
    with pytest.raises(ConfigError, match="unknown entity types"):
        AnalyzerSettings(gazetteer={"بغداد": "CITY"})
    with pytest.raises(ConfigError, match="ner_min_score"):
        AnalyzerSettings(ner_min_score=1.5)


def test_analyzer_uses_the_gazetteer_with_valid_offsets(tiny_analyzer: Any) -> None:
    text = "  وصل وفد إلى بغداد، ثم إلى «قوات سوريا الديمقراطية».  "
    tiny_analyzer.settings.ner_min_score = 0.999999  # drop (almost) every model entity
    tiny_analyzer.settings.gazetteer = NAMES
    tiny_analyzer.settings.gazetteer_mode = "override"
    analysis = tiny_analyzer.analyze(text)
    found = {(e.text, e.label) for e in analysis.entities}
    assert {("بغداد", "LOC"), ("قوات سوريا الديمقراطية", "ORG")} <= found
    assert all(text[e.start : e.end] == e.text for e in analysis.entities)
    assert all(e.score == 1.0 for e in analysis.entities if (e.text, e.label) in found & {("بغداد", "LOC")})
