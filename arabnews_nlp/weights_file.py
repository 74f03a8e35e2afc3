"""Reading ``.safetensors`` files of a model directory, with damaged files named as such; file modes.

A truncated or overwritten weights file (an interrupted copy, a Git LFS pointer) makes the
safetensors library raise its own ``SafetensorError`` about a header; these helpers turn it into a
:class:`~arabnews_nlp.errors.ModelFormatError` that names the file and the fix.

Example:
    >>> from pathlib import Path
    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "model.safetensors"
    >>> _ = path.write_bytes(b"not a safetensors file")
    >>> try:
    ...     load_numpy(path)
    ... except Exception as error:
    ...     print(type(error).__name__)
    ModelFormatError
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from arabnews_nlp.errors import ModelFormatError


@contextlib.contextmanager
def damaged_weights_named(path: str | Path) -> Iterator[None]:
    """Raise :class:`ModelFormatError` naming ``path`` for a safetensors error inside the block."""
    from safetensors import SafetensorError

    try:
        yield
    except SafetensorError as error:
        raise ModelFormatError(
            f"{path} is not a readable safetensors file ({error}); the file is damaged or incomplete: "
            "copy or download the model directory again"
        ) from error


def load_numpy(path: str | Path) -> dict[str, np.ndarray]:
    """Return the tensors of a ``.safetensors`` file as NumPy arrays.

    Raises:
        ModelFormatError: If the file is not a readable safetensors file.
    """
    from safetensors.numpy import load_file

    with damaged_weights_named(path):
        return load_file(str(path))


def give_default_mode(path: str | Path) -> None:
    """Give ``path`` the mode ``open(path, "w")`` would: ``0o666`` less the umask.

    safetensors (0.8) writes its files ``0600`` and a temporary file is ``0600`` too, so a model
    directory or an output copied to a shared server would be unreadable by others.

    Example:
        >>> import tempfile
        >>> handle = tempfile.NamedTemporaryFile(delete=False)  # 0600
        >>> give_default_mode(handle.name)
        >>> umask = os.umask(0); _ = os.umask(umask)
        >>> os.stat(handle.name).st_mode & 0o777 == 0o666 & ~umask
        True
    """
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(path, 0o666 & ~umask)
