"""A checkpoint that cannot be written (disk full): one line that says so, instead of torch's traceback.

When the disk fills while the ``Trainer`` saves a checkpoint, the error is torch's
``RuntimeError`` from ``inline_container`` ("unexpected pos …", "file write failed"), an
``OSError`` with ``ENOSPC`` or safetensors' "No space left on device": none says what to do.
:func:`checkpoint_write_error` turns it into a :class:`CheckpointWriteError` naming the
checkpoint, its size, the free space and the way out.

Example:
    >>> is_disk_full(RuntimeError("[enforce fail at inline_container.cc:672] . unexpected pos 91 vs 90"))
    True
    >>> is_disk_full(RuntimeError("CUDA out of memory"))
    False
"""

from __future__ import annotations

import errno
import shutil
from pathlib import Path
from typing import Any

from arabnews_nlp.errors import ArabNewsError

DISK_FULL_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT})
TORCH_WRITE_FAILURES = ("unexpected pos", "file write failed")
"""What torch's ``inline_container`` says when a ``torch.save`` cannot write its file."""
NO_SPACE = "No space left on device"


class CheckpointWriteError(ArabNewsError, OSError):
    """A checkpoint could not be written (the disk is full, most likely); the message says what to do."""


def is_disk_full(error: BaseException) -> bool:
    """Whether ``error`` (or an error it was raised from) is a write that failed for lack of space.

    Example:
        >>> is_disk_full(OSError(errno.ENOSPC, "No space left on device"))
        True
    """
    seen: BaseException | None = error
    for _ in range(5):  # the error and the ones it was raised from
        if seen is None:
            return False
        if isinstance(seen, OSError) and seen.errno in DISK_FULL_ERRNOS:
            return True
        message = str(seen)
        if isinstance(seen, RuntimeError) and any(failure in message for failure in TORCH_WRITE_FAILURES):
            return True
        if NO_SPACE in message:  # safetensors' SafetensorError carries the OS message only
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _megabytes(size: float) -> str:
    if size >= 1e9:
        return f"{size / 1e9:,.1f} GB"
    digits = 0 if size >= 1e7 else 1 if size >= 1e6 else 2
    return f"{size / 1e6:.{digits}f} MB"


def checkpoint_size(model: Any, saved: str | None = None) -> str:
    """How much space one checkpoint takes: ``saved``'s files when a complete one exists, else estimated.

    The estimate is the model's weights plus AdamW's two float32 moments of each trained weight
    (the optimizer state, most of a checkpoint).

    Example:
        >>> import torch
        >>> checkpoint_size(torch.nn.Linear(1000, 1000))
        'a checkpoint of this model takes about 12 MB'
    """
    if saved is not None and Path(saved).is_dir():
        size = sum(path.stat().st_size for path in Path(saved).rglob("*") if path.is_file())
        return f"a checkpoint of this model takes {_megabytes(size)} ({Path(saved).name})"
    weights = sum(p.numel() * p.element_size() for p in model.parameters())
    moments = sum(p.numel() * 8 for p in model.parameters() if p.requires_grad)
    return f"a checkpoint of this model takes about {_megabytes(weights + moments)}"


def checkpoint_write_error(
    error: BaseException, run_dir: str, step: int, model: Any, saved: str | None,
    save_steps: int, save_total_limit: int | None,
) -> CheckpointWriteError:  # fmt: skip
    """The one-line error for a checkpoint of step ``step`` that could not be written to ``run_dir``.

    Args:
        error: What the save raised.
        run_dir: The run's checkpoint folder.
        step: The step whose checkpoint was being written.
        model: The model being trained (its size when no checkpoint was saved yet).
        saved: The last complete checkpoint, which ``--resume`` continues from; ``None``: none.
        save_steps: Steps between checkpoints.
        save_total_limit: Checkpoints kept (``None``: all).

    Example:
        >>> import torch
        >>> str(checkpoint_write_error(OSError(errno.ENOSPC, "No space left on device"), "no/run", 5,
        ...                            torch.nn.Linear(10, 10), None, 5, 1)).split(":")[0]
        'could not write checkpoint-5 in no/run (disk full?)'
    """
    folder = Path(run_dir).absolute()
    while not folder.exists() and folder != folder.parent:  # the disk the run writes to
        folder = folder.parent
    try:
        free = f"{_megabytes(shutil.disk_usage(folder).free)} is free there"
    except OSError:
        free = "the free space is unknown"
    kept = (f"lower save_total_limit (now {save_total_limit}; one more is written before the oldest is deleted)"
            if save_total_limit else "set save_total_limit (now: every checkpoint is kept)")  # fmt: skip
    resume = (f"it continues from {saved}" if saved
              else "no checkpoint was saved completely, so it starts over")  # fmt: skip
    cause = str(error).strip().splitlines()[0] if str(error).strip() else ""
    return CheckpointWriteError(
        f"could not write checkpoint-{step} in {run_dir} (disk full?): {checkpoint_size(model, saved)} and "
        f"{free}. Free space, or raise --save-steps (now {save_steps}) or {kept}, then rerun the same command "
        f"with --resume: {resume}. ({type(error).__name__}: {cause})"
    )
