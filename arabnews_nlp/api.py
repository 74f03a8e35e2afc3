"""The analyzer: text in, :class:`~arabnews_nlp.results.Analysis` out.

Orchestration only: sentences come from :mod:`arabnews_nlp.text.segment`, windows from
:mod:`arabnews_nlp.encoding`, results from the decoders in :mod:`arabnews_nlp.tasks`. Windows of
the sentences of several documents are sorted by length and run in batches of ``batch_size``,
so padding stays small. The encoder's memory is bounded by the batch; what a document keeps until
it is assembled (its windows' outputs, sentences, entities) grows with its length, about 1 GB per
million characters of one text: give a book-length text as its chapters or pages.

Example:
    >>> from arabnews_nlp import Analyzer
    >>> analyzer = Analyzer.from_pretrained(device="cpu")  # doctest: +SKIP
    >>> analyzer.analyze("قال السوداني في بغداد.").to_dict()["sentences"][0]["text"]  # doctest: +SKIP
    'قال السوداني في بغداد.'
"""

from __future__ import annotations

import functools
import itertools
import os
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence, Sized
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from arabnews_nlp import ngram
from arabnews_nlp.encoding import EncodedSpan, Window, collate, encode_span
from arabnews_nlp.errors import ConfigError, InputTypeError, ModelFormatError, TextsTypeError, is_table
from arabnews_nlp.model_dir import MODEL_ENV
from arabnews_nlp.results import Analysis, Entity, SentenceResult
from arabnews_nlp.schema import NEUTRAL
from arabnews_nlp.settings import AnalyzerSettings
from arabnews_nlp.tasks import events, ner, stance
from arabnews_nlp.text.markup import blank_html, check_markup, page_sentences, reference_end
from arabnews_nlp.text.segment import split_sentences

if TYPE_CHECKING:
    import numpy as np
    import torch

    from arabnews_nlp.modeling import AnalyzerModel
    from arabnews_nlp.numpy_model import NumpyAnalyzerModel

BUCKET_BATCHES = 32
"""Windows of this many batches are gathered (across documents) and sorted by length."""


@dataclass
class _Outputs:
    """Per window, its logits (NumPy ``float32``, padding removed)."""

    ner: list[np.ndarray]
    stance: list[np.ndarray]
    events: list[np.ndarray]


@dataclass
class _Document:
    text: str  # the caller's string
    spans: list[EncodedSpan]
    view: str  # what is analysed: ``text``, or its markup blanked (same length, same offsets)
    markup: str = "text"

    @property
    def windows(self) -> list[Window]:
        return [window for span in self.spans for window in span.windows]


class Analyzer:
    """Entities, stance and events of Arabic news text, with one multi-task model.

    Args:
        model: An :class:`~arabnews_nlp.modeling.AnalyzerModel` (in eval mode), or its torch-free
            twin :class:`~arabnews_nlp.numpy_model.NumpyAnalyzerModel`.
        tokenizer: Its fast tokenizer.
        settings: Its settings.
        card: The model card (``README.md``) it was loaded with, if any; :meth:`save_pretrained`
            keeps it while ``settings`` are unchanged.

    Example:
        >>> analyzer = Analyzer.from_pretrained(device="cpu")  # doctest: +SKIP
        >>> [a.stance.label for a in analyzer.pipe(["نص أول.", "نص ثان."])]  # doctest: +SKIP
        ['neutral', 'neutral']
    """

    def __init__(
        self,
        model: AnalyzerModel | NumpyAnalyzerModel,
        tokenizer: Any,
        settings: AnalyzerSettings,
        card: str | None = None,
    ) -> None:
        positions = _max_positions(model)
        if positions is not None and settings.max_length > positions:
            raise ModelFormatError(
                f"settings max_length {settings.max_length} exceeds the encoder's "
                f"max_position_embeddings {positions}; lower max_length in arabnews_nlp.json"
            )
        self.model = model
        self.tokenizer = tokenizer
        self.settings = settings
        self._card = card
        self._card_settings = settings.to_dict()  # what the card describes

    @classmethod
    def from_pretrained(
        cls,
        path_or_id: str | os.PathLike[str] | None = None,
        device: str | torch.device | None = "auto",
        quantize: bool = False,
        backend: str = "torch",
    ) -> Analyzer:
        """Load an analyzer from a model directory or hub id.

        Args:
            path_or_id: A local model directory, a Hugging Face hub id, or ``None`` for
                ``$ARABNEWS_NLP_MODEL`` or else the bundled default model.
            device: ``"auto"`` (GPU when available), ``"cpu"``, ``"cuda"`` or ``"cuda:N"``.
            quantize: Apply dynamic int8 quantisation to the encoder's linear layers (CPU only;
                about 2x faster, see docs/performance.md for the accuracy change). Activations are
                quantised per forward pass, so int8 scores (rarely labels) depend on which windows
                share a batch; ``batch_size=1`` makes each window's result its own.
            backend: ``"torch"``, or ``"numpy"`` for the torch-free CPU path (same outputs; it
                neither imports torch nor transformers, so a script starts in well under a second).

        Raises:
            ModelNotFoundError, ModelFormatError, LabelMismatchError, DeviceError, ConfigError:
                See :func:`arabnews_nlp.model_dir.load_analyzer`.

        Example:
            >>> analyzer = Analyzer.from_pretrained(device="cpu")  # doctest: +SKIP
        """
        from arabnews_nlp.model_dir import load_analyzer, read_card, resolve_model

        if not isinstance(quantize, bool):  # "no" or "false" would quantise
            raise ConfigError(f"quantize must be True or False, got {quantize!r}")
        if quantize and backend != "torch":
            raise ConfigError(f"quantize=True needs backend='torch', got backend={backend!r}")
        if quantize and str(device) not in ("auto", "cpu", "None"):
            raise ConfigError(f"quantize=True runs on the CPU (dynamic int8), but device={str(device)!r} was asked for: "
                              "pass device='cpu' (or 'auto') with quantize, or drop quantize to run on the GPU")  # fmt: skip
        directory = resolve_model(path_or_id)
        model, tokenizer, settings = load_analyzer(directory, device="cpu" if quantize else device, backend=backend)
        if quantize:
            from arabnews_nlp.modeling import require_torch_model
            from arabnews_nlp.quantize import quantize_dynamic

            quantize_dynamic(require_torch_model(model, "quantize=True"), inplace=True)
        return cls(model, tokenizer, settings, card=read_card(directory))

    def save_pretrained(self, directory: str | os.PathLike[str], dtype: torch.dtype | None = None) -> Path:
        """Save the analyzer as a model directory (see :func:`arabnews_nlp.model_dir.save_analyzer`).

        The model card it was loaded with (how it was trained, its scores) is kept while
        ``settings`` are unchanged; once they change (thresholds, say), the card would describe
        another model, so a new one is written from the settings.

        Example:
            >>> analyzer.save_pretrained("my-model")  # doctest: +SKIP
            PosixPath('my-model')
        """
        from arabnews_nlp.model_dir import save_analyzer
        from arabnews_nlp.modeling import require_torch_model

        model = require_torch_model(self.model, "save_pretrained")
        return save_analyzer(directory, model, self.tokenizer, self.settings, dtype=dtype, card=self.card)

    @property
    def card(self) -> str | None:
        """The model card (``README.md``) it was loaded with; ``None`` once ``settings`` have changed."""
        return self._card if self.settings.to_dict() == self._card_settings else None

    @property
    def device(self) -> torch.device | str:
        """The device the model runs on (``"cpu"`` for the numpy backend)."""
        return self.model.device

    def analyze(self, text: str, markup: str = "text") -> Analysis:
        """Analyse one document.

        Args:
            text: The raw text; offsets in the result index this string.
            markup: ``"text"``, or ``"html"`` for a web page: comments and scripts are read as
                whitespace, block tags as line breaks, inline tags as word joiners and character
                references as their characters, and every offset still indexes ``text``, the HTML
                itself (:func:`arabnews_nlp.text.markup.blank_html`).

        Returns:
            Its analysis; an empty, neutral analysis for empty or whitespace-only text (or a page
            without text).

        Raises:
            InputTypeError: If ``text`` is not a ``str``.
            ConfigError: If ``markup`` is not ``"text"`` or ``"html"``.

        Example:
            >>> analyzer.analyze("").to_dict()["sentences"]  # doctest: +SKIP
            []
        """
        if not isinstance(text, str):
            raise InputTypeError(text)
        return next(self.pipe([text], markup=markup))

    def pipe(
        self, texts: Iterable[str], batch_size: int = 32, progress: bool = False, markup: str = "text"
    ) -> Iterator[Analysis]:
        """Analyse many documents, batching sentence windows across them.

        Args:
            texts: The documents (any iterable of ``str``, consumed lazily).
            batch_size: Windows per forward pass.
            progress: Show a progress bar (tqdm, on stderr).
            markup: ``"text"`` or ``"html"``, for every document (see :meth:`analyze`).

        Yields:
            One analysis per text, in input order; the same results as :meth:`analyze` (labels,
            offsets, holders and events; scores agree to about 1e-7, as padding in a batch
            changes the order of float sums).

        Raises:
            TextsTypeError: If ``texts`` is a single ``str`` or a mapping (whose iteration gives
                its keys).
            InputTypeError: When a non-``str`` item is reached, after the analyses of the items
                before it (as when the iterable itself raises).
            ConfigError: If ``batch_size`` is not a positive int, or ``markup`` is not ``"text"``
                or ``"html"``.

        Example:
            >>> [a.text for a in analyzer.pipe(["أ", "ب"], batch_size=2)]  # doctest: +SKIP
            ['أ', 'ب']
        """
        if isinstance(texts, (str, bytes, Mapping)) or not isinstance(texts, Iterable) or is_table(texts):
            raise TextsTypeError(texts)
        if not isinstance(batch_size, int) or isinstance(batch_size, bool) or batch_size < 1:
            raise ConfigError(f"batch_size must be a positive int, got {batch_size!r}")
        check_markup(markup)
        if markup == "html" and not self.settings.normalization.remove_invisible:
            raise ConfigError("markup='html' reads inline tags as word joiners, which this model keeps (its "
                              "normalization has remove_invisible: false); blank the markup yourself or use a model "
                              "that removes invisible characters")  # fmt: skip
        results = self._pipe(texts, batch_size, markup)
        if progress:
            from tqdm.auto import tqdm

            total = len(texts) if isinstance(texts, Sized) else None  # a pandas Series, an array, dict values
            results = iter(tqdm(results, total=total, unit="doc", desc="arabnews-nlp"))
        return results

    def _pipe(self, texts: Iterable[str], batch_size: int, markup: str) -> Iterator[Analysis]:
        budget = batch_size * BUCKET_BATCHES
        group: list[_Document] = []
        size = 0
        items = iter(texts)
        for index in itertools.count():
            try:
                text = next(items)
            except StopIteration:
                break
            except Exception:  # the input failed (a bad line of a file, say): what came before it is analysed first
                yield from self._run_group(group, batch_size)
                raise
            if not isinstance(text, str):
                yield from self._run_group(group, batch_size)
                raise InputTypeError(text, what=f"texts[{index}]")
            document = self._prepare(text, markup)
            group.append(document)
            size += len(document.windows)
            if size >= budget:
                yield from self._run_group(group, batch_size)
                group, size = [], 0
        yield from self._run_group(group, batch_size)

    def _prepare(self, text: str, markup: str = "text") -> _Document:
        view = blank_html(text) if markup == "html" else text
        if not view.strip():
            return _Document(text, [], view, markup)
        sentences = page_sentences(view) if markup == "html" else split_sentences(view)
        spans = [encode_span(view, s, e, self.tokenizer, self.settings) for s, e in sentences]
        return _Document(text, spans, view, markup)

    def _run_group(self, group: list[_Document], batch_size: int) -> Iterator[Analysis]:
        windows = [window for document in group for window in document.windows]
        outputs = self._forward(windows, batch_size)
        offset = 0
        for document in group:
            count = len(document.windows)
            window_slice = slice(offset, offset + count)
            part = _Outputs(outputs.ner[window_slice], outputs.stance[window_slice], outputs.events[window_slice])
            offset += count
            yield self._assemble(document, part)

    def _forward(self, windows: Sequence[Window], batch_size: int) -> _Outputs:
        """Run the model over ``windows`` in length-sorted batches; outputs in input order."""
        order = sorted(range(len(windows)), key=lambda i: len(windows[i].input_ids))
        ner_out: list[Any] = [None] * len(windows)
        stance_out: list[Any] = [None] * len(windows)
        event_out: list[Any] = [None] * len(windows)
        pad = self.tokenizer.pad_token_id if self.tokenizer.pad_token_id is not None else 0
        batches = [order[first : first + batch_size] for first in range(0, len(order), batch_size)]
        run = self._run_numpy if getattr(self.model, "backend", "torch") == "numpy" else self._run_torch
        for indices, (ner_logits, stance_logits, event_logits) in zip(batches, run(windows, batches, pad)):
            for row, i in enumerate(indices):
                ner_out[i] = ner_logits[row, : len(windows[i].input_ids)]
                stance_out[i] = stance_logits[row]
                event_out[i] = event_logits[row]
        return _Outputs(ner_out, stance_out, event_out)

    def _run_torch(self, windows: Sequence[Window], batches: list[list[int]], pad: int) -> Iterator[tuple[np.ndarray, ...]]:
        import torch

        from arabnews_nlp.modeling import require_torch_model

        model = require_torch_model(self.model, "the torch backend")
        with torch.inference_mode():
            for indices in batches:
                batch = {k: v.to(model.device) for k, v in collate([windows[i] for i in indices], pad).items()}
                output = model(**batch)
                yield tuple(
                    logits.float().cpu().numpy()
                    for logits in (output.ner_logits, output.stance_logits, output.event_logits)
                )

    def _run_numpy(self, windows: Sequence[Window], batches: list[list[int]], pad: int) -> Iterator[tuple[np.ndarray, ...]]:
        for indices in batches:
            output = self.model(**collate([windows[i] for i in indices], pad, return_tensors="np"))
            yield output.ner_logits, output.stance_logits, output.event_logits

    def _assemble(self, document: _Document, outputs: _Outputs) -> Analysis:
        """Decode every sentence of ``document`` and combine them."""
        if not document.spans:
            return Analysis.empty(document.text, document.markup)
        text, settings = document.view, self.settings
        sentences: list[SentenceResult] = []
        probabilities: list[list[float]] = []
        reported: list[bool] = []
        linear = ngram.predict_spans(settings.ngram_model, [text] * len(document.spans), document.spans)
        offset = 0
        for span, extra in zip(document.spans, linear):
            n = len(span.windows)
            window_slice = slice(offset, offset + n)
            offset += n
            entities = ner.decode(text, span, outputs.ner[window_slice], settings, ngram=extra.tags)
            sentence_stance = stance.decode(
                text, span, outputs.stance[window_slice], settings, entities=entities, ngram=extra.stance
            )
            found = events.decode(text, span, outputs.events[window_slice], settings, ngram=extra.events)
            if n:
                probabilities.append(stance.sentence_probabilities(outputs.stance[window_slice], settings, extra.stance))
                reported.append(sentence_stance.label != NEUTRAL and stance.is_reported(text, span.words, entities))
            sentences.append(
                SentenceResult(span.start, span.end, text[span.start : span.end], sentence_stance, found, entities)
            )
        if text is not document.text:
            sentences = [_source_text(sentence, document.text, text) for sentence in sentences]
        return Analysis(
            text=document.text,
            stance=stance.document_stance(probabilities, settings, reported),
            entities=tuple(entity for sentence in sentences for entity in sentence.entities),
            sentences=tuple(sentences),
            markup=document.markup,
        )


def _source_text(sentence: SentenceResult, source: str, view: str) -> SentenceResult:
    """``sentence`` of ``view`` (the blanked ``source``) with its spans and ``text`` fields in ``source``.

    The offsets are those of the view, except an end on a decoded character reference, which
    moves past the rest of the reference.
    """

    def entity(found: Entity) -> Entity:
        end = reference_end(source, view, found.end)
        return replace(found, end=end, text=source[found.start : end])

    holder = sentence.stance.holder
    end = reference_end(source, view, sentence.end)
    return replace(
        sentence,
        end=end,
        text=source[sentence.start : end],
        stance=replace(sentence.stance, holder=entity(holder)) if holder is not None else sentence.stance,
        entities=tuple(entity(found) for found in sentence.entities),
    )


def _max_positions(model: Any) -> int | None:
    """The encoder's ``max_position_embeddings`` (a dict config for the numpy backend)."""
    if isinstance(model.config, dict):
        value = model.config["encoder"].get("max_position_embeddings")
        return int(value) if value is not None else None
    return getattr(model.config.encoder, "max_position_embeddings", None)


_DEFAULT_LOCK = threading.Lock()


@functools.lru_cache(maxsize=1)
def _cached_analyzer(model: str | None) -> Analyzer:
    return Analyzer.from_pretrained(model)


def _default_analyzer(model: str | None) -> Analyzer:
    """The analyzer of :func:`analyze`: loaded once, even when threads ask for it at the same time."""
    with _DEFAULT_LOCK:
        return _cached_analyzer(model)


def analyze(text: str, markup: str = "text", model: str | os.PathLike[str] | None = None) -> Analysis:
    """Analyse one document with the default analyzer, or ``model`` (loaded once, then reused).

    The model is ``model`` when given, else ``$ARABNEWS_NLP_MODEL`` (read at each call), else the
    bundled default; it runs on the GPU when one is available. The last model used stays loaded;
    for several models at once, a device or a batch, use :meth:`Analyzer.from_pretrained` and
    :meth:`Analyzer.pipe`.

    Args:
        text: The raw text.
        markup: ``"text"``, or ``"html"`` for a web page (see :meth:`Analyzer.analyze`).
        model: A model directory (yours, e.g. from ``python -m training finetune``) or a hub id.

    Returns:
        Its analysis.

    Raises:
        InputTypeError: If ``text`` is not a ``str``.
        ConfigError: If ``markup`` is not ``"text"`` or ``"html"``.
        ModelNotFoundError, ModelFormatError: If ``model`` is not a usable model.

    Example:
        >>> from arabnews_nlp import analyze
        >>> analysis = analyze("قال السوداني إن القوات الأميركية يجب أن تغادر العراق.")  # doctest: +SKIP
        >>> analysis.sentences[0].stance.label, analysis.stance.label  # doctest: +SKIP
        ('anti', 'neutral')
        >>> analyze("قال السوداني إن القوات الأميركية ستغادر.", model="models/mine")  # doctest: +SKIP
    """
    if not isinstance(text, str):
        raise InputTypeError(text)
    check_markup(markup)
    name = (os.fspath(model) if model else os.environ.get(MODEL_ENV)) or None  # "" is no model, as in from_pretrained
    if name is not None and Path(name).expanduser().is_dir():
        name = str(Path(name).expanduser().resolve())  # one analyzer per directory, whatever the working directory
    return _default_analyzer(name).analyze(text, markup)
