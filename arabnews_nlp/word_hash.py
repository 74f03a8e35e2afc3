"""The whole-word hash behind the hashed word embeddings, without torch.

Shared by the torch model (:mod:`arabnews_nlp.modeling`), its NumPy twin
(:mod:`arabnews_nlp.numpy_model`) and training (which fills the embedding rows from word
vectors): a word's hash is ``sum_k (id_k + 1) * HASH_BASE**k mod HASH_MODULUS`` over the ids of
its WordPiece pieces, and its embedding row is :func:`word_bucket` of that hash.

Example:
    >>> word_bucket(word_piece_hash([5, 9]), 257) == 1 + (6 + 10 * HASH_BASE) % HASH_MODULUS % 256
    True
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

HASH_MODULUS = 2_147_483_647
"""The prime modulus of the word hash (2^31 - 1)."""
HASH_BASE = 1_000_003
"""The base of the word hash."""
PIECE_START, PIECE_CONTINUATION, PIECE_SPECIAL = 0, 1, 2
"""Kinds of vocabulary entries in ``AnalyzerModel.piece_kind``."""


def piece_kinds(tokenizer: Any) -> list[int]:
    """Classify each vocabulary id: word start, ``##`` continuation, or special (no word).

    Example:
        >>> # piece_kinds(tokenizer)[tokenizer.cls_token_id] == PIECE_SPECIAL
    """
    vocab: dict[str, int] = tokenizer.get_vocab()
    prefix = getattr(getattr(tokenizer.backend_tokenizer, "decoder", None), "prefix", "##") or "##"
    special = {i for i in tokenizer.all_special_ids if i != tokenizer.unk_token_id}
    kinds = [PIECE_START] * (max(vocab.values(), default=-1) + 1)
    for piece, index in vocab.items():
        if index in special:
            kinds[index] = PIECE_SPECIAL
        elif piece.startswith(prefix) and len(piece) > len(prefix):
            kinds[index] = PIECE_CONTINUATION
    return kinds


def word_piece_hash(piece_ids: Sequence[int]) -> int:
    """The hash of one word given the ids of its pieces (the Python twin of the models' hash).

    Example:
        >>> word_piece_hash([5]) == (6 % HASH_MODULUS)
        True
    """
    value = 0
    power = 1
    for piece in piece_ids:
        value = (value + (piece + 1) * power) % HASH_MODULUS
        power = power * HASH_BASE % HASH_MODULUS
    return value


@functools.lru_cache(maxsize=4)
def hash_powers(count: int) -> tuple[int, ...]:
    """``HASH_BASE**k mod HASH_MODULUS`` for ``k < count`` (a word's k-th piece is weighted by it).

    Example:
        >>> hash_powers(2) == (1, HASH_BASE)
        True
    """
    powers = [1]
    for _ in range(count - 1):
        powers.append(powers[-1] * HASH_BASE % HASH_MODULUS)
    return tuple(powers)


def word_bucket(hash_value: int, buckets: int) -> int:
    """The embedding row of a word hash; row 0 is reserved for tokens outside words."""
    return 1 + hash_value % (buckets - 1)
