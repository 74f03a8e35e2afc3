"""Logits -> probabilities in NumPy, for every decoder and both backends.

The decoders receive per-window logits as NumPy arrays (the numpy backend) or torch tensors
(training code); :func:`as_array` turns either into a ``float32`` array without importing torch.

Example:
    >>> import numpy as np
    >>> softmax(np.zeros(4)).tolist()
    [0.25, 0.25, 0.25, 0.25]
"""

from __future__ import annotations

from typing import Any

import numpy as np


def as_array(values: Any) -> np.ndarray:
    """Return ``values`` (array, torch tensor on any device and dtype, or list) as ``float32``.

    Example:
        >>> as_array([1, 2]).dtype
        dtype('float32')
    """
    if hasattr(values, "detach"):  # a torch tensor: bfloat16 has no NumPy twin, so go via float32
        values = values.detach().float().cpu().numpy()
    return np.asarray(values, dtype=np.float32)


def softmax(logits: Any) -> np.ndarray:
    """Softmax over the last axis (``float32``)."""
    values = as_array(logits)
    shifted = np.exp(values - values.max(axis=-1, keepdims=True))
    return shifted / shifted.sum(axis=-1, keepdims=True)


def sigmoid(logits: Any) -> np.ndarray:
    """Element-wise logistic function (``float32``), stable for large negative logits.

    Example:
        >>> sigmoid([0.0, -1000.0]).tolist()
        [0.5, 0.0]
    """
    values = as_array(logits)
    exp_neg = np.exp(-np.abs(values))
    return np.where(values >= 0, 1.0 / (1.0 + exp_neg), exp_neg / (1.0 + exp_neg)).astype(np.float32)
