"""Tests of arabnews_nlp.text.markup.blank_html: markup as whitespace, offsets kept."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from arabnews_nlp.errors import InputTypeError
from arabnews_nlp.text.markup import JOINER, blank_html
from arabnews_nlp.text.normalize import normalize_word
from arabnews_nlp.text.words import split_words
from arabnews_nlp.text.segment import split_sentences

PAGE = (
    '<!DOCTYPE html><html><head><meta charset="utf-8"><title>غارة</title>'
    "<script>var s = '<p>بغداد</p>';</script><style>p > b {color: red}</style></head>"
    '<body><!-- nav <p>x</p> --><p class="lead">قال <a href="/p?a=1&amp;b=2" title=\'a b\'>السوداني</a>'
    "&nbsp;إن القوات&#x20;ستغادر.</p><div>وأكد البرلمان&#1563; قراره</div><br/>a &lt; b &amp; c</body></html>"
)


def visible(page: str) -> list[str]:
    view = blank_html(page)
    return [" ".join(view[start:end].replace(JOINER, "").split()) for start, end in split_sentences(view)]


def test_same_length_and_text_where_it_was() -> None:
    view = blank_html(PAGE)
    assert len(view) == len(PAGE)
    for word in ("غارة", "السوداني", "ستغادر.", "قراره"):
        assert PAGE[view.index(word) :][: len(word)] == word


def test_markup_scripts_and_comments_are_whitespace_and_blocks_are_lines() -> None:
    assert visible(PAGE) == ["غارة", "قال السوداني إن القوات ستغادر.", "وأكد البرلمان؛ قراره", "a < b & c"]
    assert "بغداد" not in blank_html(PAGE) and "color" not in blank_html(PAGE) and "nav" not in blank_html(PAGE)


def test_references_decode_to_one_character_each() -> None:
    assert blank_html("&#1593;&#x639;&amp;&nbsp;") == "ع" + JOINER * 6 + "ع" + JOINER * 6 + "&" + JOINER * 4 + "\u00a0" + JOINER * 5
    for text in ("&bogus;", "Q&A", "& ", "&#;", "&copy2018"):
        assert len(blank_html(text)) == len(text)
    assert blank_html("&bogus; Q&A") == "&bogus; Q&A"


@pytest.mark.parametrize(
    "page",
    ["&#1602;&#1575;&#1604; &#1575;&#1604;&#1587;&#1608;&#1583;&#1575;&#1606;&#1610;",  # letters as references
     "و&zwnj;قال ال&shy;سوداني", "<b>وقال</b> <span>ال</span>سوداني", "وقال <a href='/x'>السوداني</a>"],
)  # fmt: skip
def test_inline_markup_and_references_keep_words_whole(page: str) -> None:
    view = blank_html(page)
    assert [normalize_word(view[s:e]) for s, e in split_words(view)] == ["قال" if page[0] == "&" else "وقال", "السوداني"]


def test_a_tag_ends_at_its_first_angle_bracket_and_hides_no_text() -> None:
    page = "<p><img alt=O'Reilly> قال السوداني إن it's fine</p><p class=\"lead\"\">ثم غادر</p>"
    assert visible(page) == ["قال السوداني إن it's fine", "ثم غادر"]
    assert visible('<p><a title="a > b">بغداد</a></p>') == ['b">بغداد']  # the rest of the value is text, not hidden


def test_line_breaks_inside_markup_are_kept() -> None:
    page = '<p\nclass="x">نص</p><!--\n-->'
    view = blank_html(page)
    assert view.count("\n") >= page.count("\n") and len(view) == len(page)


@pytest.mark.parametrize("page", ["<p>unclosed <b", "<!-- open comment", "<script>never closed", "a < b > c", "<", "&"])
def test_broken_markup_keeps_the_length(page: str) -> None:
    assert len(blank_html(page)) == len(page)


def test_plain_text_is_unchanged() -> None:
    text = "قال السوداني إن بغداد تريد خروج القوات. 3 < 5"
    assert blank_html(text) == text


def test_non_str() -> None:
    with pytest.raises(InputTypeError, match="page must be a str"):
        blank_html(b"<p></p>")  # type: ignore[arg-type]


@settings(deadline=None, max_examples=200)
@given(page=st.lists(st.sampled_from([*"<>/!-?&#;x1 \"'=pbr\nقال", "<p>", "</b>", "&amp;", "<!--", "-->", "<script>"])).map("".join))
def test_length_on_random_markup(page: str) -> None:
    assert len(blank_html(page)) == len(page)


@pytest.mark.parametrize(
    "before",
    ['<svg class="icon"/>', "<svg-icon></svg-icon>", "<script-loader src=x>", "<style-guide>", "<!-- <script> -->"],
)
def test_text_after_icons_custom_elements_and_commented_scripts_is_kept(before: str) -> None:
    assert visible(f"{before}<p>قال السوداني</p><p>ثم غادر</p>") == ["قال السوداني", "ثم غادر"]
