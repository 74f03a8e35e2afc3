"""Typed configuration of ``python -m training finetune``, filled from YAML or JSON.

A config file holds the fields of :class:`FinetuneConfig`; command-line options override
them. Every value is checked when the object is built, so a typo or an impossible value stops
the run before any model is loaded, with a :class:`~arabnews_nlp.errors.ConfigError` that says
what was received, what was expected and how to fix it.

Example:
    >>> import tempfile, os
    >>> d = tempfile.mkdtemp()
    >>> train = os.path.join(d, "train.jsonl"); _ = open(train, "w", encoding="utf-8").close()
    >>> config = FinetuneConfig(base="aubmindlab/bert-base-arabertv02", train=[train], name="demo")
    >>> config.run_dir, config.output_dir
    ('runs/demo', 'models/demo')
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from arabnews_nlp.errors import ConfigError
from training.base_checks import check_base
from training.config_checks import (
    check_dev_choices,
    check_limits,
    check_model_options,
    check_ngram_options,
    check_runtime_options,
    check_training_numbers,
    check_types,
    check_word_vectors_option,
    normalize_file_lists,
)
from training.config_data import check_data_paths, check_evaluation_names, read_data
from training.config_file import merge_overrides, read_config_file


@dataclass
class FinetuneConfig:
    """Everything a fine-tuning run needs; see ``training/configs/*.yaml`` for examples.

    Attributes:
        base: Encoder to start from: a local directory or a Hugging Face hub id; or a trained
            analyzer directory (e.g. ``models/default``) to continue fine-tuning it.
        train: SCHEMA.md JSONL files to train on (all layers they declare in ``tasks``).
        dev: JSONL file for per-epoch scores and event-threshold tuning (never trained on);
            ``ngram``, ``gazetteer`` and ``stance_factors`` are chosen on it and need it.
        test: Extra JSONL files scored after training for the model card (never trained on).
        ner_extra: NER-only JSONL files (e.g. converted ANERcorp) mixed into training.
        ner_extra_max_sentences: At most this many ``ner_extra`` sentences (``None``: all).
        ner_extra_ratio: At most this many ``ner_extra`` sentences per ``train`` sentence.
        name: Run name; the default ``run_dir`` and ``output_dir`` derive from it.
        output_dir: Where the final model directory is written (default ``models/<name>``).
        run_dir: Checkpoints and ``log.jsonl`` (default ``runs/<name>``, gitignored).
        description: One line for the model's settings and card.
        epochs: Training epochs (may be fractional).
        max_steps: When > 0, train exactly this many optimizer steps, however many epochs that
            takes: it replaces ``epochs`` (transformers' ``max_steps``), it is not a cap on them.
        batch_size: Training windows per device and step.
        eval_batch_size: Windows per forward pass when scoring.
        gradient_accumulation_steps: Steps whose gradients are summed before an update.
        learning_rate: Peak learning rate (linear warm-up, then linear decay).
        warmup_ratio: Fraction of the steps spent warming up, in ``[0, 1)``.
        weight_decay: AdamW weight decay.
        max_grad_norm: Gradient clipping norm.
        seed: Seed for head initialisation, data order, dropout and sampling.
        max_length: Tokens per window, special tokens included.
        stride: Tokens shared by consecutive windows of a long sentence.
        classifier_dropout: Dropout before the three heads.
        class_weights: Weight rare stance labels and rare events by inverse train frequency.
        max_class_weight: Upper clip of those weights.
        save_steps: Write a checkpoint every this many steps.
        save_total_limit: Keep at most this many checkpoints (``None``: all).
        eval_each_epoch: Score ``dev`` after every epoch (logged to ``log.jsonl``).
        average_last_epochs: Keep the uniform average of the weights at the end of the last
            this many epochs (stochastic weight averaging, Izmailov et al. 2018) instead of the
            last weights; 0 (default) keeps the last weights.
        logging_steps: Log the training loss every this many steps.
        bf16: bf16 mixed precision (GPUs that support it).
        fp16: fp16 mixed precision (GPUs).
        dataloader_num_workers: Worker processes per data loader.
        sentence_pooling: ``cls`` or ``mean``: how the stance and event heads read a window.
        word_buckets: Rows of the hashed whole-word embedding (0: none); see
            :mod:`arabnews_nlp.modeling`.
        word_dim: Width of the whole-word embedding.
        word_vectors: Folder of ``python -m training word-vectors`` (``vectors.safetensors``,
            ``words.txt``) to initialise the whole-word embedding from; needs ``word_dim`` equal
            to the vectors' width. Not read when ``base`` is a trained analyzer: its embedding,
            and its word clusters if it has them, are kept.
        word_vectors_trainable: Update the whole-word embedding while fine-tuning (else frozen,
            so words unseen in training keep their pre-trained neighbours).
        allow_held_out_copies: Train even when ``train`` repeats documents of ``dev`` or ``test``
            (else an error before any work; for deliberate runs such as tests).
        exclude_synthetic: Skip ``train`` records marked ``"synthetic": true`` (to measure what
            the synthetic training sentences add).
        gazetteer: Ship a gazetteer of the ``train`` entity strings that are entities in at least
            half of their matches in the ``train`` texts
            (:func:`training.baseline.precise_gazetteer`) with the model and choose its mode
            (``off``, ``fill``, ``override``) by NER F1 on ``dev``.
        ngram: Fit the linear n-gram models (:mod:`training.ngram`) on the ``train`` records,
            ship them with the model and choose their blend weights on ``dev``.
        ngram_clusters: Numbers of k-means clusters of the ``word_vectors`` whose cluster ids
            become features of the n-gram tagger (e.g. ``[256, 1024]``); empty: none. A trained
            analyzer ``base`` that has word clusters keeps its own instead.
        ngram_tagger: The n-gram word tagger: ``maxent`` (each word's tag on its own) or
            ``crf`` (a linear-chain CRF over the same features, :mod:`training.crf`).
        ngram_event_clusters: Give the n-gram event regressions the 1-2-grams of the words'
            clusters as a third feature block (the tagger's clusters: ``ngram_clusters``, or those
            of the model that ``retune`` starts from).
        event_thresholds: How the event thresholds are chosen on ``dev``: ``shared`` (one
            threshold for every type, by micro-F1: one number, robust on a small dev set) or
            ``per_type`` (each type's own, by its F1: for a large dev set).
        stance_factors: Choose factors on the ``anti`` and ``pro`` probabilities by ``dev``
            macro-F1 (a prior correction, 16 candidates; off by default since the heads and the
            n-gram model are already trained with balanced class weights).
        normalization: :class:`~arabnews_nlp.text.normalize.NormalizationConfig` fields; empty
            keeps the defaults (must match how the base encoder's tokenizer was trained).

    Example:
        >>> FinetuneConfig(base="x", train=[], learning_rate=-1.0)  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        arabnews_nlp.errors.ConfigError: learning_rate must be a number > 0, got -1.0. Use e.g. 5.0e-5 for a ...
    """

    base: str = ""
    train: list[str] = field(default_factory=list)
    dev: str | None = None
    test: list[str] = field(default_factory=list)
    ner_extra: list[str] = field(default_factory=list)
    ner_extra_max_sentences: int | None = None
    ner_extra_ratio: float | None = None
    name: str = "analyzer"
    output_dir: str = ""
    run_dir: str = ""
    description: str = ""
    epochs: float = 10.0
    max_steps: int = -1
    batch_size: int = 16
    eval_batch_size: int = 32
    gradient_accumulation_steps: int = 1
    learning_rate: float = 5e-5
    warmup_ratio: float = 0.1
    weight_decay: float = 0.01
    max_grad_norm: float = 1.0
    seed: int = 42
    max_length: int = 128
    stride: int = 32
    classifier_dropout: float = 0.1
    class_weights: bool = True
    max_class_weight: float = 10.0
    save_steps: int = 500
    save_total_limit: int | None = 3
    eval_each_epoch: bool = True
    average_last_epochs: int = 0
    logging_steps: int = 50
    bf16: bool = False
    fp16: bool = False
    dataloader_num_workers: int = 0
    sentence_pooling: str = "cls"
    word_buckets: int = 0
    word_dim: int = 64
    word_vectors: str | None = None
    word_vectors_trainable: bool = False
    exclude_synthetic: bool = False
    allow_held_out_copies: bool = False
    gazetteer: bool = False
    ngram: bool = False
    ngram_clusters: list[int] = field(default_factory=list)
    ngram_tagger: str = "maxent"
    ngram_event_clusters: bool = False
    event_thresholds: str = "shared"
    stance_factors: bool = False
    normalization: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        normalize_file_lists(self)
        check_types(self)
        self.output_dir = self.output_dir or f"models/{self.name}"
        self.run_dir = self.run_dir or f"runs/{self.name}"
        check_training_numbers(self)
        check_model_options(self)
        check_ngram_options(self)
        check_dev_choices(self)
        check_word_vectors_option(self)
        check_limits(self)
        check_runtime_options(self)
        check_data_paths(self.keyed_data_files())
        check_evaluation_names(self)

    def evaluations(self) -> list[tuple[str, str]]:
        """Return ``(name, file)`` of each evaluation after training: ``dev``, then ``test_STEM`` per test file.

        Example:
            >>> FinetuneConfig(base="x").evaluations()
            []
        """
        return ([("dev", self.dev)] if self.dev else []) + [(f"test_{Path(path).stem}", path) for path in self.test]

    def data_files(self) -> list[str]:
        """Return every data file of the config: train, dev, test and ner_extra.

        Example:
            >>> FinetuneConfig(base="x").data_files()
            []
        """
        return [path for _, path in self.keyed_data_files()]

    def keyed_data_files(self) -> list[tuple[str, str]]:
        """Return ``(config key, path)`` for every data file, in the order of :meth:`data_files`.

        Example:
            >>> FinetuneConfig(base="x").keyed_data_files()
            []
        """
        dev = [self.dev] if self.dev else []
        return [(key, path) for key, paths in (("train", self.train), ("dev", dev), ("test", self.test),
                                               ("ner_extra", self.ner_extra)) for path in paths]  # fmt: skip

    def check_data(self) -> dict[str, list[dict[str, Any]]]:
        """Raise :class:`DataFormatError` if a data file is not valid SCHEMA.md JSONL (before any work).

        The first problem is named, with ``python -m training validate FILE`` to list them all; a
        file in the surface format gets the command that converts it. A training document that
        repeats a document of another dev or test file (:func:`training.data.split.held_out_copies`)
        is an error too.

        Returns:
            Each data file (as configured) -> its records: every file is read once, here, and
            the run trains and scores on these records instead of reading the files again.
        """
        return read_data(self)

    def check_ready(self) -> dict[str, list[dict[str, Any]]]:
        """Raise :class:`ConfigError` unless the run can start (base and train files set).

        Returns:
            The data files' records (:meth:`check_data`).

        Example:
            >>> FinetuneConfig(base="", train=[]).check_ready()
            Traceback (most recent call last):
            ...
            arabnews_nlp.errors.ConfigError: base is empty: set `base:` in the config or pass --base DIR_OR_HUB_ID
        """
        if not self.base:
            raise ConfigError("base is empty: set `base:` in the config or pass --base DIR_OR_HUB_ID")
        if not self.train:
            raise ConfigError("train lists no file: set `train:` in the config or pass --train FILE ...")
        check_base(self.base)
        return self.check_data()

    def to_dict(self) -> dict[str, Any]:
        """Return the config as a JSON-ready dict.

        Example:
            >>> FinetuneConfig(base="x").to_dict()["seed"]
            42
        """
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], overrides: Mapping[str, Any] | None = None) -> FinetuneConfig:
        """Build a config from a mapping, then apply ``overrides`` (``None`` values are skipped).

        Raises:
            ConfigError: On an unknown key or an invalid value.

        Example:
            >>> FinetuneConfig.from_dict({"base": "x"}, {"seed": 7, "dev": None}).seed
            7
        """
        return cls(**merge_overrides(data, overrides, [f.name for f in fields(cls)]))

    @classmethod
    def from_file(cls, path: str | Path, overrides: Mapping[str, Any] | None = None) -> FinetuneConfig:
        """Read a ``.yaml``/``.yml`` or ``.json`` config file, then apply ``overrides``.

        Raises:
            ConfigError: If the file is missing or unreadable, or a value is invalid.

        Example:
            >>> import tempfile, os
            >>> p = os.path.join(tempfile.mkdtemp(), "c.json")
            >>> _ = open(p, "w", encoding="utf-8").write('{"base": "x", "epochs": 2}')
            >>> FinetuneConfig.from_file(p).epochs
            2
        """
        return cls.from_dict(read_config_file(path), overrides)
