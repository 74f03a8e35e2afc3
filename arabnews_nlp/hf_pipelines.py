"""The analyzer's weights behind plain Hugging Face ``pipeline()`` calls.

Three thin ``PreTrainedModel`` wrappers share one :class:`~arabnews_nlp.modeling.AnalyzerModel`
(no weight is copied): :class:`AnalyzerForTokenClassification` returns the NER logits,
:class:`AnalyzerForSequenceClassification` the stance or the event logits, each with its own
``id2label``, so ``transformers.pipeline("token-classification" | "text-classification")``
accepts them. This is what a user without arabnews-nlp would write, and the baseline of
``benchmarks/run.py``: three forward passes per sentence instead of one, and no batching across
documents.

:func:`build_pipelines` makes the three pipelines, :func:`run_pipelines` runs them over sentences
(normalised with the model's rules first, as the model was trained on normalised text) and maps
entity offsets back to the caller's sentence.

The pipelines run the **encoder and its heads only**: not the n-gram models blended into the
bundled model's answers, nor the NER decoding, gazetteer and stance rules of
:meth:`arabnews_nlp.Analyzer.analyze`, so their answers differ from ``analyze()``'s (the bundled
model: see the agreement columns of docs/performance.md). Use them to compare with plain
transformers or to plug the weights into transformers tooling, and ``analyze()`` for results.
The wrappers are built from a loaded analyzer (``from_analyzer``); their ``model_type`` is not
registered with transformers' ``Auto*`` classes, so a saved wrapper is reloaded with
:meth:`arabnews_nlp.Analyzer.from_pretrained`, not ``AutoModelFor…``.

Example:
    >>> from arabnews_nlp import Analyzer
    >>> analyzer = Analyzer.from_pretrained(device="cpu")  # doctest: +SKIP
    >>> pipes = build_pipelines(analyzer.model, analyzer.tokenizer, analyzer.settings)  # doctest: +SKIP
    >>> run_pipelines(pipes, ["قال السوداني في بغداد."])[0].stance  # doctest: +SKIP
    'neutral'
"""

from __future__ import annotations

import contextlib
import copy
import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import torch
from transformers import PreTrainedConfig, PreTrainedModel
from transformers.modeling_outputs import SequenceClassifierOutput, TokenClassifierOutput

from arabnews_nlp.encoding import special_token_ids
from arabnews_nlp.errors import ConfigError
from arabnews_nlp.model_config import AnalyzerConfig
from arabnews_nlp.modeling import AnalyzerModel, require_torch_model
from arabnews_nlp.text.normalize import normalize

if TYPE_CHECKING:
    from arabnews_nlp.settings import AnalyzerSettings

SEQUENCE_TASKS = ("stance", "events")
_PIPELINE_LOGGER = "transformers.pipelines.base"


class _Wrapper(PreTrainedModel):
    """Shared plumbing: hold an :class:`AnalyzerModel` as ``self.analyzer``, never re-initialise it."""

    config_class = AnalyzerConfig
    base_model_prefix = "wrapper"
    main_input_name = "input_ids"

    def __init__(self, config: PreTrainedConfig, analyzer: AnalyzerModel) -> None:
        super().__init__(config)
        # post_init() before the analyzer is attached: transformers' weight initialisation would
        # otherwise walk into the shared (already trained) analyzer and re-draw its weights.
        self.post_init()
        self.analyzer = analyzer

    def _init_weights(self, module: torch.nn.Module) -> None:  # the wrapper owns no weights
        return

    def _encode(self, input_ids: torch.Tensor, attention_mask: torch.Tensor | None, token_type_ids: torch.Tensor | None) -> Any:
        return self.analyzer(input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids)


class AnalyzerForTokenClassification(_Wrapper):
    """The NER head as a token-classification model (``id2label`` = the IOB2 tags).

    Example:
        >>> # model = AnalyzerForTokenClassification.from_analyzer(analyzer.model)
        >>> # pipeline("token-classification", model=model, tokenizer=tok, aggregation_strategy="first")
    """

    @classmethod
    def from_analyzer(cls, analyzer: AnalyzerModel) -> AnalyzerForTokenClassification:
        """Wrap ``analyzer`` (weights shared, not copied)."""
        return cls(copy.deepcopy(analyzer.config), analyzer)

    def forward(
        self,
        input_ids: torch.Tensor,
        attention_mask: torch.Tensor | None = None,
        token_type_ids: torch.Tensor | None = None,
        **kwargs: Any,
    ) -> TokenClassifierOutput:
        """Return ``TokenClassifierOutput(logits=ner_logits)``."""
        return TokenClassifierOutput(logits=self._encode(input_ids, attention_mask, token_type_ids).ner_logits)


class AnalyzerForSequenceClassification(_Wrapper):
    """The stance head (single-label) or the event head (multi-label) as a sequence classifier.

    Example:
        >>> # model = AnalyzerForSequenceClassification.from_analyzer(analyzer.model, task="events")
        >>> # pipeline("text-classification", model=model, tokenizer=tok, top_k=None, function_to_apply="sigmoid")
    """

    task: str = "stance"

    @classmethod
    def from_analyzer(cls, analyzer: AnalyzerModel, task: str = "stance") -> AnalyzerForSequenceClassification:
        """Wrap ``analyzer`` for ``task`` (``"stance"`` or ``"events"``); weights shared, not copied.

        Raises:
            ConfigError: If ``task`` is neither.
        """
        if task not in SEQUENCE_TASKS:
            raise ConfigError(f"task must be one of {SEQUENCE_TASKS}, got {task!r}")
        config = copy.deepcopy(analyzer.config)
        labels = config.stance_labels if task == "stance" else config.event_labels
        config.id2label = dict(enumerate(labels))
        config.label2id = {label: i for i, label in enumerate(labels)}
        config.problem_type = "single_label_classification" if task == "stance" else "multi_label_classification"
        model = cls(config, analyzer)
        model.task = task
        return model

    def forward(
        self,
        input_ids: torch.Tensor,
        attention_mask: torch.Tensor | None = None,
        token_type_ids: torch.Tensor | None = None,
        **kwargs: Any,
    ) -> SequenceClassifierOutput:
        """Return ``SequenceClassifierOutput(logits=stance_logits or event_logits)``."""
        output = self._encode(input_ids, attention_mask, token_type_ids)
        return SequenceClassifierOutput(logits=output.stance_logits if self.task == "stance" else output.event_logits)


class _DropUnsupported(logging.Filter):
    """Drop only the pipelines' "model ... is not supported" error about our wrappers."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("The model 'AnalyzerFor")


@contextlib.contextmanager
def _accept_wrappers() -> Iterator[None]:
    # Pipelines check the model class name against the built-in model lists and log an error for
    # any other class; the wrappers implement the task's interface, so that one message is noise.
    logger = logging.getLogger(_PIPELINE_LOGGER)
    log_filter = _DropUnsupported()
    logger.addFilter(log_filter)
    try:
        yield
    finally:
        logger.removeFilter(log_filter)


def pipeline_tokenizer(tokenizer: Any, max_length: int) -> Any:
    """Return a copy of ``tokenizer`` that adds ``[CLS]``/``[SEP]`` and knows ``max_length``.

    The analyzer adds the special tokens itself (:mod:`arabnews_nlp.encoding`); a pipeline relies
    on the tokenizer's post-processor, which a tokenizer trained with ``tokenizers`` may lack.

    Example:
        >>> # tok = pipeline_tokenizer(analyzer.tokenizer, analyzer.settings.max_length)
        >>> # tok("بغداد")["input_ids"]  -> [2, ..., 3]
    """
    from tokenizers import processors

    tokenizer = copy.deepcopy(tokenizer)
    first, last = special_token_ids(tokenizer)
    probe = tokenizer("a")["input_ids"]
    if not probe or probe[0] != first or probe[-1] != last:
        cls_token, sep_token = tokenizer.convert_ids_to_tokens([first, last])
        tokenizer.backend_tokenizer.post_processor = processors.TemplateProcessing(
            single=f"{cls_token} $A {sep_token}",
            pair=f"{cls_token} $A {sep_token} $B:1 {sep_token}:1",
            special_tokens=[(cls_token, first), (sep_token, last)],
        )
    tokenizer.model_max_length = max_length
    return tokenizer


@dataclass
class HFPipelines:
    """The three pipelines over one analyzer model, and the settings to read them.

    Example:
        >>> # pipes = build_pipelines(model, tokenizer, settings); pipes.ner("بغداد")
    """

    ner: Any
    stance: Any
    events: Any
    settings: AnalyzerSettings


def build_pipelines(
    model: AnalyzerModel, tokenizer: Any, settings: AnalyzerSettings, device: str | torch.device | None = None
) -> HFPipelines:
    """Build the token- and text-classification pipelines that share ``model``'s weights.

    Args:
        model: A loaded torch analyzer model (e.g. ``Analyzer.model`` of an analyzer loaded with
            the default ``backend="torch"``).
        tokenizer: Its fast tokenizer.
        settings: Its settings (``max_length``, ``stride``, normalisation, event thresholds).
        device: Where the pipelines run: ``None`` (default) or the model's own device. The
            pipelines share the model's weights, so they run where it is; move it first
            (``analyzer.model.to("cuda")``) to run them elsewhere.

    Returns:
        The pipelines; NER uses ``aggregation_strategy="first"`` and ``stride`` for long sentences.

    Raises:
        ConfigError: If ``model`` is not a torch analyzer model (e.g. one of ``backend="numpy"``),
            or ``device`` is not where it is.

    Example:
        >>> # pipes = build_pipelines(analyzer.model, analyzer.tokenizer, analyzer.settings)
    """
    from transformers import pipeline

    model = require_torch_model(model, "build_pipelines")
    device = _model_device(model, device)

    tok = pipeline_tokenizer(tokenizer, settings.max_length)
    with _accept_wrappers():
        ner = pipeline(
            "token-classification", model=AnalyzerForTokenClassification.from_analyzer(model), tokenizer=tok,
            aggregation_strategy="first", stride=settings.stride, device=device,
        )  # fmt: skip
        stance = pipeline(
            "text-classification", model=AnalyzerForSequenceClassification.from_analyzer(model, "stance"),
            tokenizer=tok, device=device,
        )  # fmt: skip
        events = pipeline(
            "text-classification", model=AnalyzerForSequenceClassification.from_analyzer(model, "events"),
            tokenizer=tok, device=device,
        )  # fmt: skip
    return HFPipelines(ner, stance, events, settings)


def _model_device(model: AnalyzerModel, device: str | torch.device | None) -> torch.device:
    """``model``'s device, which ``device`` must name if given: a pipeline moves its model to its device,
    and the wrappers share the analyzer's weights (a GPU analyzer would silently go to the CPU)."""
    here = model.device
    if device is None:
        return here
    wanted = torch.device(device)
    if wanted.type == here.type and wanted.index is None:
        wanted = here  # "cuda" is the model's GPU
    if wanted != here:
        raise ConfigError(f"build_pipelines(device={str(device)!r}): the pipelines share the analyzer's weights, "
                          f"which are on {here}; leave device=None to run them there, or move the model first "
                          f"(analyzer.model.to({str(wanted)!r}))")  # fmt: skip
    return here


@dataclass(frozen=True)
class PipelineResult:
    """What the three pipelines say about one sentence.

    Attributes:
        entities: ``(start, end, label, score)``, offsets into the sentence given.
        stance: The stance label.
        stance_score: Its probability.
        events: The event types at or above their thresholds.

    Example:
        >>> PipelineResult((), "neutral", 0.9, ()).stance
        'neutral'
    """

    entities: tuple[tuple[int, int, str, float], ...]
    stance: str
    stance_score: float
    events: tuple[str, ...]


def run_pipelines(pipes: HFPipelines, sentences: Sequence[str], batch_size: int = 1) -> list[PipelineResult]:
    """Run the three pipelines over ``sentences`` (each normalised first) and read their outputs.

    Args:
        pipes: From :func:`build_pipelines`.
        sentences: Sentence texts.
        batch_size: The pipelines' ``batch_size`` (1: sentence by sentence, the default of ``pipeline``).

    Returns:
        One result per sentence, entity offsets into that sentence (``[]`` for no sentences).

    Raises:
        TypeError: If ``sentences`` is one string (it would be read character by character).

    Example:
        >>> # run_pipelines(pipes, ["قال السوداني في بغداد."])[0].entities
    """
    if isinstance(sentences, str):
        raise TypeError("run_pipelines takes a list of sentences, got one str; pass [text]")
    if not sentences:  # transformers' pipelines refuse an empty list
        return []
    settings = pipes.settings
    normalized = [normalize(sentence, settings.normalization) for sentence in sentences]
    texts = [item.text for item in normalized]
    ner_out = pipes.ner(texts, batch_size=batch_size)
    stance_out = pipes.stance(texts, batch_size=batch_size, truncation=True)
    event_out = pipes.events(texts, batch_size=batch_size, truncation=True, top_k=None, function_to_apply="sigmoid")
    thresholds = settings.event_thresholds
    results = []
    for item, entities, stance, events in zip(normalized, ner_out, stance_out, event_out):
        spans = tuple(
            (*item.span_to_original(int(e["start"]), int(e["end"])), str(e["entity_group"]), float(e["score"]))
            for e in entities
        )
        top = stance[0] if isinstance(stance, list) else stance
        found = tuple(e["label"] for e in sorted(events, key=lambda e: -e["score"]) if e["score"] >= thresholds.get(e["label"], 0.5))
        results.append(PipelineResult(spans, str(top["label"]), float(top["score"]), found))
    return results
