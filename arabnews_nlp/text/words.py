"""Words as SCHEMA.md defines them: runs of characters between whitespace or punctuation.

A word character is a letter, a combining mark (Arabic diacritics) or a digit (Unicode
categories L*, M*, N*). Every other visible character (punctuation, symbols, emoji) is a word
of its own, so ``«رويترز»`` gives three words and ``والبنتاغون`` one. The invisible characters
that the model's normalisation deletes (:data:`arabnews_nlp.text.normalize.INVISIBLE`:
zero-width joiners and non-joiners, soft hyphens, direction marks, the word joiner) stay inside
a word when they stand between two word characters, as the reader sees it (``و\u200cقال`` is one
word); elsewhere, like every other format or control character, they belong to no word. Spans
are ``(start, end)`` character offsets into the string given, end exclusive.

Example:
    >>> text = "قال «رويترز»: 3.5"
    >>> [text[s:e] for s, e in split_words(text)]
    ['قال', '«', 'رويترز', '»', ':', '3', '.', '5']
"""

from __future__ import annotations

import unicodedata

from arabnews_nlp.text.normalize import INVISIBLE


def is_word_char(char: str) -> bool:
    """Return whether ``char`` belongs inside a word (letter, mark or digit)."""
    return unicodedata.category(char)[0] in "LMN"


def _is_invisible(char: str) -> bool:
    return char in INVISIBLE


def _joined_end(text: str, j: int, stop: int) -> int:
    """Where a run of invisible characters at ``j`` ends if a word character follows it (before ``stop``), else ``j``."""
    k = j
    while k < stop and _is_invisible(text[k]):
        k += 1
    return k if k > j and k < stop and is_word_char(text[k]) else j


def split_words(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Split ``text[start:end]`` into word spans with offsets into ``text``.

    Args:
        text: The string.
        start: Where to begin.
        end: Where to stop (exclusive); the end of ``text`` by default.

    Returns:
        ``(start, end)`` spans: maximal runs of word characters (with the invisible characters
        between them), and each other non-space, visible character alone.

    Example:
        >>> [len(span) for span in [range(*w) for w in split_words("و\u200cقال \u200fنعم\u200f")]]
        [5, 3]
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
            while j < stop:
                if is_word_char(text[j]):
                    j += 1
                    continue
                joined = _joined_end(text, j, stop)
                if joined == j:
                    break
                j = joined
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
    inner_edges = not text[start].isspace() and not text[end - 1].isspace()
    return inner_edges and not _inside_word(text, start) and not _inside_word(text, end)


def _inside_word(text: str, boundary: int) -> bool:
    """Whether :func:`split_words` puts the boundary before ``text[boundary]`` inside a word."""
    left = boundary - 1
    while left >= 0 and _is_invisible(text[left]):
        left -= 1
    right = boundary
    while right < len(text) and _is_invisible(text[right]):
        right += 1
    return left >= 0 and right < len(text) and is_word_char(text[left]) and is_word_char(text[right])
