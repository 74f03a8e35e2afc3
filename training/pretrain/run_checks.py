"""Checks a pre-training run makes before it trains: settings in range, its run directory, a resume's settings.

Each failure is a :class:`~arabnews_nlp.errors.ConfigError` naming the setting (as its
command-line flag), what it was and how to fix it, raised before the tokenizer or the corpus is read.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from arabnews_nlp.errors import ConfigError

logger = logging.getLogger(__name__)

POSITIVE_INTS = ("hidden_size", "num_layers", "num_heads", "intermediate_size", "batch_size", "total_steps",
                 "save_every", "threads")  # fmt: skip
# Settings that decide the shapes of the weights: a checkpoint of other values cannot be loaded.
ARCHITECTURE = ("hidden_size", "num_layers", "num_heads", "intermediate_size", "seq_len")


def _flag(name: str) -> str:
    return "--" + name.replace("_", "-")


def check_settings(values: Mapping[str, Any]) -> None:
    """Refuse settings a run cannot train with, or would train with to no purpose.

    Args:
        values: The fields of a ``PretrainConfig``.

    Raises:
        ConfigError: Naming the first wrong setting, its value and what it must be.

    Example:
        >>> check_settings({"mask_prob": 1.5})
        Traceback (most recent call last):
        ...
        arabnews_nlp.errors.ConfigError: --mask-prob must be a probability in (0, 1), got 1.5
    """
    for name in POSITIVE_INTS:
        value = values.get(name, 1)
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise ConfigError(f"{_flag(name)} must be a whole number of at least 1, got {value!r}")
    for name in ("warmup_steps", "seed"):
        value = values.get(name, 0)
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise ConfigError(f"{_flag(name)} must be a whole number of at least 0, got {value!r}")
    if not 0 < values.get("mask_prob", 0.15) < 1:
        raise ConfigError(f"--mask-prob must be a probability in (0, 1), got {values['mask_prob']!r}")
    if not values.get("lr", 1e-3) > 0:
        raise ConfigError(f"--lr must be a positive learning rate, got {values['lr']!r}")
    for name in ("weight_decay", "time_budget_min"):
        if not values.get(name, 0.0) >= 0:
            raise ConfigError(f"{_flag(name)} must be at least 0, got {values[name]!r}")
    if values.get("seq_len", 128) < 3:
        raise ConfigError(f"--seq-len must be at least 3 ([CLS], one token, [SEP]), got {values['seq_len']!r}")
    hidden, heads = values.get("hidden_size", 256), values.get("num_heads", 4)
    if hidden % heads:
        raise ConfigError(f"--hidden-size {hidden} is not a multiple of --num-heads {heads}; choose sizes that "
                          "divide (e.g. --hidden-size 256 --num-heads 4)")  # fmt: skip


def check_run_dir(checkpoint: Path, resume: bool) -> None:
    """Refuse a fresh start over a run's checkpoint; warn when ``--resume`` finds none.

    Args:
        checkpoint: ``RUN_DIR/checkpoint.pt``.
        resume: Whether ``--resume`` was given.

    Raises:
        ConfigError: If ``checkpoint`` exists and ``resume`` is false: the new run would overwrite
            it and add its losses to the old run's ``log.jsonl``.
    """
    if checkpoint.exists() and not resume:
        raise ConfigError(f"{checkpoint.parent} already holds a pre-training run ({checkpoint.name}); add --resume "
                          "to continue it, or give a new --run-dir")  # fmt: skip
    if resume and not checkpoint.exists():
        logger.warning("--resume: %s has no checkpoint; starting from scratch", checkpoint.parent)


def check_resumed_settings(saved: Mapping[str, Any] | None, current: Mapping[str, Any], vocab_size: int,
                           saved_vocab_size: int) -> None:  # fmt: skip
    """Compare a checkpoint's settings with this run's before its weights are loaded.

    The architecture and the vocabulary must match (the weights would not fit); other changes
    (steps, learning rate, data) are allowed, as continuing a run on new data is, and each is
    logged with its old and new value.

    Args:
        saved: The settings stored in the checkpoint (None for checkpoints written before they were).
        current: This run's settings.
        vocab_size: Size of this run's tokenizer.
        saved_vocab_size: Rows of the checkpoint's word embedding.

    Raises:
        ConfigError: Listing every architecture setting that differs, or the vocabulary sizes.
    """
    if vocab_size != saved_vocab_size:
        raise ConfigError(f"--resume: the checkpoint was trained with a {saved_vocab_size}-token vocabulary, "
                          f"--tokenizer {current.get('tokenizer')!r} has {vocab_size}; give the run's own "
                          "tokenizer")  # fmt: skip
    if saved is None:
        return
    changed = {name: (saved.get(name), current.get(name)) for name in current if saved.get(name) != current.get(name)}
    fixed = [f"{_flag(name)} {old!r} -> {new!r}" for name, (old, new) in changed.items() if name in ARCHITECTURE]
    if fixed:
        raise ConfigError(f"--resume: the checkpoint's model was built with other sizes ({'; '.join(fixed)}); give "
                          "the values it was started with, or a new --run-dir")  # fmt: skip
    for name, (old, new) in changed.items():
        logger.warning("--resume: %s changed since the run started: %r -> %r", _flag(name), old, new)
