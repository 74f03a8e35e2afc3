"""Stochastic weight averaging: the uniform average of the weights at the ends of the last epochs.

Example:
    >>> WeightAveragingCallback(last_epochs=2).count
    0
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from transformers import TrainerCallback, TrainingArguments

logger = logging.getLogger(__name__)

AVERAGE_FILE = "weight_average.safetensors"


class WeightAveragingCallback(TrainerCallback):
    """Average the weights at the end of the last ``last_epochs`` epochs (SWA, uniform).

    A snapshot is added at the step that closes each epoch of the window, before that step's
    checkpoint is written; every checkpoint stores the running average (``AVERAGE_FILE``, with
    the snapshot count in its metadata), so ``--resume`` continues it. When training ends the
    averaged weights replace the model's floating-point parameters and buffers.

    Args:
        last_epochs: How many final epochs to average (at least 1).
        resume_from: The checkpoint training resumes from, whose average is reloaded.

    Example:
        >>> callback = WeightAveragingCallback(last_epochs=4)
    """

    def __init__(self, last_epochs: int, resume_from: str | Path | None = None) -> None:
        if last_epochs < 1:
            raise ValueError(f"last_epochs must be >= 1, got {last_epochs}")
        self.last_epochs = last_epochs
        self.resume_from = resume_from
        self.average: dict[str, Any] = {}
        self.count = 0

    def on_train_begin(self, args: TrainingArguments, state: Any, control: Any, **kwargs: Any) -> None:
        path = Path(self.resume_from) / AVERAGE_FILE if self.resume_from else None
        if path is not None and path.is_file():
            from safetensors import safe_open

            with safe_open(str(path), framework="pt") as handle:
                self.count = int((handle.metadata() or {})["count"])
                self.average = {name: handle.get_tensor(name) for name in handle.keys()}  # noqa: SIM118

    def on_step_end(self, args: TrainingArguments, state: Any, control: Any, model: Any = None, **kwargs: Any) -> None:
        epoch = state.epoch or 0.0
        closes_epoch = abs(epoch - round(epoch)) < 1e-6 and round(epoch) >= 1
        if model is None or not closes_epoch or round(epoch) <= state.num_train_epochs - self.last_epochs:
            return
        import torch

        self.count += 1
        with torch.no_grad():
            for name, value in _float_state(model).items():
                current = value.detach().float().cpu()
                if name in self.average:
                    self.average[name] += (current - self.average[name]) / self.count
                else:
                    self.average[name] = current.clone()

    def on_save(self, args: TrainingArguments, state: Any, control: Any, **kwargs: Any) -> None:
        if not self.count or not state.is_world_process_zero:
            return
        from safetensors.torch import save_file

        from transformers.trainer_utils import PREFIX_CHECKPOINT_DIR

        folder = Path(args.output_dir) / f"{PREFIX_CHECKPOINT_DIR}-{state.global_step}"
        if folder.is_dir():
            save_file(self.average, str(folder / AVERAGE_FILE), metadata={"count": str(self.count)})

    def on_train_end(self, args: TrainingArguments, state: Any, control: Any, model: Any = None, **kwargs: Any) -> None:
        if model is None or not self.count:
            return
        import torch

        with torch.no_grad():
            for name, value in _float_state(model).items():
                value.copy_(self.average[name].to(device=value.device, dtype=value.dtype))
        logger.info("weights: average of the last %d epoch ends", self.count)


def _float_state(model: Any) -> dict[str, Any]:
    """The model's floating-point parameters and buffers, by name (a tied tensor under each of its names)."""
    return {name: value for name, value in model.state_dict(keep_vars=True).items() if value.is_floating_point()}
