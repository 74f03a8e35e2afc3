"""Span encoding: words on the original text, windows with overlap, nothing truncated."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings as hsettings, strategies as st

from arabnews_nlp.encoding import Window, collate, encode_span, first_pieces, window_bounds

LONG = "قال رئيس الوزراء محمد شياع السوداني إن بغداد تريد خروج قوات التحالف الدولي من العراق " * 3


def _check_windows(span: Any, max_length: int) -> None:
    covered = set()
    for window in span.windows:
        assert len(window.input_ids) <= max_length
        assert window.word_ids[0] is None and window.word_ids[-1] is None
        assert len(window.input_ids) == len(window.word_ids)
        marks = first_pieces(window)
        covered |= {word for word, first in zip(window.word_ids, marks) if first}
    with_tokens = {word for window in span.windows for word in window.word_ids if word is not None}
    assert covered == with_tokens  # every word with tokens has its first piece in some window


def test_short_span(tiny_tokenizer: Any, tiny_settings: Any) -> None:
    text = "  قال السوداني: «نعم»"
    span = encode_span(text, 2, len(text), tiny_tokenizer, tiny_settings)
    assert [text[s:e] for s, e in span.words] == ["قال", "السوداني", ":", "«", "نعم", "»"]
    assert len(span.windows) == 1
    window = span.windows[0]
    assert window.input_ids[0] == tiny_tokenizer.cls_token_id
    assert window.input_ids[-1] == tiny_tokenizer.sep_token_id
    assert {w for w in window.word_ids if w is not None} == set(range(6))


def test_long_span_is_windowed_not_truncated(tiny_tokenizer: Any, tiny_settings: Any) -> None:
    span = encode_span(LONG, 0, len(LONG), tiny_tokenizer, tiny_settings)
    assert len(span.windows) > 3
    _check_windows(span, tiny_settings.max_length)
    last_word = len(span.words) - 1
    assert last_word in span.windows[-1].word_ids


def test_single_huge_word(tiny_tokenizer: Any, tiny_settings: Any) -> None:
    text = "ابتثجحخدذرزسشصضطظعغفقكلمنهوي" * 3  # < 100 chars: WordPiece keeps it (longer is one [UNK])
    span = encode_span(text, 0, len(text), tiny_tokenizer, tiny_settings)
    assert len(span.words) == 1 and len(span.windows) > 1
    assert all(window.continues_word for window in span.windows[1:])
    _check_windows(span, tiny_settings.max_length)


def test_span_without_tokens(tiny_tokenizer: Any, tiny_settings: Any) -> None:
    text = "\u200f\u200e \u202b"
    span = encode_span(text, 0, len(text), tiny_tokenizer, tiny_settings)
    assert span.windows == []


def test_first_pieces_and_continuation() -> None:
    window = Window([2, 7, 8, 9, 3], [None, 0, 0, 1, None])
    assert first_pieces(window) == [False, True, False, True, False]
    cont = Window([2, 7, 8, 9, 3], [None, 0, 0, 1, None], continues_word=True)
    assert first_pieces(cont) == [False, False, False, True, False]


def test_collate_pads() -> None:
    batch = collate([Window([2, 5, 6, 3], [None, 0, 1, None]), Window([2, 3], [None, None])], pad_token_id=0)
    assert batch["input_ids"].tolist() == [[2, 5, 6, 3], [2, 3, 0, 0]]
    assert batch["attention_mask"].tolist() == [[1, 1, 1, 1], [1, 1, 0, 0]]


@hsettings(max_examples=60, deadline=None)
@given(
    word_lengths=st.lists(st.integers(1, 9), min_size=1, max_size=40),
    size=st.integers(3, 20),
    stride_fraction=st.floats(0, 0.99),
)
def test_window_bounds_cover_and_overlap(word_lengths: list[int], size: int, stride_fraction: float) -> None:
    stride = min(int(stride_fraction * (size - 1)), size - 2)
    word_ids = [i for i, n in enumerate(word_lengths) for _ in range(n)]
    bounds = window_bounds(word_ids, size, stride)
    assert bounds[0][0] == 0 and bounds[-1][1] == len(word_ids)
    for (a, b), (c, d) in zip(bounds, bounds[1:]):
        assert a < c <= b <= d  # advances, nothing skipped
        assert b - c >= stride
    assert all(0 < b - a <= size for a, b in bounds)
