"""The run's JSONL log (``run_dir/log.jsonl``): appending entries, trimming it on resume, the callbacks that write it.

Callbacks append the Trainer's logs and the per-epoch dev scores on the main process only.

Example:
    >>> import tempfile, os
    >>> log = os.path.join(tempfile.mkdtemp(), LOG_FILE)
    >>> append_jsonl(log, {"step": 1, "loss": 1.0}); drop_summaries(log)
    0
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from transformers import TrainerCallback, TrainingArguments

logger = logging.getLogger(__name__)

LOG_FILE = "log.jsonl"
SUMMARY_KEY = "train_runtime"
"""The key of the ``Trainer``'s end-of-training summary in its logs (and in ``log.jsonl``)."""


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

