"""Tests of arabnews_nlp.text.words: SCHEMA.md's words and whole-word spans."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from arabnews_nlp.text.normalize import INVISIBLE as normalize_invisible
from arabnews_nlp.text.normalize import normalize_word
from arabnews_nlp.text.words import is_whole_words, is_word_char, split_words


INVISIBLE = "".join(sorted(normalize_invisible))


def words(text: str) -> list[str]:
    return [text[start:end] for start, end in split_words(text)]


def test_docstring_example() -> None:
    assert words("قال «رويترز»: 3.5") == ["قال", "«", "رويترز", "»", ":", "3", ".", "5"]


def test_proclitics_and_diacritics_stay_in_the_word() -> None:
    assert words("والبنتاغون قالَ إنّ") == ["والبنتاغون", "قالَ", "إنّ"]
    assert words("بـ«الأخبار»،") == ["بـ", "«", "الأخبار", "»", "،"]


def test_invisible_and_control_characters_are_skipped() -> None:
    assert words("\u200fبغداد\u200f \x00أربيل") == ["بغداد", "أربيل"]


@pytest.mark.parametrize("mark", ["\u200c", "\u200d", "\u200b", "\u00ad", "\u200e", "\u2060", "\u200f\u200c"])
def test_invisible_characters_inside_a_word_keep_it_whole(mark: str) -> None:
    text = f"و{mark}قال السوداني{mark} {mark}إن"
    assert words(text) == [f"و{mark}قال", "السوداني", "إن"]
    assert [normalize_word(word) for word in words(text)] == ["وقال", "السوداني", "ان"]
    start = text.index("قال")
    assert not is_whole_words(text, start, start + 3)  # inside the word و‌قال
    assert is_whole_words(text, 0, start + 3)


def test_visible_format_characters_do_not_join_words() -> None:
    assert words("آية\u06dd١ قا\u206aل") == ["آية", "١", "قا", "ل"]  # END OF AYAH is seen; U+206A is not removed


def test_a_long_run_of_invisible_characters_is_read_once() -> None:
    text = "قال" + "\u200c" * 100_000 + " " + ("ب" + "\u200b") * 50_000
    assert [len(word) for word in words(text)] == [3, 99_999]


def test_start_and_end() -> None:
    text = "قال المصدر إن"
    assert split_words(text, 4, 10) == [(4, 10)]
    assert split_words(text, 5) == [(5, 10), (11, 13)]


def test_is_word_char() -> None:
    assert all(is_word_char(char) for char in "بَـ٣a1")
    assert not any(is_word_char(char) for char in " .،«\u200f")


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [(0, 10, True), (2, 10, False), (0, 9, False), (0, 14, True), (10, 14, False), (11, 14, True)],
)
def test_is_whole_words(start: int, end: int, expected: bool) -> None:
    assert is_whole_words("والبنتاغون قال", start, end) is expected


@pytest.mark.parametrize(("start", "end"), [(3, 3), (5, 2), (-1, 2), (0, 99)])
def test_is_whole_words_rejects_bad_spans(start: int, end: int) -> None:
    assert not is_whole_words("بغداد", start, end)


def test_words_survive_normalisation() -> None:
    text = "قالَ الأميركيّون إنّ ﻻ ١٢"
    assert [normalize_word(word) for word in words(text)] == ["قال", "الاميركيون", "ان", "لا", "12"]


@settings(deadline=None)
@given(text=st.text())
def test_spans_are_ordered_and_cover_every_visible_character(text: str) -> None:
    spans = split_words(text)
    covered = set()
    previous_end = 0
    for start, end in spans:
        assert previous_end <= start < end <= len(text)
        piece = text[start:end]
        word = [is_word_char(char) or char in INVISIBLE for char in piece]
        assert len(piece) == 1 or (all(word) and is_word_char(piece[0]) and is_word_char(piece[-1]))
        assert is_whole_words(text, start, end)
        covered.update(range(start, end))
        previous_end = end
    for index, char in enumerate(text):
        skipped = char.isspace() or unicodedata.category(char) in ("Cf", "Cc")
        if char in INVISIBLE:  # covered only between two word characters
            left, right = text[:index].rstrip(INVISIBLE), text[index + 1 :].lstrip(INVISIBLE)
            skipped = not (left and right and is_word_char(left[-1]) and is_word_char(right[0]))
        assert (index in covered) != skipped
