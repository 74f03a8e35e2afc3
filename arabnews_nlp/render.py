"""HTML rendering of analyses, for reading results in a browser (like spaCy's displaCy).

Right-to-left, self-contained (inline CSS, no script, no network), every piece of the caller's
text HTML-escaped. A page opens with a key to its colours, badges and numbers. Each document shows its stance; each sentence its stance (with score and
holder) and events; each entity is highlighted with its type. Sentences are shown in the
document's own order (each a block) and a blank line between them marks a paragraph break.

Example:
    >>> from arabnews_nlp.results import Analysis, Entity, SentenceResult, Stance
    >>> text = "قال السوداني"
    >>> person = Entity(4, 12, "PER", "السوداني", 0.9)
    >>> sentence = SentenceResult(0, 12, text, Stance("neutral", 0.8), (), (person,))
    >>> page = render_html(Analysis(text, Stance("neutral", 0.8), (person,), (sentence,)))
    >>> '<mark class="ent PER"' in page and 'dir="rtl"' in page
    True
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence

from arabnews_nlp.errors import AnalysisTypeError, ConfigError
from arabnews_nlp.results import Analysis, Entity, SentenceResult, Stance
from arabnews_nlp.schema import ENTITY_TYPES, STANCE_LABELS
from arabnews_nlp.text.markup import JOINER, blank_html, check_markup
from arabnews_nlp.text.normalize import SURROGATE

BODY_STYLE = (
    "font-family: 'Noto Naskh Arabic', 'Amiri', 'Arial', sans-serif; line-height: 2.1; color: #1d1d1f; "
    "background: #fff; overflow-wrap: anywhere"  # a long path, id or URL wraps instead of widening the page
)
"""The reading style of the text: the page's ``body``, a notebook fragment's outer ``div``."""

# Physical sides (right = the start of a line, as everything rendered is dir="rtl"): JupyterLab's
# sanitizer of untrusted outputs strips the logical ones (border-inline-start, margin-inline-*).
RULES: dict[str, str] = {
    "article": "display: block; border-bottom: 1px solid #ddd; padding-bottom: 1em; margin-bottom: 1.5em",
    "doc": "display: block; font-family: sans-serif; font-size: 0.9em; color: #555; margin-bottom: 0.5em",
    "sentence": "display: block; padding: 0.2em 0.6em; margin: 0.3em 0; border-right: 4px solid #ccc",
    "sentence anti": "border-color: #c62828; background: #fdecea",
    "sentence pro": "border-color: #2e7d32; background: #e8f5e9",
    "para": "display: block; height: 0.8em",
    "meta": "font-family: sans-serif; font-size: 0.72em; color: #444; margin-right: 0.6em",
    "badge": "border-radius: 0.3em; padding: 0.05em 0.4em; margin-left: 0.3em; white-space: nowrap",
    "badge anti": "background: #c62828; color: #fff",
    "badge pro": "background: #2e7d32; color: #fff",
    "badge neutral": "background: #e0e0e0; color: #1d1d1f",
    "badge event": "background: #fff3cd; color: #1d1d1f; border: 1px solid #e0c36a",
    "ent": "border-radius: 0.3em; padding: 0.05em 0.25em; color: #1d1d1f",
    "ent PER": "background: #d7e8ff",
    "ent ORG": "background: #ffe0b2",
    "ent LOC": "background: #c9ecf2",
    "ent FAC": "background: #ead7ff",
    "label": "font-family: sans-serif; font-size: 0.62em; font-weight: bold; margin-right: 0.3em",
    "contents": "display: block; font-family: sans-serif; font-size: 0.85em; line-height: 1.9; margin-bottom: 1.5em",
    "key": "display: block; font-family: sans-serif; font-size: 0.8em; line-height: 1.9; color: #444; "
    "border: 1px solid #ddd; border-radius: 0.3em; padding: 0.4em 0.8em; margin-bottom: 1.5em",
}
"""The style of each class the rendering writes (``"sentence anti"``: a ``sentence`` that is also
``anti``), written once: as a ``<style>`` sheet in a page, as ``style`` attributes in a fragment."""

STYLE = "\n".join(
    [f"body {{ {BODY_STYLE}; margin: 2em auto; padding: 0 1em; max-width: 60em; }}"]
    + [f".{'.'.join(key.split())} {{ {value}; }}" for key, value in RULES.items()]
    # printed, the colours are the labels (white text on a red badge, the bands): a browser drops
    # backgrounds by default; and a sentence is not cut across two pages
    + ["@media print { * { print-color-adjust: exact; -webkit-print-color-adjust: exact; } "
       ".sentence, .key, li { break-inside: avoid; } }"]  # fmt: skip
)

_ENTITY_WORDS = {"PER": "person", "ORG": "organisation", "LOC": "location", "FAC": "facility"}  # the key's words

_CLASS = re.compile(r'class="([^"]*)"')


def _inline_style(classes: str) -> str:
    """The declarations of the rules an element with ``classes`` matches (the first class is its kind)."""
    kind, *modifiers = classes.split()
    return "; ".join(RULES[key] for key in [kind, *(f"{kind} {modifier}" for modifier in modifiers)] if key in RULES)


def _with_inline_styles(body: str) -> str:
    """Give every element of ``body`` that has a class the ``style`` of its rules.

    Every ``class="`` in ``body`` was written by this module: the caller's text is escaped
    (``html.escape`` turns ``"`` into ``&quot;``), so none comes from it.
    """
    return _CLASS.sub(lambda match: f'{match.group(0)} style="{_inline_style(match.group(1))}"', body)


def _entity(text: str, entity: Entity) -> str:
    title = f"{entity.label} {entity.score:.2f}"
    return (
        f'<mark class="ent {html.escape(entity.label)}" title="{title}">{html.escape(text[entity.start:entity.end])}'
        f'<span class="label" dir="ltr">{html.escape(entity.label)}</span></mark>'
    )


def _highlight(text: str, start: int, end: int, entities: Sequence[Entity]) -> str:
    parts, position = [], start
    for entity in sorted(entities, key=lambda e: e.start):
        if entity.start < position or entity.end > end:
            continue  # entities never overlap; this only guards against a foreign Analysis
        parts += [html.escape(text[position : entity.start]), _entity(text, entity)]
        position = entity.end
    parts.append(html.escape(text[position:end]))
    return "".join(parts)


def _stance_badge(stance: Stance, text: str) -> str:
    """The stance's badge, its holder as ``text`` (the one shown) spells it."""
    holder = held = ""
    if stance.holder is not None:
        name = html.escape(text[stance.holder.start : stance.holder.end])
        holder, held = f" · {name}", f", held by {name}"
    label = html.escape(stance.label)
    title = f"stance toward the US/coalition military presence: {label}, probability {stance.score:.2f}{held}"
    return f'<span class="badge {label}" dir="ltr" title="{title}">{label} {stance.score:.2f}{holder}</span>'


def _sentence(text: str, sentence: SentenceResult) -> str:
    events = [f'<span class="badge event" dir="ltr" title="event the sentence reports, probability {e.score:.2f}">'
              f"{html.escape(e.label)} {e.score:.2f}</span>" for e in sentence.events]  # fmt: skip
    body = _highlight(text, sentence.start, sentence.end, sentence.entities)
    badges = " ".join([_stance_badge(sentence.stance, text), *events])  # a space: a line may break between badges
    meta = f'<span class="meta" dir="rtl">{badges}</span>'
    direction = ' dir="ltr"' if _mostly_left_to_right(text[sentence.start : sentence.end]) else ""
    return f'<span class="sentence {html.escape(sentence.stance.label)}"{direction}>{body}{meta}</span>'


def _mostly_left_to_right(text: str) -> bool:
    """Whether more of ``text``'s letters are written left to right (Latin) than right to left (Arabic).

    A sentence in English is laid out left to right; one in Arabic that starts with ``CNN`` is not
    (the first strong letter, which ``dir="auto"`` would follow, decides nothing here).

    Example:
        >>> _mostly_left_to_right("Trump said."), _mostly_left_to_right("CNN: قال ترامب إن القوات ستبقى")
        (True, False)
    """
    kinds = [unicodedata.bidirectional(character) for character in text]
    return kinds.count("L") > kinds.count("R") + kinds.count("AL")


def _key() -> str:
    """The page's key: what the colours, badges and numbers mean, with a sample of each (English, like the badges)."""
    stances = " ".join(f'<span class="badge {label}">{label}</span>' for label in STANCE_LABELS)
    entities = " ".join(f'<mark class="ent {label}"><span class="label" dir="ltr">{label}</span></mark> '
                        f"{_ENTITY_WORDS.get(label, label)}" for label in ENTITY_TYPES)  # fmt: skip
    lines = [
        f"Stance toward the military presence of the US and the US-led coalition in Iraq and Syria: {stances}. "
        "A sentence's band is red for anti, green for pro; its badge gives the label, the model's probability "
        "for it (0 to 1), and after · the holder, the entity whose position it is.",
        "Document stance: the article's own voice, with its probability; an article that only reports others' "
        "positions is neutral.",
        '<span class="badge event">AIRSTRIKE 0.90</span> an event a sentence reports, with its probability; '
        '<span class="badge event">AIRSTRIKE ×2</span> in a document\'s line: reported by 2 of its sentences '
        "(hover for the highest probability).",
        f"Entities: {entities}; hover one for its probability.",
    ]
    return f'<header class="key" dir="ltr">{"".join(f"<div>{line}</div>" for line in lines)}</header>'


def _contents(analyses: Sequence[Analysis], titles: Sequence[object]) -> str:
    """A page's list of its documents, each a link to its article with its stance and event types."""
    items = []
    for number, (analysis, title) in enumerate(zip(analyses, titles), 1):
        shown = _title(title)
        events = ", ".join(html.escape(event.label) for event in analysis.events)
        stance = _stance_badge(analysis.stance, analysis.text) if analysis.sentences else "no text"
        items.append(f'<li><a href="#doc-{number}">{html.escape(shown) if shown else f"document {number}"}</a> · '
                     f"{stance}{f' · {events}' if events else ''}</li>")  # fmt: skip
    return f'<nav class="contents" dir="ltr">{_count(len(analyses), "document")}<ol>{"".join(items)}</ol></nav>'


def _line_breaks(gap: str) -> int:
    """How many lines ``gap`` ends (``\r\n``, ``\r`` and ``\n`` each one): two or more is a blank line, or two blocks."""
    return gap.replace("\r\n", "\n").replace("\r", "\n").count("\n")


def _count(number: int, one: str, many: str | None = None) -> str:
    return f"{number} {one if number == 1 else many or one + 's'}"


def _title(value: object) -> str | None:
    """A title as shown: ``None``, NaN and pandas' missing values are no title; numbers are their text."""
    if value is None or isinstance(value, str):
        return value or None
    shown = str(value)
    return None if shown in ("nan", "NaN", "<NA>", "NaT", "None") else shown


def render_article(analysis: Analysis, title: str | None = None, markup: str | None = None) -> str:
    """Return one ``<article>`` element for an analysis.

    Args:
        analysis: The result of :meth:`arabnews_nlp.Analyzer.analyze`.
        title: Shown above the text (e.g. a file name or document id).
        markup: ``"html"`` to show a web page's visible text
            (:func:`~arabnews_nlp.text.markup.blank_html`), not its tags; ``"text"`` to show the
            text as it is; by default as the analysis was made (``analyze(page, markup="html")``).
    """
    markup = analysis.markup if markup is None else markup
    check_markup(markup)
    text, parts, position = blank_html(analysis.text) if markup == "html" else analysis.text, [], 0
    for sentence in analysis.sentences:
        if position and _line_breaks(text[position : sentence.start]) >= 2:
            parts.append('<div class="para"></div>')  # a paragraph break; sentences are blocks anyway
        parts.append(_sentence(text, sentence))
        position = sentence.end
    title = _title(title)
    heading = f"<strong>{html.escape(title)}</strong> · " if title else ""
    counts = f"{_count(len(analysis.sentences), 'sentence')} · {_count(len(analysis.entities), 'entity', 'entities')}"
    events = " ".join(f'<span class="badge event" dir="ltr" title="highest sentence score {e.score:.2f}">'
                      f"{html.escape(e.label)} ×{e.sentences}</span>" for e in analysis.events)  # fmt: skip
    # the space between chips is where a narrow window wraps them: each chip is one unbreakable run
    events = f" · events {events}" if events else ""
    # no sentence: nothing was analysed, so no stance to show (the result's neutral 1.0 is a placeholder)
    stance = f"document stance {_stance_badge(analysis.stance, text)}" if analysis.sentences else "no text to analyse"
    line = f"{heading}{stance} · {counts}{events}"
    header = f'<header class="doc"><span dir="ltr">{line}</span></header>'  # English: one left-to-right run
    article = f'<article class="article">{header}\n{"".join(parts)}\n</article>'
    return article.replace(JOINER, "") if markup == "html" else article  # a tag's joiners: not in a copied name


def _page_title(names: Sequence[object]) -> str:
    """A browser tab's title: the one document's title, or how many documents, then the package."""
    if len(names) == 1:
        shown = _title(names[0])
        return f"{html.escape(SURROGATE.sub(chr(0xFFFD), shown), quote=False)} · arabnews-nlp" if shown else "arabnews-nlp"
    return f"{len(names)} documents · arabnews-nlp"


def render_html(
    analyses: Analysis | Iterable[Analysis],
    titles: str | Sequence[str | None] | None = None,
    markup: str | None = None,
    fragment: bool = False,
) -> str:
    """Return HTML showing one or more analyses: a complete, self-contained page, or a fragment.

    Args:
        analyses: One analysis or several (e.g. the output of :meth:`arabnews_nlp.Analyzer.pipe`).
        titles: Optional title per analysis (one string for one analysis); a missing value
            (``None``, NaN, ``pd.NA``) is no title, a number is shown as its text.
        markup: By default each analysis is shown as it was made: a web page analysed with
            ``markup="html"`` as a reader sees it, its sentences and entities without the tags.
            ``"text"`` or ``"html"`` chooses for all.
        fragment: Return one right-to-left ``<div>`` whose elements carry their styles as
            ``style`` attributes, instead of a page with a style sheet: for a notebook
            (``IPython.display.HTML(...)``; an analysis shown in Jupyter is rendered so by
            itself) or to embed in a page of one's own, whose styles it neither needs nor changes.

    Returns:
        An HTML5 document (UTF-8, ``dir="rtl"``, inline CSS, no script; its ``<title>`` is the one
        document's title, or how many documents there are) that opens with a key to
        its colours and numbers, then for several analyses a list linking to each (``#doc-1``,
        ``#doc-2``…: the article ids), or with ``fragment`` the ``<div>`` (no key, list or ids);
        a lone surrogate of a text is shown as U+FFFD, so it can always be written as UTF-8.

    Raises:
        AnalysisTypeError: If an item is not an :class:`~arabnews_nlp.results.Analysis` (e.g. a
            ``to_dict()`` dict or a text).
        ConfigError: If ``titles`` does not give one title per analysis, or ``markup`` is not
            ``None``, ``"text"`` or ``"html"``.

    Example:
        >>> from arabnews_nlp.results import Analysis
        >>> "<article " in render_html([Analysis.empty("")])
        True
        >>> render_html(Analysis.empty(""), fragment=True).startswith('<div dir="rtl" lang="ar" style=')
        True
    """
    if markup is not None:
        check_markup(markup)
    if isinstance(analyses, (str, bytes, Mapping)):
        raise AnalysisTypeError(analyses)
    items = [analyses] if isinstance(analyses, Analysis) else list(analyses)
    for item in items:
        if not isinstance(item, Analysis):
            raise AnalysisTypeError(item)
    names = [titles] if isinstance(titles, str) else list(titles) if titles is not None else [None] * len(items)
    if len(names) != len(items):
        raise ConfigError(f"got {len(names)} titles for {len(items)} analyses; give one title per analysis")
    articles = [render_article(analysis, name, markup) for analysis, name in zip(items, names)]
    if not fragment:  # a page's articles can be linked to (#doc-2); a fragment's ids could clash with its page's
        articles = [a.replace("<article ", f'<article id="doc-{n}" ', 1) for n, a in enumerate(articles, 1)]
    body = "\n".join(articles if fragment or len(items) < 2 else [_contents(items, names), *articles])
    body = SURROGATE.sub("\ufffd", body)  # a lone surrogate cannot be written as UTF-8: shown as a browser would
    if fragment:
        return f'<div dir="rtl" lang="ar" style="{BODY_STYLE}">\n{_with_inline_styles(body)}\n</div>\n'
    return (
        '<!DOCTYPE html>\n<html lang="ar" dir="rtl">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'  # a phone: its own width, not 980px
        f"<title>{_page_title(names)}</title>\n<style>\n{STYLE}\n</style>\n</head>\n<body>\n{_key()}\n{body}\n</body>\n</html>\n"
    )
