"""Training batches of a pre-training run: rows of token ids, from the news stream or a pre-tokenised array, and their whole-word masking."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import torch

from training.pretrain.corpus import iter_documents


def _sequences(corpus: Sequence[str], seq_len: int, tokenizer: Any, skip_docs: int) -> Iterator[tuple[list[int], int]]:
    """Yield packed token sequences (without [CLS]/[SEP]) and the number of documents consumed."""
    body = seq_len - 2
    buffer: list[int] = []
    docs = skip_docs
    batch: list[str] = []
    paths = [Path(p) for p in corpus]
    documents: Iterator[str | None] = itertools.chain(iter_documents(paths, skip=skip_docs), [None])
    for text in documents:  # None: the corpus ended, tokenise its last (partial) batch of documents
        if text is not None:
            batch.append(text)
        if (text is not None and len(batch) < 64) or not batch:
            continue
        for ids in tokenizer(batch, add_special_tokens=False, verbose=False)["input_ids"]:
            buffer.extend(ids + [tokenizer.sep_token_id])
        docs += len(batch)
        batch = []
        while len(buffer) >= body:
            yield buffer[:body], docs
            buffer = buffer[body:]


def mask_batch(
    rows: torch.Tensor, is_continuation: torch.Tensor, special_ids: torch.Tensor, mask_id: int,
    mask_prob: float, generator: torch.Generator,
) -> dict[str, torch.Tensor]:
    """Whole-word masking of a batch of token-id rows, vectorised.

    A word is a token that does not start with ``##`` plus the continuation tokens after it; each
    word is chosen with probability ``mask_prob`` and all its tokens become targets: 80 % are
    replaced by ``[MASK]``, 10 % by a random non-special token, 10 % stay. Special tokens are never
    chosen.

    Args:
        rows: ``(batch, seq)`` token ids.
        is_continuation: ``(vocab,)`` bool, True for ``##`` pieces.
        special_ids: Ids that are never masked ([CLS], [SEP], [PAD], ...).
        mask_id: Id of ``[MASK]``.
        mask_prob: Probability of masking a word.
        generator: CPU generator (its state is checkpointed, so a resumed run masks identically).

    Returns:
        ``input_ids`` (masked rows), ``positions`` (flat indices of the targets in the batch) and
        ``targets`` (their original ids).
    """
    batch, seq = rows.shape
    maskable = ~torch.isin(rows, special_ids)
    starts = ~is_continuation[rows] | ~maskable
    index = torch.arange(seq).expand(batch, seq)
    word_start = torch.where(starts, index, torch.zeros_like(index)).cummax(dim=1).values
    draw = torch.rand(batch, seq, generator=generator)
    chosen = (draw.gather(1, word_start) < mask_prob) & maskable
    positions = chosen.flatten().nonzero().squeeze(1)
    targets = rows.flatten()[positions]
    roll = torch.rand(positions.numel(), generator=generator)
    replacement = targets.clone()
    replacement[roll < 0.8] = mask_id
    random_ids = torch.randint(int(special_ids.max()) + 1, len(is_continuation), (positions.numel(),), generator=generator)
    replacement = torch.where((roll >= 0.8) & (roll < 0.9), random_ids, replacement)
    input_ids = rows.flatten().clone()
    input_ids[positions] = replacement
    return {"input_ids": input_ids.view(batch, seq), "positions": positions, "targets": targets}


def stream_rows(corpus: Sequence[str], seq_len: int, batch_size: int, tokenizer: Any,
                skip_docs: int) -> Iterator[tuple[torch.Tensor, int]]:
    """Rows of ``batch_size`` packed ``seq_len``-token sequences from the news stream, with documents consumed.

    Args:
        corpus: JSONL(.gz) files, read in order.
        seq_len: Row length, ``[CLS]`` and ``[SEP]`` included.
        batch_size: Rows per batch.
        tokenizer: A fast tokenizer with ``[CLS]`` and ``[SEP]``.
        skip_docs: Documents already consumed (a resumed run).
    """
    rows: list[list[int]] = []
    for seq, docs in _sequences(corpus, seq_len, tokenizer, skip_docs):
        rows.append([tokenizer.cls_token_id, *seq, tokenizer.sep_token_id])
        if len(rows) == batch_size:
            yield torch.tensor(rows), docs
            rows = []


def array_rows(tokens: torch.Tensor, batch_size: int, seq_len: int, cls_id: int, sep_id: int,
               generator: torch.Generator) -> torch.Tensor:
    """A batch of random windows of a pre-tokenised corpus, framed by ``[CLS]`` … ``[SEP]``.

    Args:
        tokens: 1-D tensor of token ids (documents separated by ``[SEP]``).
        batch_size: Rows per batch.
        seq_len: Row length, special tokens included.
        cls_id: Id of ``[CLS]``.
        sep_id: Id of ``[SEP]``.
        generator: CPU generator choosing the window starts.

    Returns:
        ``(batch_size, seq_len)`` int64 ids.
    """
    body = seq_len - 2
    if tokens.numel() <= body:
        raise ValueError(f"the token array has {tokens.numel()} tokens, fewer than one {seq_len}-token row")
    starts = torch.randint(0, tokens.numel() - body, (batch_size,), generator=generator)
    windows = tokens[starts[:, None] + torch.arange(body)].long()
    frame = torch.full((batch_size, 1), cls_id), torch.full((batch_size, 1), sep_id)
    return torch.cat([frame[0], windows, frame[1]], dim=1)


def load_tokens(path: str, vocab_size: int, tokenizer: str, fingerprint: str | None = None) -> torch.Tensor:
    """The pre-tokenised corpus at ``path``, refused when it was made with another vocabulary.

    Args:
        path: The ``.npy`` file of ``python -m training pretokenize``.
        vocab_size: The size of this run's tokenizer.
        tokenizer: Its name, for the messages.
        fingerprint: Its :func:`training.pretrain.tokenizer.vocabulary_fingerprint`, compared with
            the one ``tokens.json`` records (files made before it was recorded are checked by size).

    Raises:
        ConfigError: If its ``tokens.json`` records another vocabulary (size or tokens), or an id
            is outside the tokenizer's vocabulary (ids of another tokenizer would train on the
            wrong words).
    """
    import numpy as np

    from arabnews_nlp.errors import ConfigError

    meta_path = Path(path).with_suffix(".json")
    meta = json.loads(meta_path.read_text(encoding="utf-8")) if meta_path.is_file() else {}
    array = np.load(path, mmap_mode="r")
    fix = "give the tokenizer it was made with, or rerun python -m training pretokenize with this one"
    if meta.get("vocab_size", vocab_size) != vocab_size:
        raise ConfigError(f"--tokens {path} was made with tokenizer {meta.get('tokenizer')!r} ({meta['vocab_size']} "
                          f"tokens), not --tokenizer {tokenizer!r} ({vocab_size} tokens); {fix}")  # fmt: skip
    if fingerprint and meta.get("vocabulary", fingerprint) != fingerprint:
        raise ConfigError(f"--tokens {path} was made with tokenizer {meta.get('tokenizer')!r}, whose vocabulary "
                          f"is not that of --tokenizer {tokenizer!r} (the same size, other tokens or ids); {fix}")  # fmt: skip
    top = int(array.max()) if array.size else -1  # a full read of the array: after the checks tokens.json answers
    if top >= vocab_size:
        raise ConfigError(f"--tokens {path} holds token id {top}, outside the {vocab_size}-token vocabulary of "
                          f"--tokenizer {tokenizer!r}; {fix}")  # fmt: skip
    return torch.from_numpy(np.ascontiguousarray(array).astype(np.int32))
