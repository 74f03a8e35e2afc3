"""Tests of arabnews_nlp.text.normalize: each rule, the offset map, validation, properties."""

from __future__ import annotations

import json
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from arabnews_nlp.errors import ConfigError, InputTypeError, SpanError
from arabnews_nlp.text.normalize import (
    DEFAULT_NORMALIZATION,
    NormalizationConfig,
    NormalizedText,
    normalize,
    normalize_word,
)

RULES = [
    "remove_tatweel",
    "remove_diacritics",
    "unify_alef",
    "unify_ya",
    "unify_ta_marbuta",
    "latin_digits",
    "fold_presentation_forms",
    "remove_invisible",
]
ALL_OFF = NormalizationConfig(**{rule: False for rule in RULES})

configs = st.builds(NormalizationConfig, **{rule: st.booleans() for rule in RULES})
# Text rich in what the rules touch: Arabic block, presentation forms, invisible marks, digits.
arabic_text = st.text(
    alphabet=st.one_of(
        st.characters(min_codepoint=0x0600, max_codepoint=0x06FF),
        st.characters(min_codepoint=0xFB50, max_codepoint=0xFDFF),
        st.characters(min_codepoint=0xFE70, max_codepoint=0xFEFF),
        st.sampled_from("\u200b\u200c\u200d\u200e\u200f\u202a\u202e\u2066\u2069\u061c\u00ad a.1"),
    )
)
any_text = st.one_of(st.text(), arabic_text)


@pytest.fixture(scope="module")
def every_character() -> str:
    return "".join(chr(c) for c in range(sys.maxunicode + 1) if not 0xD800 <= c <= 0xDFFF)


def only(rule: str) -> NormalizationConfig:
    return NormalizationConfig(**{name: name == rule for name in RULES})


# --- each rule -----------------------------------------------------------------------------


def test_remove_tatweel() -> None:
    assert normalize_word("بـغـداد") == "بغداد"
    assert normalize_word("بـغداد", only("remove_tatweel")) == "بغداد"
    assert normalize_word("بـغداد", ALL_OFF) == "بـغداد"


@pytest.mark.parametrize(
    "code", [*range(0x064B, 0x0660), 0x0670, *range(0x06D6, 0x06EE)], ids=hex
)
def test_remove_diacritics_every_mark(code: int) -> None:
    word = "ب" + chr(code) + "ت"
    assert normalize_word(word, only("remove_diacritics")) == "بت"
    assert normalize_word(word, ALL_OFF) == word


def test_remove_diacritics_word() -> None:
    assert normalize_word("مُحَمَّدٌ") == "محمد"
    assert normalize_word("هٰذا") == "هذا"


def test_unify_alef() -> None:
    assert normalize_word("أإآٱ", only("unify_alef")) == "اااا"
    assert normalize_word("الأنبار") == "الانبار"
    assert normalize_word("إيران", ALL_OFF) == "إيران"


def test_unify_ya() -> None:
    assert normalize_word("على", only("unify_ya")) == "علي"
    assert normalize_word("على", ALL_OFF) == "على"


def test_ta_marbuta_off_by_default() -> None:
    assert normalize_word("الحكومة") == "الحكومة"
    assert normalize_word("الحكومة", only("unify_ta_marbuta")) == "الحكومه"


def test_latin_digits() -> None:
    config = only("latin_digits")
    assert normalize_word("٠١٢٣٤٥٦٧٨٩", config) == "0123456789"
    assert normalize_word("۰۱۲۳۴۵۶۷۸۹", config) == "0123456789"
    assert normalize_word("٢٠٢٤", ALL_OFF) == "٢٠٢٤"


def test_fold_presentation_forms() -> None:
    config = only("fold_presentation_forms")
    assert normalize_word("ﺑﻐﺪاﺩ", config) == "بغداد"
    assert normalize_word("ﻻ", config) == "لا"
    assert normalize_word("ﻷ", config) == "لأ"  # unify_alef is off
    assert normalize_word("ﻷ") == "لا"  # rules apply to what folding produced
    assert normalize_word("ﻻ", ALL_OFF) == "ﻻ"


def test_fold_leaves_other_compatibility_characters() -> None:
    # NFKC would rewrite these, but they are outside the presentation blocks.
    assert normalize_word("ﬁ ² Ａ") == "ﬁ ² Ａ"


def test_isolated_haraka_folds_to_the_mark_not_a_space() -> None:
    assert normalize_word("\ufe70", only("fold_presentation_forms")) == "\u064b"
    assert normalize_word("كتاب\ufe70") == "كتاب"


@pytest.mark.parametrize(
    "char",
    list("\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
         "\u061c\u200b\u200c\u200d\ufeff\u00ad"),
    ids=lambda c: f"U+{ord(c):04X}",
)  # fmt: skip
def test_remove_invisible(char: str) -> None:
    assert normalize_word("بغ" + char + "داد", only("remove_invisible")) == "بغداد"
    assert normalize_word(char, ALL_OFF) == char


def test_all_off_is_identity() -> None:
    text = "قالَ أحمدـ: ﻻ ١٢\u200f على مدرسة"
    result = normalize(text, ALL_OFF)
    assert result.text == text
    assert result.offsets == tuple(range(len(text) + 1))


def test_latin_text_untouched() -> None:
    text = "The US-led coalition said 2,500 troops remain."
    assert normalize(text).text == text


# --- offsets and span_to_original ----------------------------------------------------------


def test_offsets_of_expansion_and_deletion() -> None:
    result = normalize("ﻻ بَـت")
    assert result.text == "لا بت"
    assert result.offsets == (0, 0, 1, 2, 5, 6)
    assert result.offsets[-1] == len(result.original)


def test_span_to_original_entity() -> None:
    original = "قالَ الرئيسُ الأميركيُّ جو بايدن"
    result = normalize(original)
    start = result.text.index("الاميركي")
    a, b = result.span_to_original(start, start + len("الاميركي"))
    assert original[a:b] == "الأميركي"  # the smallest span: the trailing marks are left out


def test_span_to_original_keeps_inner_deleted_characters() -> None:
    original = "مُحَمَّد"
    a, b = normalize(original).span_to_original(0, 4)
    assert original[a:b] == "مُحَمَّد"


def test_span_to_original_inside_an_expansion() -> None:
    result = normalize("xﻻy")
    assert result.text == "xلاy"
    assert result.span_to_original(1, 2) == (1, 2)
    assert result.span_to_original(2, 3) == (1, 2)
    assert result.span_to_original(2, 4) == (1, 3)


def test_span_to_original_empty_and_full() -> None:
    result = normalize("\u200fبغداد\u200f")
    assert result.text == "بغداد"
    assert result.span_to_original(0, 5) == (1, 6)
    assert result.span_to_original(2, 2) == (3, 3)
    assert result.span_to_original(5, 5) == (7, 7)


@pytest.mark.parametrize("span", [(-1, 2), (2, 1), (0, 6), (6, 6)])
def test_span_to_original_out_of_range(span: tuple[int, int]) -> None:
    result = normalize("بغداد")
    with pytest.raises(SpanError, match="out of range"):
        result.span_to_original(*span)
    with pytest.raises(ValueError):
        result.span_to_original(*span)


def test_normalized_text_is_frozen() -> None:
    result = normalize("بغداد")
    with pytest.raises(AttributeError):
        result.text = "x"  # type: ignore[misc]
    assert isinstance(result, NormalizedText)


def test_empty_string() -> None:
    result = normalize("")
    assert (result.text, result.offsets) == ("", (0,))
    assert result.span_to_original(0, 0) == (0, 0)
    assert normalize_word("") == ""


def test_word_of_removed_characters_becomes_empty() -> None:
    assert normalize_word("ـ") == ""
    assert normalize_word("\u064e\u0651") == ""


# --- input and config validation ----------------------------------------------------------


@pytest.mark.parametrize("bad", [b"\xd8\xa8", None, 3, ["ب"]])
def test_non_str_input(bad: object) -> None:
    with pytest.raises(InputTypeError):
        normalize(bad)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        normalize_word(bad)  # type: ignore[arg-type]


def test_config_rejects_non_bool() -> None:
    with pytest.raises(ConfigError, match="remove_tatweel must be a bool"):
        NormalizationConfig(remove_tatweel=1)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        NormalizationConfig(unify_ya="yes")  # type: ignore[arg-type]


def test_config_roundtrip_through_json() -> None:
    config = NormalizationConfig(unify_ta_marbuta=True, latin_digits=False)
    data = json.loads(json.dumps(config.to_dict()))
    assert data["unify_ta_marbuta"] is True
    assert set(data) == set(RULES)
    assert NormalizationConfig.from_dict(data) == config


def test_config_from_dict_defaults_and_errors() -> None:
    assert NormalizationConfig.from_dict({}) == DEFAULT_NORMALIZATION
    with pytest.raises(ConfigError) as info:
        NormalizationConfig.from_dict({"unify_alif": True, "remove_tatweel": False})
    message = str(info.value)
    assert "unify_alif" in message and "unify_alef" in message and "remove_invisible" in message
    with pytest.raises(ConfigError, match="must be a bool"):
        NormalizationConfig.from_dict({"unify_ya": "true"})
    with pytest.raises(ConfigError, match="mapping"):
        NormalizationConfig.from_dict([("unify_ya", True)])  # type: ignore[arg-type]


def test_defaults() -> None:
    assert DEFAULT_NORMALIZATION == NormalizationConfig()
    assert DEFAULT_NORMALIZATION.to_dict() == {
        "remove_tatweel": True,
        "remove_diacritics": True,
        "unify_alef": True,
        "unify_ya": True,
        "unify_ta_marbuta": False,
        "latin_digits": True,
        "fold_presentation_forms": True,
        "remove_invisible": True,
    }


def test_wrong_config_type() -> None:
    with pytest.raises(ConfigError, match="NormalizationConfig"):
        normalize("ب", {"unify_ya": True})  # type: ignore[arg-type]
    with pytest.raises(ConfigError):
        normalize_word("ب", {"unify_ya": True})  # type: ignore[arg-type]


# --- properties ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "config",
    [DEFAULT_NORMALIZATION, NormalizationConfig(unify_ta_marbuta=True), ALL_OFF],
)
def test_every_character_is_a_fixed_point(
    config: NormalizationConfig, every_character: str
) -> None:
    once = normalize_word(every_character, config)
    assert len(once) > 1_000_000
    assert normalize_word(once, config) == once


@settings(deadline=None)
@given(text=any_text, config=configs)
def test_offsets_are_a_monotone_map(text: str, config: NormalizationConfig) -> None:
    result = normalize(text, config)
    offsets = result.offsets
    assert result.original is text
    assert len(offsets) == len(result.text) + 1
    assert offsets[-1] == len(text)
    assert all(0 <= offset < len(text) for offset in offsets[:-1])
    assert all(a <= b for a, b in zip(offsets, offsets[1:]))


@settings(deadline=None)
@given(text=any_text, config=configs)
def test_offsets_say_which_character_produced_what(text: str, config: NormalizationConfig) -> None:
    result = normalize(text, config)
    produced: dict[int, str] = {}
    for char, offset in zip(result.text, result.offsets):
        produced[offset] = produced.get(offset, "") + char
    for index, char in enumerate(text):
        assert produced.get(index, "") == normalize_word(char, config)


@settings(deadline=None)
@given(text=any_text, config=st.one_of(st.none(), configs))
def test_normalize_word_matches_normalize(text: str, config: NormalizationConfig | None) -> None:
    assert normalize(text, config).text == normalize_word(text, config)


@settings(deadline=None)
@given(text=any_text, config=configs)
def test_idempotent(text: str, config: NormalizationConfig) -> None:
    once = normalize(text, config).text
    assert normalize(once, config).text == once
    assert normalize_word(once, config) == once


@settings(deadline=None)
@given(text=any_text, data=st.data())
def test_span_to_original_covers_contributing_characters(text: str, data: st.DataObject) -> None:
    result = normalize(text)
    start = data.draw(st.integers(0, len(result.text)))
    end = data.draw(st.integers(start, len(result.text)))
    a, b = result.span_to_original(start, end)
    assert 0 <= a <= b <= len(text)
    contributing = result.offsets[start:end]
    assert all(a <= offset < b for offset in contributing)
    if contributing:  # smallest: it starts and ends on contributing characters
        assert (a, b) == (contributing[0], contributing[-1] + 1)
        assert result.text[start:end] in normalize(text[a:b]).text
    else:
        assert a == b
