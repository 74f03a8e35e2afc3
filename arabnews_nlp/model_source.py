"""Which model directory to use: an explicit directory, a hub id, ``$ARABNEWS_NLP_MODEL`` or the bundled default.

:func:`resolve_model` takes an explicit local directory; else a Hugging Face hub id (only the
safetensors, JSON and text files are downloaded); else the directory in the
``ARABNEWS_NLP_MODEL`` environment variable (read at call time); else the bundled default model
(``arabnews_nlp/_bundled/default`` in an installed wheel, ``models/default`` in a source
checkout). What the directory must hold is :mod:`arabnews_nlp.model_checks`' job.

Example:
    >>> is_hub_id("aubmindlab/bert-base-arabertv02")
    True
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from arabnews_nlp.errors import ModelNotFoundError
from arabnews_nlp.model_checks import WEIGHTS_FILE

MODEL_ENV = "ARABNEWS_NLP_MODEL"
"""Environment variable naming the default model (a directory or hub id), read at call time."""

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
