"""Sentence segmentation with offsets into the caller's string.

A sentence ends after a run of ``. ! ? ؟ ؛ …`` (with any closing quotes or brackets
``» ” " ' ’ › ) ] }`` and invisible marks that follow it) when whitespace or the end of the text
comes next, and at every line break (``\\n``, ``\\r\\n``, ``\\r``, ``\\v``, ``\\f``, U+001C–U+001E,
U+0085, U+2028, U+2029: the breaks of :meth:`str.splitlines`) or run of whitespace that holds at
least :data:`NBSP_BREAK` no-break spaces (U+00A0: some sites write their paragraph breaks so,
``"…دوري الأبطال" + "\\xa0" * 12 + " وأضاف"``; the short runs that align table columns do not
count). It does not end:

- inside numbers, URLs or e-mail addresses (``3.5``, ``2.000.000``, ``www.x.com``: no
  whitespace follows their dots);
- after a full stop that follows a one-letter word (``د.``, ``م.``, ``أ.``, ``U.S.``; tatweel and
  diacritics do not count, so ``هـ.`` is one letter) or a word of :data:`ABBREVIATIONS`
  (``Dr.``, ``Gen.``; case-insensitive), unless that word ends a URL or e-mail address or is the
  era of a four-digit year (``عام 2005 م.`` ends a sentence, as ``عام 2005م.`` does); when
  closing quotes or brackets follow the full stop, only after a dotted acronym of one-letter
  words (``(أ.ف.ب.) إن``: the agency's name, not the end of the sentence; ``يا د.»`` still ends one);
- after the number of a list item that opens a line (after a bullet too: ``* 1.``, ``- 1.``,
  ``• 1.``) or follows a sentence end (``1. انسحاب القوات``, one to three digits);
- after a year's era when the same date in the other era follows (``1445 هـ. الموافق 2024 م.``,
  ``1445هـ. الموافق``);
- at an omission mark in brackets: ``(...)``, ``(..)``, ``[…]``;
- at a semicolon ``؛`` (it joins clauses);
- at an ellipsis (``..``, ``...``, ``…``: Arabic news also uses them as a dash) inside a quote or
  bracket that the sentence opened and has not closed (``"أردوغان يعلن عن انتخابات مبكرة.. وتركيا
  إلى صيف ساخن"``).

The last two rules follow the annotated training articles: of the boundaries the splitter used to
put there, 9 of 11 at ``؛`` and 35 of 47 at an ellipsis inside an open quote or bracket were not
annotated sentence ends.

A line break (or such a run of no-break spaces) always ends a sentence, even after an abbreviation.

A sentence longer than ``max_chars`` (a scraped interview paragraph without full stops) is cut
between clauses, after its last ``، , ؛ ; :`` or double space that leaves a piece of at least
half the limit, rather than at its last space, which can fall inside a name (``علمني | شريف``).

Spans are ``(start, end)``, end exclusive, stripped of whitespace (:meth:`str.isspace`), in
order and non-overlapping; together they cover every character that is not whitespace, as
SCHEMA.md requires of gold sentences. Invisible characters (bidi marks, zero-width characters,
BOM, soft hyphen, control characters) are not whitespace: they stay inside sentences (a mark
right after a full stop ends that sentence, one before a word starts the next). A piece without
any letter or digit (a full stop left alone on the next line by a scraper, ``"…\\n."``; a
blank line holding only a right-to-left mark) joins the sentence before it (the one after it,
at the start of the text) when the joined span fits in ``max_chars``; otherwise it stays a
sentence of its own.

Example:
    >>> text = "قال د. أحمد إن الهجوم فشل. وأضاف: «لا إصابات»!\\nبغداد 3.5"
    >>> [text[s:e] for s, e in split_sentences(text)]
    ['قال د. أحمد إن الهجوم فشل.', 'وأضاف: «لا إصابات»!', 'بغداد 3.5']
"""

from __future__ import annotations

import re
import unicodedata

from arabnews_nlp.errors import ConfigError, InputTypeError
from arabnews_nlp.text.words import is_word_char

__all__ = ["ABBREVIATIONS", "LINE_BREAKS", "NBSP_BREAK", "split_sentences"]

#: Multi-letter words that do not end a sentence before a full stop (compared lower-cased).
#: One-letter words (``د.``, ``J.``) never end one, so Arabic titles need no entry.
ABBREVIATIONS = frozenset(
    {"mr", "mrs", "ms", "dr", "prof", "gen", "col", "lt", "sgt", "capt", "maj", "adm",
     "rep", "sen", "gov", "pres", "st", "jr", "sr", "vs"}
)  # fmt: skip

_INVISIBLE = (
    "\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f\u00ad\u061c\u180e\u200b-\u200f"
    "\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb"
)
_TERMINATORS = ".!?؟؛…"
_CLOSERS = "»”\"'’›)\\]}" + _INVISIBLE
LINE_BREAKS = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
"""The characters that end a sentence wherever they stand (those of :meth:`str.splitlines`)."""
NBSP_BREAK = 8
"""How many no-break spaces (U+00A0) in one run of whitespace end a sentence, as a line break does."""
_NBSP_RUN = rf"(?=(?:[^\S\xa0]*\xa0){{{NBSP_BREAK}}})"  # at the head of a run holding NBSP_BREAK of them
# A terminator run takes the whitespace after it; a line break or a run of no-break spaces takes
# its whole whitespace run (the lookbehinds start each match at the head of its run, so nothing
# is scanned twice). The runs of no-break spaces are looked for only in a text that has one: the
# lookahead at every character would cost a third of the splitter's time.
_BOUNDARY_PATTERN = (
    rf"(?<![{_TERMINATORS}])(?P<end>[{_TERMINATORS}]+[{_CLOSERS}]*)(?P<space>\s+|\Z)"
    rf"|(?<!\s)\s*[{LINE_BREAKS}]\s*"
)
_BOUNDARY = re.compile(_BOUNDARY_PATTERN)
_BOUNDARY_NBSP = re.compile(rf"{_BOUNDARY_PATTERN}|(?<!\s){_NBSP_RUN}\s+")
_HAS_NBSP_RUN = re.compile(rf"\xa0(?:[^\S\xa0]*\xa0){{{NBSP_BREAK - 1}}}")  # a literal first: a fast search
_LINE_BREAK = re.compile(f"[{LINE_BREAKS}]|{_NBSP_RUN}\\s")  # in a run of whitespace: it ends a sentence
_PAIRS = (("(", ")"), ("«", "»"), ("[", "]"), ("“", "”"), ("{", "}"))
_URL_LOOKBACK = 2048
_WORDY = re.compile(r"[^\W_]")  # a letter or a digit
_NON_SPACE = re.compile(r"\S")
_LAST_SPACE = re.compile(r".*\s", re.DOTALL)
# The last clause mark (comma, semicolon, colon, with any closers after it) before whitespace,
# or the last run of two spaces (transcripts of interviews mark their pauses with them).
_LAST_CLAUSE = re.compile(rf".*(?:[،,;؛:][{_CLOSERS}]*\s|\s\s)", re.DOTALL)
_ERA_MARK = re.compile(r"(?<![\w.,/٫٬])\d{4}\s?(?:م|هـ?)\Z")  # a year and its era: "2005 م", "1445هـ"
_BULLETS = "*-+•·‣◦▪▫■□●○–—"  # marks that open a list item before its number ("* 1. انسحاب")
_SAME_DATE = re.compile(r"و?ال?موافق")  # "1445 هـ. الموافق 2024 م.": the same date, in the other era
_WORD_LOOKBACK = 32  # longer words are never abbreviations; bounds the backward scan


def _abbreviation_start(text: str, dot: int) -> int:
    """Where the abbreviation ending right before the full stop at ``dot`` starts, or -1."""
    if dot >= 2 and text[dot - 2].isalpha() and text[dot - 1].isalpha():
        if "\u0640" not in text[dot - 2 : dot] and not text[dot - 2 : dot].isascii():
            return -1  # two letters of a non-Latin word: the common case, decided fast
    start = dot
    while start > 0 and dot - start <= _WORD_LOOKBACK and is_word_char(text[start - 1]):
        start -= 1
    if start == dot or dot - start > _WORD_LOOKBACK:
        return -1
    word = text[start:dot]
    letters = [c for c in word if c != "\u0640" and unicodedata.category(c)[0] != "M"]
    if len(letters) == 1:
        return start if letters[0].isalpha() else -1
    return start if word.lower() in ABBREVIATIONS else -1


def _ends_url(text: str, word_start: int, dot: int) -> bool:
    """Whether the token ending at ``dot`` (its last word starts at ``word_start``) is a URL."""
    if word_start == 0 or text[word_start - 1].isspace():
        return False  # the token is a bare word
    token = ""
    for lookback in (64, _URL_LOOKBACK):  # most tokens are short: avoid copying 2 KB each time
        window = text[max(0, dot - lookback) : dot]
        token = window.rsplit(None, 1)[-1]
        if len(token) < len(window) or dot <= lookback:
            break
    at = token.find("@")
    return "://" in token or token[:4].lower() == "www." or (at >= 0 and "." in token[at:])


def _continues(text: str, match: re.Match[str], marks: _OpenMarks) -> bool:
    """Whether the sentence (its open quotes and brackets counted by ``marks``) goes on after ``match``."""
    if _LINE_BREAK.search(match.group("space")) is not None:
        return False  # a line break (or a paragraph's run of no-break spaces) always ends a sentence
    dot = match.start()
    bracketed = dot > 0 and text[dot - 1] in "(["
    if not bracketed and match.group("end") != ".":
        run = match.group("end").rstrip(_CLOSERS)
        if run == ".":  # a full stop before closers: only a dotted acronym goes on, "(أ.ف.ب.) إن"
            return _ends_dotted_acronym(text, dot)
        return set(run) == {"؛"} or (_is_ellipsis(run) and marks.unclosed(match.end("end")))
    if text[dot - 1] in "مهـ" and _ERA_MARK.search(text, max(0, dot - 8), dot) is not None:
        # a year's era, "عام 2005 م." as "عام 2005م.": the sentence ends, unless the same date in
        # the other era follows ("1445 هـ. الموافق 2024 م.")
        return _SAME_DATE.match(text, match.end()) is not None
    if (dot == 1 or dot > 1 and text[dot - 2].isspace()) and text[dot - 1].isalpha():
        return text[dot - 1] != "\u0640"  # fast path for the common abbreviation, a bare one-letter word ("د.")
    if bracketed:
        return True  # an omission mark, (...)
    if _is_list_number(text, dot):
        return True
    word_start = _abbreviation_start(text, dot)
    return word_start >= 0 and not _ends_url(text, word_start, dot)


def _is_list_number(text: str, dot: int) -> bool:
    """Whether the full stop at ``dot`` follows a list item's number that opens a line or a sentence (``1. انسحاب``)."""
    start = dot
    while start > 0 and dot - start <= 3 and text[start - 1].isdigit():
        start -= 1
    if start == dot or dot - start > 3:
        return False
    before = _line_blank_start(text, start)
    if before > 0 and text[before - 1] in _BULLETS and before < start:  # "* 1. انسحاب"
        bullet = _line_blank_start(text, before - 1)
        if bullet == 0 or text[bullet - 1] in LINE_BREAKS:
            return True
    if before == 0 or text[before - 1] in LINE_BREAKS:
        return True
    end = before  # a sentence end: its terminator, then any closing quotes or brackets ("انتهى.» 2.")
    while end > 0 and text[end - 1] in _CLOSERS:
        end -= 1
    return before < start and end > 0 and text[end - 1] in _TERMINATORS


def _line_blank_start(text: str, end: int) -> int:
    """Where the run of spaces (not line breaks) that ends at ``end`` starts."""
    while end > 0 and text[end - 1].isspace() and text[end - 1] not in LINE_BREAKS:
        end -= 1
    return end


def _ends_dotted_acronym(text: str, dot: int) -> bool:
    """Whether the full stop at ``dot`` ends a dotted acronym of one-letter words (``أ.ف.ب.``, ``U.S.``)."""
    return (
        dot >= 3 and text[dot - 1].isalpha() and text[dot - 2] == "." and text[dot - 3].isalpha()
        and (dot == 3 or not is_word_char(text[dot - 4]))
    )


def _is_ellipsis(run: str) -> bool:
    """Whether a terminator run is an ellipsis: ``..``, ``...``, ``…``."""
    return set(run) <= {".", "…"} and (run.count(".") >= 2 or "…" in run)


class _OpenMarks:
    """Counts of quotes and brackets in the current sentence, extended as the scan moves on (linear time).

    A straight quote ``"`` is open when the sentence holds an odd number of them, so a sentence that
    starts inside a quote opened by the one before it reads that quote as closed.
    """

    def __init__(self, text: str) -> None:
        self.text, self.counted_to = text, 0
        self.counts = dict.fromkeys('"' + "".join(o + c for o, c in _PAIRS), 0)

    def restart(self, start: int) -> None:
        """A new sentence starts at ``start``."""
        self.counted_to = start
        self.counts = dict.fromkeys(self.counts, 0)

    def unclosed(self, end: int) -> bool:
        """Whether the sentence up to ``end`` opens a quote or bracket it does not close."""
        for char in self.text[self.counted_to : end]:
            if char in self.counts:
                self.counts[char] += 1
        self.counted_to = max(self.counted_to, end)
        counts = self.counts
        return counts['"'] % 2 == 1 or any(counts[o] > counts[c] for o, c in _PAIRS)


def _segments(text: str) -> list[tuple[int, int]]:
    """Cut ``text`` at every sentence boundary into stripped, non-empty spans."""
    segments: list[tuple[int, int]] = []
    start = 0
    marks = _OpenMarks(text)
    for match in (_BOUNDARY_NBSP if _HAS_NBSP_RUN.search(text) else _BOUNDARY).finditer(text):
        end = match.end("end")
        if end < 0:  # a line break
            end = match.start()
        elif _continues(text, match, marks):
            continue
        if start < end:
            segments.append((start, end))
        start = match.end()
        marks.restart(start)
    if start < len(text):
        segments.append((start, len(text)))
    if segments:  # only the text's own edges can still hold whitespace
        segments[0] = _strip(text, *segments[0])
        segments[-1] = _strip(text, *segments[-1])
        if segments[-1][0] == segments[-1][1]:
            segments.pop()
    return segments


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    piece = text[start:end]
    if not piece or piece.isspace():
        return end, end
    left = len(piece) - len(piece.lstrip())
    return start + left, start + len(piece.rstrip())


def _cut_long(text: str, start: int, end: int, max_chars: int) -> list[tuple[int, int]]:
    """Cut the stripped span ``[start, end)`` into stripped pieces of at most ``max_chars``."""
    pieces: list[tuple[int, int]] = []
    while end - start > max_chars:
        clause = _LAST_CLAUSE.match(text, start, start + max_chars + 1)
        if clause is not None and clause.end() - 1 - start >= max_chars // 2:
            cut = clause.end() - 1  # after the last clause mark: a name or phrase stays whole
        elif (space := _LAST_SPACE.match(text, start, start + max_chars + 1)) is not None:
            cut = space.end() - 1  # the last whitespace that leaves a piece <= max_chars
        else:
            cut = start + max_chars
            while cut > start + 1 and unicodedata.category(text[cut])[0] == "M":
                cut -= 1  # do not separate a letter from its diacritics
        pieces.append(_strip(text, start, cut))
        found = _NON_SPACE.search(text, cut, end)
        start = found.start() if found else end
    pieces.append((start, end))
    return pieces


def _join_wordless(
    text: str, spans: list[tuple[int, int]], max_chars: int
) -> list[tuple[int, int]]:
    """Join spans without a letter or digit to a neighbour when the joined span fits."""
    joined: list[tuple[int, int]] = []
    last_wordy = True
    for start, end in spans:
        wordy = _WORDY.search(text, start, end) is not None
        if joined and not (wordy and last_wordy) and end - joined[-1][0] <= max_chars:
            joined[-1] = (joined[-1][0], end)
            last_wordy = wordy or last_wordy
        else:
            joined.append((start, end))
            last_wordy = wordy
    return joined


def split_sentences(text: str, max_chars: int = 1000) -> list[tuple[int, int]]:
    """Split ``text`` into sentence spans (offsets into ``text``, end exclusive).

    Args:
        text: The raw text.
        max_chars: The longest span returned. A longer sentence is cut after the last comma,
            semicolon or colon (``، , ؛ ; :``) followed by whitespace, or the last run of two
            whitespace characters (a transcript's pause), that keeps the piece within
            the limit, when that piece holds at least half of it (so the cut falls between
            clauses, not inside a name or phrase); else at the last whitespace that keeps the
            piece within the limit, or hard at the limit when there is none; no character is
            ever dropped.

    Returns:
        Stripped, non-empty, ordered, non-overlapping spans covering every non-whitespace
        character; ``[]`` for empty or all-whitespace text.

    Raises:
        InputTypeError: ``text`` is not a str.
        ConfigError: ``max_chars`` is not a positive int.

    Example:
        >>> split_sentences("الأول. الثاني؟ 2.000.000 دولار")
        [(0, 6), (7, 14), (15, 30)]
    """
    if not isinstance(text, str):
        raise InputTypeError(text)
    if isinstance(max_chars, bool) or not isinstance(max_chars, int) or max_chars < 1:
        raise ConfigError(f"max_chars must be a positive int, got {max_chars!r}.")
    spans = _segments(text)
    spans = _join_wordless(text, spans, max_chars)
    result: list[tuple[int, int]] = []
    for start, end in spans:
        if end - start > max_chars:
            result.extend(_cut_long(text, start, end, max_chars))
        else:
            result.append((start, end))
    return result
