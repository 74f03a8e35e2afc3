"""The model a fine-tuning run starts from: a base encoder with fresh heads, or a trained analyzer.

:func:`build_model` loads it with its tokenizer and makes the run's settings;
:func:`load_word_vectors` fills the hashed word embedding from ``python -m training
word-vectors``.

Example:
    >>> # model, tokenizer, settings = build_model(FinetuneConfig.from_file("training/configs/seed_cpu.yaml"))
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from arabnews_nlp.errors import ConfigError
from arabnews_nlp.settings import AnalyzerSettings
from training.base_checks import base_load_errors, is_analyzer_dir
from training.config import FinetuneConfig
from training.provenance import base_reference

logger = logging.getLogger(__name__)


def build_model(config: FinetuneConfig) -> tuple[Any, Any, AnalyzerSettings]:
    """Load the base encoder and tokenizer, add fresh heads, and make the settings.

    When ``config.base`` is a trained analyzer directory (e.g. ``models/default``), the run
    continues from it instead: its encoder, heads and word embeddings in float32, its
    architecture (word embedding, pooling, dropout) and text normalisation, whatever the config
    says, since its weights and tokenizer were trained with them. Its thresholds and n-gram model
    are not kept: ``finish`` chooses them again on dev.

    Raises:
        ConfigError: If the tokenizer is not a fast BERT-style one or windows exceed the encoder.

    Example:
        >>> # model, tokenizer, settings = build_model(config)
    """
    from transformers import set_seed

    from arabnews_nlp.text.normalize import NormalizationConfig

    set_seed(config.seed)  # the heads' initialisation is part of the run
    if is_analyzer_dir(config.base):
        model, tokenizer, normalization = _trained_analyzer(config.base)
    else:
        model, tokenizer = _fresh_heads(config)
        normalization = NormalizationConfig.from_dict(config.normalization)
    if model.word_embeddings is not None:
        model.word_embeddings.weight.requires_grad_(config.word_vectors_trainable or not config.word_vectors)
    positions = getattr(model.config.encoder, "max_position_embeddings", config.max_length)
    if config.max_length > positions:
        raise ConfigError(
            f"max_length {config.max_length} exceeds the encoder's max_position_embeddings {positions}; lower it"
        )
    settings = AnalyzerSettings(
        normalization=normalization,
        max_length=config.max_length,
        stride=config.stride,
        trained=True,
        description=config.description,
        base_model=base_reference(config.base),  # a relative path alone means nothing away from this folder
    )
    return model, tokenizer, settings


def _fresh_heads(config: FinetuneConfig) -> tuple[Any, Any]:
    """The encoder ``config.base`` with fresh heads (and word vectors when configured), and its tokenizer."""
    from transformers import AutoTokenizer

    from arabnews_nlp.modeling import AnalyzerModel

    with base_load_errors(config.base):
        tokenizer = AutoTokenizer.from_pretrained(config.base, trust_remote_code=False)
    if not getattr(tokenizer, "is_fast", False) or tokenizer.pad_token_id is None:
        raise ConfigError(f"{config.base}: the tokenizer must be a fast tokenizer with a [PAD] token (tokenizer.json)")
    with base_load_errors(config.base):
        model = AnalyzerModel.from_encoder(
            config.base, classifier_dropout=config.classifier_dropout, word_buckets=config.word_buckets,
            word_dim=config.word_dim, sentence_pooling=config.sentence_pooling,
        )  # fmt: skip
    if model.word_embeddings is not None:
        model.set_word_pieces(tokenizer)
        if config.word_vectors:
            load_word_vectors(model, tokenizer, config.word_vectors)
    return model, tokenizer


def _trained_analyzer(directory: str) -> tuple[Any, Any, Any]:
    """The analyzer saved in ``directory`` (float32, train mode), its tokenizer and its normalisation."""
    import torch

    from arabnews_nlp.model_dir import load_analyzer

    model, tokenizer, settings = load_analyzer(directory, device="cpu", dtype=torch.float32)
    logger.info("continuing from the trained analyzer %s (%s)", directory, settings.description)
    model.train()
    return model, tokenizer, settings.normalization


def load_word_vectors(model: Any, tokenizer: Any, folder: str) -> int:
    """Copy pre-trained word vectors into ``model.word_embeddings`` (rows by word hash).

    Each word is tokenised with ``tokenizer`` exactly as at run time and hashed from its piece
    ids; when two words share a row the more frequent one (earlier in ``words.txt``) keeps it.
    Vectors are scaled to unit length. Rows of no word keep their initialisation.

    Returns:
        The number of rows filled.

    Raises:
        ConfigError: If the vectors' width differs from ``word_dim``.
    """
    import torch
    from safetensors.torch import load_file

    from arabnews_nlp.word_hash import word_bucket, word_piece_hash

    vectors = load_file(str(Path(folder) / "vectors.safetensors"))["vectors"]
    words = (Path(folder) / "words.txt").read_text(encoding="utf-8").split("\n")[: vectors.shape[0]]
    table = model.word_embeddings.weight
    if vectors.shape[1] != table.shape[1]:
        raise ConfigError(f"{folder}: vectors have width {vectors.shape[1]} but word_dim is {table.shape[1]}; make them equal")
    buckets = model.config.word_buckets
    encodings = tokenizer.backend_tokenizer.encode_batch([[w] for w in words], is_pretokenized=True, add_special_tokens=False)
    taken: set[int] = set()
    rows, sources = [], []
    for index, encoding in enumerate(encodings):
        if not encoding.ids:
            continue
        row = word_bucket(word_piece_hash(encoding.ids), buckets)
        if row not in taken:
            taken.add(row)
            rows.append(row)
            sources.append(index)
    chosen = vectors[torch.tensor(sources)]
    chosen = chosen / chosen.norm(dim=1, keepdim=True).clamp(min=1e-6)
    with torch.no_grad():
        table[torch.tensor(rows)] = chosen.to(table.dtype)
    return len(rows)
