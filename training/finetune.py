"""``python -m training finetune``: train an analyzer (NER + stance + events) on SCHEMA.md JSONL.

Steps: read the config (YAML/JSON, then command-line overrides); build the model
(:mod:`training.model_init`) and window examples of the gold sentences (:mod:`training.features`),
NER-only extra sentences sampled in (:mod:`training.training_set`); set loss weights for rare
stance labels and events from training counts; train with
:class:`~training.trainer.AnalyzerTrainer` (checkpoints every ``save_steps`` in ``run_dir``,
``--resume`` continues from the last one (:mod:`training.run_dir`), ``log.jsonl`` holds losses
and per-epoch dev scores); then :func:`training.finish.finish`: tune per-event thresholds on dev
(:mod:`training.tuning`); save the model directory (fp16 safetensors + settings); evaluate the
*saved* model on dev (and test files) exactly as ``python -m training evaluate`` would; write
the model card.

Multi-GPU: ``accelerate launch -m training finetune --config …`` (with ``bf16: true`` on GPUs
that support it); the steps after training run on the main process only.

Example:
    >>> args = parse_args(["finetune", "--config", "c.yaml", "--base", "enc", "--resume"])
    >>> args.overrides["base"], args.resume
    ('enc', True)
"""

from __future__ import annotations

import argparse
import dataclasses
import logging
import shlex
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from arabnews_nlp.errors import ConfigError
from arabnews_nlp.signals import SigtermFlag, Terminated, sigterm_raises, stop_reason
from training.checkpoint_errors import checkpoint_write_error, is_disk_full
from training.config import FinetuneConfig
from training.config_file import read_config_file
from training.features import PaddingCollator, build_dataset
from training.finish import base_clusters, check_event_clusters, finish
from training.model_init import build_model
from training.provenance import own_overrides
from training.run_dir import (
    check_resume_config,
    checkpoint_step,
    data_fingerprints,
    last_complete_checkpoint,
    total_batch,
    write_run_config,
)
from training.training_set import training_sentences

if TYPE_CHECKING:
    from collections.abc import Mapping

    from arabnews_nlp.settings import AnalyzerSettings

logger = logging.getLogger(__name__)


class TrainingInterrupted(KeyboardInterrupt):
    """Training was stopped (Ctrl-C); the message names the last checkpoint and how to resume.

    A ``KeyboardInterrupt``, not an ``Exception``: a caller's ``except Exception`` does not swallow it.
    """


class TrainingTerminated(TrainingInterrupted, Terminated):
    """Training was stopped by SIGTERM after saving a checkpoint at the step it stopped; the message names it.

    ``python -m training finetune`` then exits with 143, as a process ended by SIGTERM does.
    """


class Args(NamedTuple):
    """Parsed command line: the config file, field overrides and ``--resume``."""

    config: str | None
    overrides: dict[str, Any]
    resume: bool


def parse_args(argv: list[str]) -> Args:
    """Parse ``finetune`` arguments (``argv[0]`` is the command name).

    Example:
        >>> parse_args(["finetune", "--train", "a.jsonl", "b.jsonl"]).overrides["train"]
        ['a.jsonl', 'b.jsonl']
    """
    parser = argparse.ArgumentParser(prog="python -m training finetune", description=__doc__.split("\n")[0])
    parser.add_argument("--config", help="YAML or JSON config (training/configs/*.yaml)")
    parser.add_argument("--base", help="encoder directory or hub id")
    parser.add_argument("--train", nargs="+", help="training JSONL files")
    parser.add_argument("--dev", help="dev JSONL file (scores per epoch, thresholds)")
    parser.add_argument("--test", nargs="+", help="extra JSONL files scored for the model card")
    parser.add_argument("--ner-extra", nargs="+", help="NER-only JSONL files mixed into training")
    parser.add_argument("--output", dest="output_dir", help="final model directory")
    parser.add_argument("--run-dir", help="checkpoints and log.jsonl")
    parser.add_argument("--epochs", type=float)
    parser.add_argument("--max-steps", type=int, help="train exactly N optimizer steps; replaces epochs (not a cap)")
    parser.add_argument("--batch-size", type=int)
    parser.add_argument("--learning-rate", "--lr", type=float)
    parser.add_argument("--seed", type=int)
    parser.add_argument("--save-steps", type=int)
    parser.add_argument("--name", help="run name, the card's title (default run_dir runs/NAME, output models/NAME)")
    parser.add_argument("--description", help="one line saying what the model is (its settings, card and `info`)")
    parser.add_argument("--word-buckets", type=int, help="rows of the hashed whole-word embedding (0: none)")
    parser.add_argument("--word-vectors", help="folder of `python -m training word-vectors` to initialise them")
    parser.add_argument("--bf16", action=argparse.BooleanOptionalAction, default=None,
                        help="bf16 mixed precision (Ampere or newer GPUs); --no-bf16: off")  # fmt: skip
    parser.add_argument("--fp16", action=argparse.BooleanOptionalAction, default=None,
                        help="fp16 mixed precision (older GPUs); --no-fp16: off")  # fmt: skip
    parser.add_argument("--resume", action="store_true", help="continue from the last checkpoint in run_dir")
    args = vars(parser.parse_args(argv[1:]))
    config, resume = args.pop("config"), args.pop("resume")
    return Args(config, {k: v for k, v in args.items() if v is not None}, resume)


def load_config(args: Args) -> FinetuneConfig:
    """Build the config from the file (if any) and the overrides.

    When the overrides replace the file's data (``base``, ``train``, ``ner_extra``), the file's
    ``description`` and ``name`` no longer describe the model:
    :func:`training.provenance.own_overrides` replaces them, with a warning.

    Example:
        >>> load_config(Args(None, {"base": "enc"}, False)).base
        'enc'
    """
    if not args.config:
        return FinetuneConfig.from_dict({}, args.overrides)
    values = read_config_file(args.config)
    return FinetuneConfig.from_dict(values, {**args.overrides, **own_overrides(args.config, values, args.overrides)})


def dev_evaluator(tokenizer: Any, settings: AnalyzerSettings, dev_records: list[Any], batch_size: int) -> Any:
    """Return ``model -> flat dev scores`` (sentences mode) for the per-epoch callback.

    Example:
        >>> # scores = dev_evaluator(tokenizer, settings, records, 32)(model)
    """
    from training.evaluation.sentences import model_sentence_predictions, score_sentences
    from training.evaluation.summary import summary

    def evaluate(model: Any) -> dict[str, float]:
        predictions = model_sentence_predictions(model, tokenizer, settings, dev_records, batch_size)
        return summary({"sentences": score_sentences(dev_records, predictions)})

    return evaluate


def train(
    config: FinetuneConfig,
    resume: bool = False,
    callbacks: list[Any] | None = None,
    data: Mapping[str, list[Any]] | None = None,
) -> tuple[Any, Any, AnalyzerSettings, Any]:
    """Run the training loop; return ``(model, tokenizer, settings, trainer)``.

    Args:
        config: The run's config (see :class:`~training.config.FinetuneConfig`).
        resume: Continue from the last checkpoint in ``config.run_dir`` (fresh start if none).
        callbacks: Extra ``TrainerCallback`` objects.
        data: The data files' records from :meth:`~training.config.FinetuneConfig.check_ready`
            when the caller has read them; else they are read (and checked) here.

    Raises:
        TrainingInterrupted: On Ctrl-C, naming the last checkpoint and ``--resume``.
        TrainingTerminated: On SIGTERM, after saving a checkpoint at the step it arrived in
            (:class:`~training.sigterm_checkpoint.SigtermCheckpointCallback`).
        CheckpointWriteError: When a checkpoint cannot be written for lack of space
            (:mod:`training.checkpoint_errors`): one line with its size, the free space and
            what to do, instead of torch's traceback.

    Example:
        >>> # model, tokenizer, settings, trainer = train(config)
    """
    from training.sigterm_checkpoint import SigtermCheckpointCallback
    from training.train_log import LOG_FILE
    from training.trainer import AnalyzerTrainer, training_arguments

    data = config.check_ready() if data is None else data  # every data file read once; the run uses these records
    fingerprints = data_fingerprints(config)  # the files as just read: saved with the config, compared on --resume
    args = training_arguments(config)
    batch = total_batch(args)
    checkpoint = _checkpoint_to_resume(config, resume, fingerprints, batch)
    model, tokenizer, settings = build_model(config)
    sentences = training_sentences(config, data)
    if config.class_weights:
        _set_loss_weights(model, sentences, config.max_class_weight)
    dataset = build_dataset(sentences, tokenizer, settings)
    log_path = Path(config.run_dir) / LOG_FILE
    evaluator = None
    if config.dev and config.eval_each_epoch:
        evaluator = dev_evaluator(tokenizer, settings, data[config.dev], config.eval_batch_size)
    sigterm = SigtermFlag()
    stop = SigtermCheckpointCallback(sigterm)  # last: sees a SIGTERM that arrived in the other callbacks
    trainer = AnalyzerTrainer(
        model=model,
        args=args,
        train_dataset=dataset,
        data_collator=PaddingCollator(tokenizer.pad_token_id),
        callbacks=_callbacks(config, log_path, callbacks, evaluator, checkpoint, stop),
    )
    _before_training(config, trainer, resume, checkpoint, fingerprints, batch, log_path)
    _run_loop(config, trainer, checkpoint, sigterm, stop)
    if evaluator is not None and config.average_last_epochs and trainer.is_world_process_zero():
        _log_averaged_scores(trainer, evaluator, log_path)
    return trainer.model, tokenizer, settings, trainer


def _checkpoint_to_resume(
    config: FinetuneConfig, resume: bool, fingerprints: Mapping[str, str], batch: int
) -> str | None:
    """The checkpoint ``--resume`` continues from, once its run's settings are checked; ``None`` for a fresh start.

    Raises:
        ConfigError: If the saved run has other training settings, or a fresh start would leave
            an earlier run's checkpoints in ``run_dir``.
    """
    checkpoint = last_complete_checkpoint(config.run_dir) if resume else None
    if checkpoint is not None:  # before any model is loaded: a changed config must not mix two runs
        check_resume_config(config, fingerprints, batch)
    elif not resume and any(Path(config.run_dir).glob("checkpoint-*")):  # a later --resume would mix the two
        raise ConfigError(f"{config.run_dir} holds checkpoints of an earlier run: pass --resume to continue it, "
                          "or a new --run-dir, or delete them to start over there")  # fmt: skip
    return checkpoint


def _set_loss_weights(model: Any, sentences: list[Any], max_class_weight: float) -> None:
    """Weigh rare stance labels and events in the loss by their training counts."""
    import torch

    from training.trainer import loss_weights

    stance_weights, event_weights = loss_weights(sentences, max_class_weight)
    model.stance_class_weights.copy_(torch.tensor(stance_weights))
    model.event_pos_weights.copy_(torch.tensor(event_weights))
    logger.info("stance class weights %s; event pos_weight %s", stance_weights, event_weights)


def _callbacks(
    config: FinetuneConfig, log_path: Path, callbacks: list[Any] | None, evaluator: Any, checkpoint: str | None,
    stop: Any,
) -> list[Any]:  # fmt: skip
    """The run's callbacks: the JSONL log, the caller's, per-epoch dev scores, weight averaging, ``stop`` last."""
    from training.train_log import EpochEvalCallback, JsonlLogCallback
    from training.weight_averaging import WeightAveragingCallback

    extra = [JsonlLogCallback(log_path), *(callbacks or [])]
    if evaluator is not None:
        extra.append(EpochEvalCallback(evaluator, log_path))
    if config.average_last_epochs:
        extra.append(WeightAveragingCallback(config.average_last_epochs, resume_from=checkpoint))
    extra.append(stop)
    return extra


def _before_training(
    config: FinetuneConfig, trainer: Any, resume: bool, checkpoint: str | None, fingerprints: Mapping[str, str],
    batch: int, log_path: Path,
) -> None:  # fmt: skip
    """Save the run's config and, on ``--resume``, drop the log lines after the checkpoint (main process)."""
    from training.train_log import truncate_log

    if resume and checkpoint is None:
        logger.warning("--resume: no checkpoint in %s, starting from scratch", config.run_dir)
    if trainer.is_world_process_zero():  # before the first checkpoint, so that an interrupted run has it
        write_run_config(config, fingerprints=fingerprints, batch=batch)
    if resume and trainer.is_world_process_zero():  # the steps after the checkpoint are redone, and logged again
        step = checkpoint_step(checkpoint)
        if checkpoint is not None:
            logger.info("resuming from %s (step %d)", checkpoint, step)
        if dropped := truncate_log(log_path, step):
            logger.info("--resume: %d lines of %s logged after step %d dropped", dropped, log_path, step)


def _run_loop(config: FinetuneConfig, trainer: Any, checkpoint: str | None, sigterm: SigtermFlag, stop: Any) -> None:
    """Train from ``checkpoint``; a stop (Ctrl-C, SIGTERM, a full disk) raises an error that says what to do."""
    try:
        with sigterm:
            trainer.train(resume_from_checkpoint=checkpoint)
    except KeyboardInterrupt:
        saved = last_complete_checkpoint(config.run_dir)
        where = f"its last checkpoint is {saved}" if saved else "no checkpoint was saved yet"
        step, resumed = trainer.state.global_step, checkpoint_step(checkpoint)
        when = f"at step {step}" if step >= resumed else f"before training resumed at step {resumed}"  # not "step 0"
        raise TrainingInterrupted(f"interrupted {when}; {where}: rerun the same command with --resume to continue "
                                  "from it") from None  # fmt: skip
    except Exception as error:  # a full disk reads as torch's "unexpected pos ...", which does not say so
        if not is_disk_full(error):
            raise
        raise checkpoint_write_error(error, config.run_dir, trainer.state.global_step, trainer.model,
                                     last_complete_checkpoint(config.run_dir, warn=False), config.save_steps,
                                     config.save_total_limit) from error  # fmt: skip
    if stop.stopped_at is not None:
        raise TrainingTerminated(f"stopped by SIGTERM at step {stop.stopped_at}; its checkpoint is "
                                 f"{last_complete_checkpoint(config.run_dir)}: rerun the same command with --resume "
                                 "to continue from it")  # fmt: skip


def _log_averaged_scores(trainer: Any, evaluator: Any, log_path: Path) -> None:
    """Log the dev scores of the averaged weights (the per-epoch lines score the last weights) to ``log_path``."""
    from training.train_log import append_jsonl

    trainer.model.eval()
    entry = {"step": trainer.state.global_step, "epoch": trainer.state.epoch, "dev_averaged": evaluator(trainer.model)}
    append_jsonl(log_path, entry)


def finetune(config: FinetuneConfig, resume: bool = False, command: str = "python -m training finetune") -> Path | None:
    """Train, then (on the main process) tune, save, evaluate and document the model.

    Returns:
        The model directory on the main process, ``None`` on the others.

    Raises:
        TrainingInterrupted: On Ctrl-C (:class:`TrainingTerminated` on SIGTERM) in training or
            after it, naming the last checkpoint and ``--resume``.

    Example:
        >>> # finetune(FinetuneConfig.from_file("training/configs/seed.yaml"))
    """
    with sigterm_raises():  # SIGTERM outside the training loop ends the command as Ctrl-C does (the loop saves first)
        data = config.check_ready()  # every data file read and checked once, before any model is built
        clusters = base_clusters(config)
        check_event_clusters(config, clusters)
        model, tokenizer, settings, trainer = train(config, resume, data=data)
        if not trainer.is_world_process_zero():
            return None
        try:
            return finish(config, model, tokenizer, dataclasses.replace(settings), command, clusters=clusters, data=data)
        except KeyboardInterrupt as stop:  # Ctrl-C or SIGTERM while tuning, saving or evaluating
            kind = TrainingTerminated if isinstance(stop, Terminated) else TrainingInterrupted
            raise kind(f"{stop_reason(stop)} after training, before the model was saved; its last checkpoint is "
                       f"{last_complete_checkpoint(config.run_dir)}: rerun the same command with --resume to redo "
                       "what follows training") from None  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``python -m training finetune`` (``argv[0]`` is the command name)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    config = load_config(args)
    out = finetune(config, args.resume, command="python -m training " + shlex.join(argv))
    if out is not None:
        print(f"model saved to {out}")
    return 0
