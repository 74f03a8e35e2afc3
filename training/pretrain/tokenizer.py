"""``python -m training tokenizer``: train a WordPiece tokenizer on raw news.

The tokenizer has no normaliser of its own beyond lower-casing Latin letters: Arabic
normalisation happens before tokenisation, word by word, in :mod:`arabnews_nlp.encoding`, and the
corpus stream applies the same function. It is saved as a ``BertTokenizerFast``-compatible
directory (``tokenizer.json``), loadable with ``AutoTokenizer.from_pretrained``.
"""

from __future__ import annotations

import argparse
import itertools
import logging
from pathlib import Path
from typing import Any

from training.pretrain.corpus import DEFAULT_CORPORA, default_news_dir, iter_documents

SPECIAL_TOKENS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
logger = logging.getLogger(__name__)


def train_tokenizer(texts: "itertools.islice[str] | list[str]", vocab_size: int, output_dir: Path) -> Path:
    """Train a WordPiece tokenizer on ``texts`` and save it to ``output_dir``.

    Args:
        texts: Normalised training texts.
        vocab_size: Target vocabulary size (special tokens included).
        output_dir: Where ``tokenizer.json`` and ``tokenizer_config.json`` are written.

    Returns:
        ``output_dir``.

    Example:
        >>> train_tokenizer(["قال السوداني في بغداد"] * 10, 60, Path("/tmp/tok"))  # doctest: +SKIP
    """
    from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, processors, trainers
    from transformers import BertTokenizerFast

    tokenizer = Tokenizer(models.WordPiece(unk_token="[UNK]", max_input_chars_per_word=100))
    tokenizer.normalizer = normalizers.Lowercase()
    tokenizer.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tokenizer.decoder = decoders.WordPiece()
    trainer = trainers.WordPieceTrainer(
        vocab_size=vocab_size, min_frequency=3, special_tokens=SPECIAL_TOKENS, show_progress=True
    )
    tokenizer.train_from_iterator(texts, trainer=trainer)
    cls_id, sep_id = tokenizer.token_to_id("[CLS]"), tokenizer.token_to_id("[SEP]")
    tokenizer.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", pair="[CLS] $A [SEP] $B:1 [SEP]:1", special_tokens=[("[CLS]", cls_id), ("[SEP]", sep_id)]
    )
    wrapped = BertTokenizerFast(tokenizer_object=tokenizer, do_lower_case=False, model_max_length=512)
    output_dir.mkdir(parents=True, exist_ok=True)
    wrapped.save_pretrained(output_dir)
    return output_dir


def vocabulary_fingerprint(tokenizer: Any) -> str:
    """A short hash of the tokenizer's vocabulary (every token with its id).

    Two tokenizers of the same size but trained on other texts give other ids to the same
    words: :func:`training.pretrain.batches.load_tokens` compares this, not only the size.

    Example:
        >>> class Vocab:
        ...     def get_vocab(self): return {"[PAD]": 0, "قال": 1}
        >>> len(vocabulary_fingerprint(Vocab()))
        16
    """
    import hashlib
    import json

    items = sorted(tokenizer.get_vocab().items(), key=lambda item: item[1])
    return hashlib.sha256(json.dumps(items, ensure_ascii=False).encode("utf-8")).hexdigest()[:16]


def load_tokenizer(name: str) -> Any:
    """``AutoTokenizer.from_pretrained(name)``, with a one-line error when there is no such tokenizer.

    Raises:
        ConfigError: If ``name`` is neither a tokenizer directory nor loadable as a hub id.

    Example:
        >>> # tokenizer = load_tokenizer("runs/tokenizer16k")
    """
    from transformers import AutoTokenizer

    from arabnews_nlp.errors import ConfigError
    from arabnews_nlp.model_checks import no_remote_code

    try:
        with no_remote_code(name):
            return AutoTokenizer.from_pretrained(name, trust_remote_code=False)
    except (OSError, ValueError) as error:
        where = "is not a tokenizer directory" if Path(name).is_dir() else "does not exist"
        raise ConfigError(f"tokenizer {name!r} {where} (relative to {Path.cwd()}) and is not loadable as a hub id "
                          f"({' '.join(str(error).split())[:160]}); make one with python -m training tokenizer "
                          "--out DIR") from error  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    """CLI entry point: ``python -m training tokenizer --out DIR``."""
    parser = argparse.ArgumentParser(prog="python -m training tokenizer", description=__doc__)
    parser.add_argument("command", nargs="?", help=argparse.SUPPRESS)
    parser.add_argument("--corpus", nargs="+", type=Path, default=None, help="JSONL(.gz) files (default: ../shared/data/news)")
    parser.add_argument("--vocab-size", type=int, default=16000, help="WordPiece vocabulary size (default: 16000)")
    parser.add_argument("--max-docs", type=int, default=60000, help="documents to train on (default: 60000)")
    parser.add_argument("--out", type=Path, required=True, help="output tokenizer directory")
    args = parser.parse_args(argv)
    corpus = args.corpus or [default_news_dir() / name for name in DEFAULT_CORPORA]
    texts = itertools.islice(iter_documents(corpus), args.max_docs)
    train_tokenizer(texts, args.vocab_size, args.out)
    print(f"tokenizer written to {args.out}")
    return 0
