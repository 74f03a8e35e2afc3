"""Model directories: load and save an analyzer (model, tokenizer, settings, card).

A model directory is a plain Hugging Face folder plus our settings (the files are listed in
:mod:`arabnews_nlp.model_checks`, which validates them). Which directory is loaded is
:func:`arabnews_nlp.model_source.resolve_model`'s choice: an explicit local directory, a Hugging
Face hub id, ``$ARABNEWS_NLP_MODEL`` or the bundled default. Loading refuses pickle weights and
never runs remote code.

Example:
    >>> # model, tokenizer, settings = load_analyzer("models/default", device="cpu")
    >>> # save_analyzer("my-model", model, tokenizer, settings)
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import platform
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from arabnews_nlp.errors import ConfigError, ModelFormatError
from arabnews_nlp.model_checks import check_model_dir, load_config
from arabnews_nlp.model_source import resolve_model
from arabnews_nlp.settings import AnalyzerSettings

if TYPE_CHECKING:
    import torch

    from arabnews_nlp.modeling import AnalyzerModel
    from arabnews_nlp.numpy_model import NumpyAnalyzerModel

BACKENDS = ("torch", "numpy")
"""Inference backends: torch (any device, any encoder) or numpy (CPU, BERT encoders, no torch import)."""


@contextlib.contextmanager
def _quiet_progress() -> Iterator[None]:
    """Hide transformers' weight loading/saving progress bars (a library does not print)."""
    from transformers.utils import logging as hf_logging

    enabled = hf_logging.is_progress_bar_enabled()
    hf_logging.disable_progress_bar()
    try:
        yield
    finally:
        if enabled:
            hf_logging.enable_progress_bar()


def read_card(directory: str | os.PathLike[str]) -> str | None:
    """The model card (``README.md``) of a model directory, or ``None`` when it has none.

    Example:
        >>> read_card("/no/such/model") is None
        True
    """
    card = Path(directory) / "README.md"
    try:
        return card.read_text(encoding="utf-8") if card.is_file() else None
    except (OSError, UnicodeDecodeError):  # a card is documentation: an unreadable one is no reason not to load
        return None


def load_analyzer(
    path_or_id: str | os.PathLike[str] | None = None,
    device: str | torch.device | None = "auto",
    dtype: torch.dtype | None = None,
    backend: str = "torch",
) -> tuple[AnalyzerModel | NumpyAnalyzerModel, Any, AnalyzerSettings]:
    """Load an analyzer model, its tokenizer and settings, after validating the directory.

    Args:
        path_or_id: See :func:`resolve_model`.
        device: ``"auto"``, ``"cpu"``, ``"cuda"`` or ``"cuda:N"``.
        dtype: Weight dtype; by default ``float16`` on GPUs and ``float32`` on CPU.
        backend: ``"torch"`` (an :class:`~arabnews_nlp.modeling.AnalyzerModel` and a transformers
            tokenizer) or ``"numpy"`` (:class:`~arabnews_nlp.numpy_model.NumpyAnalyzerModel` and
            :class:`~arabnews_nlp.fast_tokenizer.FastTokenizer`: CPU only, ``float32``, neither
            torch nor transformers imported).

    Returns:
        ``(model, tokenizer, settings)``, the model in eval mode on ``device``.

    Raises:
        ModelNotFoundError: If no model directory can be found.
        ModelFormatError: If a file is missing or the weights are pickle only.
        LabelMismatchError: If the labels differ from this schema version.
        DeviceError: If the device is unknown or unavailable.
        ConfigError: If ``backend`` is unknown, or ``numpy`` is asked for a GPU or a dtype.

    Example:
        >>> # model, tokenizer, settings = load_analyzer("models/default", device="cpu")
    """
    if backend not in BACKENDS:
        raise ConfigError(f"backend must be one of {BACKENDS}, got {backend!r}")
    if backend == "numpy":
        _check_numpy_options(device, dtype)
    else:
        from arabnews_nlp.device import resolve_device

        target = resolve_device(device)
    directory = resolve_model(path_or_id)
    check_model_dir(directory)
    settings = AnalyzerSettings.load(directory)
    settings.check_labels()
    if backend == "numpy":
        from arabnews_nlp.fast_tokenizer import FastTokenizer
        from arabnews_nlp.numpy_model import NumpyAnalyzerModel

        return NumpyAnalyzerModel.from_pretrained(directory), FastTokenizer.from_directory(directory), settings
    from transformers import AutoTokenizer

    from arabnews_nlp.device import inference_dtype
    from arabnews_nlp.modeling import AnalyzerModel

    config = load_config(directory)
    from arabnews_nlp.weights_file import damaged_weights_named

    with _quiet_progress(), damaged_weights_named(directory / "model.safetensors"):
        model = AnalyzerModel.from_pretrained(
            str(directory), config=config, use_safetensors=True, dtype=dtype or inference_dtype(target)
        )
    # Passing the config keeps AutoTokenizer from reading config.json a second time.
    tokenizer = AutoTokenizer.from_pretrained(str(directory), config=config, trust_remote_code=False)
    if not getattr(tokenizer, "is_fast", False):
        raise ModelFormatError(f"{directory} holds a slow tokenizer; arabnews-nlp needs tokenizer.json (fast)")
    model.to(target)  # type: ignore[arg-type]  # transformers wraps .to() with a decorator mypy misreads
    model.eval()
    return model, tokenizer, settings


def _check_numpy_options(device: Any, dtype: Any) -> None:
    if device not in (None, "auto", "cpu") and str(device) != "cpu":
        raise ConfigError(f"the numpy backend runs on the CPU only, got device={device!r}; use backend='torch' for GPUs")
    if dtype is not None:
        raise ConfigError(f"the numpy backend computes in float32, got dtype={dtype!r}; use backend='torch' for other dtypes")


def library_versions() -> dict[str, str]:
    """Return the versions of arabnews-nlp, Python, torch, transformers and tokenizers.

    Example:
        >>> sorted(library_versions())[:2]
        ['arabnews_nlp', 'python']
    """
    import tokenizers
    import torch
    import transformers

    from arabnews_nlp import __version__

    return {
        "arabnews_nlp": __version__,
        "python": platform.python_version(),
        "torch": torch.__version__,
        "transformers": transformers.__version__,
        "tokenizers": tokenizers.__version__,
    }


_LOAD_FLAGS = ("local_files_only", "is_local")
"""How the saving session loaded the tokenizer (``HF_HUB_OFFLINE``, a local path), not the model's."""


def save_tokenizer(tokenizer: Any, directory: str | os.PathLike[str]) -> None:
    """Save ``tokenizer`` with ``save_pretrained``, without the flags of the call that loaded it.

    transformers writes back ``local_files_only`` (set under ``HF_HUB_OFFLINE=1``) and
    ``is_local`` (a local path) into ``tokenizer_config.json``: how the saving session loaded the
    tokenizer, not part of the model, so two saves of one model would differ.

    Args:
        tokenizer: A transformers tokenizer.
        directory: Where to write (created if missing).
    """
    tokenizer.save_pretrained(str(directory))
    path = Path(directory) / "tokenizer_config.json"
    fields = json.loads(path.read_text(encoding="utf-8"))
    if any(flag in fields for flag in _LOAD_FLAGS):
        for flag in _LOAD_FLAGS:
            fields.pop(flag, None)
        path.write_text(json.dumps(fields, indent=2, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")


def save_analyzer(
    directory: str | os.PathLike[str],
    model: AnalyzerModel,
    tokenizer: Any,
    settings: AnalyzerSettings,
    dtype: torch.dtype | None = None,
    card: str | None = None,
) -> Path:
    """Write a model directory: config, safetensors weights, tokenizer, settings, model card.

    Args:
        directory: Where to write (created if missing; existing files are replaced).
        model: The analyzer model (left unchanged).
        tokenizer: Its fast tokenizer.
        settings: Its settings; ``versions`` is filled with the current library versions.
        dtype: Floating-point dtype of the saved weights (``torch.float16``, the default,
            ``bfloat16``, ``float32`` or ``float64``).
        card: The ``README.md`` text; by default one rendered from ``settings``.

    Returns:
        The directory.

    Raises:
        ConfigError: If ``model`` is int8 (quantised after loading): its weights cannot be saved;
            or if ``dtype`` is not one of the float dtypes above.

    Example:
        >>> # save_analyzer("my-model", model, tokenizer, settings, dtype=torch.float32)
    """
    import torch

    from arabnews_nlp.model_card import render_model_card
    from arabnews_nlp.quantize import is_quantized

    saved_dtypes = (torch.float16, torch.bfloat16, torch.float32, torch.float64)
    if dtype is not None and dtype not in saved_dtypes:  # int8 would round every weight to an integer
        raise ConfigError(f"dtype must be one of torch.float16 (the default), torch.bfloat16, torch.float32 or "
                          f"torch.float64, got {dtype!r}; for int8, save the float model and load it with "
                          "Analyzer.from_pretrained(path, quantize=True)")  # fmt: skip
    if is_quantized(model):
        raise ConfigError("an int8 (quantised) model cannot be saved: save the float model (loaded without "
                          "quantize) and quantise after loading, with Analyzer.from_pretrained(path, quantize=True)")  # fmt: skip
    path = Path(directory)
    path.mkdir(parents=True, exist_ok=True)
    target = dtype or torch.float16
    state = {
        name: tensor.detach().to(target) if tensor.is_floating_point() else tensor.detach()
        for name, tensor in model.state_dict().items()
    }
    with _quiet_progress():
        model.save_pretrained(str(path), state_dict=state)
    config_path = path / "config.json"  # save_pretrained records the model's dtype, not the saved weights'
    fields = json.loads(config_path.read_text(encoding="utf-8"))
    fields["dtype"] = str(target).removeprefix("torch.")
    config_path.write_text(json.dumps(fields, indent=2, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")
    previous = tokenizer.model_max_length
    tokenizer.model_max_length = settings.max_length  # the encoder's positions, not the tokenizer's 512
    try:
        save_tokenizer(tokenizer, path)
    finally:
        tokenizer.model_max_length = previous
    saved = dataclasses.replace(settings, versions=library_versions())
    saved.save(path)
    (path / "README.md").write_text(card if card is not None else render_model_card(saved), encoding="utf-8")
    mode = (path / "config.json").stat().st_mode & 0o777  # written by open(): 0666 less the umask
    for weights in path.glob("*.safetensors"):
        os.chmod(weights, mode)  # safetensors writes 0600, unreadable to others on a shared server
    return path
