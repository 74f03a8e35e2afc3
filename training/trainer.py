"""The ``transformers.Trainer`` pieces of fine-tuning: arguments, loss weights, callbacks.

:class:`AnalyzerTrainer` is a plain ``Trainer`` (so ``accelerate launch`` gives multi-GPU
training and ``bf16``/``fp16`` work unchanged) that tells the Trainer our model computes a
mean loss itself. Callbacks append the training log and per-epoch dev scores to
``run_dir/log.jsonl`` on the main process.

Example:
    >>> stance_w, event_w = loss_weights([({}, {"stance": "anti", "events": []}),
    ...                                   ({}, {"stance": "neutral", "events": ["THREAT"]}),
    ...                                   ({}, {"stance": "neutral", "events": []})], max_weight=10.0)
    >>> stance_w
    [1.5, 1.0, 0.75]
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from transformers import Trainer, TrainerCallback, TrainingArguments

from arabnews_nlp.schema import EVENT_TYPES, STANCE_LABELS
from arabnews_nlp.signals import SigtermFlag
from training.data.records import record_tasks

if TYPE_CHECKING:
    from training.config import FinetuneConfig
    from training.features import SentenceRef

logger = logging.getLogger(__name__)

LABEL_NAMES = ["ner_labels", "stance_labels", "event_labels", "event_mask"]
LOG_FILE = "log.jsonl"
SUMMARY_KEY = "train_runtime"
"""The key of the ``Trainer``'s end-of-training summary in its logs (and in ``log.jsonl``)."""


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

    Checkpoints go to ``config.run_dir`` every ``save_steps``; no external reporting.

    Example:
        >>> # training_arguments(config).save_steps
    """
    import torch

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
    return TrainingArguments(**values)


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


def append_jsonl(path: str | Path, entry: Mapping[str, Any]) -> None:
    """Append one JSON line to ``path`` (UTF-8), creating parent folders.

    Example:
        >>> import tempfile, os
        >>> append_jsonl(os.path.join(tempfile.mkdtemp(), "log.jsonl"), {"loss": 1.0})
    """
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "a", encoding="utf-8") as handle:
        handle.write(json.dumps(dict(entry), ensure_ascii=False) + "\n")


def truncate_log(path: str | Path, last_step: int) -> int:
    """Drop the entries of the JSONL log ``path`` logged after ``last_step``, atomically.

    A run resumed from the checkpoint of ``last_step`` redoes the later steps and logs them
    again, so their entries from the interrupted run go. Entries without a step are kept; a
    line that is not JSON (a write cut short by the interruption) goes too. The file is only
    rewritten (:func:`training.evaluation.report.write_text_atomic`) when something is dropped.

    Returns:
        The number of lines dropped.

    Example:
        >>> import tempfile, os
        >>> log = os.path.join(tempfile.mkdtemp(), "log.jsonl")
        >>> for step in (1, 2, 3):
        ...     append_jsonl(log, {"step": step, "loss": 1.0})
        >>> truncate_log(log, 2), [json.loads(line)["step"] for line in open(log, encoding="utf-8")]
        (1, [1, 2])
    """
    return _keep_lines(path, lambda line: _logged_by(line, last_step))


def drop_summaries(path: str | Path) -> int:
    """Drop the end-of-training summaries (``train_runtime`` lines) of the JSONL log ``path``, atomically.

    A launch stopped by SIGTERM logs a summary of its part of the run; when a resumed launch
    finishes the run, its summary replaces the earlier ones, so the log holds one, of the last launch.

    Returns:
        The number of lines dropped.

    Example:
        >>> import tempfile, os
        >>> log = os.path.join(tempfile.mkdtemp(), "log.jsonl")
        >>> append_jsonl(log, {"step": 6, "train_runtime": 11.0}); append_jsonl(log, {"step": 6, "loss": 1.0})
        >>> drop_summaries(log), open(log, encoding="utf-8").read().splitlines()
        (1, ['{"step": 6, "loss": 1.0}'])
    """
    return _keep_lines(path, lambda line: not _is_summary(line))


def _keep_lines(path: str | Path, keep: Callable[[str], bool]) -> int:
    """Keep the non-blank lines of the log ``path`` that ``keep`` accepts; the number of lines dropped.

    The file is rewritten (:func:`training.evaluation.report.write_text_atomic`) only when a line goes.
    """
    log = Path(path)
    if not log.is_file():
        return 0
    text = log.read_bytes().decode("utf-8", errors="replace")  # a cut write may end inside a character
    lines = [line for line in text.split("\n") if line.strip()]
    kept = [line for line in lines if keep(line)]
    if len(kept) == len(lines):
        return 0
    from training.evaluation.report import write_text_atomic

    write_text_atomic(log, "".join(line + "\n" for line in kept))
    return len(lines) - len(kept)


def _is_summary(line: str) -> bool:
    """Whether a log line is a JSON end-of-training summary."""
    try:
        entry = json.loads(line)
    except json.JSONDecodeError:
        return False
    return isinstance(entry, dict) and SUMMARY_KEY in entry


def _logged_by(line: str, last_step: int) -> bool:
    """Whether a log line is a JSON entry of ``last_step`` or earlier, or one without a step."""
    try:
        entry = json.loads(line)
    except json.JSONDecodeError:
        return False
    step = entry.get("step") if isinstance(entry, dict) else None
    return not isinstance(step, int) or step <= last_step


class JsonlLogCallback(TrainerCallback):
    """Append every Trainer log (losses, learning rate) to ``run_dir/log.jsonl``.

    The end-of-training summary replaces those of earlier launches of the run
    (:func:`drop_summaries`): one summary per log.

    Example:
        >>> callback = JsonlLogCallback("runs/demo/log.jsonl")
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)

    def on_log(
        self, args: TrainingArguments, state: Any, control: Any, logs: dict[str, Any] | None = None, **kwargs: Any
    ) -> None:
        if state.is_world_process_zero and logs:
            if SUMMARY_KEY in logs:
                drop_summaries(self.path)
            append_jsonl(self.path, {"step": state.global_step, "epoch": state.epoch, **logs})


class EpochEvalCallback(TrainerCallback):
    """Score the dev data at the end of every epoch; log the headline numbers.

    Args:
        evaluate: Takes the (unwrapped) model, returns flat ``{name: value}`` scores.
        path: The JSONL log to append ``{"step", "epoch", "dev": scores}`` to.

    Example:
        >>> callback = EpochEvalCallback(lambda model: {"sentences/ner_f1": 1.0}, "runs/demo/log.jsonl")
    """

    def __init__(self, evaluate: Callable[[Any], dict[str, float]], path: str | Path) -> None:
        self.evaluate = evaluate
        self.path = Path(path)

    def on_epoch_end(self, args: TrainingArguments, state: Any, control: Any, model: Any = None, **kwargs: Any) -> None:
        if not state.is_world_process_zero or model is None:
            return
        was_training = model.training
        model.eval()
        try:
            scores = self.evaluate(model)
        finally:
            model.train(was_training)
        append_jsonl(self.path, {"step": state.global_step, "epoch": state.epoch, "dev": scores})
        logger.info("epoch %.2f dev: %s", state.epoch or 0.0, ", ".join(f"{k} {v:.4f}" for k, v in scores.items()))


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
