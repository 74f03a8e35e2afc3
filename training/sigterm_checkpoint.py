"""Stopping a run cleanly on SIGTERM: a checkpoint at the end of the current step, then stop, on every rank.

Example:
    >>> from arabnews_nlp.signals import SigtermFlag
    >>> SigtermCheckpointCallback(SigtermFlag()).stopped_at is None
    True
"""

from __future__ import annotations

from typing import Any

from transformers import TrainerCallback, TrainingArguments

from arabnews_nlp.signals import SigtermFlag


class SigtermCheckpointCallback(TrainerCallback):
    """On SIGTERM, save a checkpoint at the end of the current optimizer step and stop training.

    Schedulers stop a job with SIGTERM and kill it after a grace period (Slurm preemption or
    ``scancel``: ``#SBATCH --signal=TERM@120`` sets the lead; Kubernetes:
    ``terminationGracePeriodSeconds``). Instead of dying with up to ``save_steps`` steps lost, the
    run saves ``checkpoint-STEP`` where it is and stops; ``--resume`` goes on from there. In a
    distributed run the ranks agree at every step (the flag's maximum over ranks), so all of them
    stop at the same step and save together, even when the signal reached one rank only.

    Args:
        sigterm: The flag that SIGTERM sets (:class:`~arabnews_nlp.signals.SigtermFlag`); the
            caller holds it installed while the trainer runs.

    Example:
        >>> from arabnews_nlp.signals import SigtermFlag
        >>> callback = SigtermCheckpointCallback(SigtermFlag())
    """

    def __init__(self, sigterm: SigtermFlag) -> None:
        self.sigterm = sigterm
        self.stopped_at: int | None = None

    def on_step_end(self, args: TrainingArguments, state: Any, control: Any, **kwargs: Any) -> Any:
        if _on_any_rank(self.sigterm.received, args):
            control.should_save = control.should_training_stop = True
            self.stopped_at = state.global_step
        return control


def _on_any_rank(flag: bool, args: TrainingArguments) -> bool:
    """Whether ``flag`` is set on any process of a distributed run (``flag`` itself in a single process)."""
    import torch
    import torch.distributed as dist

    if not (dist.is_available() and dist.is_initialized()) or dist.get_world_size() == 1:
        return flag
    value = torch.tensor([float(flag)], device=args.device)
    dist.all_reduce(value, op=dist.ReduceOp.MAX)
    return bool(value.item())
