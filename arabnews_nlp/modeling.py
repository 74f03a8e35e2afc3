"""The analyzer model: one shared encoder, three heads (NER, stance, events).

``AnalyzerModel`` is a plain ``transformers.PreTrainedModel``: it is saved with
``save_pretrained`` (``config.json`` + ``model.safetensors``) and loaded with
``from_pretrained``, with no remote code. The encoder is any BERT-style model built through
``AutoModel`` from the nested ``config.encoder``; one forward pass over a sentence serves all
three tasks:

* ``ner_logits``: ``(batch, seq, len(NER_TAGS))`` token classification (IOB2),
* ``stance_logits``: ``(batch, len(STANCE_LABELS))`` from the sentence vector (the ``[CLS]``
  position, or with ``sentence_pooling="mean"`` the mean of all token vectors, as in
  sentence-transformers),
* ``event_logits``: ``(batch, len(EVENT_TYPES))`` independent sigmoids (multi-label).

Optional hashed whole-word embeddings (``config.word_buckets > 0``): every token also receives
the embedding of the whole word it belongs to, added to its token embedding before the encoder.
The word is identified inside the model from ``input_ids`` alone (a polynomial hash over the ids
of its WordPiece pieces, using the ``piece_kind`` table saved with the weights), so the model's
inputs stay ``input_ids``/``attention_mask`` and any caller (Hugging Face pipelines, ONNX, Ray)
gets the same outputs. The rows can be initialised from word2vec vectors trained on raw news
(``python -m training word-vectors``): a compact encoder then knows every frequent word of the
corpus as a whole, which masked-language-model pre-training on CPUs cannot teach it in hours.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import torch
from torch import nn
from transformers import AutoModel, PreTrainedConfig, PreTrainedModel
from transformers.utils import ModelOutput

from arabnews_nlp.errors import ConfigError
from arabnews_nlp.model_config import SENTENCE_POOLING, AnalyzerConfig
from arabnews_nlp.word_hash import (
    HASH_MODULUS,
    PIECE_CONTINUATION,
    PIECE_SPECIAL,
    PIECE_START,
    hash_powers,
    piece_kinds,
)

__all__ = [  # AnalyzerConfig and SENTENCE_POOLING are re-exported from arabnews_nlp.model_config
    "IGNORE_INDEX",
    "SENTENCE_POOLING",
    "AnalyzerConfig",
    "AnalyzerModel",
    "AnalyzerOutput",
    "require_torch_model",
]

IGNORE_INDEX = -100


def _without_pooler(load: Callable[..., PreTrainedModel], *args: Any, **kwargs: Any) -> PreTrainedModel:
    """``load(*args, **kwargs)`` without the pooler of encoders that have one (BERT, RoBERTa...).

    The heads read token states only. ELECTRA and DistilBERT encoders have no pooler, and their
    classes refuse ``add_pooling_layer``.
    """
    try:
        return load(*args, add_pooling_layer=False, **kwargs)
    except TypeError as error:
        if "add_pooling_layer" not in str(error):
            raise
    return load(*args, **kwargs)


@functools.lru_cache(maxsize=4)
def _hash_powers(count: int) -> torch.Tensor:
    return torch.tensor(hash_powers(count), dtype=torch.long)


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
    piece_kind: torch.Tensor

    def __init__(self, config: AnalyzerConfig, encoder: PreTrainedModel | None = None) -> None:
        super().__init__(config)
        if encoder is None:
            encoder = _without_pooler(AutoModel.from_config, config.encoder, trust_remote_code=False)
        self.encoder = encoder
        hidden = cast(PreTrainedConfig, config.encoder).hidden_size
        n_stance, n_events = len(config.stance_labels or ()), len(config.event_labels or ())
        self.dropout = nn.Dropout(config.classifier_dropout)
        self.ner_head = nn.Linear(hidden, len(config.ner_labels))
        self.stance_head = nn.Linear(hidden, n_stance)
        self.event_head = nn.Linear(hidden, n_events)
        # Optional per-class loss weights set by the trainer; buffers so they follow .to(device).
        self.register_buffer("stance_class_weights", torch.ones(n_stance), persistent=False)
        self.register_buffer("event_pos_weights", torch.ones(n_events), persistent=False)
        if config.sentence_pooling not in SENTENCE_POOLING:
            raise ValueError(f"sentence_pooling must be one of {SENTENCE_POOLING}, got {config.sentence_pooling!r}")
        self.word_embeddings: nn.Embedding | None = None
        self.word_projection: nn.Linear | None = None
        if config.word_buckets:
            if config.word_buckets < 2 or config.word_dim < 1:
                raise ValueError(f"word_buckets must be 0 or >= 2 and word_dim >= 1, got {config.word_buckets}, {config.word_dim}")
            vocab_size = cast(PreTrainedConfig, config.encoder).vocab_size
            positions = getattr(config.encoder, "max_position_embeddings", 512)
            self.word_embeddings = nn.Embedding(config.word_buckets, config.word_dim, padding_idx=0)
            self.word_projection = nn.Linear(config.word_dim, hidden, bias=False)
            # Saved with the weights: which vocabulary ids start, continue or are outside words.
            self.register_buffer("piece_kind", torch.zeros(vocab_size, dtype=torch.long))
            self._positions = positions
        self.post_init()

    def _init_weights(self, module: nn.Module) -> None:
        heads = [getattr(self, name, None) for name in ("ner_head", "stance_head", "event_head", "word_projection")]
        std = getattr(self.config.encoder, "initializer_range", 0.02)
        if isinstance(module, nn.Linear) and any(module is head for head in heads):
            nn.init.normal_(module.weight, std=std)
            if module.bias is not None:
                nn.init.zeros_(module.bias)
        elif module is getattr(self, "word_embeddings", None):
            assert isinstance(module, nn.Embedding)
            nn.init.normal_(module.weight, std=std)
            module.weight.data[0].zero_()
        elif isinstance(getattr(self, "encoder", None), PreTrainedModel):
            self.encoder._init_weights(module)

    @classmethod
    def from_pretrained(cls, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        """``PreTrainedModel.from_pretrained``, with the (unsaved) loss weights reset to 1.

        Raises:
            ModelFormatError: If a local directory's ``config.json`` is not an analyzer's (a plain
                encoder: use :meth:`from_encoder`), instead of transformers building a broken model.
        """
        path = args[0] if args else kwargs.get("pretrained_model_name_or_path")
        if "config" not in kwargs and isinstance(path, (str, os.PathLike)) and Path(path, "config.json").is_file():
            from arabnews_nlp.model_checks import check_model_type

            check_model_type(Path(path, "config.json"))
        loaded = super().from_pretrained(*args, **kwargs)
        model = loaded[0] if isinstance(loaded, tuple) else loaded
        with torch.no_grad():
            model.stance_class_weights.fill_(1.0)
            model.event_pos_weights.fill_(1.0)
        return loaded

    @classmethod
    def from_encoder(cls, encoder_name_or_path: str, **config_kwargs: Any) -> AnalyzerModel:
        """Build an analyzer with fresh heads on a pretrained encoder.

        Args:
            encoder_name_or_path: A local directory or a Hugging Face hub id of a BERT-style
                encoder (e.g. ``aubmindlab/bert-base-arabertv02``).
            **config_kwargs: Extra :class:`AnalyzerConfig` fields (e.g. ``classifier_dropout``).

        Returns:
            The model in float32 (whatever dtype the encoder was saved in, e.g. fp16), encoder
            weights loaded, heads randomly initialised.

        Raises:
            ModelNotFoundError: If a path (not a hub id) does not exist.
            ModelFormatError: If the directory is already an analyzer (load it with
                :meth:`from_pretrained`), or the encoder needs its own code.
        """
        from arabnews_nlp.model_checks import check_encoder_source, no_remote_code

        check_encoder_source(encoder_name_or_path)
        with no_remote_code(encoder_name_or_path):
            encoder = _without_pooler(
                AutoModel.from_pretrained, encoder_name_or_path, dtype=torch.float32, trust_remote_code=False
            )
        config = AnalyzerConfig(encoder=encoder.config.to_dict(), **config_kwargs)
        model = cls(config, encoder=encoder)
        for head in (model.ner_head, model.stance_head, model.event_head, model.word_projection, model.word_embeddings):
            if head is not None:
                model._init_weights(head)
        return model

    def set_word_pieces(self, tokenizer: Any) -> None:
        """Record which vocabulary ids start or continue a word (needed by the word embedding).

        Example:
            >>> # model.set_word_pieces(tokenizer)
        """
        if self.word_embeddings is None:
            return
        kinds = piece_kinds(tokenizer)
        table = torch.full_like(self.piece_kind, PIECE_START)
        count = min(len(kinds), table.numel())
        table[:count] = torch.tensor(kinds[:count], dtype=torch.long)
        self.piece_kind.copy_(table)

    def word_buckets(self, input_ids: torch.Tensor) -> torch.Tensor:
        """Per token, the embedding row of the whole word it belongs to (0 outside words).

        The hash of a word is ``sum_k (id_k + 1) * HASH_BASE**k mod HASH_MODULUS`` over its pieces,
        exactly :func:`arabnews_nlp.word_hash.word_piece_hash`.
        """
        assert self.word_embeddings is not None
        kind = self.piece_kind[input_ids]
        seq = input_ids.shape[1]
        positions = torch.arange(seq, device=input_ids.device).expand_as(input_ids)
        starts = kind != PIECE_CONTINUATION
        # Position of the piece that starts each token's word, and the token's rank in its word.
        leader = torch.cummax(torch.where(starts, positions, torch.zeros_like(positions)), dim=1).values
        powers = _hash_powers(self._positions).to(input_ids.device)
        rank = (positions - leader).clamp(max=powers.numel() - 1)
        terms = (input_ids + 1) * powers[rank] % HASH_MODULUS
        sums = torch.zeros_like(terms).scatter_add_(1, leader, terms) % HASH_MODULUS
        hashes = sums.gather(1, leader)
        buckets = 1 + hashes % (self.config.word_buckets - 1)
        outside = kind.gather(1, leader) == PIECE_SPECIAL
        return torch.where(outside, torch.zeros_like(buckets), buckets)

    def hidden_states(
        self,
        input_ids: torch.Tensor,
        attention_mask: torch.Tensor | None = None,
        token_type_ids: torch.Tensor | None = None,
    ) -> torch.Tensor:
        """The encoder's last hidden states ``(batch, seq, hidden)``, as the heads read them.

        With ``word_buckets > 0`` each token's embedding gets its whole word's embedding added
        before the encoder, so ``self.encoder(input_ids=...)`` alone gives other states.

        Example:
            >>> # vectors = model.hidden_states(batch["input_ids"], batch["attention_mask"])[:, 0]
        """
        encoder_kwargs: dict[str, Any] = {"attention_mask": attention_mask}
        if self.word_embeddings is not None and self.word_projection is not None:
            words = self.word_projection(self.word_embeddings(self.word_buckets(input_ids)))
            encoder_kwargs["inputs_embeds"] = self.encoder.get_input_embeddings()(input_ids) + words
        else:
            encoder_kwargs["input_ids"] = input_ids
        if token_type_ids is not None:
            encoder_kwargs["token_type_ids"] = token_type_ids
        return cast(torch.Tensor, self.encoder(**encoder_kwargs).last_hidden_state)

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
        hidden = self.dropout(self.hidden_states(input_ids, attention_mask, token_type_ids))
        if self.config.sentence_pooling == "mean":
            mask = (attention_mask if attention_mask is not None else torch.ones_like(input_ids)).unsqueeze(-1)
            sentence = (hidden * mask.to(hidden.dtype)).sum(dim=1) / mask.sum(dim=1).clamp(min=1).to(hidden.dtype)
        else:
            sentence = hidden[:, 0]
        ner_logits = self.ner_head(hidden)
        stance_logits = self.stance_head(sentence)
        event_logits = self.event_head(sentence)
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


AutoModel.register(AnalyzerConfig, AnalyzerModel, exist_ok=True)
"""With this module imported, ``AutoConfig`` and ``AutoModel`` read an analyzer directory too
(``AutoConfig`` through :mod:`arabnews_nlp.model_config`, which this module imports)."""


def require_torch_model(model: object, what: str) -> AnalyzerModel:
    """``model`` itself when it is a torch :class:`AnalyzerModel`.

    Args:
        model: An analyzer's model (``Analyzer.model``).
        what: What needs the torch model, for the error message (e.g. ``"int8 quantisation"``).

    Raises:
        ConfigError: If ``model`` is another kind of model (e.g. one loaded with ``backend="numpy"``).
    """
    if not isinstance(model, AnalyzerModel):
        raise ConfigError(f"{what} needs a torch analyzer model, got {type(model).__name__}: load the analyzer "
                          "with Analyzer.from_pretrained(..., backend='torch') (the default)")  # fmt: skip
    return model
