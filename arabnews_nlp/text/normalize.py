"""Offset-keeping normalisation of Arabic text.

Every rule maps one character of the original string to zero, one or more characters, so the
normalised text keeps a map back to the caller's string (``NormalizedText.offsets``): entity and
sentence offsets are always reported on the original text, never on the rewritten one.

The rules, in the order they apply to a character:

1. ``fold_presentation_forms``: NFKC on Arabic presentation forms only (U+FB50–U+FDFF,
   U+FE70–U+FEFF), e.g. the lam-alef ligature ``ﻻ`` becomes ``لا``. The isolated forms of the
   harakat (``ﹰ`` U+FE70, ``ﹲ``, …, whose NFKC is a space followed by the mark) fold to the bare
   mark, so folding never puts a space into a word.
2. ``remove_tatweel``, ``remove_diacritics``, ``remove_invisible``: delete the character.
3. ``unify_alef``, ``unify_ya``, ``unify_ta_marbuta``, ``latin_digits``: replace it.

Rules apply to what folding produced (``ﻷ`` becomes ``لا`` with ``unify_alef``), and the result
of every character is a fixed point of the rules, so normalisation is idempotent.

Example:
    >>> result = normalize("قالَ أحمد: ﻻ ١٢")
    >>> result.text
    'قال احمد: لا 12'
    >>> start, end = result.span_to_original(4, 8)
    >>> "قالَ أحمد: ﻻ ١٢"[start:end]
    'أحمد'
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from functools import lru_cache
from typing import Any

from arabnews_nlp.errors import ConfigError, InputTypeError, SpanError

__all__ = [
    "DEFAULT_NORMALIZATION",
    "INVISIBLE",
    "MARKS",
    "NormalizationConfig",
    "NormalizedText",
    "normalize",
    "normalize_word",
]

_TATWEEL = "\u0640"
_DIACRITICS = (*range(0x064B, 0x0660), 0x0670, *range(0x06D6, 0x06EE))
MARKS = frozenset((_TATWEEL, *map(chr, _DIACRITICS)))
"""The tatweel and the diacritics that ``remove_tatweel`` and ``remove_diacritics`` delete."""
_INVISIBLE = (
    0x00AD,
    0x061C,
    *range(0x200B, 0x2010),
    *range(0x202A, 0x202F),
    *range(0x2060, 0x2065),  # word joiner, invisible operators
    *range(0x2066, 0x206A),
    0xFEFF,
)
INVISIBLE = frozenset(map(chr, _INVISIBLE))
"""The invisible characters ``remove_invisible`` deletes (soft hyphen, zero-width and direction marks, word joiner…)."""
SURROGATE = re.compile("[\ud800-\udfff]")
"""A surrogate code point: in a ``str`` always a lone one (half of a JSON-escaped emoji), which
tokenizers and UTF-8 writers refuse."""
_ALEFS = "أإآٱ"
_PRESENTATION_RANGES = ((0xFB50, 0xFDFF), (0xFE70, 0xFEFF))


@dataclass(frozen=True)
class NormalizationConfig:
    """Which normalisation rules apply; every field is a bool.

    Saved in each model directory (``AnalyzerSettings.normalization``) so that inference
    normalises exactly as training did.

    Example:
        >>> config = NormalizationConfig(unify_ta_marbuta=True)
        >>> normalize_word("مدرسة", config)
        'مدرسه'
        >>> NormalizationConfig.from_dict(config.to_dict()) == config
        True
    """

    remove_tatweel: bool = True
    remove_diacritics: bool = True
    unify_alef: bool = True
    unify_ya: bool = True
    unify_ta_marbuta: bool = False
    latin_digits: bool = True
    fold_presentation_forms: bool = True
    remove_invisible: bool = True

    def __post_init__(self) -> None:
        for field in fields(self):
            value = getattr(self, field.name)
            if not isinstance(value, bool):
                raise ConfigError(
                    f"NormalizationConfig.{field.name} must be a bool, got "
                    f"{type(value).__name__} {value!r}. Use true or false."
                )

    def to_dict(self) -> dict[str, bool]:
        """Return the rules as a JSON-ready dict (field name to bool)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> NormalizationConfig:
        """Build a config from a dict such as :meth:`to_dict` returns; missing keys keep defaults.

        Raises:
            ConfigError: ``data`` is not a mapping, has unknown keys, or a value is not a bool.
        """
        if not isinstance(data, Mapping):
            raise ConfigError(
                f"normalization settings must be a mapping, got {type(data).__name__}."
            )
        valid = [field.name for field in fields(cls)]
        unknown = sorted(str(key) for key in data if key not in valid)
        if unknown:
            raise ConfigError(
                f"unknown normalization setting(s) {unknown}; valid keys are {valid}."
            )
        return cls(**data)


DEFAULT_NORMALIZATION = NormalizationConfig()


@dataclass(frozen=True)
class NormalizedText:
    """A normalised string with the map back to the original.

    Attributes:
        original: The caller's string.
        text: The normalised string.
        offsets: ``len(text) + 1`` indices into ``original``: ``offsets[i]`` is the original
            character that produced ``text[i]`` (several ``i`` share one index when a character
            expanded, e.g. ``ﻻ`` to ``لا``) and ``offsets[-1] == len(original)``.

    Example:
        >>> result = normalize("ﻻ")
        >>> result.text, result.offsets
        ('لا', (0, 0, 1))
    """

    original: str
    text: str
    offsets: tuple[int, ...]

    def span_to_original(self, start: int, end: int) -> tuple[int, int]:
        """Map ``text[start:end]`` to the smallest span of ``original`` that produced it.

        The span runs from the original character of ``text[start]`` to one past the original
        character of ``text[end - 1]``; characters deleted inside it (diacritics, tatweel) are
        included, those deleted just before or after it are not. An empty span maps to an empty
        span at ``offsets[start]``.

        Args:
            start: Start in ``text``.
            end: End in ``text`` (exclusive).

        Returns:
            ``(start, end)`` in ``original``.

        Raises:
            SpanError: Unless ``0 <= start <= end <= len(text)``.

        Example:
            >>> normalize("ﻻ نعم").span_to_original(1, 2)
            (0, 1)
        """
        if not 0 <= start <= end <= len(self.text):
            raise SpanError(start, end, len(self.text))
        if start == end:
            return self.offsets[start], self.offsets[start]
        return self.offsets[start], self.offsets[end - 1] + 1


def _fold(char: str) -> str:
    folded = unicodedata.normalize("NFKC", char)
    if len(folded) == 2 and folded[0] == " " and unicodedata.category(folded[1]) == "Mn":
        return folded[1]  # isolated haraka (U+FE70, ...): keep the mark, not a space
    return folded


def _simple_map(config: NormalizationConfig) -> dict[str, str]:
    """Rules 2 and 3 as a character to replacement map (deletions map to "")."""
    mapping: dict[str, str] = {}
    if config.remove_tatweel:
        mapping[_TATWEEL] = ""
    if config.remove_diacritics:
        mapping.update({chr(code): "" for code in _DIACRITICS})
    if config.remove_invisible:
        mapping.update({chr(code): "" for code in _INVISIBLE})
    if config.unify_alef:
        mapping.update({alef: "ا" for alef in _ALEFS})
    if config.unify_ya:
        mapping["ى"] = "ي"
    if config.unify_ta_marbuta:
        mapping["ة"] = "ه"
    if config.latin_digits:
        for digit in range(10):
            mapping[chr(0x0660 + digit)] = str(digit)
            mapping[chr(0x06F0 + digit)] = str(digit)
    return mapping


@lru_cache(maxsize=32)
def _table(config: NormalizationConfig) -> dict[int, str]:
    """The ``str.translate`` table of ``config``: only characters that change are keys."""
    simple = _simple_map(config)
    table = {ord(char): replacement for char, replacement in simple.items()}
    if config.fold_presentation_forms:
        for low, high in _PRESENTATION_RANGES:
            for code in range(low, high + 1):
                folded = _fold(chr(code))
                if folded == chr(code) and code not in table:
                    continue
                table[code] = "".join(simple.get(char, char) for char in folded)
    return {code: out for code, out in table.items() if out != chr(code)}


@lru_cache(maxsize=32)
def _changed_pattern(config: NormalizationConfig) -> re.Pattern[str]:
    """A compiled character class matching exactly the keys of ``_table(config)``."""
    codes = sorted(_table(config))
    if not codes:
        return re.compile(r"(?!)")
    ranges: list[str] = []
    low = prev = codes[0]
    for code in [*codes[1:], -1]:
        if code != prev + 1:
            ranges.append(re.escape(chr(low)) + ("-" + re.escape(chr(prev)) if prev > low else ""))
            low = code
        prev = code
    return re.compile("[" + "".join(ranges) + "]")


def _check_config(config: NormalizationConfig | None) -> NormalizationConfig:
    if config is None:
        return DEFAULT_NORMALIZATION
    if not isinstance(config, NormalizationConfig):
        raise ConfigError(
            f"config must be a NormalizationConfig or None, got {type(config).__name__}. "
            "Use NormalizationConfig.from_dict(...) for a dict."
        )
    return config


def normalize(text: str, config: NormalizationConfig | None = None) -> NormalizedText:
    """Normalise ``text`` and keep the map back to it.

    Args:
        text: The caller's string.
        config: The rules; :data:`DEFAULT_NORMALIZATION` when ``None``.

    Returns:
        The normalised text with its offsets into ``text``.

    Raises:
        InputTypeError: ``text`` is not a str.
        ConfigError: ``config`` is not a :class:`NormalizationConfig`.

    Example:
        >>> result = normalize("إِلى")
        >>> result.text, result.offsets
        ('الي', (0, 2, 3, 4))
    """
    if not isinstance(text, str):
        raise InputTypeError(text)
    config = _check_config(config)
    table = _table(config)
    offsets: list[int] = []
    done = 0
    for match in _changed_pattern(config).finditer(text):
        index = match.start()
        offsets.extend(range(done, index))
        offsets.extend([index] * len(table[ord(text[index])]))
        done = index + 1
    offsets.extend(range(done, len(text) + 1))
    return NormalizedText(original=text, text=text.translate(table), offsets=tuple(offsets))


def normalize_word(word: str, config: NormalizationConfig | None = None) -> str:
    """Normalise one word without offsets (fast path; same text as ``normalize(word).text``).

    A word made only of removed characters (a lone tatweel or diacritic) becomes ``""``.

    Args:
        word: A word (any string works).
        config: The rules; :data:`DEFAULT_NORMALIZATION` when ``None``.

    Returns:
        The normalised string.

    Raises:
        InputTypeError: ``word`` is not a str.

    Example:
        >>> normalize_word("الأميركيّة")
        'الاميركية'
    """
    if not isinstance(word, str):
        raise InputTypeError(word, what="word")
    if config is None:
        return word.translate(_table(DEFAULT_NORMALIZATION))
    return word.translate(_table(_check_config(config)))
