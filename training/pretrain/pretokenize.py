"""``python -m training pretokenize``: the news corpus as one array of WordPiece ids, for fast pre-training.

The corpus stream (:func:`training.pretrain.corpus.iter_documents`: normalised, de-duplicated) is
tokenised once and written as ``tokens.npy`` (``uint16`` when the vocabulary fits, else
``int32``), documents separated by ``[SEP]``, with ``tokens.json`` beside it (tokenizer, corpora,
counts). ``python -m training pretrain --tokens tokens.npy`` then samples 128-token windows from
it at random, so a GPU is never starved by Python-side tokenisation, and the file travels to
another machine on its own (~2 bytes per token).
"""

from __future__ import annotations

import argparse
import itertools
import json
import logging
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from training.pretrain.corpus import DEFAULT_CORPORA, default_news_dir, iter_documents

logger = logging.getLogger(__name__)


def tokenize_corpus(texts: Iterable[str], tokenizer: Any, batch_size: int = 256) -> np.ndarray:
    """Tokenise ``texts`` and concatenate them, each document followed by ``[SEP]``.

    Args:
        texts: Normalised documents.
        tokenizer: A fast Hugging Face tokenizer with a ``[SEP]`` token.
        batch_size: Documents tokenised per call.

    Returns:
        A 1-D array of token ids (``uint16`` if the vocabulary has at most 65,536 entries).
    """
    dtype = np.uint16 if len(tokenizer) <= 1 << 16 else np.int32
    chunks: list[np.ndarray] = []
    batch: list[str] = []

    def flush() -> None:
        for ids in tokenizer(batch, add_special_tokens=False, verbose=False)["input_ids"]:
            chunks.append(np.asarray([*ids, tokenizer.sep_token_id], dtype=dtype))
        batch.clear()

    for text in texts:
        batch.append(text)
        if len(batch) == batch_size:
            flush()
    if batch:
        flush()
    return np.concatenate(chunks) if chunks else np.zeros(0, dtype=dtype)


def pretokenize(tokenizer_dir: str, corpus: Sequence[str], out: Path, max_docs: int | None = None) -> dict[str, Any]:
    """Write ``out`` (``.npy``) and ``out`` with suffix ``.json``; return the JSON's content.

    ``max_docs`` keeps only the stream's first documents (a trial run, or a subset of a corpus).
    """
    from tqdm.auto import tqdm
    from training.pretrain.tokenizer import load_tokenizer, vocabulary_fingerprint

    tokenizer = load_tokenizer(tokenizer_dir)
    stream = itertools.islice(iter_documents([Path(p) for p in corpus]), max_docs)
    documents = tqdm(stream, desc="pretokenize", unit="doc", total=max_docs)
    counted: list[int] = []

    def count(texts: Iterable[str]) -> Iterable[str]:
        for text in texts:
            counted.append(len(text.split()))
            yield text

    tokens = tokenize_corpus(count(documents), tokenizer)
    out.parent.mkdir(parents=True, exist_ok=True)
    np.save(out, tokens)
    meta = {"tokenizer": str(tokenizer_dir), "vocab_size": len(tokenizer),
            "vocabulary": vocabulary_fingerprint(tokenizer), "corpus": [str(p) for p in corpus],
            "max_docs": max_docs, "documents": len(counted), "words": sum(counted), "tokens": int(tokens.size), "dtype": str(tokens.dtype)}
    out.with_suffix(".json").write_text(json.dumps(meta, indent=2), encoding="utf-8")
    return meta


def main(argv: list[str] | None = None) -> int:
    """CLI entry point: ``python -m training pretokenize --tokenizer DIR --out FILE.npy``."""
    parser = argparse.ArgumentParser(prog="python -m training pretokenize", description=__doc__)
    parser.add_argument("command", nargs="?", help=argparse.SUPPRESS)
    parser.add_argument("--tokenizer", required=True, help="tokenizer directory (python -m training tokenizer)")
    parser.add_argument("--out", required=True, type=Path, help="output .npy file")
    parser.add_argument("--corpus", nargs="+", default=None, help="JSONL(.gz) files (default: ../shared/data/news)")
    parser.add_argument("--max-docs", type=int, default=None, help="read only the stream's first N documents (default: all)")
    args = parser.parse_args(argv)
    if args.max_docs is not None and args.max_docs < 1:
        parser.error(f"--max-docs must be at least 1, got {args.max_docs}")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    corpus = args.corpus or [str(default_news_dir() / name) for name in DEFAULT_CORPORA]
    meta = pretokenize(args.tokenizer, corpus, args.out, args.max_docs)
    print(json.dumps(meta, indent=2))
    return 0
