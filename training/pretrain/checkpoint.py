"""The checkpoint of a pre-training run: writing it atomically, its CUDA RNG state, and the Ctrl-C line that names it."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import torch
from torch import nn

from arabnews_nlp.signals import Terminated

logger = logging.getLogger(__name__)


@contextlib.contextmanager
def ctrl_c_names_checkpoint(step: Callable[[], int], saved_step: Callable[[], int], ckpt: Path) -> Iterator[None]:
    """Turn Ctrl-C into one line naming the step, the last checkpoint and ``--resume`` (SIGTERM's stays)."""
    try:
        yield
    except KeyboardInterrupt as error:
        if isinstance(error, Terminated) or not ckpt.exists():
            raise
        raise KeyboardInterrupt(f"interrupted at step {step()}; the last checkpoint is {ckpt} (step {saved_step()}): "
                                "rerun the same command with --resume to continue from it") from error


def cuda_rng_state(device: torch.device) -> torch.Tensor | None:
    """The CUDA generator state (GPU dropout) of the training device only; None off CUDA.

    Not every visible GPU's: that initialised a CUDA context on each of them, and a checkpoint
    could not be restored where fewer GPUs are visible.
    """
    return torch.cuda.get_rng_state(device) if device.type == "cuda" else None


def restore_cuda_rng(saved: torch.Tensor | list[torch.Tensor] | None, device: torch.device) -> None:
    """Restore the training device's CUDA generator from a checkpoint's ``cuda_rng``.

    Args:
        saved: The training device's state; in older checkpoints, a list with one state per GPU
            visible then (the one at ``device.index``, 0 for a bare ``cuda``, is taken); None or
            ``[]`` when the checkpoint was written off CUDA.
        device: The training device; off CUDA nothing is done (and ``torch.cuda`` is not touched).
    """
    if device.type != "cuda":
        return
    if isinstance(saved, (list, tuple)):
        index = device.index or 0
        saved = saved[index] if index < len(saved) else None
    if saved is None:
        logger.warning("the checkpoint has no CUDA RNG state for %s: GPU dropout does not continue where it stopped",
                       device)
        return
    torch.cuda.set_rng_state(saved.cpu(), device)


def save_checkpoint(model: nn.Module, optimizer: Any, scheduler: Any, step: int, docs: int, tokens: int,
          generator: torch.Generator, total_steps: int, path: Path, device: torch.device,
          config: dict[str, Any] | None = None) -> None:
    """Write ``checkpoint.pt`` atomically: weights, optimiser, scheduler, RNGs and stream position."""
    tmp = path.with_suffix(".tmp")
    torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict(), "scheduler": scheduler.state_dict(),
                "step": step, "docs": docs, "tokens": tokens, "generator": generator.get_state(),
                "total_steps": total_steps, "torch_rng": torch.get_rng_state(),
                "cuda_rng": cuda_rng_state(device), "config": config}, tmp)
    tmp.replace(path)  # atomic: a run killed mid-save keeps the previous checkpoint
