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

import contextlib
import json
import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from arabnews_nlp.errors import ConfigError, DataFormatError

_FILE_LISTS = ("train", "ner_extra", "test")
NGRAM_TAGGERS = ("maxent", "crf")
"""Kinds of n-gram word tagger (``ngram_tagger``) that :func:`training.ngram.fit_ngram` fits."""


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
        gazetteer: Ship a gazetteer of the ``train`` entity strings with the model and choose
            its mode (``off``, ``fill``, ``override``) by NER F1 on ``dev``.
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
        for name in _FILE_LISTS:
            setattr(self, name, _as_list(self, name))
        for option in fields(self):  # YAML reads `no`/`false` as booleans, but "false" in quotes is a string
            if option.type == "bool" and not isinstance(getattr(self, option.name), bool):
                raise ConfigError(f"{option.name} must be true or false, got {getattr(self, option.name)!r}")
        if self.dev is not None and not isinstance(self.dev, str):
            raise ConfigError(f"dev must be one file path, got {self.dev!r}; merge the files, or score the "
                              "others with test: [...]")  # fmt: skip
        if self.description is not None and not isinstance(self.description, str):
            raise ConfigError(f"description must be a string, got {self.description!r}; quote it in YAML")
        self.output_dir = self.output_dir or f"models/{self.name}"
        self.run_dir = self.run_dir or f"runs/{self.name}"
        if not isinstance(self.base, str):
            raise ConfigError(f"base must be a directory or hub id string, got {self.base!r}")
        if not self.name or not isinstance(self.name, str) or "/" in self.name:
            raise ConfigError(f"name must be a non-empty string without '/', got {self.name!r}")
        for key in ("epochs", "learning_rate", "max_grad_norm", "max_class_weight"):
            _check_number(key, getattr(self, key), low=0.0, strict=True)
        for key in ("weight_decay", "classifier_dropout"):
            _check_number(key, getattr(self, key), low=0.0, high=1.0)
        _check_number("warmup_ratio", self.warmup_ratio, low=0.0, high=1.0, high_open=True)
        for key in ("batch_size", "eval_batch_size", "gradient_accumulation_steps", "save_steps", "logging_steps"):
            _check_int(key, getattr(self, key), low=1)
        for key in ("max_length", "stride", "seed", "dataloader_num_workers", "average_last_epochs"):
            _check_int(key, getattr(self, key), low=4 if key == "max_length" else 0)
        _check_int("max_steps", self.max_steps, low=-1)
        if self.max_steps <= 0 and self.average_last_epochs > math.ceil(self.epochs):
            raise ConfigError(
                f"average_last_epochs ({self.average_last_epochs}) exceeds epochs ({self.epochs:g}); "
                "use at most the number of epochs, or 0 to keep the last weights"
            )
        if self.sentence_pooling not in ("cls", "mean"):
            raise ConfigError(f"sentence_pooling must be 'cls' or 'mean', got {self.sentence_pooling!r}")
        _check_int("word_buckets", self.word_buckets, low=0)
        _check_int("word_dim", self.word_dim, low=1)
        if self.word_buckets == 1:
            raise ConfigError("word_buckets must be 0 (no word embedding) or at least 2; use e.g. 131072")
        if self.ngram_clusters and (not self.ngram or not self.word_vectors):
            raise ConfigError("ngram_clusters needs ngram: true and word_vectors (the vectors it clusters)")
        if any(not isinstance(k, int) or k < 2 for k in self.ngram_clusters):
            raise ConfigError(f"ngram_clusters must be cluster counts >= 2, got {self.ngram_clusters!r}")
        if self.ngram_tagger not in NGRAM_TAGGERS:
            raise ConfigError(f"ngram_tagger must be one of {list(NGRAM_TAGGERS)}, got {self.ngram_tagger!r}")
        if self.ngram_event_clusters and not self.ngram:
            raise ConfigError("ngram_event_clusters needs ngram: true")
        chosen_on_dev = [name for name in ("ngram", "gazetteer", "stance_factors") if getattr(self, name)]
        if chosen_on_dev and not self.dev:
            raise ConfigError(f"{', '.join(chosen_on_dev)} need a dev file (their weights and modes are chosen on "
                              "dev): set dev, or turn them off")  # fmt: skip
        if self.event_thresholds not in ("shared", "per_type"):
            raise ConfigError(f"event_thresholds must be 'shared' or 'per_type', got {self.event_thresholds!r}")
        if self.word_vectors is not None:
            if not self.word_buckets:
                raise ConfigError("word_vectors is set but word_buckets is 0; set word_buckets (e.g. 131072)")
            if not is_analyzer_dir(self.base):  # a trained analyzer's own embeddings and clusters are kept
                check_word_vectors(self.word_vectors)
        if self.stride > self.max_length - 4:
            raise ConfigError(f"stride ({self.stride}) must be at most max_length - 4 ({self.max_length - 4})")
        self._check_optional()
        if self.bf16 and self.fp16:
            raise ConfigError("bf16 and fp16 are both true; choose one (bf16 on Ampere or newer GPUs)")
        if not isinstance(self.normalization, dict):
            raise ConfigError(
                f"normalization must be a mapping of NormalizationConfig fields, got {self.normalization!r}"
            )
        self._check_data_paths()
        names = [name for name, _ in self.evaluations()]
        if len(set(names)) < len(names):
            raise ConfigError(f"test files {self.test} share a file name, so their results would overwrite each "
                              "other (eval_test_NAME.json); give them different names")  # fmt: skip

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
        from training.data.split import held_out_copies
        from training.data.validate import check_files

        data = check_files(self.data_files())
        trained = {Path(path).resolve() for path in self.train}  # a file given as both is deliberate (smoke runs)
        held_out = {path: data[path] for path in [*([self.dev] if self.dev else []), *self.test]
                    if Path(path).resolve() not in trained}  # fmt: skip
        check = held_out and self.train and not self.allow_held_out_copies
        copies = held_out_copies([r for path in self.train for r in data[path]], held_out) if check else []
        if copies:
            shown = "; ".join(f"train {t!r} = {name} {h!r}" for t, name, h in copies[:5])
            raise DataFormatError(
                f"{len({t for t, _, _ in copies})} training document(s) repeat a dev or test document (the same "
                f"id, or at least half of its 5-word sequences): {shown}{'; ...' if len(copies) > 5 else ''}. "
                "Training on them would inflate the held-out scores: remove them from the training files (or set "
                "allow_held_out_copies: true)"
            )
        return data

    def _check_data_paths(self) -> None:
        """Raise one :class:`ConfigError` naming every data file that is missing or a directory, with its key."""
        problems = [data_path_problem(key, path) for key, path in self.keyed_data_files() if not Path(path).is_file()]
        if len(problems) == 1:
            raise ConfigError(problems[0])
        if problems:
            raise ConfigError(f"{len(problems)} data files cannot be read:\n  " + "\n  ".join(problems))

    def _check_optional(self) -> None:
        if self.ner_extra_max_sentences is not None:
            _check_int("ner_extra_max_sentences", self.ner_extra_max_sentences, low=0)
        if self.ner_extra_ratio is not None:
            _check_number("ner_extra_ratio", self.ner_extra_ratio, low=0.0)
        if self.save_total_limit is not None:
            _check_int("save_total_limit", self.save_total_limit, low=1)

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
        if not isinstance(data, Mapping):
            raise ConfigError(f"a config must be a mapping of field: value, got {type(data).__name__}")
        merged = dict(data)
        merged.update({k: v for k, v in (overrides or {}).items() if v is not None})
        known = [f.name for f in fields(cls)]
        unknown = sorted(set(merged) - set(known))
        if unknown:
            raise ConfigError(f"unknown config keys {unknown}; known keys are {known}. Check the spelling.")
        return cls(**merged)

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


def data_path_problem(key: str, path: str) -> str:
    """What is wrong with the data file ``path`` of the config key ``key`` (a directory, or missing), and the fix.

    A missing ANERcorp file (``anercorp_train.jsonl``, ``anercorp_test_reconstructed.jsonl``,
    ``anercorp_test_official_as_found.jsonl``) gets the ``convert anercorp`` command that writes it.

    Example:
        >>> data_path_problem("train", "no/such.jsonl")  # doctest: +ELLIPSIS
        "train: data file 'no/such.jsonl' does not exist; check the path (relative to ...)"
    """
    if Path(path).is_dir():
        return f"{key}: data file {path!r} is a directory; list the JSONL files in it"
    source = anercorp_source(path)
    if source is not None:
        return (f"{key}: data file {path!r} does not exist; it is converted from ANERcorp: "
                f"python -m training convert anercorp {source} {path}")  # fmt: skip
    return f"{key}: data file {path!r} does not exist; check the path (relative to {Path.cwd()})"


def anercorp_source(path: str) -> str | None:
    """The ANERcorp text file that ``python -m training convert anercorp`` turns into ``path``, if it is one.

    The conventional names (docs/training.md) are ``anercorp_`` and the source's split:
    ``anercorp_train.jsonl``, ``anercorp_test_reconstructed.jsonl``,
    ``anercorp_test_official_as_found.jsonl``. The source is given relative to the working folder.

    Example:
        >>> anercorp_source("runs/data/mine.jsonl") is None
        True
    """
    import os

    from training.anercorp import TEST_FILES, TRAIN_FILE, default_data_dir

    name = Path(path).name
    if not (name.startswith("anercorp_") and name.endswith(".jsonl")):
        return None
    split = name[len("anercorp_") : -len(".jsonl")]
    files = {"train": TRAIN_FILE, **{key.replace(".", "_"): value for key, value in TEST_FILES.items()}}
    if split not in files:
        return None
    source = default_data_dir() / files[split]
    try:
        return os.path.relpath(source)
    except ValueError:  # another drive (Windows)
        return str(source)


def read_config_file(path: str | Path) -> dict[str, Any]:
    """Read a YAML or JSON mapping from ``path``.

    Raises:
        ConfigError: If the file is missing, not YAML/JSON, or not a mapping.

    Example:
        >>> read_config_file("no/such.yaml")
        Traceback (most recent call last):
        ...
        arabnews_nlp.errors.ConfigError: config file 'no/such.yaml' does not exist; pass an existing .yaml or .json file
    """
    file = Path(path)
    if not file.is_file():
        raise ConfigError(f"config file {str(path)!r} does not exist; pass an existing .yaml or .json file")
    text = file.read_text(encoding="utf-8")
    try:
        if file.suffix.lower() in (".yaml", ".yml"):
            import yaml

            data = yaml.safe_load(text)
        else:
            data = json.loads(text)
    except Exception as error:  # yaml.YAMLError or json.JSONDecodeError
        raise ConfigError(f"config file {str(path)!r} is not valid {file.suffix[1:] or 'JSON'}: {error}") from error
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"config file {str(path)!r} must hold a mapping of field: value, got {type(data).__name__}")
    return data


def _as_list(config: FinetuneConfig, name: str) -> list[str]:
    value = getattr(config, name)
    if value is None:
        return []
    if isinstance(value, (str, Path)):
        return [str(value)]
    if isinstance(value, Sequence) and all(isinstance(v, (str, Path)) for v in value):
        return [str(v) for v in value]
    raise ConfigError(f"{name} must be a file path or a list of file paths, got {value!r}")


def _check_number(
    key: str, value: Any, low: float, high: float = math.inf, strict: bool = False, high_open: bool = False
) -> None:
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
    if not isinstance(value, int) or isinstance(value, bool) or value < low:
        raise ConfigError(f"{key} must be an integer >= {low}, got {value!r}")


def check_base(base: str, analyzer_ok: bool = True) -> None:
    """Fail early on a ``base`` that cannot be loaded: a file, a missing directory, pickle-only weights.

    A hub id (``org/name``) is left to Hugging Face to resolve. A local directory must be a
    Hugging Face model directory (``config.json``) with safetensors weights, or, when
    ``analyzer_ok``, a trained analyzer directory.

    Raises:
        ConfigError: Naming the problem and the fix.

    Example:
        >>> check_base("./no/such/dir")
        Traceback (most recent call last):
        ...
        arabnews_nlp.errors.ConfigError: base directory './no/such/dir' does not exist (and is not a hub id like org/name); check the path
    """
    from arabnews_nlp.model_dir import PICKLE_SUFFIXES

    local = Path(base).expanduser()
    if local.is_file():
        raise ConfigError(f"base {base!r} is a file; give an encoder or analyzer directory, or a hub id")
    if not local.exists():
        if base.startswith((".", "/", "~")) or base.count("/") > 1:
            raise ConfigError(f"base directory {base!r} does not exist (and is not a hub id like org/name); "
                              "check the path")  # fmt: skip
        return  # a hub id
    if is_analyzer_dir(str(local)):
        if not analyzer_ok:
            raise ConfigError(f"base {base!r} is an arabnews-nlp analyzer, not an encoder; give the encoder it "
                              "was trained from (its card names it), or evaluate the analyzer with "
                              "`python -m training evaluate`")  # fmt: skip
        return
    if not (local / "config.json").is_file():
        raise ConfigError(f"base directory {base!r} has no config.json: it is not a Hugging Face model directory "
                          "(pre-training writes one into RUN_DIR/encoder)")  # fmt: skip
    if not any(local.glob("*.safetensors")) and any(p.suffix in PICKLE_SUFFIXES for p in local.iterdir()):
        raise ConfigError(f"base directory {base!r} holds pickle weights only; arabnews-nlp loads safetensors "
                          "(pickle files can run code when loaded). Convert it once where you trust the file: "
                          "AutoModel.from_pretrained(DIR, use_safetensors=False).save_pretrained(DIR)")  # fmt: skip


@contextlib.contextmanager
def base_load_errors(base: str) -> Iterator[None]:
    r"""Turn a failure to load ``base`` (not found, no network, no such hub repository) into one line.

    Loaders inside must pass ``trust_remote_code=False``; a base that needs its own code is refused
    (:func:`arabnews_nlp.model_dir.no_remote_code`).

    Raises:
        ConfigError: Naming ``base`` and the first line of the loader's message.
        ModelFormatError: If ``base`` asks to run its own code.

    Example:
        >>> with base_load_errors("org/name"):
        ...     raise OSError("org/name is not a local folder and is not a valid model identifier\nmore")
        Traceback (most recent call last):
        ...
        arabnews_nlp.errors.ConfigError: cannot load the base encoder 'org/name': org/name is not a local folder and is not a valid model identifier
    """
    from arabnews_nlp.model_dir import no_remote_code

    try:
        with no_remote_code(base):
            yield
    except OSError as error:
        raise ConfigError(f"cannot load the base encoder {base!r}: {str(error).splitlines()[0]}") from None


def is_analyzer_dir(base: str) -> bool:
    """Whether ``base`` is a trained analyzer directory (it holds ``arabnews_nlp.json``), not an encoder.

    Example:
        >>> is_analyzer_dir("aubmindlab/bert-base-arabertv02")
        False
    """
    from arabnews_nlp.settings import SETTINGS_FILE

    return (Path(base) / SETTINGS_FILE).is_file()


def check_word_vectors(folder: str) -> None:
    """Fail when ``folder`` is not the output of ``python -m training word-vectors``.

    Raises:
        ConfigError: If ``folder`` has no ``vectors.safetensors``.
    """
    if not (Path(folder) / "vectors.safetensors").is_file():
        raise ConfigError(
            f"word_vectors {folder!r} has no vectors.safetensors; "
            "make it with `python -m training word-vectors --out DIR`"
        )
