"""Texts the analyzer reads but can say little about, counted so that a run can say so once.

An empty text, a text without Arabic letters (English, a wrong field) and an HTML page read as
plain text all get a result (empty or ``neutral``), which in a table looks like a real neutral
article. :class:`InputNotes` counts them in a run and words one warning per kind, with the first
document's id.

Example:
    >>> notes = InputNotes()
    >>> for key, text in [("a", ""), ("b", "Hello world"), ("c", "قال السوداني")]:
    ...     notes.add(key, text, "text")
    >>> notes.messages()[0]
    '1 of 3 documents is empty or only whitespace (e.g. a): the result is empty and neutral'
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_ARABIC_LETTER = re.compile("[\u0621-\u064a\u0671-\u06d3\ufb50-\ufdff\ufe70-\ufefc]")
_HTML = re.compile(r"<(?:!doctype|html|body|div|p|br|span|a|script|table|li|h[1-6])\b[^<>]*>", re.IGNORECASE)
HTML_TAGS = 3
"""A plain text holding at least this many HTML tags is taken for a page."""

KINDS = {
    "empty": ("is empty or only whitespace", "are empty or only whitespace",
              "the result is empty and neutral"),
    "no_arabic": ("has no Arabic letters", "have no Arabic letters",
                  "the model reads Arabic only, so the result says nothing"),
    "html": ("looks like an HTML page read as plain text", "look like HTML pages read as plain text",
             "pass --markup html (markup='html' in Python) so that tags are not read as words"),
}  # fmt: skip
"""Kind -> (what is wrong with one such document, with several, what it means or what to do)."""


def odd_kind(text: str, markup: str) -> str | None:
    """The kind of :data:`KINDS` that ``text`` is, or ``None`` for an ordinary text.

    Example:
        >>> odd_kind("  ", "text"), odd_kind("Breaking news", "text"), odd_kind("قال", "text")
        ('empty', 'no_arabic', None)
        >>> odd_kind("<html><body><p>قال</p></body></html>", "text"), odd_kind("<p>قال</p>", "html")
        ('html', None)
    """
    if not text.strip():
        return "empty"
    if markup == "text" and len(_HTML.findall(text, 0, 100_000)) >= HTML_TAGS:
        return "html"
    return None if _ARABIC_LETTER.search(text) else "no_arabic"


@dataclass
class InputNotes:
    """Counts of the odd texts of a run (:func:`odd_kind`), with the first example of each kind.

    Attributes:
        documents: Texts seen.
        counts: Kind -> texts of that kind.
        examples: Kind -> the id (or position) of the first one.
    """

    documents: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    examples: dict[str, str] = field(default_factory=dict)

    def add(self, key: object, text: str, markup: str) -> None:
        """Count one text; ``key`` names it in the warning (its id, or its position when ``None``)."""
        self.documents += 1
        kind = odd_kind(text, markup)
        if kind is not None:
            self.counts[kind] = self.counts.get(kind, 0) + 1
            self.examples.setdefault(kind, f"e.g. document {self.documents}" if key is None else f"e.g. {key}")

    def messages(self) -> list[str]:
        """One sentence per kind found, in the order of :data:`KINDS`."""
        lines = []
        for kind, (one, several, meaning) in KINDS.items():
            n = self.counts.get(kind, 0)
            if n:
                lines.append(f"{n} of {self.documents} documents {one if n == 1 else several} "
                             f"({self.examples[kind]}): {meaning}")  # fmt: skip
        return lines
