r"""HTML input: the markup of a page turned into whitespace, every offset kept.

Articles scraped from the web come as HTML. :func:`blank_html` returns a copy of the page of
exactly the same length in which the markup is whitespace and the text is where it was, so an
analysis of the copy has offsets that index the caller's HTML (``html[e.start:e.end]`` is the
entity as it appears in the source, inline tags included if one falls inside a name). What
becomes what:

- an inline tag (``<b>``, ``<a href="…">``): word joiners (U+2060, invisible, removed by the
  model's normalisation), so it separates words only where the page shows a space
  (``<b>بغداد</b>والبصرة`` reads as one word, as a browser shows it); a block-level tag
  (``<p>``, ``<br>``, ``<div>``, ``<li>``, ``<h1>``, ``<td>``, … :data:`BLOCK_TAGS`): a line
  break then spaces, so paragraphs are sentence boundaries as the page shows them;
- a line break of the source (``\n``, ``\r``, ``\f``, also written ``&#13;`` or ``&NewLine;``):
  a space, as a browser joins the lines of a paragraph, except inside ``<pre>``, ``<textarea>``
  and ``<listing>``, whose source lines it shows;
- a comment: word joiners, as it is nothing at all (``ال<!-- -->عراق`` is one word);
- a doctype, a processing instruction, a CDATA section, and the content of the elements a
  reader does not see as text (:data:`HIDDEN_ELEMENTS`: scripts, styles, ``<title>``, the
  options of a ``<select>``, the fallback text of ``<video>`` or ``<iframe>``…): spaces;
- a character reference (``&amp;``, ``&nbsp;``, ``&#1593;``, ``&#x639;``, a legacy one without
  its semicolon like ``&copy2024``): its character, then word joiners for the rest of the
  reference, so a page that writes its Arabic letter by letter as references still has whole
  words (a reference that names several characters or none stays as it is);
- everything else, unchanged.

:func:`page_sentences` splits the result into sentences whose length limit counts what a reader
sees (a long link inside a sentence does not count), and :func:`reference_end` moves an end
that falls on a decoded reference past the whole reference, so a span ending on one
(``العرا&#1602;``) holds all of it in the source. The rules are those of a reader, not a full HTML
parser: a ``<`` that does not open a tag (``a < b``) is text; a tag ends at the first ``>``
outside quotes (``title="أ > ب"`` is one attribute; a quote left open ends at the first ``>``);
a tag cut off by the end of the page after its name is markup; comments and hidden elements
are read in one pass, whichever opens first. Not read as a browser would: CSS
(``display: none``) and the ``hidden`` attribute, whose text is read; markup inside
``<textarea>``, read as tags. Every pattern stops at the next ``<``, so the time is linear in
the page whatever it holds (``benchmarks/segmentation.py`` times unclosed tags).

Example:
    >>> page = "<p>قال <b>السوداني</b>&nbsp;إن</p>"
    >>> view = blank_html(page)
    >>> len(view) == len(page), view.replace(JOINER, "").split()
    (True, ['قال', 'السوداني', 'إن'])
    >>> page[view.index("السوداني"):][:8]
    'السوداني'
"""

from __future__ import annotations

import functools
import html
import html.entities
import re
from bisect import bisect_right

from arabnews_nlp.errors import ConfigError, InputTypeError
from arabnews_nlp.text.segment import LINE_BREAKS, split_sentences

MARKUPS = ("text", "html")
"""What an input string is: plain text, or an HTML page (read through :func:`blank_html`)."""

BLOCK_TAGS = frozenset(
    "address article aside blockquote body br caption center dd details dialog dir div dl dt fieldset "
    "figcaption figure footer form frameset h1 h2 h3 h4 h5 h6 head header hgroup hr html legend li listing "
    "main menu nav ol optgroup option p pre search section summary table tbody td tfoot th thead title tr "
    "ul".split()
)
"""Tags whose start or end is a line break of the text (a paragraph or line of the page)."""

HIDDEN_ELEMENTS = (
    "script", "style", "noscript", "template", "svg", "title", "select", "datalist", "video", "audio", "iframe", "canvas"
)  # fmt: skip
"""Elements whose whole content is blanked: code, styles, drawings, the browser tab's title, the
options of a list box, and the fallback text of media and frames (shown only by browsers that
cannot play or load them)."""

PREFORMATTED_ELEMENTS = ("pre", "textarea", "listing")
"""Elements whose source line breaks are line breaks of the page (elsewhere they are spaces)."""

JOINER = "\u2060"
"""WORD JOINER: what an inline tag, a comment and the rest of a character reference become (invisible, joins)."""

# A tag runs from "<name" to its closing ">" and never past another "<": each scan stops at the next
# "<", so the patterns are linear in the page. In a tag, a quoted attribute value may hold ">"; a
# quote that does not close before the next "<" is an ordinary character, and so is one inside an
# unquoted value (title=O'Neil).
# A quote opens a value only right after "="; the attributes are matched once (a lookahead is atomic in
# Python's re, and the backreference takes what it matched), so a failed tag never backtracks into them.
_ATTRIBUTES = r"""(?=(?P<attributes>(?:[^<>="']|=\s*"[^"<]*"|=\s*'[^'<]*'|[="'])*))(?P=attributes)"""
_TAG_END = rf"""(?:{_ATTRIBUTES}>|[^<>]*>|\s[^<>]*\Z)"""
# Comments and hidden elements in one pass, whichever opens first: a "<!--" inside a script is
# code, a "<script>" inside a comment is a comment. "<!-->" and "<!--->" are empty comments,
# "--!>" closes one too, and an unclosed one runs to the end, as browsers read them.
_UNSEEN = re.compile(
    r"(?P<comment><!--(?:-?>|.*?(?:--!?>|\Z)))"
    r"|<(?P<name>" + "|".join(HIDDEN_ELEMENTS) + r")(?=[\s/>])[^<>]*(?<!/)>.*?(?:</(?P=name)\s*>|\Z)",
    re.IGNORECASE | re.DOTALL,
)
_MARKUP = re.compile(  # after the comments are blanked
    r"<!\[CDATA\[.*?(?:\]\]>|\Z)"
    r"|<[!?][^<>]*>"  # doctype, processing instruction
    r"|</?(?P<tag>[A-Za-z][A-Za-z0-9:-]*)" + _TAG_END,  # a tag (cut off by the end of the page after its name too)
    re.DOTALL,
)
_REFERENCE = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});?")
_LEGACY_LONGEST = 6  # letters in the longest of _legacy_names ("middot", "frac12")
_LINE_BREAK_CHARACTERS = "\n\r\f"  # what a browser shows as a space, written literally or as a reference
_NOT_BREAK = re.compile(r"[^\n]")
_PREFORMATTED = re.compile(
    r"<(?P<name>" + "|".join(PREFORMATTED_ELEMENTS) + r")(?=[\s/>])[^<>]*>.*?(?:</(?P=name)\s*>|\Z)",
    re.IGNORECASE | re.DOTALL,
)
_SOURCE_BREAK = re.compile(f"[{_LINE_BREAK_CHARACTERS}]")  # HTML whitespace that a browser joins lines at
# runs of whitespace and word joiners that a reader sees as one space or nothing (a single space is left alone)
_GAP = re.compile(r"[\s\u2060]{2,}|\u2060")
_SENTENCE_BREAK = re.compile(f"[{LINE_BREAKS}]")  # a character that ends a sentence (split_sentences)
_NOT_JOINER = re.compile(r"[^\u2060]")


def _blank(piece: str, fill: str = " ", first: str = "") -> str:
    """``piece`` as ``fill`` characters (its line breaks kept), starting with ``first`` if given."""
    blanked = _NOT_BREAK.sub(fill, piece)
    return first + blanked[1:] if blanked and first else blanked


def _tag(match: re.Match[str]) -> str:
    name = match.group("tag")
    if name is None:  # a doctype, processing instruction or CDATA section
        return _blank(match.group())
    if name.lower() in BLOCK_TAGS:
        return _blank(match.group(), first="\n")
    return _blank(match.group(), JOINER)


def _unseen(match: re.Match[str]) -> str:
    if match.group("comment") is not None:
        return JOINER * len(match.group())  # nothing at all: "ال<!-- -->عراق" is one word
    return _blank(match.group())


def _reference(match: re.Match[str], breaks: bool = False) -> str:
    """A reference as its character and joiners (a line break a space, unless ``breaks``)."""
    reference = match.group()
    character = html.unescape(reference)
    if len(character) != 1 and reference[1:] not in html.entities.html5:
        # a legacy name without its ";" before letters or digits ("&copy2024", "&notit;"): the longest one
        legacy = _legacy_names()
        for end in range(min(len(reference), _LEGACY_LONGEST + 1), 2, -1):
            if reference[1:end] in legacy:
                return _decoded(html.entities.html5[reference[1:end]], end, breaks) + reference[end:]
    if len(character) != 1:
        return reference  # not a reference (or one that names several characters): text as it is
    return _decoded(character, len(reference), breaks)


@functools.cache
def _legacy_names() -> frozenset[str]:
    """The references that a browser decodes without their ``;`` (``&copy``, ``&amp``, ``&nbsp``…)."""
    return frozenset(name for name in html.entities.html5 if not name.endswith(";"))


def _decoded(character: str, length: int, breaks: bool) -> str:
    """A reference of ``length`` characters as its ``character`` (a line break: a space, unless ``breaks``) and joiners."""
    shown = " " if character in _LINE_BREAK_CHARACTERS and not breaks else character
    return shown + JOINER * (length - 1)


def check_markup(markup: object) -> None:
    """Raise :class:`~arabnews_nlp.errors.ConfigError` unless ``markup`` is one of :data:`MARKUPS`.

    Example:
        >>> check_markup("html")
    """
    if markup not in MARKUPS:
        raise ConfigError(f"markup must be one of {', '.join(map(repr, MARKUPS))}, got {markup!r}")


def blank_html(page: str) -> str:
    r"""Return ``page`` with its markup as whitespace and its character references decoded, same length.

    Args:
        page: An HTML document or fragment.

    Returns:
        A string of ``len(page)`` characters: every offset of it is the same offset of ``page``.

    Raises:
        InputTypeError: If ``page`` is not a ``str``.

    Example:
        >>> blank_html("<p>نص</p>")
        '\n  نص\n   '
        >>> blank_html("AT&amp;T") == "AT&" + JOINER * 4 + "T"
        True
        >>> blank_html("&#1602;&#1575;&#1604;").replace(JOINER, "")
        'قال'
    """
    if not isinstance(page, str):
        raise InputTypeError(page, what="page")
    view = _UNSEEN.sub(_unseen, page)
    pieces, last = [], 0
    for match in _PREFORMATTED.finditer(view):
        pieces += [_read(view[last : match.start()], preformatted=False), _read(match.group(), preformatted=True)]
        last = match.end()
    pieces.append(_read(view[last:], preformatted=False))
    return "".join(pieces)


def _read(piece: str, preformatted: bool) -> str:
    """A piece of the page without comments or hidden elements, its tags and references read.

    Outside preformatted elements a line break, written or as a reference, is a space.
    """
    if not preformatted:
        piece = _SOURCE_BREAK.sub(" ", piece)
    piece = _MARKUP.sub(_tag, piece)
    return _REFERENCE.sub(functools.partial(_reference, breaks=preformatted), piece)


def page_sentences(view: str, max_chars: int = 1000) -> list[tuple[int, int]]:
    """Split a page read by :func:`blank_html` into sentences, counting only what a reader sees.

    :func:`~arabnews_nlp.text.segment.split_sentences` runs on the visible text (word joiners
    left out, each run of whitespace one character, a line break if it holds one), so
    ``max_chars`` counts visible characters and a blanked link or script inside a sentence
    neither lengthens it nor separates a letter from its full stop.

    Args:
        view: The result of :func:`blank_html`.
        max_chars: The longest sentence, in visible characters.

    Returns:
        Spans into ``view`` (and so into the page), end exclusive, in order; each starts and ends
        on a visible character.

    Raises:
        InputTypeError: ``view`` is not a str.
        ConfigError: ``max_chars`` is not a positive int.

    Example:
        >>> page = '<p>قال <a href="https://example.com/a/very/long/link">السوداني</a>. ثم غادر</p>'
        >>> [page[s:e] for s, e in page_sentences(blank_html(page), max_chars=20)]
        ['قال <a href="https://example.com/a/very/long/link">السوداني</a>.', 'ثم غادر']
    """
    if not isinstance(view, str):
        raise InputTypeError(view, what="view")
    pieces: list[str] = []
    visible_starts: list[int] = []  # where each piece starts in the visible text ...
    view_starts: list[int] = []  # ... and in the view

    def add(piece: str, at: int) -> None:
        visible_starts.append(visible_starts[-1] + len(pieces[-1]) if pieces else 0)
        view_starts.append(at)
        pieces.append(piece)

    last = 0
    for gap in _GAP.finditer(view):
        if gap.start() > last:
            add(view[last : gap.start()], last)  # text as it is
        kept = _SENTENCE_BREAK.search(view, gap.start(), gap.end()) or _NOT_JOINER.search(view, gap.start(), gap.end())
        if kept:  # one character for the whole run (a line break if it holds one), where it stands
            add(kept.group(), kept.start())
        last = gap.end()
    if last < len(view):
        add(view[last:], last)

    def to_view(offset: int) -> int:
        piece = bisect_right(visible_starts, offset) - 1
        return view_starts[piece] + offset - visible_starts[piece]

    return [(to_view(start), to_view(end - 1) + 1) for start, end in split_sentences("".join(pieces), max_chars)]


def reference_end(page: str, view: str, end: int) -> int:
    """``end``, or past the rest of the character reference whose character ends a span at ``end``.

    :func:`blank_html` puts a reference's character where its ``&`` is and word joiners on the
    rest, so a span of the view that ends on it ends at the ``&`` of the page.

    Args:
        page: The HTML.
        view: ``blank_html(page)``.
        end: The end (exclusive) of a span of ``view``.

    Returns:
        The end of the span in ``page``.

    Example:
        >>> page = "في العرا&#1602; اليوم"
        >>> page[3 : reference_end(page, blank_html(page), 9)]
        'العرا&#1602;'
    """
    match = _REFERENCE.match(page, end - 1) if 0 < end <= len(page) else None
    if match is None or view[end : match.end()] != JOINER * (match.end() - end):
        return end
    return match.end()
