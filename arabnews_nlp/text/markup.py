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
- a comment, a doctype, a processing instruction, a CDATA section, and the content of
  ``<script>``, ``<style>``, ``<noscript>``, ``<template>`` and ``<svg>`` elements: spaces
  (it is not text a reader sees);
- a character reference (``&amp;``, ``&nbsp;``, ``&#1593;``, ``&#x639;``): its character,
  then word joiners for the rest of the reference, so a page that writes its Arabic letter by
  letter as references still has whole words (a reference that names several characters or
  none stays as it is);
- everything else, unchanged.

Line breaks inside blanked markup are kept, so line numbers do not move either; so is a line
break in the source text, which then ends a sentence where a browser would join the lines (a
known limit, as is a span ending on a character reference: it ends at the reference's ``&``,
where the decoded character stands). The rules are those of a reader, not a full HTML parser: a ``<`` that does not open a tag (``a < b``) is text,
and a tag ends at its first ``>`` (a ``>`` inside a quoted attribute value ends it early; the
rest of the value is then read as text, never text hidden as markup). Every pattern stops at
the next ``<``, so the time is linear in the page whatever it holds
(``benchmarks/segmentation.py`` times unclosed tags).

Example:
    >>> page = "<p>قال <b>السوداني</b>&nbsp;إن</p>"
    >>> view = blank_html(page)
    >>> len(view) == len(page), view.replace(JOINER, "").split()
    (True, ['قال', 'السوداني', 'إن'])
    >>> page[view.index("السوداني"):][:8]
    'السوداني'
"""

from __future__ import annotations

import html
import re

from arabnews_nlp.errors import ConfigError, InputTypeError

MARKUPS = ("text", "html")
"""What an input string is: plain text, or an HTML page (read through :func:`blank_html`)."""

BLOCK_TAGS = frozenset(
    "address article aside blockquote body br caption dd details div dl dt figcaption figure footer "
    "form h1 h2 h3 h4 h5 h6 head header hr html li main nav ol p pre section summary table tbody td "
    "tfoot th thead title tr ul".split()
)
"""Tags whose start or end is a line break of the text (a paragraph or line of the page)."""

HIDDEN_ELEMENTS = ("script", "style", "noscript", "template", "svg")
"""Elements whose whole content is blanked (code, styles and drawings, not text)."""

JOINER = "\u2060"
"""WORD JOINER: what an inline tag and the rest of a character reference become (invisible, joins)."""

# A tag runs from "<name" to the first ">" and never past another "<": each scan stops at the next
# "<", so the patterns are linear in the page (quotes are not special: see the module docstring).
_HIDDEN = re.compile(
    r"<(?P<name>" + "|".join(HIDDEN_ELEMENTS) + r")(?=[\s/>])[^<>]*(?<!/)>.*?(?:</(?P=name)\s*>|\Z)",
    re.IGNORECASE | re.DOTALL,
)
_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)", re.DOTALL)  # an unclosed one runs to the end, as browsers read it
_MARKUP = re.compile(  # after the comments are blanked
    r"<!\[CDATA\[.*?(?:\]\]>|\Z)"
    r"|<[!?][^<>]*>"  # doctype, processing instruction
    r"|</?(?P<tag>[A-Za-z][A-Za-z0-9:-]*)[^<>]*>",
    re.DOTALL,
)
_REFERENCE = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});?")
_NOT_BREAK = re.compile(r"[^\n]")


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


def _reference(match: re.Match[str]) -> str:
    reference = match.group()
    character = html.unescape(reference)
    if len(character) != 1:
        return reference  # not a reference (or one that names several characters): text as it is
    return character + JOINER * (len(reference) - 1)


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
    view = _COMMENT.sub(lambda match: _blank(match.group()), page)  # first: a comment may mention <script>
    view = _HIDDEN.sub(lambda match: _blank(match.group()), view)
    view = _MARKUP.sub(_tag, view)
    return _REFERENCE.sub(_reference, view)
