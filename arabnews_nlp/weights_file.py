"""Reading ``.safetensors`` files of a model directory, with damaged files named as such.

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
