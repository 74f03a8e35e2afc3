"""Model directories: resolve, validate, save and load.

A model directory is a plain Hugging Face folder plus our settings: ``config.json``
(:class:`~arabnews_nlp.modeling.AnalyzerConfig`), ``model.safetensors``, ``tokenizer.json`` and
``tokenizer_config.json`` (a fast tokenizer), ``arabnews_nlp.json``
(:class:`~arabnews_nlp.settings.AnalyzerSettings`) and a ``README.md`` model card.

Which model is used (:func:`resolve_model`): an explicit local directory; else a Hugging Face hub
id (only the safetensors, JSON and text files are downloaded); else the directory in the
``ARABNEWS_NLP_MODEL`` environment variable (read at call time); else the bundled default model
(``arabnews_nlp/_bundled/default`` in an installed wheel, ``models/default`` in a source
checkout). Loading refuses pickle weights and never runs remote code.

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
import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from arabnews_nlp.errors import ConfigError, ModelFormatError, ModelNotFoundError
from arabnews_nlp.schema import EVENT_TYPES, NER_TAGS, SCHEMA_VERSION, STANCE_LABELS, check_labels
from arabnews_nlp.settings import SETTINGS_FILE, AnalyzerSettings

if TYPE_CHECKING:
    import torch

    from arabnews_nlp.modeling import AnalyzerModel
    from arabnews_nlp.numpy_model import NumpyAnalyzerModel

MODEL_ENV = "ARABNEWS_NLP_MODEL"
"""Environment variable naming the default model (a directory or hub id), read at call time."""

BACKENDS = ("torch", "numpy")
"""Inference backends: torch (any device, any encoder) or numpy (CPU, BERT encoders, no torch import)."""
WEIGHTS_FILE = "model.safetensors"
PICKLE_SUFFIXES = (".bin", ".pt", ".pth", ".ckpt")
REQUIRED_FILES = {
    "config.json": "save the model with save_analyzer() or model.save_pretrained(directory)",
    "tokenizer.json": "save a fast tokenizer with tokenizer.save_pretrained(directory)",
    "tokenizer_config.json": "save a fast tokenizer with tokenizer.save_pretrained(directory)",
    SETTINGS_FILE: "save the model with arabnews_nlp.model_dir.save_analyzer (or Analyzer.save_pretrained)",
}
_HUB_ID = re.compile(r"^[A-Za-z0-9][\w.-]*(/[A-Za-z0-9][\w.-]*)?$")
_HUB_PATTERNS = ["*.json", "*.safetensors", "*.txt", "*.md"]


def bundled_model_dir() -> Path | None:
    """Return the bundled default model directory, or ``None`` when there is none.

    Example:
        >>> path = bundled_model_dir()
        >>> path is None or (path / "config.json").is_file()
        True
    """
    package = Path(__file__).resolve().parent
    for candidate in (package / "_bundled" / "default", package.parent / "models" / "default"):
        if (candidate / "config.json").is_file():
            return candidate
    return None


def is_hub_id(name: str) -> bool:
    """Whether ``name`` has the form of a Hugging Face hub id (``owner/name`` or ``name``), not a path.

    Example:
        >>> is_hub_id("aubmindlab/bert-base-arabertv02"), is_hub_id("../runs/encoder"), is_hub_id("/abs/dir")
        (True, False, False)
    """
    return bool(_HUB_ID.match(name)) and not name.startswith((".", "~")) and not os.path.isabs(name)


def resolve_model(path_or_id: str | os.PathLike[str] | None = None) -> Path:
    """Return the local directory of the model to load (downloading a hub id if needed).

    Args:
        path_or_id: A local directory, a Hugging Face hub id, or ``None`` for
            ``$ARABNEWS_NLP_MODEL`` or else the bundled default.

    Raises:
        ModelNotFoundError: If nothing can be found.

    Example:
        >>> resolve_model(bundled_model_dir()).name  # doctest: +SKIP
        'default'
    """
    if path_or_id is None or str(path_or_id) == "":
        from_env = os.environ.get(MODEL_ENV, "").strip()
        if from_env:
            try:
                return resolve_model(from_env)
            except ModelNotFoundError as error:  # say where the path came from, and how to get the default back
                raise ModelNotFoundError(f"{error} [from ${MODEL_ENV}; unset it to use the bundled default model]") from error
        bundled = bundled_model_dir()
        if bundled is None:
            raise ModelNotFoundError(
                "no model given and no bundled default model found; pass a model directory "
                f"(Analyzer.from_pretrained('path/to/model')) or set {MODEL_ENV}"
            )
        return bundled
    path = Path(path_or_id).expanduser()
    if path.exists():
        if not path.is_dir():
            raise ModelNotFoundError(f"{path} is a file; a model is a directory (config.json, {WEIGHTS_FILE}, ...)")
        return path
    name = str(path_or_id)
    if not is_hub_id(name):
        raise ModelNotFoundError(f"model directory {name!r} does not exist; check the path (or set {MODEL_ENV})")
    return _download(name)


def _download(repo_id: str) -> Path:
    try:
        from huggingface_hub import snapshot_download

        return Path(snapshot_download(repo_id, allow_patterns=_HUB_PATTERNS))
    except Exception as error:  # hub errors have many types (offline, not found, gated)
        detail = (str(error).strip().splitlines() or [""])[0]
        raise ModelNotFoundError(
            f"{repo_id!r} is neither a local directory nor a downloadable Hugging Face model "
            f"({type(error).__name__}: {detail}); pass an existing directory"
        ) from error


RUN_CONFIG_FILE = "finetune_config.json"
"""The config a fine-tuning run keeps in its run directory, written before its first checkpoint
(``training.run_dir.write_run_config``; ``--resume`` compares against it)."""


def training_run_of(directory: Path) -> str | None:
    """Say what ``directory`` is when it is a fine-tuning run's folder or checkpoint, and where its model goes.

    Read from file names only (``trainer_state.json`` in a checkpoint, ``finetune_config.json``
    or ``checkpoint-*`` folders in a run directory): inference does not import the training code.

    Example:
        >>> import tempfile
        >>> run = Path(tempfile.mkdtemp())
        >>> _ = (run / "finetune_config.json").write_text('{"output_dir": "models/mine"}')
        >>> training_run_of(run)[:44]
        "a fine-tuning run's folder (its checkpoints,"
    """
    if (directory / "trainer_state.json").is_file():
        what, run = "a training checkpoint", directory.parent
    elif (directory / RUN_CONFIG_FILE).is_file() or any(directory.glob("checkpoint-*")):
        what, run = "a fine-tuning run's folder (its checkpoints, logs and scores)", directory
    else:
        return None
    try:
        output = json.loads((run / RUN_CONFIG_FILE).read_text(encoding="utf-8")).get("output_dir")
    except (OSError, ValueError, AttributeError):
        output = None
    where = f"to {output!r} (output_dir in {run / RUN_CONFIG_FILE})" if isinstance(output, str) else "to the run's output_dir"
    return (f"{what}: the model is saved {where} when the run finishes; load that directory, or finish an "
            "interrupted run with the same python -m training finetune command and --resume")  # fmt: skip


REMOTE_CODE_KEYS = ("auto_map", "trust_remote_code")
"""Keys of ``config.json`` / ``tokenizer_config.json`` that ask transformers to run code shipped with a model."""


def refuse_remote_code(directory: Path) -> None:
    """Refuse a directory whose ``config.json`` or ``tokenizer_config.json`` asks to run its own code.

    transformers would ask on stdin whether to run such code (and run it on ``y``); arabnews-nlp
    never runs a model's code (``trust_remote_code``), so such a directory is refused before
    anything reads it. A file that is not a JSON object is left to the reader that needs it.

    Raises:
        ModelFormatError: Naming the file and the key (``auto_map``, ``trust_remote_code``).

    Example:
        >>> refuse_remote_code(Path("no-such-directory"))  # nothing to refuse
    """
    for name in ("config.json", "tokenizer_config.json"):
        path = directory / name
        try:
            fields = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if not isinstance(fields, dict):
            continue
        encoder = fields.get("encoder")
        nested: dict[str, Any] = encoder if isinstance(encoder, dict) else {}  # an analyzer's encoder config
        for where, part in (("", fields), ("encoder.", nested)):
            for key in REMOTE_CODE_KEYS:
                if key in part:
                    raise ModelFormatError(
                        f"{path} has {where + key!r} ({json.dumps(part[key], ensure_ascii=False)[:120]}): it asks "
                        "to run Python code shipped with the model, which arabnews-nlp never does (no "
                        "trust_remote_code). Remove the key if the model is a standard architecture; otherwise it "
                        "cannot be used here"
                    )


@contextlib.contextmanager
def no_remote_code(name_or_path: str | os.PathLike[str]) -> Iterator[None]:
    """Load ``name_or_path`` (a directory or a hub id) inside, with ``trust_remote_code=False``.

    A local directory is checked first (:func:`refuse_remote_code`); for a hub id, transformers'
    own refusal of a model that needs its code becomes a :class:`ModelFormatError`.

    Raises:
        ModelFormatError: If the model asks to run its own code.
    """
    refuse_remote_code(Path(name_or_path))
    try:
        yield
    except ValueError as error:
        if "trust_remote_code" not in str(error):
            raise
        raise ModelFormatError(f"{name_or_path} needs its own Python code (trust_remote_code), which arabnews-nlp "
                               "never runs; choose a standard BERT-style model") from error  # fmt: skip


def _check_model_type(path: Path) -> None:
    """Refuse a ``config.json`` that is not a JSON object or not an analyzer's."""
    from arabnews_nlp.modeling import AnalyzerConfig

    try:
        model_type = json.loads(path.read_text(encoding="utf-8")).get("model_type")
    except (json.JSONDecodeError, AttributeError, UnicodeDecodeError) as error:
        raise ModelFormatError(f"{path} is not a JSON object: {error}") from error
    if model_type != AnalyzerConfig.model_type:
        raise ModelFormatError(
            f"{path} has model_type {model_type!r}, not {AnalyzerConfig.model_type!r}: this is not an "
            "arabnews-nlp analyzer (a plain encoder must be fine-tuned first: python -m training finetune)"
        )


def check_model_dir(directory: Path) -> None:
    """Check that ``directory`` holds every file of a model directory, with safetensors weights.

    Raises:
        ModelNotFoundError: If ``directory`` does not exist.
        ModelFormatError: If a file is missing, naming it and how to fix it; if the weights are
            only pickle files (``*.bin``, ``*.pt``, ``*.pth``, ``*.ckpt``); if its config is
            another model type's (a plain encoder); or if it asks to run its own code
            (:func:`refuse_remote_code`).

    Example:
        >>> # check_model_dir(Path("models/default"))
    """
    if not directory.is_dir():
        raise ModelNotFoundError(f"model directory {str(directory)!r} does not exist")
    refuse_remote_code(directory)
    if (directory / "config.json").is_file() and not (directory / SETTINGS_FILE).is_file():
        _check_model_type(directory / "config.json")  # a plain encoder: say so, not which file it lacks
    missing = [name for name in (WEIGHTS_FILE, *REQUIRED_FILES) if not (directory / name).is_file()]
    if missing and (run := training_run_of(directory)) is not None:
        raise ModelFormatError(f"{directory} is {run}, not a model directory ({missing[0]} is missing)")
    has_weights = (directory / WEIGHTS_FILE).is_file() or (directory / f"{WEIGHTS_FILE}.index.json").is_file()
    if not has_weights:
        pickles = sorted(p.name for p in directory.iterdir() if p.suffix in PICKLE_SUFFIXES)
        if pickles:
            raise ModelFormatError(
                f"{directory / pickles[0]} is a pickle checkpoint and {WEIGHTS_FILE} is missing; "
                "arabnews-nlp loads only safetensors (pickle files can run code when loaded). Convert it "
                "to safetensors in a trusted environment: load it with AnalyzerModel.from_pretrained(dir, "
                "use_safetensors=False) and save it with save_analyzer() or save_pretrained()"
            )
        raise ModelFormatError(
            f"{directory / WEIGHTS_FILE} is missing; save the model with save_analyzer() or "
            "model.save_pretrained(directory) (safetensors is the default)"
        )
    for name, fix in REQUIRED_FILES.items():
        if not (directory / name).is_file():
            raise ModelFormatError(f"{directory / name} is missing; {fix}")


def load_config(directory: Path) -> Any:
    """Load and validate ``config.json``: an analyzer config with the schema's labels.

    Raises:
        ModelFormatError: If it is not an arabnews-nlp analyzer config.
        LabelMismatchError: If its labels differ from :mod:`arabnews_nlp.schema`.

    Example:
        >>> # load_config(Path("models/default")).stance_labels -> ['anti', 'pro', 'neutral']
    """
    from arabnews_nlp.modeling import AnalyzerConfig

    path = directory / "config.json"
    _check_model_type(path)
    config = AnalyzerConfig.from_pretrained(str(directory))
    check_labels("ner", config.ner_labels, NER_TAGS)
    if config.label2id != {label: index for index, label in enumerate(config.ner_labels)}:
        raise ModelFormatError(f"{path}: label2id {config.label2id} does not invert id2label {config.id2label}; "
                               "remove label2id (it is filled from id2label) or correct it")  # fmt: skip
    if config.schema_version != SCHEMA_VERSION:
        raise ModelFormatError(f"{path} has schema_version {config.schema_version}, this library reads schema "
                               f"version {SCHEMA_VERSION}")  # fmt: skip
    check_labels("stance", config.stance_labels or [], STANCE_LABELS)
    check_labels("events", config.event_labels or [], EVENT_TYPES)
    return config


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
        dtype: Floating-point dtype of the saved weights; ``torch.float16`` by default.
        card: The ``README.md`` text; by default one rendered from ``settings``.

    Returns:
        The directory.

    Raises:
        ConfigError: If ``model`` is int8 (quantised after loading): its weights cannot be saved.

    Example:
        >>> # save_analyzer("my-model", model, tokenizer, settings, dtype=torch.float32)
    """
    import torch

    from arabnews_nlp.model_card import render_model_card
    from arabnews_nlp.quantize import is_quantized

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
        tokenizer.save_pretrained(str(path))
    finally:
        tokenizer.model_max_length = previous
    saved = dataclasses.replace(settings, versions=library_versions())
    saved.save(path)
    (path / "README.md").write_text(card if card is not None else render_model_card(saved), encoding="utf-8")
    mode = (path / "config.json").stat().st_mode & 0o777  # written by open(): 0666 less the umask
    for weights in path.glob("*.safetensors"):
        os.chmod(weights, mode)  # safetensors writes 0600, unreadable to others on a shared server
    return path
