"""The on-disk format of the n-gram models: which tensors ``ngram.safetensors`` holds, in which dtypes.

:meth:`arabnews_nlp.ngram.NgramModel.save` and :meth:`~arabnews_nlp.ngram.NgramModel.load` go
through :func:`write_tensors` and :func:`read_tensors`, which know the file's names and storage
dtypes (IDF and coefficients in fp16, cluster ids in int16 when they fit) and nothing of what the
arrays mean. Reading needs numpy and safetensors only.

Example:
    >>> NGRAM_FILE, CHAIN
    ('ngram.safetensors', ('tag_transitions', 'tag_start', 'tag_end'))
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np

from arabnews_nlp.errors import ModelFormatError

NGRAM_FILE = "ngram.safetensors"
"""File of the n-gram model inside a model directory (present only when the settings use it)."""

TENSORS = ("keys", "idf", "stance_coef", "stance_bias", "event_coef", "event_bias", "tag_keys", "tag_coef", "tag_bias")
"""The tensors every n-gram model file holds."""
CHAIN = ("tag_transitions", "tag_start", "tag_end")
"""The tensors of a CRF tagger (all or none)."""
CLUSTERS = ("cluster_keys", "cluster_ids")
"""The tensors of the word clusters (optional)."""
_HALF = ("idf", "stance_coef", "event_coef", "tag_coef")


def write_tensors(directory: str | Path, tensors: Mapping[str, np.ndarray]) -> Path:
    """Write ``tensors`` (:data:`TENSORS`, and optionally :data:`CLUSTERS` and :data:`CHAIN`) to
    ``directory/ngram.safetensors`` in their storage dtypes; return the file's path.

    Example:
        >>> # write_tensors(model_dir, {name: array, ...})  # as NgramModel.save does
    """
    from safetensors.numpy import save_file

    path = Path(directory) / NGRAM_FILE
    stored = {name: np.ascontiguousarray(array) for name, array in tensors.items()}
    for name in _HALF:
        stored[name] = stored[name].astype(np.float16)
    if "cluster_ids" in stored:
        ids = stored["cluster_ids"]
        stored["cluster_ids"] = ids.astype(np.int16) if ids.size and ids.max() < 1 << 15 else ids
    for name in CHAIN:
        if name in stored:
            stored[name] = np.ascontiguousarray(stored[name], dtype=np.float32)
    save_file(stored, str(path))
    return path


def read_tensors(directory: str | Path) -> dict[str, np.ndarray]:
    """Read ``directory/ngram.safetensors``: :data:`TENSORS` (keys int64, the rest float32), and
    when present :data:`CLUSTERS` (int64, int32) and :data:`CHAIN` (float64).

    Raises:
        ModelFormatError: If the file is missing or damaged, or lacks tensors it must hold.
    """
    from arabnews_nlp.weights_file import load_numpy

    path = Path(directory) / NGRAM_FILE
    if not path.is_file():
        raise ModelFormatError(
            f"{path} is missing, but the settings blend an n-gram model (settings 'ngram'); "
            "copy the whole model directory, or remove 'ngram' from arabnews_nlp.json"
        )
    tensors = load_numpy(path)
    missing = [name for name in TENSORS if name not in tensors]
    if missing:
        raise ModelFormatError(f"{path}: missing tensors {missing}")
    arrays = {name: tensors[name].astype(np.int64 if name.endswith("keys") else np.float32) for name in TENSORS}
    if "cluster_keys" in tensors:
        arrays["cluster_keys"] = tensors["cluster_keys"].astype(np.int64)
        arrays["cluster_ids"] = tensors["cluster_ids"].astype(np.int32)
    if any(name in tensors for name in CHAIN):
        if not all(name in tensors for name in CHAIN):
            raise ModelFormatError(f"{path}: a CRF tagger needs all of {list(CHAIN)}")
        arrays.update({name: tensors[name].astype(np.float64) for name in CHAIN})
    return arrays
