"""Devices: ``"auto"``, ``"cpu"``, ``"cuda"``, ``"cuda:N"``; half precision on GPUs.

Example:
    >>> str(resolve_device("cpu"))
    'cpu'
    >>> inference_dtype(resolve_device("cpu"))
    torch.float32
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from arabnews_nlp.errors import DeviceError

if TYPE_CHECKING:
    import torch

_DEVICE_PATTERN = re.compile(r"^(auto|cpu|cuda)(?::(\d+))?$")


def resolve_device(device: str | torch.device | None = "auto") -> torch.device:
    """Turn a device name into an available :class:`torch.device`.

    Args:
        device: ``"auto"`` (``cuda`` when available, else ``cpu``; also for ``None``), ``"cpu"``,
            ``"cuda"`` or ``"cuda:N"``, or a :class:`torch.device`.

    Returns:
        The device.

    Raises:
        DeviceError: If the name is unknown, or CUDA (or GPU ``N``) is not available.

    Example:
        >>> resolve_device("auto").type in ("cpu", "cuda")
        True
    """
    import torch

    name = "auto" if device is None else str(device).strip().lower()
    match = _DEVICE_PATTERN.match(name)
    if match is None or (match.group(1) != "cuda" and match.group(2) is not None):
        raise DeviceError(f"unknown device {device!r}; use 'auto', 'cpu', 'cuda' or 'cuda:N' (N = GPU index)")
    kind, index = match.group(1), match.group(2)
    if kind == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if kind == "cpu":
        return torch.device("cpu")
    if not torch.cuda.is_available():
        raise DeviceError(
            f"device {device!r} was requested but CUDA is not available (torch {torch.__version__}); "
            "use device='cpu' or 'auto', or install a CUDA build of torch"
        )
    if index is not None and int(index) >= torch.cuda.device_count():
        raise DeviceError(
            f"device {device!r} was requested but only {torch.cuda.device_count()} GPU(s) are visible; "
            f"use an index below {torch.cuda.device_count()}"
        )
    return torch.device(name)


def inference_dtype(device: torch.device) -> torch.dtype:
    """Return the weight dtype for inference: ``float16`` on GPUs, ``float32`` on CPU.

    Example:
        >>> import torch
        >>> inference_dtype(torch.device("cpu"))
        torch.float32
    """
    import torch

    return torch.float16 if device.type == "cuda" else torch.float32
