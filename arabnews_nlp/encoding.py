"""Text span -> model windows, shared by inference and training.

A span (a sentence) is split into words on the original text
(:func:`arabnews_nlp.text.words.split_words`), each word is normalised alone
(:func:`arabnews_nlp.text.normalize.normalize_word`), and the tokenizer runs once over the span
with the words pre-split and no special tokens. A span longer than ``max_length - 2`` tokens is
cut into windows of at most ``max_length`` tokens (``[CLS]`` and ``[SEP]`` included) that
overlap by ``stride`` tokens and break between words where possible. Nothing is truncated.

Training aligns labels like transformers' ``run_ner.py``: the first piece of each word carries
the word's tag (:func:`first_pieces`), other pieces and special tokens ``-100``.

Example:
    >>> # span = encode_span(text, 0, len(text), tokenizer, settings)
    >>> # batch = collate(span.windows, tokenizer.pad_token_id)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from arabnews_nlp.errors import ModelFormatError
from arabnews_nlp.text.normalize import SURROGATE, normalize_word
from arabnews_nlp.text.words import split_words

if TYPE_CHECKING:
    from arabnews_nlp.settings import AnalyzerSettings


@dataclass(frozen=True)
class Window:
    """One model input: ``[CLS]`` pieces… ``[SEP]``.

    Attributes:
        input_ids: Token ids, special tokens included.
        word_ids: Per token, the index of its word in :attr:`EncodedSpan.words`; ``None`` for
            special tokens.
        continues_word: ``True`` when the first piece of the window is not the first piece of its
            word (only when a single word is longer than a window).

    Example:
        >>> Window(input_ids=[2, 40, 41, 3], word_ids=[None, 0, 0, None]).word_ids[1]
        0
    """

    input_ids: list[int]
    word_ids: list[int | None]
    continues_word: bool = False


@dataclass(frozen=True)
class EncodedSpan:
    """A span of the caller's text, its words and its windows.

    Attributes:
        start: Offset of the span in the caller's text.
        end: End offset (exclusive).
        words: Word spans, offsets into the caller's text.
        windows: One or more windows when the span has any token, else none.

    Example:
        >>> EncodedSpan(start=0, end=3, words=[(0, 3)], windows=[]).words
        [(0, 3)]
    """

    start: int
    end: int
    words: list[tuple[int, int]]
    windows: list[Window]


def special_token_ids(tokenizer: Any) -> tuple[int, int]:
    """Return the ids that open and close a window (``[CLS]``/``[SEP]``, else BOS/EOS).

    Raises:
        ModelFormatError: If the tokenizer has neither pair.

    Example:
        >>> # special_token_ids(tokenizer) -> (2, 3)
    """
    first = tokenizer.cls_token_id if tokenizer.cls_token_id is not None else tokenizer.bos_token_id
    last = tokenizer.sep_token_id if tokenizer.sep_token_id is not None else tokenizer.eos_token_id
    if first is None or last is None:
        raise ModelFormatError(
            "the tokenizer has no [CLS]/[SEP] (or BOS/EOS) tokens; arabnews-nlp needs a BERT-style "
            "tokenizer: set cls_token and sep_token in tokenizer_config.json"
        )
    return int(first), int(last)


def encode_span(text: str, start: int, end: int, tokenizer: Any, settings: AnalyzerSettings) -> EncodedSpan:
    """Encode ``text[start:end]`` into one or more windows.

    Args:
        text: The caller's text.
        start: Span start offset.
        end: Span end offset (exclusive).
        tokenizer: A fast (``tokenizers``-backed) Hugging Face tokenizer.
        settings: Gives ``normalization``, ``max_length`` and ``stride``.

    Returns:
        The span with its words (original offsets) and windows.

    Example:
        >>> # encode_span("قال السوداني", 0, 12, tokenizer, settings).words
        >>> # [(0, 3), (4, 12)]
    """
    words = split_words(text, start, end)
    if not words:
        return EncodedSpan(start, end, [], [])
    pieces = [normalize_word(text[s:e], settings.normalization) for s, e in words]
    if SURROGATE.search(text, start, end):  # lone surrogates (e.g. from JSON escapes) break tokenizers
        pieces = [SURROGATE.sub("\ufffd", piece) for piece in pieces]
    encoding = tokenizer.backend_tokenizer.encode(pieces, is_pretokenized=True, add_special_tokens=False)
    ids: list[int] = list(encoding.ids)
    word_ids: list[int | None] = list(encoding.word_ids)
    if not ids:
        return EncodedSpan(start, end, words, [])
    first, last = special_token_ids(tokenizer)
    windows = [
        Window(
            input_ids=[first, *ids[a:b], last],
            word_ids=[None, *word_ids[a:b], None],
            continues_word=a > 0 and word_ids[a] == word_ids[a - 1],
        )
        for a, b in window_bounds(word_ids, settings.max_length - 2, settings.stride)
    ]
    return EncodedSpan(start, end, words, windows)


def window_bounds(word_ids: Sequence[int | None], size: int, stride: int) -> list[tuple[int, int]]:
    """Cut ``len(word_ids)`` tokens into overlapping ``[a, b)`` ranges of at most ``size`` tokens.

    Consecutive ranges share about ``stride`` tokens; cuts move back to a word start when one is
    near enough that the range still advances, else they fall inside a (very long) word.

    Example:
        >>> window_bounds([0, 1, 2, 3, 4, 5], size=4, stride=1)
        [(0, 4), (3, 6)]
        >>> window_bounds([0, 0, 1, 1, 2, 2], size=4, stride=0)
        [(0, 4), (4, 6)]
    """
    n = len(word_ids)
    if n <= size:
        return [(0, n)]

    def word_start(i: int) -> bool:
        return i == 0 or i >= n or word_ids[i] != word_ids[i - 1]

    # A cut may move back to a word start, but never by more than half a step, so every window
    # advances by at least half of ``size - stride`` tokens.
    half_step = max(1, (size - stride) // 2)
    bounds: list[tuple[int, int]] = []
    a = 0
    while True:
        b = min(a + size, n)
        if b < n:
            b = next((j for j in range(b, b - half_step, -1) if word_start(j)), b)
        bounds.append((a, b))
        if b >= n:
            return bounds
        a = next((j for j in range(b - stride, b - stride - half_step, -1) if word_start(j)), b - stride)


def first_pieces(window: Window) -> list[bool]:
    """Mark the first token of each word in ``window``.

    A token is a first piece when it has a word and the token before it belongs to another word
    (or, at the window's start, when the window does not continue a word cut by the previous
    window).

    Example:
        >>> first_pieces(Window([2, 7, 8, 9, 3], [None, 0, 0, 1, None]))
        [False, True, False, True, False]
    """
    marks: list[bool] = []
    previous: int | None = None
    for position, word in enumerate(window.word_ids):
        if word is None:
            marks.append(False)
        elif position == 1 and window.continues_word:
            marks.append(False)
        else:
            marks.append(word != previous)
        previous = word
    return marks


def collate(windows: Sequence[Window], pad_token_id: int, return_tensors: str = "pt") -> dict[str, Any]:
    """Pad windows into a batch.

    Args:
        windows: The windows, any lengths.
        pad_token_id: The tokenizer's padding id.
        return_tensors: ``"pt"`` for torch tensors, ``"np"`` for NumPy arrays (no torch import).

    Returns:
        ``input_ids`` and ``attention_mask``, ``(len(windows), longest)`` ``int64`` tensors.

    Example:
        >>> batch = collate([Window([2, 5, 3], [None, 0, None]), Window([2, 3], [None, None])], 0)
        >>> batch["input_ids"].tolist(), batch["attention_mask"].tolist()
        ([[2, 5, 3], [2, 3, 0]], [[1, 1, 1], [1, 1, 0]])
    """
    import numpy as np

    longest = max((len(w.input_ids) for w in windows), default=0)
    input_ids = np.full((len(windows), longest), pad_token_id, dtype=np.int64)
    attention_mask = np.zeros((len(windows), longest), dtype=np.int64)
    for row, window in enumerate(windows):
        input_ids[row, : len(window.input_ids)] = window.input_ids
        attention_mask[row, : len(window.input_ids)] = 1
    if return_tensors == "np":
        return {"input_ids": input_ids, "attention_mask": attention_mask}
    import torch

    return {"input_ids": torch.from_numpy(input_ids), "attention_mask": torch.from_numpy(attention_mask)}
