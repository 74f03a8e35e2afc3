"""The ``transformers.Trainer`` of fine-tuning: the trainer, its arguments and the loss weights.

:class:`AnalyzerTrainer` is a plain ``Trainer`` (so ``accelerate launch`` gives multi-GPU
training and ``bf16``/``fp16`` work unchanged) that tells the Trainer our model computes a
mean loss itself. Its callbacks live beside it: the run's log in :mod:`training.train_log`, the
SIGTERM stop in :mod:`training.sigterm_checkpoint`, weight averaging in
:mod:`training.weight_averaging`.

Example:
    >>> stance_w, event_w = loss_weights([({}, {"stance": "anti", "events": []}),
    ...                                   ({}, {"stance": "neutral", "events": ["THREAT"]}),
    ...                                   ({}, {"stance": "neutral", "events": []})], max_weight=10.0)
    >>> stance_w
    [1.5, 1.0, 0.75]
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from transformers import Trainer, TrainerCallback, TrainingArguments

from arabnews_nlp.errors import ConfigError
from arabnews_nlp.schema import EVENT_TYPES, STANCE_LABELS
from training.data.records import record_tasks
from training.train_log import SUMMARY_KEY

if TYPE_CHECKING:
    from training.config import FinetuneConfig
    from training.features import SentenceRef

logger = logging.getLogger(__name__)

LABEL_NAMES = ["ner_labels", "stance_labels", "event_labels", "event_mask"]


class AnalyzerTrainer(Trainer):
    """A ``Trainer`` for :class:`~arabnews_nlp.modeling.AnalyzerModel`.

    The model's ``forward`` takes ``**kwargs``, which the Trainer would read as "the model
    normalises the loss over gradient-accumulation steps itself"; ours returns a per-batch
    mean, so the Trainer must do that scaling.

    Example:
        >>> # AnalyzerTrainer(model=model, args=training_arguments(config), train_dataset=ds,
        >>> #                 data_collator=PaddingCollator(tokenizer.pad_token_id)).train()
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.model_accepts_loss_kwargs = False
        self.train_start = TrainStart()
        self.add_callback(self.train_start)

    def log(self, logs: dict[str, float], start_time: float | None = None) -> None:
        """Log as the ``Trainer`` does, except the end-of-training summary of a launch that trained no step.

        A run resumed from the checkpoint of its last step only redoes what follows training; its
        summary (``train_runtime``, ``train_loss: 0``) would describe nothing, in the console and
        in ``log.jsonl``.
        """
        if SUMMARY_KEY in logs and self.state.global_step == self.train_start.step:
            logger.info("no step left to train after step %d: nothing to summarise", self.state.global_step)
            return
        super().log(logs, start_time)


class TrainStart(TrainerCallback):
    """Remember the global step a launch starts training at (a resumed checkpoint's step, or 0).

    The ``Trainer`` loads the checkpoint's state before ``on_train_begin``.

    Example:
        >>> TrainStart().step is None
        True
    """

    def __init__(self) -> None:
        self.step: int | None = None

    def on_train_begin(self, args: TrainingArguments, state: Any, control: Any, **kwargs: Any) -> None:
        self.step = state.global_step


def training_arguments(config: FinetuneConfig, **overrides: Any) -> TrainingArguments:
    """Map a :class:`~training.config.FinetuneConfig` to ``TrainingArguments``.

    Checkpoints go to ``config.run_dir`` every ``save_steps``; no external reporting. The
    precision and the launch are checked first, for every command that trains (``finetune``,
    ``anercorp``): :func:`check_precision`, :func:`check_launcher_precision` and
    :func:`training.run_dir.check_launch`.

    Raises:
        ConfigError: From those checks.

    Example:
        >>> # training_arguments(config).save_steps
    """
    import torch

    from training.run_dir import check_launch

    check_precision(config.bf16)
    check_launcher_precision(config.bf16, config.fp16)
    values: dict[str, Any] = {
        "output_dir": config.run_dir,
        "per_device_train_batch_size": config.batch_size,
        "per_device_eval_batch_size": config.eval_batch_size,
        "gradient_accumulation_steps": config.gradient_accumulation_steps,
        "num_train_epochs": config.epochs,
        "max_steps": config.max_steps,
        "learning_rate": config.learning_rate,
        "lr_scheduler_type": "linear",
        "warmup_steps": config.warmup_ratio,  # a float in [0, 1) is a ratio of the total steps
        "weight_decay": config.weight_decay,
        "max_grad_norm": config.max_grad_norm,
        "seed": config.seed,
        "data_seed": config.seed,
        "save_strategy": "steps",
        "save_steps": config.save_steps,
        "save_total_limit": config.save_total_limit,
        "eval_strategy": "no",
        "logging_strategy": "steps",
        "logging_steps": config.logging_steps,
        "report_to": "none",
        "bf16": config.bf16,
        "fp16": config.fp16,
        "dataloader_num_workers": config.dataloader_num_workers,
        "dataloader_pin_memory": torch.cuda.is_available(),
        "remove_unused_columns": False,
        "label_names": LABEL_NAMES,
    }
    values.update(overrides)
    arguments = TrainingArguments(**values)
    check_launch(arguments)  # needs the world size the arguments set up
    return arguments


def check_precision(bf16: bool) -> None:
    """Refuse bf16 where no device can run it, before ``TrainingArguments`` raises its traceback.

    A GPU recipe (``bf16: true``) started on a machine without CUDA, or on a GPU older than
    Ampere, would otherwise stop with transformers' "Your setup doesn't support bf16/gpu. You
    need to assign use_cpu", which names neither the config key nor the fix.

    Raises:
        ConfigError: If ``bf16`` and neither a bf16-capable CUDA GPU nor an XLA device is present.

    Example:
        >>> check_precision(False)
    """
    import torch
    from transformers.utils import is_torch_bf16_gpu_available, is_torch_xla_available

    if not bf16 or is_torch_bf16_gpu_available() or is_torch_xla_available():
        return
    if torch.cuda.is_available():
        found = f"the GPU {torch.cuda.get_device_name()} does not support it: use fp16: true (--fp16 --no-bf16)"
    else:
        found = (f"this machine has no CUDA GPU (torch {torch.__version__}): set bf16: false in the config or "
                 "pass --no-bf16 to train in float32 on the CPU")  # fmt: skip
    raise ConfigError(f"bf16 is true, but bf16 mixed precision needs a CUDA GPU of the Ampere generation or newer, "
                      f"and {found}")  # fmt: skip


def check_launcher_precision(bf16: bool, fp16: bool) -> None:
    """Refuse a launcher's mixed precision when the config trains in float32.

    ``accelerate launch`` passes the precision chosen in ``accelerate config`` (or its
    ``--mixed_precision``) as ``ACCELERATE_MIXED_PRECISION``, and ``TrainingArguments`` takes it
    when the config sets neither ``bf16`` nor ``fp16``: the run would train in bf16 while the
    saved config, the model card and the ``--resume`` check all say float32. A config that sets
    ``bf16`` or ``fp16`` wins over the launcher, so it trains as it says.

    Raises:
        ConfigError: If the config sets neither and ``ACCELERATE_MIXED_PRECISION`` is not ``no``.

    Example:
        >>> check_launcher_precision(bf16=True, fp16=False)  # the config chooses: whatever the launcher says
    """
    import os

    launcher = os.environ.get("ACCELERATE_MIXED_PRECISION", "no").lower()
    if bf16 or fp16 or launcher == "no":
        return
    raise ConfigError(f"the launcher asks for mixed precision {launcher!r} (ACCELERATE_MIXED_PRECISION, from accelerate "
                      "config or --mixed_precision) but the config trains in float32 (bf16 and fp16 false): the run "
                      "would train in the launcher's precision while the model card and --resume record float32; set "
                      f"bf16: true or fp16: true in the config (--bf16/--fp16), or launch with --mixed_precision no")  # fmt: skip


def loss_weights(sentences: Sequence[SentenceRef], max_weight: float) -> tuple[list[float], list[float]]:
    """Compute stance class weights and event ``pos_weight`` from training counts.

    Stance: ``n / (k * n_c)`` over the ``k`` labels present (balanced weighting), clipped to
    ``[1 / max_weight, max_weight]``; 1.0 for a label absent from training. Events:
    ``negatives / positives`` per type, clipped to ``[1, max_weight]``; 1.0 for an absent type.
    Only sentences whose record annotates the layer count.

    Example:
        >>> loss_weights([({}, {"stance": "pro", "events": ["THREAT"]})] * 2, 10.0)[1][-1]
        1.0
    """
    stance_counts = dict.fromkeys(STANCE_LABELS, 0)
    positives = dict.fromkeys(EVENT_TYPES, 0)
    n_events = 0
    for record, sentence in sentences:
        tasks = record_tasks(record)
        if "stance" in tasks and sentence.get("stance") in stance_counts:
            stance_counts[sentence["stance"]] += 1
        if "events" in tasks and sentence.get("events") is not None:
            n_events += 1
            for name in sentence["events"]:
                positives[name] += 1
    present = {label: n for label, n in stance_counts.items() if n}
    total = sum(present.values())
    stance = [
        _clip(total / (len(present) * stance_counts[label]), 1 / max_weight, max_weight)
        if stance_counts[label]
        else 1.0
        for label in STANCE_LABELS
    ]
    events = [
        _clip((n_events - positives[t]) / positives[t], 1.0, max_weight) if positives[t] else 1.0 for t in EVENT_TYPES
    ]
    return stance, events


def _clip(value: float, low: float, high: float) -> float:
    return round(min(max(value, low), high), 4)

