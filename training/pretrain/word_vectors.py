"""Pre-train whole-word vectors (skip-gram word2vec) for the analyzer's hashed word embeddings.

On 2 CPU cores a transformer sees only a few million tokens of masked-language-model training
per hour, while word2vec reads the whole ~33M-word news corpus several times in minutes. The
vectors initialise :attr:`arabnews_nlp.modeling.AnalyzerModel.word_embeddings`, whose rows are
addressed by :func:`arabnews_nlp.text.word_hash.word_hash` of the normalised word, so the
analyzer knows every frequent word of the corpus as a whole, including words (names, places)
that its fine-tuning data never shows.

Steps: stream the de-duplicated, normalised corpus (:mod:`training.pretrain.corpus`), split it
into words exactly as the runtime does, write one line per document to a cache file, train
gensim's ``Word2Vec`` on it, and save ``vectors.safetensors`` (``vectors``: ``(n, dim)``
float32, most frequent word first) with ``words.txt`` (one word per line, same order).

Example:
    $ pip install gensim
    $ python -m training word-vectors --out runs/word_vectors --dim 64 --epochs 3
"""

from __future__ import annotations

import argparse
import json
import logging
import time
from collections.abc import Sequence
from pathlib import Path

from tqdm.auto import tqdm

from arabnews_nlp.errors import ConfigError, MissingDependencyError
from arabnews_nlp.text.words import split_words
from training.pretrain.corpus import DEFAULT_CORPORA, default_news_dir, iter_documents


def write_word_corpus(paths: Sequence[Path], out: Path, max_docs: int | None = None) -> int:
    """Write the corpus as space-separated runtime words, one document per line.

    Returns:
        The number of words written.
    """
    words = 0
    with out.open("w", encoding="utf-8") as handle:
        for index, text in enumerate(tqdm(iter_documents(paths), desc="corpus", unit=" docs")):
            if max_docs is not None and index >= max_docs:
                break
            tokens = [text[s:e] for s, e in split_words(text)]
            words += len(tokens)
            handle.write(" ".join(tokens) + "\n")
    return words


def train_word_vectors(
    corpus_file: Path, out: Path, dim: int, epochs: int, min_count: int, window: int, workers: int, max_words: int
) -> dict[str, float | int]:
    """Train skip-gram vectors on ``corpus_file`` and save the ``max_words`` most frequent.

    Raises:
        MissingDependencyError: Without gensim.
    """
    try:
        from gensim.models import Word2Vec
    except ImportError as error:  # pragma: no cover - depends on the environment
        raise MissingDependencyError("gensim", None, "training word vectors") from error
    import torch
    from safetensors.torch import save_file

    logging.basicConfig(format="%(asctime)s %(message)s", level=logging.INFO)
    started = time.perf_counter()
    model = Word2Vec(
        corpus_file=str(corpus_file), vector_size=dim, window=window, min_count=min_count, sg=1,
        negative=5, sample=1e-4, workers=workers, epochs=epochs, seed=13,
    )  # fmt: skip
    seconds = time.perf_counter() - started
    words = model.wv.index_to_key[:max_words]
    vectors = torch.tensor(model.wv.vectors[: len(words)], dtype=torch.float32)
    out.mkdir(parents=True, exist_ok=True)
    save_file({"vectors": vectors.contiguous()}, str(out / "vectors.safetensors"))
    (out / "words.txt").write_text("\n".join(words) + "\n", encoding="utf-8")
    return {"vocabulary": len(model.wv.index_to_key), "saved": len(words), "dim": dim, "seconds": round(seconds, 1)}


def main(argv: Sequence[str] | None = None) -> int:
    """Command line of ``python -m training word-vectors``."""
    parser = argparse.ArgumentParser(prog="python -m training word-vectors", description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", nargs="+", type=Path, default=None, help="JSONL(.gz) files (default: the news)")
    parser.add_argument("--out", type=Path, required=True, help="output folder (vectors.safetensors, words.txt)")
    parser.add_argument("--dim", type=int, default=64, help="vector size (default: 64)")
    parser.add_argument("--epochs", type=int, default=3, help="passes over the corpus (default: 3)")
    parser.add_argument("--min-count", type=int, default=5, help="ignore words seen fewer times (default: 5)")
    parser.add_argument("--window", type=int, default=5, help="context words on each side (default: 5)")
    parser.add_argument("--workers", type=int, default=2, help="gensim worker threads (default: 2)")
    parser.add_argument("--max-words", type=int, default=200_000, help="keep this many most frequent words")
    parser.add_argument("--max-docs", type=int, default=None, help="read only this many documents (smoke tests)")
    argv = list(argv) if argv is not None else None
    if argv and argv[0] == "word-vectors":
        argv = argv[1:]
    args = parser.parse_args(argv)
    paths = args.corpus or [default_news_dir() / name for name in DEFAULT_CORPORA]
    if args.dim <= 0 or args.epochs <= 0:
        raise ConfigError("--dim and --epochs must be positive")
    args.out.mkdir(parents=True, exist_ok=True)
    corpus_file = args.out / "corpus.txt"
    words = write_word_corpus(paths, corpus_file, args.max_docs)
    stats = train_word_vectors(
        corpus_file, args.out, args.dim, args.epochs, args.min_count, args.window, args.workers, args.max_words
    )
    stats["corpus_words"] = words
    (args.out / "stats.json").write_text(json.dumps(stats, indent=2) + "\n", encoding="utf-8")
    corpus_file.unlink()
    print(json.dumps(stats))
    return 0
