"""The one JSON of ours in every model directory: ``arabnews_nlp.json``.

A model directory is a plain Hugging Face folder plus this file. It records what the weights
alone cannot: the schema version and labels, the text normalisation the tokenizer was trained
with, the window size for long sentences, the tuned event thresholds, the document-stance rule,
whether the model is trained, and the library versions it was saved with.

Example:
    >>> settings = AnalyzerSettings(max_length=64, stride=16)
    >>> settings.event_thresholds["THREAT"]
    0.5
    >>> AnalyzerSettings.from_dict(settings.to_dict()) == settings
    True
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from arabnews_nlp.errors import ConfigError, ModelFormatError
from arabnews_nlp.ngram import NgramModel
from arabnews_nlp.ngram_features import NgramConfig
from arabnews_nlp.ngram_file import NGRAM_FILE
from arabnews_nlp.schema import ENTITY_TYPES, EVENT_TYPES, NER_TAGS, SCHEMA_VERSION, STANCE_LABELS, check_labels
from arabnews_nlp.tasks.gazetteer import GAZETTEER_MODES
from arabnews_nlp.text.normalize import NormalizationConfig

SETTINGS_FILE = "arabnews_nlp.json"
NER_DECODINGS = ("viterbi", "argmax")
"""How NER word tags are read: the best valid IOB2 sequence, or each word's argmax."""
"""File name of the settings inside a model directory."""

DOC_STANCE_RULES = ("weighted_mean",)
"""Document-stance rules :mod:`arabnews_nlp.tasks.stance` knows."""


def default_labels() -> dict[str, list[str]]:
    """Return the schema's labels per head, in id order.

    Example:
        >>> default_labels()["stance"]
        ['anti', 'pro', 'neutral']
    """
    return {"ner": list(NER_TAGS), "stance": list(STANCE_LABELS), "events": list(EVENT_TYPES)}


def default_doc_stance() -> dict[str, float | str]:
    """Return the default parameters of the document-stance rule.

    ``weighted_mean``: the document's stance probabilities are the weighted mean of its
    sentences' probabilities, where a sentence predicted ``anti`` or ``pro`` weighs 1 and a
    sentence predicted ``neutral`` weighs ``neutral_weight``; the label is the argmax. A sentence
    whose position is reported (its stance has a holder) keeps ``reported_weight`` of its
    ``anti``/``pro`` probability, the rest counting as ``neutral``: SCHEMA.md's document stance is
    the article's own voice. A saved model without ``reported_weight`` gets 0 as well.

    Example:
        >>> default_doc_stance()["rule"]
        'weighted_mean'
    """
    return {"rule": "weighted_mean", "neutral_weight": 0.25, "reported_weight": 0.0}


@dataclass
class AnalyzerSettings:
    """Settings of an analyzer model, saved as ``arabnews_nlp.json`` next to its weights.

    Attributes:
        schema_version: The schema version the labels follow (``arabnews_nlp.schema``).
        task: Always ``"analyzer"`` for now.
        labels: Labels per head (``ner``, ``stance``, ``events``), in id order.
        normalization: How each word is normalised before tokenization.
        max_length: Tokens per window, special tokens included.
        stride: Tokens shared by consecutive windows of a long sentence.
        event_thresholds: Probability at or above which an event type is reported.
        doc_stance: Parameters of the document-stance rule (see :func:`default_doc_stance`).
        trained: ``False`` for the untrained placeholder model.
        description: One line saying what the model is.
        base_model: The encoder it was fine-tuned from, if any.
        metrics: Evaluation scores written by ``python -m training evaluate``.
        stance_weights: Per stance label, a factor on its probability before the argmax (tuned
            on dev; absent labels weigh 1.0).
        ner_min_score: Entities of the model scored below this are dropped (tuned on dev).
        ner_decoding: ``"viterbi"`` (the best valid IOB2 sequence, default) or ``"argmax"`` (each
            word's most probable tag, as Hugging Face's token-classification pipeline).
        gazetteer: Normalised name -> entity type, from the training annotations (optional).
        gazetteer_mode: How the gazetteer joins the NER model: ``off``, ``fill`` or ``override``
            (see :mod:`arabnews_nlp.tasks.gazetteer`).
        ngram: Configuration of the bag-of-n-grams model blended into sentence stance and events
            (:class:`arabnews_nlp.ngram_features.NgramConfig` as a dict; empty: none). Its weights are in
            ``ngram.safetensors``; :meth:`load` reads them into ``ngram_model`` and :meth:`save`
            writes them back.
        versions: Library versions, filled when the model is saved.

    Example:
        >>> AnalyzerSettings(max_length=16, stride=4).stride
        4
    """

    schema_version: int = SCHEMA_VERSION
    task: str = "analyzer"
    labels: dict[str, list[str]] = field(default_factory=default_labels)
    normalization: NormalizationConfig = field(default_factory=NormalizationConfig)
    max_length: int = 128
    stride: int = 32
    event_thresholds: dict[str, float] = field(default_factory=lambda: dict.fromkeys(EVENT_TYPES, 0.5))
    doc_stance: dict[str, float | str] = field(default_factory=default_doc_stance)
    trained: bool = False
    description: str = ""
    base_model: str | None = None
    metrics: dict[str, Any] = field(default_factory=dict)
    stance_weights: dict[str, float] = field(default_factory=dict)
    ner_min_score: float = 0.0
    ner_decoding: str = "viterbi"
    gazetteer: dict[str, str] = field(default_factory=dict)
    gazetteer_mode: str = "off"
    ngram: dict[str, Any] = field(default_factory=dict)
    versions: dict[str, str] = field(default_factory=dict)
    ngram_model: NgramModel | None = field(default=None, repr=False, compare=False)
    """The n-gram models ``ngram`` names, loaded by :meth:`load` (not in the JSON: ``ngram.safetensors``).
    A field, so that ``dataclasses.replace(settings, ...)`` keeps them; dropped when ``ngram`` is empty."""

    def __post_init__(self) -> None:
        if self.ngram:
            NgramConfig.from_dict(self.ngram)  # raises ConfigError
        else:
            self.ngram_model = None  # nothing blends it: `ngram` names what is saved and analysed
        if isinstance(self.normalization, dict):
            self.normalization = NormalizationConfig.from_dict(self.normalization)
        if self.task != "analyzer":
            raise ConfigError(f"task must be 'analyzer', got {self.task!r}")
        if not isinstance(self.max_length, int) or self.max_length < 4:
            raise ConfigError(f"max_length must be an int >= 4 (tokens per window), got {self.max_length!r}")
        if not isinstance(self.stride, int) or not 0 <= self.stride < self.max_length - 3:
            raise ConfigError(
                f"stride must be an int in 0..max_length-4 ({self.max_length - 4}), got {self.stride!r}; "
                "windows must advance by at least one token"
            )
        self._check_thresholds()
        self._check_doc_stance()
        bad_weights = {k: v for k, v in self.stance_weights.items() if k not in STANCE_LABELS or not v > 0}
        if bad_weights:
            raise ConfigError(
                f"stance_weights must map labels of {list(STANCE_LABELS)} to positive numbers, got {bad_weights}"
            )
        if not isinstance(self.ner_min_score, (int, float)) or not 0.0 <= self.ner_min_score < 1.0:
            raise ConfigError(f"ner_min_score must be in [0, 1), got {self.ner_min_score!r}")
        if self.ner_decoding not in NER_DECODINGS:
            raise ConfigError(f"ner_decoding must be one of {NER_DECODINGS}, got {self.ner_decoding!r}")
        if self.gazetteer_mode not in GAZETTEER_MODES:
            raise ConfigError(f"gazetteer_mode must be one of {GAZETTEER_MODES}, got {self.gazetteer_mode!r}")
        bad = sorted({label for label in self.gazetteer.values() if label not in ENTITY_TYPES})
        if bad:
            raise ConfigError(f"gazetteer has unknown entity types {bad}; expected {list(ENTITY_TYPES)}")

    def _check_thresholds(self) -> None:
        unknown = sorted(set(self.event_thresholds) - set(EVENT_TYPES))
        if unknown:
            raise ConfigError(f"event_thresholds has unknown event types {unknown}; expected {list(EVENT_TYPES)}")
        for name, value in self.event_thresholds.items():
            if not isinstance(value, (int, float)) or not 0.0 <= value <= 1.0:
                raise ConfigError(f"event_thresholds[{name!r}] must be a probability in [0, 1], got {value!r}")
        self.event_thresholds = {name: float(self.event_thresholds.get(name, 0.5)) for name in EVENT_TYPES}

    def _check_doc_stance(self) -> None:
        rule = self.doc_stance.get("rule", "weighted_mean")
        if rule not in DOC_STANCE_RULES:
            raise ConfigError(f"doc_stance rule must be one of {list(DOC_STANCE_RULES)}, got {rule!r}")
        for name, default in (("neutral_weight", 0.25), ("reported_weight", 0.0)):
            weight = self.doc_stance.get(name, default)
            if isinstance(weight, bool) or not isinstance(weight, (int, float)) or not 0.0 <= weight <= 1.0:
                raise ConfigError(f"doc_stance {name} must be in [0, 1], got {weight!r}")

    def check_labels(self) -> None:
        """Raise :class:`~arabnews_nlp.errors.LabelMismatchError` unless the labels are the schema's.

        Example:
            >>> AnalyzerSettings().check_labels()
        """
        if self.schema_version != SCHEMA_VERSION:
            raise ModelFormatError(
                f"the model follows schema version {self.schema_version}, this arabnews-nlp reads "
                f"version {SCHEMA_VERSION}; install a matching arabnews-nlp or retrain the model"
            )
        expected = default_labels()
        for kind, labels in expected.items():
            check_labels(kind, self.labels.get(kind, []), labels)

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict.

        Example:
            >>> AnalyzerSettings().to_dict()["max_length"]
            128
        """
        data = {f.name: copy.deepcopy(getattr(self, f.name)) for f in fields(self) if f.name != "ngram_model"}
        data["normalization"] = self.normalization.to_dict()
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> AnalyzerSettings:
        """Build settings from a dict, ignoring keys this version does not know.

        Raises:
            ConfigError: If a value is invalid.

        Example:
            >>> AnalyzerSettings.from_dict({"max_length": 32, "stride": 8}).max_length
            32
        """
        if not isinstance(data, dict):
            raise ConfigError(f"settings must be a JSON object, got {type(data).__name__}")
        known = {f.name for f in fields(cls)} - {"ngram_model"}  # runtime only: read from ngram.safetensors
        return cls(**{key: value for key, value in data.items() if key in known})

    def save(self, directory: str | Path) -> None:
        """Write ``arabnews_nlp.json`` into ``directory`` (created if missing).

        Example:
            >>> import tempfile
            >>> with tempfile.TemporaryDirectory() as d:
            ...     AnalyzerSettings().save(d)
            ...     AnalyzerSettings.load(d).task
            'analyzer'
        """
        path = Path(directory)
        path.mkdir(parents=True, exist_ok=True)
        text = json.dumps(self.to_dict(), ensure_ascii=False, indent=2)
        (path / SETTINGS_FILE).write_text(text + "\n", encoding="utf-8")
        if self.ngram_model is not None:
            self.ngram_model.save(path)
        elif not self.ngram:  # a model saved before into this directory may have had n-gram models: not this one's
            (path / NGRAM_FILE).unlink(missing_ok=True)
        # ``ngram`` set without ``ngram_model`` (settings read with from_dict, not load): the file the
        # JSON names is kept, or rewriting the JSON of a model directory would break it

    @classmethod
    def load(cls, directory: str | Path) -> AnalyzerSettings:
        """Read ``arabnews_nlp.json`` from ``directory`` (and ``ngram.safetensors`` when it names one).

        Raises:
            ModelFormatError: If the file is missing or not valid JSON settings, or the n-gram
                model it names is missing or malformed.

        Example:
            >>> import tempfile
            >>> with tempfile.TemporaryDirectory() as d:
            ...     AnalyzerSettings(stride=8).save(d)
            ...     AnalyzerSettings.load(d).stride
            8
        """
        path = Path(directory) / SETTINGS_FILE
        if not path.is_file():
            raise ModelFormatError(
                f"{path} is missing: every arabnews-nlp model directory needs {SETTINGS_FILE}. "
                "Save models with arabnews_nlp.model_dir.save_analyzer (or Analyzer.save_pretrained)."
            )
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            settings = cls.from_dict(data)
        except (json.JSONDecodeError, ConfigError, TypeError) as error:
            raise ModelFormatError(f"{path} is not valid arabnews-nlp settings: {error}") from error
        if settings.ngram:
            settings.ngram_model = NgramModel.load(directory, NgramConfig.from_dict(settings.ngram))
        return settings
