"""The analyzer model's configuration: ``AnalyzerConfig``, what ``config.json`` holds.

:class:`AnalyzerConfig` nests the encoder's own config (any ``AutoConfig`` model type, BERT by
default) under ``encoder`` and names the labels of the three heads (NER, stance, events), how the
sentence heads read a window (:data:`SENTENCE_POOLING`) and the optional hashed whole-word
embedding. The model built from it is :class:`arabnews_nlp.modeling.AnalyzerModel`.
"""

from __future__ import annotations

from typing import Any

from transformers import AutoConfig, PreTrainedConfig
from transformers.configuration_utils import SubConfigSpec

from arabnews_nlp.schema import EVENT_TYPES, NER_TAGS, SCHEMA_VERSION, STANCE_LABELS

SENTENCE_POOLING = ("cls", "mean")
"""How the stance and event heads read a window: its first token, or the mean of its tokens."""


class AnalyzerConfig(PreTrainedConfig):
    """Configuration of :class:`~arabnews_nlp.modeling.AnalyzerModel`.

    Attributes:
        encoder: The encoder's own config (any ``AutoConfig`` model type; BERT by default).
        id2label: The NER tags (standard field, so generic tools show them).
        stance_labels: Sentence stance labels, in id order.
        event_labels: Event types, in id order.
        classifier_dropout: Dropout before every head.
        sentence_pooling: ``"cls"`` (first token) or ``"mean"`` (mean over the real tokens) for
            the stance and event heads.
        word_buckets: Rows of the hashed whole-word embedding; 0 disables it.
        word_dim: Width of the whole-word embedding (projected to the encoder's width).
        schema_version: The schema version the labels follow.

    Example:
        >>> from transformers import BertConfig
        >>> config = AnalyzerConfig(encoder=BertConfig(hidden_size=32, num_hidden_layers=1,
        ...     num_attention_heads=2, intermediate_size=64).to_dict())
        >>> config.num_labels
        9
    """

    model_type = "arabnews_analyzer"
    sub_configs_defaults = {"encoder": SubConfigSpec(config_class=AutoConfig, model_type="bert")}

    encoder: PreTrainedConfig | dict | None = None
    stance_labels: list[str] | None = None
    event_labels: list[str] | None = None
    classifier_dropout: float = 0.1
    sentence_pooling: str = "cls"
    word_buckets: int = 0
    word_dim: int = 64
    schema_version: int = SCHEMA_VERSION

    def __post_init__(self, **kwargs: Any) -> None:
        if self.id2label is None:
            self.id2label = dict(enumerate(NER_TAGS))
        if self.stance_labels is None:
            self.stance_labels = list(STANCE_LABELS)
        if self.event_labels is None:
            self.event_labels = list(EVENT_TYPES)
        super().__post_init__(**kwargs)
        if self.label2id is None:  # the standard field, filled as id2label is (transformers leaves it None)
            self.label2id = {label: index for index, label in enumerate(self.ner_labels)}

    @property
    def ner_labels(self) -> list[str]:
        """NER tags in id order."""
        id2label: dict[Any, str] = dict(self.id2label or {})
        return [id2label[i] for i in range(len(id2label))]


AutoConfig.register(AnalyzerConfig.model_type, AnalyzerConfig, exist_ok=True)
"""With this module imported, ``AutoConfig`` reads an analyzer's ``config.json`` too."""
