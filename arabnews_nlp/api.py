"""The analyzer: text in, :class:`~arabnews_nlp.results.Analysis` out.

Orchestration only: each document is split into sentences and encoded as windows, and its
windows' outputs decoded into its analysis, by :mod:`arabnews_nlp.document`; the model runs in
:mod:`arabnews_nlp.forward`, over the windows of the sentences of several documents at once, sorted
by length and run in batches of ``batch_size``, so padding stays small. The encoder's memory is bounded by the batch; what a document keeps until
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
from collections.abc import Iterable, Iterator, Mapping, Sized
from pathlib import Path
from typing import TYPE_CHECKING, Any

from arabnews_nlp.document import Document, assemble, prepare
from arabnews_nlp.errors import ConfigError, InputTypeError, ModelFormatError, TextsTypeError, is_table
from arabnews_nlp.forward import forward
from arabnews_nlp.model_source import MODEL_ENV
from arabnews_nlp.results import Analysis
from arabnews_nlp.settings import AnalyzerSettings
from arabnews_nlp.text.markup import check_markup

if TYPE_CHECKING:
    import torch

    from arabnews_nlp.modeling import AnalyzerModel
    from arabnews_nlp.numpy_model import NumpyAnalyzerModel

BUCKET_BATCHES = 32
"""Windows of this many batches are gathered (across documents) and sorted by length."""


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
        from arabnews_nlp.model_dir import load_analyzer, read_card
        from arabnews_nlp.model_source import resolve_model

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

        Args:
            directory: Where to write (created if missing; existing files are replaced).
            dtype: Dtype of the saved weights: ``torch.float16`` (the default), ``bfloat16``,
                ``float32`` or ``float64``.

        Raises:
            ConfigError: If ``dtype`` is not one of those, or the model is int8 (quantised after
                loading); nothing is written.

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
        group: list[Document] = []
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

    def _prepare(self, text: str, markup: str = "text") -> Document:
        return prepare(text, markup, self.tokenizer, self.settings)

    def _run_group(self, group: list[Document], batch_size: int) -> Iterator[Analysis]:
        windows = [window for document in group for window in document.windows]
        outputs = forward(self.model, self.tokenizer, windows, batch_size)
        offset = 0
        for document in group:
            count = len(document.windows)
            part = outputs.part(slice(offset, offset + count))
            offset += count
            yield assemble(document, part, self.settings)


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
