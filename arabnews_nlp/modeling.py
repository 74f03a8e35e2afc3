"""The analyzer model: one shared encoder, three heads (NER, stance, events).

``AnalyzerModel`` is a plain ``transformers.PreTrainedModel``: it is saved with
``save_pretrained`` (``config.json`` + ``model.safetensors``) and loaded with
``from_pretrained``, with no remote code. The encoder is any BERT-style model built through
``AutoModel`` from the nested ``config.encoder``; one forward pass over a sentence serves all
three tasks:

* ``ner_logits``: ``(batch, seq, len(NER_TAGS))`` token classification (IOB2),
* ``stance_logits``: ``(batch, len(STANCE_LABELS))`` from the first (``[CLS]``) position,
* ``event_logits``: ``(batch, len(EVENT_TYPES))`` independent sigmoids (multi-label).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

import torch
from torch import nn
from transformers import AutoConfig, AutoModel, PreTrainedConfig, PreTrainedModel
from transformers.configuration_utils import SubConfigSpec
from transformers.utils import ModelOutput

from arabnews_nlp.schema import EVENT_TYPES, NER_TAGS, SCHEMA_VERSION, STANCE_LABELS

IGNORE_INDEX = -100


class AnalyzerConfig(PreTrainedConfig):
    """Configuration of :class:`AnalyzerModel`.

    Attributes:
        encoder: The encoder's own config (any ``AutoConfig`` model type; BERT by default).
        id2label: The NER tags (standard field, so generic tools show them).
        stance_labels: Sentence stance labels, in id order.
        event_labels: Event types, in id order.
        classifier_dropout: Dropout before every head.
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
    schema_version: int = SCHEMA_VERSION

    def __post_init__(self, **kwargs: Any) -> None:
        if self.id2label is None:
            self.id2label = dict(enumerate(NER_TAGS))
        if self.stance_labels is None:
            self.stance_labels = list(STANCE_LABELS)
        if self.event_labels is None:
            self.event_labels = list(EVENT_TYPES)
        super().__post_init__(**kwargs)

    @property
    def ner_labels(self) -> list[str]:
        """NER tags in id order."""
        id2label: dict[Any, str] = dict(self.id2label or {})
        return [id2label[i] for i in range(len(id2label))]


@dataclass
class AnalyzerOutput(ModelOutput):
    """Output of :meth:`AnalyzerModel.forward`; ``loss`` is set when labels are given."""

    loss: torch.Tensor | None = None
    ner_logits: torch.Tensor | None = None
    stance_logits: torch.Tensor | None = None
    event_logits: torch.Tensor | None = None


class AnalyzerModel(PreTrainedModel):
    """Multi-task encoder: token NER, sentence stance and multi-label events in one pass.

    Example:
        >>> from transformers import BertConfig
        >>> enc = BertConfig(vocab_size=50, hidden_size=32, num_hidden_layers=1,
        ...     num_attention_heads=2, intermediate_size=64)
        >>> model = AnalyzerModel(AnalyzerConfig(encoder=enc.to_dict()))
        >>> out = model(input_ids=torch.tensor([[2, 5, 3]]))
        >>> tuple(out.ner_logits.shape), tuple(out.event_logits.shape)
        ((1, 3, 9), (1, 11))
    """

    config_class = AnalyzerConfig
    base_model_prefix = "analyzer"
    main_input_name = "input_ids"
    stance_class_weights: torch.Tensor
    event_pos_weights: torch.Tensor

    def __init__(self, config: AnalyzerConfig, encoder: PreTrainedModel | None = None) -> None:
        super().__init__(config)
        self.encoder = encoder if encoder is not None else AutoModel.from_config(config.encoder, add_pooling_layer=False)
        hidden = cast(PreTrainedConfig, config.encoder).hidden_size
        n_stance, n_events = len(config.stance_labels or ()), len(config.event_labels or ())
        self.dropout = nn.Dropout(config.classifier_dropout)
        self.ner_head = nn.Linear(hidden, len(config.ner_labels))
        self.stance_head = nn.Linear(hidden, n_stance)
        self.event_head = nn.Linear(hidden, n_events)
        # Optional per-class loss weights set by the trainer; buffers so they follow .to(device).
        self.register_buffer("stance_class_weights", torch.ones(n_stance), persistent=False)
        self.register_buffer("event_pos_weights", torch.ones(n_events), persistent=False)
        self.post_init()

    def _init_weights(self, module: nn.Module) -> None:
        heads = [getattr(self, name, None) for name in ("ner_head", "stance_head", "event_head")]
        if isinstance(module, nn.Linear) and any(module is head for head in heads):
            nn.init.normal_(module.weight, std=getattr(self.config.encoder, "initializer_range", 0.02))
            nn.init.zeros_(module.bias)
        elif isinstance(getattr(self, "encoder", None), PreTrainedModel):
            self.encoder._init_weights(module)

    @classmethod
    def from_encoder(cls, encoder_name_or_path: str, **config_kwargs: Any) -> AnalyzerModel:
        """Build an analyzer with fresh heads on a pretrained encoder.

        Args:
            encoder_name_or_path: A local directory or a Hugging Face hub id of a BERT-style
                encoder (e.g. ``aubmindlab/bert-base-arabertv02``).
            **config_kwargs: Extra :class:`AnalyzerConfig` fields (e.g. ``classifier_dropout``).

        Returns:
            The model, encoder weights loaded, heads randomly initialised.
        """
        encoder = AutoModel.from_pretrained(encoder_name_or_path, add_pooling_layer=False)
        config = AnalyzerConfig(encoder=encoder.config.to_dict(), **config_kwargs)
        model = cls(config, encoder=encoder)
        for head in (model.ner_head, model.stance_head, model.event_head):
            model._init_weights(head)
        return model

    def forward(
        self,
        input_ids: torch.Tensor,
        attention_mask: torch.Tensor | None = None,
        token_type_ids: torch.Tensor | None = None,
        ner_labels: torch.Tensor | None = None,
        stance_labels: torch.Tensor | None = None,
        event_labels: torch.Tensor | None = None,
        event_mask: torch.Tensor | None = None,
        **kwargs: Any,
    ) -> AnalyzerOutput:
        """Run the encoder once and every head.

        Args:
            input_ids: Token ids ``(batch, seq)``.
            attention_mask: 1 for real tokens, 0 for padding.
            token_type_ids: Segment ids, if the encoder uses them.
            ner_labels: Tag ids per token, ``-100`` where no loss is taken (sub-word pieces,
                special tokens, sentences without NER annotation).
            stance_labels: Stance id per sentence, ``-100`` where unannotated.
            event_labels: 0/1 per event type and sentence (float).
            event_mask: 1 per sentence whose events are annotated, 0 otherwise.

        Returns:
            The logits of the three heads, and the summed loss when any labels are given.
        """
        encoder_kwargs: dict[str, Any] = {"input_ids": input_ids, "attention_mask": attention_mask}
        if token_type_ids is not None:
            encoder_kwargs["token_type_ids"] = token_type_ids
        hidden = self.encoder(**encoder_kwargs).last_hidden_state
        hidden = self.dropout(hidden)
        first = hidden[:, 0]
        ner_logits = self.ner_head(hidden)
        stance_logits = self.stance_head(first)
        event_logits = self.event_head(first)
        loss = self._loss(ner_logits, stance_logits, event_logits, ner_labels, stance_labels, event_labels, event_mask)
        return AnalyzerOutput(loss=loss, ner_logits=ner_logits, stance_logits=stance_logits, event_logits=event_logits)

    def _loss(
        self,
        ner_logits: torch.Tensor,
        stance_logits: torch.Tensor,
        event_logits: torch.Tensor,
        ner_labels: torch.Tensor | None,
        stance_labels: torch.Tensor | None,
        event_labels: torch.Tensor | None,
        event_mask: torch.Tensor | None,
    ) -> torch.Tensor | None:
        losses: list[torch.Tensor] = []
        if ner_labels is not None and (ner_labels != IGNORE_INDEX).any():
            losses.append(
                nn.functional.cross_entropy(
                    ner_logits.flatten(0, 1).float(), ner_labels.flatten(), ignore_index=IGNORE_INDEX
                )
            )
        if stance_labels is not None and (stance_labels != IGNORE_INDEX).any():
            losses.append(
                nn.functional.cross_entropy(
                    stance_logits.float(), stance_labels, weight=self.stance_class_weights, ignore_index=IGNORE_INDEX
                )
            )
        if event_labels is not None:
            mask = event_mask if event_mask is not None else torch.ones(event_labels.shape[0], device=event_labels.device)
            if mask.sum() > 0:
                per_item = nn.functional.binary_cross_entropy_with_logits(
                    event_logits.float(), event_labels.float(), pos_weight=self.event_pos_weights, reduction="none"
                ).mean(dim=-1)
                losses.append((per_item * mask).sum() / mask.sum())
        if not losses:
            return None
        return torch.stack(losses).sum()
