"""HTML rendering: every character of the text shown once, escaped, with entities and labels."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

import pytest

from arabnews_nlp.errors import AnalysisTypeError, ConfigError
from arabnews_nlp.render import render_html
from arabnews_nlp.results import Analysis, Entity, Event, SentenceResult, Stance

TEXT = "قال <السوداني> إن القوات سترحل.\nوقصف & مقتل 3 في بغداد."


def _analysis() -> Analysis:
    person = Entity(4, 14, "PER", TEXT[4:14], 0.91)
    place = Entity(49, 54, "LOC", TEXT[49:54], 0.88)
    first = SentenceResult(0, 31, TEXT[:31], Stance("anti", 0.7, holder=person), (), (person,))
    second = SentenceResult(32, 55, TEXT[32:55], Stance("neutral", 0.9), (Event("AIRSTRIKE", 0.8),), (place,))
    return Analysis(TEXT, Stance("anti", 0.6), (person, place), (first, second))


class _Text(HTMLParser):
    """Collects the visible text, skipping the label tags, the badges and the header."""

    def __init__(self) -> None:
        super().__init__()
        self.chunks: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        classes = dict(attrs).get("class") or ""
        if self.skip or tag in ("style", "title", "header") or {"label", "meta"} & set(classes.split()):
            self.skip += 1

    def handle_endtag(self, tag: str) -> None:
        if self.skip:
            self.skip -= 1

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.chunks.append(data)


def test_text_is_shown_once_and_escaped() -> None:
    assert TEXT[4:14] == "<السوداني>" and TEXT[49:54] == "بغداد"
    page = render_html(_analysis(), ["doc <1>"])
    assert "<السوداني>" not in page and html.escape("<السوداني>") in page
    assert "doc &lt;1&gt;" in page and "<script" not in page
    parser = _Text()
    parser.feed(page)
    shown = re.sub(r"\s+", "", "".join(parser.chunks))  # sentences are blocks: the spaces between them go
    assert shown == re.sub(r"\s+", "", TEXT)


def test_entities_stances_and_events_are_marked() -> None:
    page = render_html([_analysis()])
    assert re.search(r'<mark class="ent PER"[^>]*>&lt;السوداني&gt;<span class="label" dir="ltr">PER</span></mark>', page)
    assert '<mark class="ent LOC" title="LOC 0.88">بغداد' in page
    assert '<span class="sentence anti">' in page and "anti 0.70 · &lt;السوداني&gt;" in page
    assert "AIRSTRIKE 0.80" in page and "document stance" in page
    header = re.search(r'<header class="doc">.*?</header>', page).group(0)  # the document's events, counted
    assert '<span class="badge event" dir="ltr" title="highest sentence score 0.80">AIRSTRIKE ×1</span>' in header
    assert "events" not in render_html(Analysis.empty("نص")).split("<article ")[1]
    assert '<div class="para">' not in page  # one line break: a new sentence, not a new paragraph
    text = "خبر أول.\n\nخبر ثان."
    sentences = (SentenceResult(0, 8, text[:8], Stance("neutral", 1.0)), SentenceResult(10, 18, text[10:], Stance("neutral", 1.0)))
    assert render_html(Analysis(text, Stance("neutral", 1.0), (), sentences)).count('<div class="para">') == 1


def test_empty_and_mismatched_titles() -> None:
    page = render_html(Analysis.empty("   "))
    assert "0 sentences" in page and page.startswith("<!DOCTYPE html>")
    with pytest.raises(ConfigError, match="one title per analysis"):
        render_html([Analysis.empty("")], ["a", "b"])


@pytest.mark.parametrize("wrong", [{"text": "", "sentences": []}, "نص", [Analysis.empty(""), {"text": ""}], [None]])
def test_what_is_not_an_analysis_is_a_typed_error(wrong: object) -> None:
    with pytest.raises(AnalysisTypeError, match="expected Analysis objects .* got (dict|str|NoneType)"):
        render_html(wrong)  # type: ignore[arg-type]


def test_a_web_page_is_shown_as_a_reader_sees_it() -> None:
    page = '<p>قال <a href="https://example.com/x">السوداني</a>&nbsp;إن القوات سترحل.</p>\n<p>وقصف &amp; مقتل في بغدا&#1583;.</p>'
    person_start = page.index("السوداني")
    person = Entity(person_start, person_start + 8, "PER", "السوداني", 0.9)
    end = page.index("&#1583;") + len("&#1583;")
    place = Entity(page.index("بغدا"), end, "LOC", page[page.index("بغدا") : end], 0.8)
    first_end = page.index("سترحل.") + len("سترحل.")
    first = SentenceResult(3, first_end, page[3:first_end], Stance("anti", 0.7, holder=person), (), (person,))
    second_start = page.index("وقصف")
    second = SentenceResult(second_start, end + 1, page[second_start : end + 1], Stance("neutral", 0.9), (), (place,))
    analysis = Analysis(page, Stance("anti", 0.6), (person, place), (first, second))
    shown = render_html(analysis, markup="html")
    parser = _Text()
    parser.feed(shown)
    assert re.sub(r"[\s\u2060]+", "", "".join(parser.chunks)) == re.sub(r"\s+", "", "قال السوداني إن القوات سترحل. وقصف & مقتل في بغداد.")
    assert "href" not in shown and "&amp;#1583;" not in shown and '<mark class="ent LOC" title="LOC 0.80">بغداد' in shown
    assert shown.count('<div class="para">') == 1  # two blocks of the page: a new paragraph
    assert "href" in render_html(analysis)  # as text, the markup is what was analysed
    with pytest.raises(ConfigError, match="markup must be one of"):
        render_html(analysis, markup="xml")


def test_a_lone_surrogate_is_shown_as_a_replacement_character(tmp_path) -> None:
    text = "قال \ud800 في بغداد."
    page = render_html(Analysis(text, Stance("neutral", 0.9), (), (SentenceResult(0, len(text), text, Stance("neutral", 0.9)),)))
    (tmp_path / "page.html").write_text(page, encoding="utf-8")  # UnicodeEncodeError before
    assert "قال \ufffd في" in page


class _Styles(HTMLParser):
    """Collects (tag, class, style) of every element and the tags seen."""

    def __init__(self) -> None:
        super().__init__()
        self.elements: list[tuple[str, str | None, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        self.elements.append((tag, found.get("class"), found.get("style")))


def test_a_fragment_carries_its_styles_inline_for_notebooks() -> None:
    from arabnews_nlp.render import RULES

    text = 'قال class="ent PER" <b>ب</b> " style="x في بغداد.'  # attribute-looking text stays text
    place = Entity(text.index("بغداد"), text.index("بغداد") + 5, "LOC", "بغداد", 0.8)
    sentence = SentenceResult(0, len(text), text, Stance("pro", 0.7), (Event("THREAT", 0.6),), (place,))
    analysis = Analysis(text, Stance("neutral", 0.6), (place,), (sentence,))
    fragment = render_html(analysis, fragment=True)
    assert analysis._repr_html_() == fragment
    assert fragment.startswith('<div dir="rtl" lang="ar" style="') and fragment.rstrip().endswith("</div>")
    assert "<style" not in fragment and "<!DOCTYPE" not in fragment and "<script" not in fragment
    parser = _Styles()
    parser.feed(fragment)
    classed = [(tag, classes, style) for tag, classes, style in parser.elements if classes is not None]
    assert {tag for tag, _, _ in parser.elements} == {"div", "article", "header", "span", "mark"}  # no <b> from the text
    assert {classes for _, classes, _ in classed} >= {"article", "doc", "sentence pro", "meta", "badge pro", "badge event",
                                                      "ent LOC", "label", "badge neutral"}  # fmt: skip
    for _, classes, style in classed:  # every rule of each class, and nothing else
        kind, *modifiers = classes.split()
        expected = [RULES[kind]] + [RULES[f"{kind} {m}"] for m in modifiers if f"{kind} {m}" in RULES]
        assert style == "; ".join(expected) and '"' not in style
    shown = _Text()
    shown.feed(fragment)
    assert re.sub(r"\s+", "", "".join(shown.chunks)) == re.sub(r"\s+", "", text)


def test_the_page_style_sheet_has_every_rule() -> None:
    from arabnews_nlp.render import RULES, STYLE

    assert ".sentence.anti { border-color: #c62828; background: #fdecea; }" in STYLE
    assert all(value in STYLE for value in RULES.values()) and STYLE.startswith("body {")


def test_labels_and_badges_are_bidi_isolated_and_styles_survive_notebook_sanitizers() -> None:
    from arabnews_nlp.render import RULES

    page = render_html(_analysis())
    page = page[page.index("<article") :]  # the text's labels and badges, not the page's key above them
    # a dir attribute isolates its element (HTML's unicode-bidi: isolate), so a Latin label or badge
    # beside a final period or a number is not reordered into the entity (JupyterLab keeps dir)
    assert page.count('<span class="label" dir="ltr">') == 2 and page.count('<span class="meta" dir="rtl">') == 2
    assert re.findall(r'<span class="badge [a-z]+"( dir="ltr")?', page) == [' dir="ltr"'] * 5  # document, 2 sentences, 1 event... all
    assert not [value for value in RULES.values() if "inline-" in value or "text-align" in value]  # stripped when untrusted


def test_titles_missing_numbers_and_one_string() -> None:
    analysis = Analysis.empty("نص")
    assert "<strong>" not in render_html([analysis, analysis], titles=[None, float("nan")])
    assert "<strong>7</strong>" in render_html(analysis, titles=[7])  # type: ignore[list-item]
    assert "<strong>خبر</strong>" in render_html(analysis, titles="خبر")  # one title for one analysis
    with pytest.raises(ConfigError, match="got 1 titles for 2 analyses"):
        render_html([analysis, analysis], titles="خبر")


def test_counts_are_singular_for_one() -> None:
    text = "بغداد"
    place = Entity(0, 5, "LOC", text, 0.9)
    analysis = Analysis(text, Stance("neutral", 0.9), (place,), (SentenceResult(0, 5, text, Stance("neutral", 0.9), (), (place,)),))
    assert "1 sentence · 1 entity</span></header>" in render_html(analysis).replace("\n", "")
    assert "0 sentences · 0 entities" in render_html(Analysis.empty(""))


def test_an_analysis_of_a_web_page_is_shown_as_read_by_default() -> None:
    page = "<p>قال <b>السوداني</b></p>"
    start = page.index("السوداني")
    person = Entity(start, start + 8, "PER", "السوداني", 0.9)
    sentence = SentenceResult(3, start + 12, page[3 : start + 12], Stance("neutral", 0.9), (), (person,))
    analysis = Analysis(page, Stance("neutral", 0.9), (person,), (sentence,), markup="html")
    assert render_html(analysis) == render_html(analysis, markup="html") != render_html(analysis, markup="text")
    assert "&lt;b&gt;" not in analysis._repr_html_() and "&lt;b&gt;" in render_html(analysis, markup="text")


def test_a_web_page_is_shown_without_the_joiners_its_tags_became() -> None:
    page = "<p>قال <b>السودان</b>ي في بغداد.</p>"
    start = page.index("السودان")
    person = Entity(start, start + len("السودان</b>ي"), "PER", "السودان</b>ي", 0.9)
    end = page.index("</p>")
    sentence = SentenceResult(3, end, page[3:end], Stance("anti", 0.7, holder=person), (), (person,))
    shown = render_html(Analysis(page, Stance("neutral", 0.9), (person,), (sentence,), markup="html"))
    assert "\u2060" not in shown  # a name copied from the page is the name, not السودان + 4 invisible joiners + ي
    assert '<mark class="ent PER" title="PER 0.90">السوداني<span' in shown and "anti 0.70 · السوداني</span>" in shown


def test_badges_wrap_between_each_other_in_a_narrow_window() -> None:
    from arabnews_nlp.render import BODY_STYLE, RULES, STYLE

    text = "قصف وهجوم ومقتل وانسحاب."
    labels = ("ROCKET_ATTACK", "CASUALTIES", "AIRSTRIKE", "WITHDRAWAL_TALKS", "INTERCEPTION")
    sentence = SentenceResult(0, len(text), text, Stance("neutral", 0.6), tuple(Event(label, 0.9) for label in labels))
    analysis = Analysis(text, Stance("neutral", 0.59), (), (sentence,))
    assert len(analysis.events) == 5
    for page in (render_html(analysis, ["/a/very/long/path/without/any/space/000_643983bd88fa77b6.txt"]),
                 render_html(analysis, fragment=True)):  # fmt: skip
        # a badge is one unbreakable run (nowrap), so the line can only wrap between two badges: a
        # space must separate them (chips written back to back overflowed the page to the left)
        assert "white-space: nowrap" in RULES["badge"]
        assert not re.search(r"</span><span[^>]*class=\"badge", page)
        header = re.search(r'<header class="doc".*?</header>', page, re.S).group(0)
        assert len(re.findall(r'</span> <span class="badge event"', header)) == 4  # 5 document chips, 4 gaps
        meta = re.search(r'<span class="meta".*?</span></span>', page).group(0)
        assert len(re.findall(r'</span> <span class="badge', meta)) == 5  # the stance badge, then 5 event badges
    assert "overflow-wrap: anywhere" in BODY_STYLE  # a long title or URL wraps instead of widening the page
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in render_html(analysis)
    assert "padding: 0 1em" in STYLE.splitlines()[0]  # on a phone the text keeps off the screen's edges


def test_a_page_has_a_key_to_its_colours_badges_and_numbers() -> None:
    page = render_html([_analysis(), _analysis()])
    assert page.count('<header class="key" dir="ltr">') == 1  # once per page, before the articles
    key = re.search(r'<header class="key" dir="ltr">(.*?)</header>', page, re.S).group(1)
    assert page.index('<header class="key"') < page.index("<article")
    for label in ("anti", "pro", "neutral"):
        assert f'<span class="badge {label}"' in key  # the badges as the sentences show them
    for label, word in (("PER", "person"), ("ORG", "organisation"), ("LOC", "location"), ("FAC", "facility")):
        assert re.search(rf'<mark class="ent {label}"><span class="label" dir="ltr">{label}</span></mark> {word}', key)
    for words in ("probability", "holder", "red for anti", "green for pro", "Document stance", "reported by 2",
                  "AIRSTRIKE ×2", "only reports others' positions is neutral"):  # fmt: skip
        assert words in key
    assert ".key { display: block;" in page
    assert "key" not in render_html(_analysis(), fragment=True)  # a notebook output stays the analysis alone


def test_a_page_of_several_documents_lists_them_with_links() -> None:
    empty = Analysis.empty("نص")
    page = render_html([_analysis(), empty, _analysis()], titles=["doc <1>", None, 3])  # type: ignore[list-item]
    nav = re.search(r'<nav class="contents" dir="ltr">(.*?)</nav>', page, re.S).group(1)
    assert nav.startswith("3 documents<ol>") and nav.count("<li>") == 3
    links = [("doc-1", "doc &lt;1&gt;"), ("doc-2", "document 2"), ("doc-3", "3")]  # a missing title: its number
    assert re.findall(r'<a href="#(doc-\d)">([^<]*)</a>', nav) == links
    assert re.findall(r'<article id="(doc-\d)" class="article">', page) == ["doc-1", "doc-2", "doc-3"]  # each link lands
    assert re.search(r'<span class="badge anti" dir="ltr"[^>]*>anti 0.60</span> · AIRSTRIKE</li>', nav)  # stance, events
    assert page.index("<nav") < page.index("<article")
    one = render_html(_analysis())
    assert "<nav" not in one and '<article id="doc-1" class="article">' in one
    fragment = render_html([_analysis(), empty], fragment=True)  # a notebook's page has its own ids
    assert "<nav" not in fragment and "<article id=" not in fragment and "<article class=" in fragment


def test_a_printed_page_keeps_its_colours_and_whole_sentences() -> None:
    from arabnews_nlp.render import STYLE

    page = render_html(_analysis())
    rule = re.search(r"@media print \{(.*)\}", STYLE, re.S).group(1)
    assert re.search(r"\* \{ print-color-adjust: exact; -webkit-print-color-adjust: exact; \}", rule)  # white on red
    assert re.search(r"\.sentence[^{]*\{ break-inside: avoid; \}", rule) and STYLE in page


def test_badges_say_what_they_are_on_hover_in_a_notebook_too() -> None:
    for shown in (render_html(_analysis()), render_html(_analysis(), fragment=True)):  # a fragment has no key
        assert ('title="stance toward the US/coalition military presence: anti, probability 0.70, held by '
                '&lt;السوداني&gt;"') in shown  # fmt: skip
        assert 'title="stance toward the US/coalition military presence: neutral, probability 0.90"' in shown
        assert re.search(r'title="event the sentence reports, probability 0.80"[^>]*>AIRSTRIKE 0.80</span>', shown)


def test_an_empty_text_shows_no_stance() -> None:
    header = re.search(r'<header class="doc">.*?</header>', render_html(Analysis.empty("  \n"))).group(0)
    assert "no text to analyse · 0 sentences · 0 entities" in header  # not "neutral 1.00", a certainty about nothing
    assert "badge" not in header and "document stance" not in header
    assert "document stance" in render_html(_analysis())
    nav = re.search(r"<nav.*?</nav>", render_html([_analysis(), Analysis.empty("")])).group(0)
    assert '<a href="#doc-2">document 2</a> · no text</li>' in nav and "1.00" not in nav


def test_a_page_title_names_its_document_or_counts_them() -> None:
    """Every page's tab read 'arabnews-nlp', so tabs of several articles could not be told apart."""
    analysis = Analysis.empty("")
    assert "<title>خبر &lt;1&gt; · arabnews-nlp</title>" in render_html(analysis, titles="خبر <1>")
    assert "<title>7 · arabnews-nlp</title>" in render_html(analysis, titles=[7])  # type: ignore[list-item]
    assert "<title>arabnews-nlp</title>" in render_html(analysis)
    assert "<title>3 documents · arabnews-nlp</title>" in render_html([analysis] * 3, titles=["a", None, "c"])


def test_a_sentence_mostly_in_latin_letters_is_laid_out_left_to_right() -> None:
    """A Latin-only sentence had its final period on the wrong side; an Arabic one starting with 'CNN' keeps rtl."""
    text = "Trump said the troops stay. CNN: قال ترامب إن القوات ستبقى في سوريا."
    neutral = Stance("neutral", 0.9)
    analysis = Analysis(text, neutral, [], [SentenceResult(0, 27, text[:27], neutral, [], []),
                                            SentenceResult(28, len(text), text[28:], neutral, [], [])])  # fmt: skip
    page = render_html(analysis)
    assert page.count('<span class="sentence neutral" dir="ltr">Trump said') == 1
    assert '<span class="sentence neutral">CNN: ' in page
