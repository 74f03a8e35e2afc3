"""Texts the analyzer can say little about are counted and named once per run."""

from __future__ import annotations

from arabnews_nlp.text.screen import InputNotes, odd_kind


def test_odd_kinds() -> None:
    assert odd_kind("", "text") == odd_kind(" \n\u00a0", "text") == "empty"
    assert odd_kind("The Pentagon said on Monday.", "text") == "no_arabic"
    assert odd_kind("٢٠١٨ - 2018", "text") == "no_arabic"  # digits are not letters
    page = "<!DOCTYPE html><html><body><p>قال السوداني</p></body></html>"
    assert odd_kind(page, "text") == "html" and odd_kind(page, "html") is None
    assert odd_kind("قال إن a < b و <b>كذا</b>", "text") is None  # a tag or two in a text is not a page
    assert odd_kind("ﻗﺎﻝ", "text") is None  # presentation forms are Arabic letters


def test_notes_count_each_kind_with_its_first_example() -> None:
    notes = InputNotes()
    for key, text in [("a", "قال"), ("b", ""), (None, "   "), ("c", "Reuters"), ("d", "<html><body><div>x</div></body></html>")]:
        notes.add(key, text, "text")
    assert notes.documents == 5 and notes.counts == {"empty": 2, "no_arabic": 1, "html": 1}
    empty, no_arabic, html = notes.messages()
    assert empty == "2 of 5 documents are empty or only whitespace (e.g. b): the result is empty and neutral"
    assert no_arabic.startswith("1 of 5 documents has no Arabic letters (e.g. c)")
    assert "pass --markup html" in html
    assert InputNotes().messages() == []
