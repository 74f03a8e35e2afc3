"""Tests of arabnews_nlp.text.markup.blank_html: markup as whitespace, offsets kept."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from arabnews_nlp.errors import InputTypeError
from arabnews_nlp.text import markup
from arabnews_nlp.text.markup import JOINER, blank_html, page_sentences, reference_end
from arabnews_nlp.text.normalize import normalize_word
from arabnews_nlp.text.words import split_words

PAGE = (
    '<!DOCTYPE html><html><head><meta charset="utf-8"><title>غارة</title>'
    "<script>var s = '<p>بغداد</p>';</script><style>p > b {color: red}</style></head>"
    '<body><!-- nav <p>x</p> --><p class="lead">قال <a href="/p?a=1&amp;b=2" title=\'a b\'>السوداني</a>'
    "&nbsp;إن القوات&#x20;ستغادر.</p><div>وأكد البرلمان&#1563; قراره</div><br/>a &lt; b &amp; c</body></html>"
)


def visible(page: str) -> list[str]:
    view = blank_html(page)
    return [" ".join(view[start:end].replace(JOINER, "").split()) for start, end in page_sentences(view)]


def test_same_length_and_text_where_it_was() -> None:
    view = blank_html(PAGE)
    assert len(view) == len(PAGE)
    for word in ("السوداني", "ستغادر.", "قراره"):
        assert PAGE[view.index(word) :][: len(word)] == word


def test_markup_scripts_and_comments_are_whitespace_and_blocks_are_lines() -> None:
    assert visible(PAGE) == ["قال السوداني إن القوات ستغادر.", "وأكد البرلمان؛ قراره", "a < b & c"]
    assert "غارة" not in blank_html(PAGE)  # the <title>: the browser tab's, not the page's
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


def test_a_tag_ends_at_its_first_angle_bracket_outside_quotes_and_hides_no_text() -> None:
    page = "<p><img alt=O'Reilly> قال السوداني إن it's fine</p><p class=\"lead\"\">ثم غادر</p>"
    assert visible(page) == ["قال السوداني إن it's fine", "ثم غادر"]  # open quotes: the first ">"
    page = """<p>قال <a href="/x" title="الرئيسية > العراق">السوداني</a> إن القوات ستغادر.</p>"""
    assert visible(page) == ["قال السوداني إن القوات ستغادر."]
    assert visible("<P CLASS='a>b'>بغداد</P>") == ["بغداد"]
    assert visible('<p><a title="a > b">بغداد</a></p>') == ["بغداد"]
    assert visible('<p><a title="a > b <i">بغداد</a></p>') == ["b بغداد"]  # a quote open at "<": first ">"


def test_a_tag_cut_off_by_the_end_of_the_page_is_markup() -> None:
    assert visible('<p>قال السوداني.</p><div><a href="https://example.com/news/20') == ["قال السوداني."]
    assert visible("3 < 5 و x<y") == ["3 < 5 و x<y"]  # no tag name and space before the end: text


def test_source_line_breaks_join_lines_as_a_browser_does_except_in_preformatted_text() -> None:
    page = '<p\nclass="x">قال\r\nالسوداني إن\fالقوات\nستغادر</p>\n<pre>السطر الأول\nالسطر الثاني</pre>\n<p>ثم غادر</p>'
    assert visible(page) == ["قال السوداني إن القوات ستغادر", "السطر الأول", "السطر الثاني", "ثم غادر"]
    assert len(blank_html(page)) == len(page)
    assert visible("<PRE class=x>أ\nب</PRE>ج\nد") == ["أ", "ب", "ج د"]
    assert visible("<textarea>أ\nب") == ["أ", "ب"]  # unclosed: preformatted to the end


def test_the_sentence_limit_counts_what_a_reader_sees() -> None:
    link = '<a href="https://example.com/' + "x" * 200 + '">'
    page = f"<p>قال {link}السوداني</a> إن <!-- {'y' * 300} --> القوات ستغادر.</p>"
    view = blank_html(page)
    (span,) = page_sentences(view, max_chars=40)
    assert page[span[0] : span[1]] == page[3:-4]  # one sentence from its first letter to its full stop
    assert len(page_sentences(view, max_chars=25)) == 2  # the visible text is 30 characters
    # what a reader sees without spaces is cut, never a letter lost
    pieces = page_sentences(blank_html("<b>" + "ب" * 30 + "</b>"), max_chars=10)
    assert [end - start for start, end in pieces] == [10, 10, 10]


def test_page_sentences_start_and_end_on_text() -> None:
    page = "<p><b>قال السوداني.</b></p>\n<p>  &nbsp;<i>غادر</i>&nbsp; </p>"
    assert [page[s:e] for s, e in page_sentences(blank_html(page))] == ["قال السوداني.", "غادر"]
    assert page_sentences(blank_html("<p> </p><br>")) == [] == page_sentences("")


def test_a_span_ending_on_a_reference_ends_after_it() -> None:
    page = "في العرا&#1602; وAT&amp;T &amp; <b>X</b>"
    view = blank_html(page)
    assert page[3 : reference_end(page, view, 9)] == "العرا&#1602;"
    at = page.index("&amp;T")
    assert page[page.index("AT") : reference_end(page, view, at + 1)] == "AT&amp;"
    for end in (2, 8, len(page) - 4, len(page), 0):  # not on a reference: unchanged
        assert reference_end(page, view, end) == end
    assert reference_end("Q&A", "Q&A", 2) == 2  # a bare ampersand is text


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


@settings(deadline=None, max_examples=200)
@given(page=st.lists(st.sampled_from([*"<>/&#;. \n\r\u2060قال", "<p>", "<b>", "</b>", "&amp;", "&#1602;", "<pre>", "</pre>", "<br>", "\u00a0"])).map("".join))
def test_page_sentences_cover_every_visible_character_once(page: str) -> None:
    view = blank_html(page)
    spans = page_sentences(view, max_chars=7)
    seen = [False] * len(view)
    for start, end in spans:
        assert 0 <= start < end <= len(view) and not any(seen[start:end])
        assert not view[start].isspace() and view[start] != JOINER and not view[end - 1].isspace() and view[end - 1] != JOINER
        assert len(" ".join(view[start:end].replace(JOINER, "").split())) <= 7  # as a reader sees it
        seen[start:end] = [True] * (end - start)
    assert all(seen[i] for i, char in enumerate(view) if not char.isspace() and char != JOINER)


@pytest.mark.parametrize("newline", ["&#13;\n", "&#10;", "&NewLine;", "&#xD;&#xA;", "\r\n"])
def test_line_breaks_written_as_references_are_spaces(newline: str) -> None:
    page = f"<p>وقال السوداني إن القوات الأمريكية{newline}ستغادر العراق قريبا.</p>"
    assert visible(page) == ["وقال السوداني إن القوات الأمريكية ستغادر العراق قريبا."]


def test_comments_are_nothing_and_read_in_one_pass_with_scripts() -> None:
    assert visible("<p>ال<!-- -->عراق و بغ<!-- x\n -->داد</p>") == ["العراق و بغداد"]
    page = '<p>وقال السوداني إن القوات ستغادر.</p><script>if(s.indexOf("<!--")>0){}</script><p>وأكد البنتاغون.</p>'
    assert visible(page) == ["وقال السوداني إن القوات ستغادر.", "وأكد البنتاغون."]
    page = "<p>وصل الوزير.</p><!--><p>وقال إن القوات باقية.</p><!---><p>وغادر.</p><!-- x --!><p>ثم عاد.</p>"
    assert visible(page) == ["وصل الوزير.", "وقال إن القوات باقية.", "وغادر.", "ثم عاد."]


def test_what_a_browser_does_not_show_as_text_is_blank() -> None:
    page = ("<p>اختر: <select><option>العراق</option><option selected>سوريا</option></select></p>"
            "<video src=a.mp4>متصفحك لا يدعم الفيديو</video><iframe src=x>إطار</iframe><audio>صوت</audio>"
            "<p>قال السوداني</p>")  # fmt: skip
    assert visible(page) == ["اختر:", "قال السوداني"]


def test_more_block_tags_are_lines() -> None:
    page = "<center>القوات الأمريكية</center><center>تغادر العراق</center><fieldset><legend>أ</legend>ب</fieldset>"
    assert visible(page) == ["القوات الأمريكية", "تغادر العراق", "أ", "ب"]


def test_legacy_references_without_a_semicolon_decode_their_longest_name() -> None:
    assert blank_html("&copy2024").replace(JOINER, "") == "©2024" and len(blank_html("&copy2024")) == 9
    assert blank_html("&bogus x &A") == "&bogus x &A"
    assert blank_html("&notit; &frac12x &notindot;").replace(JOINER, "") == "¬it; ½x &notindot;"  # 2 characters: kept
    assert max(map(len, markup._legacy_names())) == markup._LEGACY_LONGEST  # the scan is long enough


def test_a_quote_inside_an_unquoted_value_or_the_text_is_an_ordinary_character() -> None:
    page = "<span title=O'Neil>it's 5 > 3 today</span> more"
    assert blank_html(page).replace(JOINER, " ").split() == ["it's", "5", ">", "3", "today", "more"]
    assert visible('<a href=x title= "أ > ب" class=y>بغداد</a>') == ["بغداد"]


def test_line_break_references_inside_pre_are_line_breaks() -> None:
    assert visible("<pre>أ.&#10;ب</pre><p>ج&#10;د</p>") == ["أ.", "ب", "ج د"]
