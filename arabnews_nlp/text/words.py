"""Words as SCHEMA.md defines them: runs of characters between whitespace or punctuation.

A word character is a letter, a combining mark (Arabic diacritics) or a digit (Unicode
categories L*, M*, N*). Every other visible character (punctuation, symbols, emoji) is a word
of its own, so ``«رويترز»`` gives three words and ``والبنتاغون`` one. Spans are
``(start, end)`` character offsets into the string given, end exclusive.

Example:
    >>> text = "قال «رويترز»: 3.5"
    >>> [text[s:e] for s, e in split_words(text)]
    ['قال', '«', 'رويترز', '»', ':', '3', '.', '5']
"""

from __future__ import annotations

import unicodedata


def is_word_char(char: str) -> bool:
    """Return whether ``char`` belongs inside a word (letter, mark or digit)."""
    return unicodedata.category(char)[0] in "LMN"


def split_words(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Split ``text[start:end]`` into word spans with offsets into ``text``.

    Args:
        text: The string.
        start: Where to begin.
        end: Where to stop (exclusive); the end of ``text`` by default.

    Returns:
        ``(start, end)`` spans: maximal runs of word characters, and each other non-space
        character alone.
    """
    stop = len(text) if end is None else end
    spans: list[tuple[int, int]] = []
    i = start
    while i < stop:
        char = text[i]
        if char.isspace() or unicodedata.category(char) in ("Cf", "Cc", "Zl", "Zp"):
            i += 1
            continue
        if is_word_char(char):
            j = i + 1
            while j < stop and is_word_char(text[j]):
                j += 1
            spans.append((i, j))
            i = j
        else:
            spans.append((i, i + 1))
            i += 1
    return spans


def is_whole_words(text: str, start: int, end: int) -> bool:
    """Return whether ``text[start:end]`` begins and ends on word boundaries.

    Example:
        >>> is_whole_words("والبنتاغون قال", 0, 10), is_whole_words("والبنتاغون قال", 2, 10)
        (True, False)
    """
    if not 0 <= start < end <= len(text):
        return False
    starts_clean = start == 0 or not (is_word_char(text[start - 1]) and is_word_char(text[start]))
    ends_clean = end == len(text) or not (is_word_char(text[end - 1]) and is_word_char(text[end]))
    inner_edges = not text[start].isspace() and not text[end - 1].isspace()
    return starts_clean and ends_clean and inner_edges
