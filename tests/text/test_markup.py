"""Tests of arabnews_nlp.text.markup.blank_html: markup as whitespace, offsets kept."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from arabnews_nlp.errors import InputTypeError
from arabnews_nlp.text.markup import blank_html
from arabnews_nlp.text.segment import split_sentences

PAGE = (
    '<!DOCTYPE html><html><head><meta charset="utf-8"><title>غارة</title>'
    "<script>var s = '<p>بغداد</p>';</script><style>p > b {color: red}</style></head>"
    '<body><!-- nav <p>x</p> --><p class="lead">قال <a href="/p?a=1&amp;b=2" title=\'a > b\'>السوداني</a>'
    "&nbsp;إن القوات&#x20;ستغادر.</p><div>وأكد البرلمان&#1563; قراره</div><br/>a &lt; b &amp; c</body></html>"
)


def visible(page: str) -> list[str]:
    view = blank_html(page)
    return [" ".join(view[start:end].split()) for start, end in split_sentences(view)]


def test_same_length_and_text_where_it_was() -> None:
    view = blank_html(PAGE)
    assert len(view) == len(PAGE)
    for word in ("غارة", "السوداني", "ستغادر.", "قراره"):
        assert PAGE[view.index(word) :][: len(word)] == word


def test_markup_scripts_and_comments_are_whitespace_and_blocks_are_lines() -> None:
    assert visible(PAGE) == ["غارة", "قال السوداني إن القوات ستغادر.", "وأكد البرلمان؛ قراره", "a < b & c"]
    assert "بغداد" not in blank_html(PAGE) and "color" not in blank_html(PAGE) and "nav" not in blank_html(PAGE)


def test_references_decode_to_one_character_each() -> None:
    assert blank_html("&#1593;&#x639;&amp;&nbsp;") == "ع" + " " * 6 + "ع" + " " * 6 + "&" + " " * 4 + "\u00a0" + " " * 5
    for text in ("&bogus;", "Q&A", "& ", "&#;", "&copy2018"):
        assert len(blank_html(text)) == len(text)
    assert blank_html("&bogus; Q&A") == "&bogus; Q&A"


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
