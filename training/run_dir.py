"""The run folder's bookkeeping for ``--resume``: its checkpoints and the config a run started with.

A run of ``python -m training finetune`` writes its config into ``run_dir`` before the first
checkpoint (:func:`write_run_config`, with the training files' :func:`data_fingerprints` and the
run's :func:`total_batch`); ``--resume`` continues from the :func:`last_complete_checkpoint` only
when the training settings are those it started with (:func:`check_resume_config`).

Example:
    >>> last_complete_checkpoint("no/such/run") is None
    True
"""

from __future__ import annotations

import dataclasses
import json
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from arabnews_nlp.errors import ConfigError
from arabnews_nlp.model_checks import RUN_CONFIG_FILE  # the runtime names a run folder given as a model by it
from training.config import FinetuneConfig

if TYPE_CHECKING:
    from collections.abc import Mapping

logger = logging.getLogger(__name__)


def last_complete_checkpoint(run_dir: str | Path, warn: bool = True) -> str | None:
    """Return the newest ``checkpoint-N`` of ``run_dir`` that was saved completely, or ``None``.

    A run stopped while saving leaves a checkpoint without ``trainer_state.json``; it is skipped
    (with a warning when ``warn``), so ``--resume`` continues from the one before.

    Example:
        >>> last_complete_checkpoint("no/such/run") is None
        True
    """
    run = Path(run_dir)
    if not run.is_dir():
        return None
    found = sorted((int(p.name.split("-", 1)[1]), p) for p in run.glob("checkpoint-*")
                   if p.is_dir() and p.name.split("-", 1)[1].isdigit())  # fmt: skip
    for _, path in reversed(found):
        if (path / "trainer_state.json").is_file():
            return str(path)
        if warn:
            logger.warning("%s was not saved completely (no trainer_state.json); resuming from an earlier checkpoint",
                           path)  # fmt: skip
    return None


NOT_TRAINING_FIELDS = frozenset({
    "name", "description", "output_dir", "run_dir",  # names and where outputs go
    "dev", "test", "eval_batch_size", "eval_each_epoch",  # scoring: dev is never trained on
    "save_steps", "save_total_limit", "logging_steps", "dataloader_num_workers",  # bookkeeping, same steps
    "gazetteer", "ngram", "ngram_clusters", "ngram_tagger", "ngram_event_clusters",  # fitted after training
    "event_thresholds", "stance_factors",  # chosen on dev after training
    "allow_held_out_copies",  # a check of the data files, not how they are trained on
})  # fmt: skip
"""Config fields that a resumed run may change: they do not change the training steps."""


FINGERPRINTS_KEY = "data_sha256"
"""Key of the saved config holding :func:`data_fingerprints` (not a config field)."""

BATCH_KEY = "total_train_batch"
"""Key of the saved config holding :func:`total_batch` (not a config field)."""


def total_batch(args: Any) -> int:
    """Windows per optimizer step: per-device batch × GPUs × processes × gradient accumulation.

    ``--resume`` compares it: the Trainer places a checkpoint's step in the epoch and in the
    learning-rate schedule by the steps per epoch of the *current* launch, so a run resumed on
    another number of GPUs would replay or skip data and restart its learning rate.

    Args:
        args: The run's ``TrainingArguments``.
    """
    return int(args.train_batch_size * args.gradient_accumulation_steps * args.world_size)


def check_launch(args: Any) -> None:
    """Refuse a multi-process launch whose processes would each train alone.

    ``torchrun --nproc_per_node N`` without a distributed backend the Trainer can set up (e.g. on
    a machine without GPUs) starts N complete trainings that write the same folders.

    Args:
        args: The run's ``TrainingArguments``.

    Raises:
        ConfigError: If ``WORLD_SIZE`` asks for several processes and the Trainer sees one.
    """
    import os

    launched = int(os.environ.get("WORLD_SIZE", "1") or 1)
    if launched > 1 and args.world_size == 1:
        raise ConfigError(f"launched as {launched} processes (WORLD_SIZE={launched}), but the Trainer set up no "
                          "distributed training (no GPU for each process?): each process would train the whole run "
                          "and write the same folders. Run one process (python -m training ..., no launcher), or "
                          "launch with accelerate/torchrun on a machine with a GPU per process")  # fmt: skip


def data_fingerprints(config: FinetuneConfig) -> dict[str, str]:
    """SHA-256 of each file the run trains on (``train`` and ``ner_extra``), by path as configured.

    ``--resume`` compares them, so that a data file edited in place since the run started is
    noticed even though its path did not change.

    Example:
        >>> data_fingerprints(FinetuneConfig(base="x", train=[]))
        {}
    """
    import hashlib

    prints: dict[str, str] = {}
    for path in [*config.train, *config.ner_extra]:
        digest = hashlib.sha256()
        with open(path, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
        prints[str(path)] = digest.hexdigest()
    return prints


def write_run_config(
    config: FinetuneConfig,
    name: str = RUN_CONFIG_FILE,
    fingerprints: Mapping[str, str] | None = None,
    batch: int | None = None,
) -> Path:
    """Write ``config`` as JSON into ``config.run_dir`` (whole, then renamed: never half a file).

    The training files' :func:`data_fingerprints` are saved with it, under ``data_sha256``
    (``fingerprints`` when the caller has them already; computed here otherwise), and the
    run's :func:`total_batch` (``batch``) under ``total_train_batch`` when given.

    Example:
        >>> # write_run_config(config)  # RUN_DIR/finetune_config.json
    """
    from training.evaluation.report import write_json

    path = Path(config.run_dir) / name
    prints = data_fingerprints(config) if fingerprints is None else dict(fingerprints)
    extra = {} if batch is None else {BATCH_KEY: batch}
    write_json(path, {**config.to_dict(), FINGERPRINTS_KEY: prints, **extra})
    return path


def check_resume_config(
    config: FinetuneConfig, fingerprints: Mapping[str, str] | None = None, batch: int | None = None
) -> None:
    """Refuse to resume the run in ``config.run_dir`` with other training settings than it started with.

    Every field of :class:`~training.config.FinetuneConfig` is compared with the run's saved
    ``finetune_config.json`` except :data:`NOT_TRAINING_FIELDS`: so ``base``, ``train``,
    ``ner_extra`` (and its sampling), ``exclude_synthetic``, the optimisation settings (epochs,
    max_steps, batch sizes, learning rate, warm-up, decay, clipping, seed), the windows
    (``max_length``, ``stride``), the model (dropout, pooling, word embedding and vectors,
    normalization), ``class_weights``, ``average_last_epochs`` and precision. A field missing from
    the saved config (an older version) counts as its default. A run without a saved config
    (older runs) is resumed with a warning. The contents of the training files are compared too
    (:func:`data_fingerprints`, or ``fingerprints`` when the caller has them already), so a file
    edited in place is refused like a changed path, and so is another :func:`total_batch`
    (``batch``; e.g. the run resumed on another number of GPUs with the same per-device batch).

    Raises:
        ConfigError: If a compared field differs (each one with its old and new value), or the
            saved config cannot be read.

    Example:
        >>> check_resume_config(FinetuneConfig(base="x", run_dir="no/such/run"))  # nothing saved: a warning
    """
    path = Path(config.run_dir) / RUN_CONFIG_FILE
    if not path.is_file():
        logger.warning("--resume: %s has no %s (an older run); its training settings cannot be checked against "
                       "this config, resuming anyway", config.run_dir, RUN_CONFIG_FILE)  # fmt: skip
        return
    try:
        saved = json.loads(path.read_text(encoding="utf-8"))
    except ValueError as error:  # JSON and UTF-8 errors
        saved = error
    if not isinstance(saved, dict):
        raise ConfigError(f"--resume: {path} is not a JSON config ({saved}); delete it to resume anyway, or pass "
                          "a new --run-dir, or delete the run's checkpoints to start over there")  # fmt: skip
    prints = data_fingerprints(config) if fingerprints is None else fingerprints
    changed = _changed_settings(config, saved, prints, batch)
    if changed:
        raise ConfigError(
            f"--resume: the run in {config.run_dir} was started with other training settings; resuming it would mix "
            "two runs. Changed (saved → now):\n" + "\n".join(changed) + "\nUse the old settings to resume it, or "
            "pass a new --run-dir to train the new settings apart, or delete its checkpoints to start over there"
        )


def _changed_settings(
    config: FinetuneConfig, saved: Mapping[str, Any], prints: Mapping[str, str], batch: int | None
) -> list[str]:
    """One line per training setting of ``config`` that differs from the ``saved`` one (:func:`check_resume_config`)."""
    current = config.to_dict()
    defaults = {f.name: f.default if f.default_factory is dataclasses.MISSING else f.default_factory()
                for f in dataclasses.fields(FinetuneConfig)}  # fmt: skip
    changed = [f"  {name}: {json.dumps(saved.get(name, defaults[name]), ensure_ascii=False)} → "
               f"{json.dumps(value, ensure_ascii=False)}"
               for name, value in current.items()
               if name not in NOT_TRAINING_FIELDS and saved.get(name, defaults[name]) != value]  # fmt: skip
    saved_prints = saved.get(FINGERPRINTS_KEY) or {}
    changed += [f"  {path}: its content changed since the run started (sha256 {saved_prints[path][:12]}… → {digest[:12]}…)"
                for path, digest in prints.items()
                if path in saved_prints and saved_prints[path] != digest]  # fmt: skip
    saved_batch = saved.get(BATCH_KEY)
    if batch is not None and saved_batch is not None and saved_batch != batch:
        changed.append(f"  windows per optimizer step (batch_size × GPUs × processes × gradient_accumulation_steps): "
                       f"{saved_batch} → {batch}; the checkpoint's step would fall elsewhere in the epochs and the "
                       f"learning-rate schedule. Resume on as many GPUs, or set batch_size or "
                       f"gradient_accumulation_steps so that the total stays {saved_batch}")  # fmt: skip
    return changed


def checkpoint_step(checkpoint: str | Path | None) -> int:
    """Return the global step a checkpoint was saved at (its ``trainer_state.json``); 0 for ``None``.

    Example:
        >>> checkpoint_step(None)
        0
    """
    if checkpoint is None:
        return 0
    state = json.loads((Path(checkpoint) / "trainer_state.json").read_text(encoding="utf-8"))
    return int(state["global_step"])

