"""Validation of :class:`~training.config.FinetuneConfig` values: the checks its ``__post_init__`` runs.

Each check raises :class:`~arabnews_nlp.errors.ConfigError` saying what was received, what was
expected and how to fix it; ``FinetuneConfig.__post_init__`` runs them in a fixed order, so a
config with several problems always reports the same one first.

Example:
    >>> NGRAM_TAGGERS
    ('maxent', 'crf')
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

from arabnews_nlp.errors import ConfigError
from training.base_checks import check_word_vectors, is_analyzer_dir

if TYPE_CHECKING:
    from training.config import FinetuneConfig

FILE_LISTS = ("train", "ner_extra", "test")
"""The config fields that hold a list of data files (a single path is accepted for each)."""
NGRAM_TAGGERS = ("maxent", "crf")
"""Kinds of n-gram word tagger (``ngram_tagger``) that :func:`training.ngram.fit_ngram` fits."""


def normalize_file_lists(config: FinetuneConfig) -> None:
    """Turn each of :data:`FILE_LISTS` into a list of path strings (``None``: empty; one path: a list of it)."""
    for name in FILE_LISTS:
        setattr(config, name, _as_list(config, name))


def check_types(config: FinetuneConfig) -> None:
    """Check the fields whose type YAML can get wrong: booleans, ``dev``, ``description``, ``base``, ``name``."""
    for option in fields(config):  # YAML reads `no`/`false` as booleans, but "false" in quotes is a string
        if option.type == "bool" and not isinstance(getattr(config, option.name), bool):
            raise ConfigError(f"{option.name} must be true or false, got {getattr(config, option.name)!r}")
    if config.dev is not None and not isinstance(config.dev, str):
        raise ConfigError(f"dev must be one file path, got {config.dev!r}; merge the files, or score the "
                          "others with test: [...]")  # fmt: skip
    if config.description is not None and not isinstance(config.description, str):
        raise ConfigError(f"description must be a string, got {config.description!r}; quote it in YAML")
    if not isinstance(config.base, str):
        raise ConfigError(f"base must be a directory or hub id string, got {config.base!r}")
    if not config.name or not isinstance(config.name, str) or "/" in config.name:
        raise ConfigError(f"name must be a non-empty string without '/', got {config.name!r}")


def check_training_numbers(config: FinetuneConfig) -> None:
    """Check the optimisation and schedule numbers: rates, sizes, steps, epochs and the averaged epochs."""
    for key in ("epochs", "learning_rate", "max_grad_norm", "max_class_weight"):
        _check_number(key, getattr(config, key), low=0.0, strict=True)
    for key in ("weight_decay", "classifier_dropout"):
        _check_number(key, getattr(config, key), low=0.0, high=1.0)
    _check_number("warmup_ratio", config.warmup_ratio, low=0.0, high=1.0, high_open=True)
    for key in ("batch_size", "eval_batch_size", "gradient_accumulation_steps", "save_steps", "logging_steps"):
        _check_int(key, getattr(config, key), low=1)
    for key in ("max_length", "stride", "seed", "dataloader_num_workers", "average_last_epochs"):
        _check_int(key, getattr(config, key), low=4 if key == "max_length" else 0)
    _check_int("max_steps", config.max_steps, low=-1)
    if config.max_steps <= 0 and config.average_last_epochs > math.ceil(config.epochs):
        raise ConfigError(
            f"average_last_epochs ({config.average_last_epochs}) exceeds epochs ({config.epochs:g}); "
            "use at most the number of epochs, or 0 to keep the last weights"
        )


def check_model_options(config: FinetuneConfig) -> None:
    """Check how the heads read a window and the size of the whole-word embedding."""
    if config.sentence_pooling not in ("cls", "mean"):
        raise ConfigError(f"sentence_pooling must be 'cls' or 'mean', got {config.sentence_pooling!r}")
    _check_int("word_buckets", config.word_buckets, low=0)
    _check_int("word_dim", config.word_dim, low=1)
    if config.word_buckets == 1:
        raise ConfigError("word_buckets must be 0 (no word embedding) or at least 2; use e.g. 131072")


def check_ngram_options(config: FinetuneConfig) -> None:
    """Check the n-gram models' options: clusters, tagger kind, event cluster features."""
    if config.ngram_clusters and (not config.ngram or not config.word_vectors):
        raise ConfigError("ngram_clusters needs ngram: true and word_vectors (the vectors it clusters)")
    if any(not isinstance(k, int) or k < 2 for k in config.ngram_clusters):
        raise ConfigError(f"ngram_clusters must be cluster counts >= 2, got {config.ngram_clusters!r}")
    if config.ngram_tagger not in NGRAM_TAGGERS:
        raise ConfigError(f"ngram_tagger must be one of {list(NGRAM_TAGGERS)}, got {config.ngram_tagger!r}")
    if config.ngram_event_clusters and not config.ngram:
        raise ConfigError("ngram_event_clusters needs ngram: true")


def check_dev_choices(config: FinetuneConfig) -> None:
    """Check the choices made on ``dev``: those turned on need a dev file; how event thresholds are chosen."""
    chosen_on_dev = [name for name in ("ngram", "gazetteer", "stance_factors") if getattr(config, name)]
    if chosen_on_dev and not config.dev:
        raise ConfigError(f"{', '.join(chosen_on_dev)} need a dev file (their weights and modes are chosen on "
                          "dev): set dev, or turn them off")  # fmt: skip
    if config.event_thresholds not in ("shared", "per_type"):
        raise ConfigError(f"event_thresholds must be 'shared' or 'per_type', got {config.event_thresholds!r}")


def check_word_vectors_option(config: FinetuneConfig) -> None:
    """Check that ``word_vectors`` has a word embedding to fill and is a word-vectors folder."""
    if config.word_vectors is not None:
        if not config.word_buckets:
            raise ConfigError("word_vectors is set but word_buckets is 0; set word_buckets (e.g. 131072)")
        if not is_analyzer_dir(config.base):  # a trained analyzer's own embeddings and clusters are kept
            check_word_vectors(config.word_vectors)


def check_limits(config: FinetuneConfig) -> None:
    """Check that ``stride`` fits the window and the optional limits (``None``: no limit)."""
    if config.stride > config.max_length - 4:
        raise ConfigError(f"stride ({config.stride}) must be at most max_length - 4 ({config.max_length - 4})")
    if config.ner_extra_max_sentences is not None:
        _check_int("ner_extra_max_sentences", config.ner_extra_max_sentences, low=0)
    if config.ner_extra_ratio is not None:
        _check_number("ner_extra_ratio", config.ner_extra_ratio, low=0.0)
    if config.save_total_limit is not None:
        _check_int("save_total_limit", config.save_total_limit, low=1)


def check_runtime_options(config: FinetuneConfig) -> None:
    """Check the mixed-precision choice and the ``normalization`` mapping."""
    if config.bf16 and config.fp16:
        raise ConfigError("bf16 and fp16 are both true; choose one (bf16 on Ampere or newer GPUs)")
    if not isinstance(config.normalization, dict):
        raise ConfigError(
            f"normalization must be a mapping of NormalizationConfig fields, got {config.normalization!r}"
        )


def _check_number(
    key: str, value: Any, low: float, high: float = math.inf, strict: bool = False, high_open: bool = False
) -> None:
    """Raise :class:`ConfigError` unless ``value`` is a finite number within ``low`` and ``high``.

    ``strict`` excludes ``low``, ``high_open`` excludes ``high``; the message of ``learning_rate``
    adds typical values (YAML reads ``5e-5`` as a string).
    """
    ok = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
    ok = ok and (value > low if strict else value >= low) and (value < high if high_open else value <= high)
    if not ok:
        bounds = f"> {low:g}" if strict else f">= {low:g}"
        if high != math.inf:
            bounds = f"in [{low:g}, {high:g}{')' if high_open else ']'}"
        hint = (" Use e.g. 5.0e-5 for a base-size encoder, 1.0e-4..1.0e-3 for a small one (YAML reads 5e-5, "
                "without the '.0', as a string)." if key == "learning_rate" else "")  # fmt: skip
        raise ConfigError(f"{key} must be a number {bounds}, got {value!r}.{hint}")


def _check_int(key: str, value: Any, low: int) -> None:
    """Raise :class:`ConfigError` unless ``value`` is an integer (not a bool) of at least ``low``."""
    if not isinstance(value, int) or isinstance(value, bool) or value < low:
        raise ConfigError(f"{key} must be an integer >= {low}, got {value!r}")


def _as_list(config: FinetuneConfig, name: str) -> list[str]:
    value = getattr(config, name)
    if value is None:
        return []
    if isinstance(value, (str, Path)):
        return [str(value)]
    if isinstance(value, Sequence) and all(isinstance(v, (str, Path)) for v in value):
        return [str(v) for v in value]
    raise ConfigError(f"{name} must be a file path or a list of file paths, got {value!r}")
