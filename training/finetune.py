"""``python -m training finetune``: train an analyzer (NER + stance + events) on SCHEMA.md JSONL.

Steps: read the config (YAML/JSON, then command-line overrides); build window examples of the
gold sentences (:mod:`training.features`), NER-only extra sentences sampled in; set loss
weights for rare stance labels and events from training counts; train with
:class:`~training.trainer.AnalyzerTrainer` (checkpoints every ``save_steps`` in ``run_dir``,
``--resume`` continues from the last one, ``log.jsonl`` holds losses and per-epoch dev scores);
tune per-event thresholds on dev; save the model directory (fp16 safetensors + settings);
evaluate the *saved* model on dev (and test files) exactly as ``python -m training evaluate``
would; write the model card.

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
import json
import logging
import shlex
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from arabnews_nlp.errors import ConfigError
from arabnews_nlp.model_dir import RUN_CONFIG_FILE  # the runtime names a run folder given as a model by it
from arabnews_nlp.ngram import NgramConfig, WordClusters
from arabnews_nlp.settings import AnalyzerSettings
from arabnews_nlp.signals import SigtermFlag, Terminated, sigterm_raises, stop_reason
from training.checkpoint_errors import checkpoint_write_error, is_disk_full
from training.config import (
    FinetuneConfig,
    base_load_errors,
    check_word_vectors,
    is_analyzer_dir,
    read_config_file,
)
from training.data.records import read_records
from training.features import PaddingCollator, build_dataset, gold_sentences, sample_sentences
from training.metrics import tune_thresholds
from training.ngram import BLEND_WEIGHTS, blend_predictions, fit_ngram, ngram_outputs, word_clusters
from training.provenance import base_reference, own_overrides

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from training.ngram import NgramOutput
    from training.predict import SpanPrediction

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
    parser.add_argument("--bf16", action="store_true", default=None)
    parser.add_argument("--fp16", action="store_true", default=None)
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


def build_model(config: FinetuneConfig) -> tuple[Any, Any, AnalyzerSettings]:
    """Load the base encoder and tokenizer, add fresh heads, and make the settings.

    When ``config.base`` is a trained analyzer directory (e.g. ``models/default``), the run
    continues from it instead: its encoder, heads and word embeddings in float32, its
    architecture (word embedding, pooling, dropout) and text normalisation, whatever the config
    says, since its weights and tokenizer were trained with them. Its thresholds and n-gram model
    are not kept: ``finish`` chooses them again on dev.

    Raises:
        ConfigError: If the tokenizer is not a fast BERT-style one or windows exceed the encoder.

    Example:
        >>> # model, tokenizer, settings = build_model(config)
    """
    from transformers import set_seed

    from arabnews_nlp.text.normalize import NormalizationConfig

    set_seed(config.seed)  # the heads' initialisation is part of the run
    if is_analyzer_dir(config.base):
        model, tokenizer, normalization = _trained_analyzer(config.base)
    else:
        model, tokenizer = _fresh_heads(config)
        normalization = NormalizationConfig.from_dict(config.normalization)
    if model.word_embeddings is not None:
        model.word_embeddings.weight.requires_grad_(config.word_vectors_trainable or not config.word_vectors)
    positions = getattr(model.config.encoder, "max_position_embeddings", config.max_length)
    if config.max_length > positions:
        raise ConfigError(
            f"max_length {config.max_length} exceeds the encoder's max_position_embeddings {positions}; lower it"
        )
    settings = AnalyzerSettings(
        normalization=normalization,
        max_length=config.max_length,
        stride=config.stride,
        trained=True,
        description=config.description,
        base_model=base_reference(config.base),  # a relative path alone means nothing away from this folder
    )
    return model, tokenizer, settings


def _fresh_heads(config: FinetuneConfig) -> tuple[Any, Any]:
    """The encoder ``config.base`` with fresh heads (and word vectors when configured), and its tokenizer."""
    from transformers import AutoTokenizer

    from arabnews_nlp.modeling import AnalyzerModel

    with base_load_errors(config.base):
        tokenizer = AutoTokenizer.from_pretrained(config.base, trust_remote_code=False)
    if not getattr(tokenizer, "is_fast", False) or tokenizer.pad_token_id is None:
        raise ConfigError(f"{config.base}: the tokenizer must be a fast tokenizer with a [PAD] token (tokenizer.json)")
    with base_load_errors(config.base):
        model = AnalyzerModel.from_encoder(
            config.base, classifier_dropout=config.classifier_dropout, word_buckets=config.word_buckets,
            word_dim=config.word_dim, sentence_pooling=config.sentence_pooling,
        )  # fmt: skip
    if model.word_embeddings is not None:
        model.set_word_pieces(tokenizer)
        if config.word_vectors:
            load_word_vectors(model, tokenizer, config.word_vectors)
    return model, tokenizer


def _trained_analyzer(directory: str) -> tuple[Any, Any, Any]:
    """The analyzer saved in ``directory`` (float32, train mode), its tokenizer and its normalisation."""
    import torch

    from arabnews_nlp.model_dir import load_analyzer

    model, tokenizer, settings = load_analyzer(directory, device="cpu", dtype=torch.float32)
    logger.info("continuing from the trained analyzer %s (%s)", directory, settings.description)
    model.train()
    return model, tokenizer, settings.normalization


def load_word_vectors(model: Any, tokenizer: Any, folder: str) -> int:
    """Copy pre-trained word vectors into ``model.word_embeddings`` (rows by word hash).

    Each word is tokenised with ``tokenizer`` exactly as at run time and hashed from its piece
    ids; when two words share a row the more frequent one (earlier in ``words.txt``) keeps it.
    Vectors are scaled to unit length. Rows of no word keep their initialisation.

    Returns:
        The number of rows filled.

    Raises:
        ConfigError: If the vectors' width differs from ``word_dim``.
    """
    import torch
    from safetensors.torch import load_file

    from arabnews_nlp.word_hash import word_bucket, word_piece_hash

    vectors = load_file(str(Path(folder) / "vectors.safetensors"))["vectors"]
    words = (Path(folder) / "words.txt").read_text(encoding="utf-8").split("\n")[: vectors.shape[0]]
    table = model.word_embeddings.weight
    if vectors.shape[1] != table.shape[1]:
        raise ConfigError(f"{folder}: vectors have width {vectors.shape[1]} but word_dim is {table.shape[1]}; make them equal")
    buckets = model.config.word_buckets
    encodings = tokenizer.backend_tokenizer.encode_batch([[w] for w in words], is_pretokenized=True, add_special_tokens=False)
    taken: set[int] = set()
    rows, sources = [], []
    for index, encoding in enumerate(encodings):
        if not encoding.ids:
            continue
        row = word_bucket(word_piece_hash(encoding.ids), buckets)
        if row not in taken:
            taken.add(row)
            rows.append(row)
            sources.append(index)
    chosen = vectors[torch.tensor(sources)]
    chosen = chosen / chosen.norm(dim=1, keepdim=True).clamp(min=1e-6)
    with torch.no_grad():
        table[torch.tensor(rows)] = chosen.to(table.dtype)
    return len(rows)


def train_records(config: FinetuneConfig, data: Mapping[str, list[Any]] | None = None) -> list[Any]:
    """The records of ``config.train``, without synthetic ones when ``exclude_synthetic``.

    ``data``: the files' records when already read (:meth:`~training.config.FinetuneConfig.check_data`).

    Example:
        >>> # records = train_records(config)
    """
    records = read_records(config.train, data)
    if config.exclude_synthetic:
        records = [record for record in records if not record.get("synthetic")]
    return records


def training_sentence_parts(
    config: FinetuneConfig, data: Mapping[str, list[Any]] | None = None
) -> tuple[list[Any], list[Any], list[Any]]:
    """The gold sentences of ``train``, the ``ner_extra`` sentences sampled for training, and all the ``ner_extra`` ones.

    ``data``: the files' records when already read (:meth:`~training.config.FinetuneConfig.check_data`).

    Example:
        >>> # main, kept, extra = training_sentence_parts(config)
    """
    main = gold_sentences(train_records(config, data))
    extra = gold_sentences(read_records(config.ner_extra, data))
    kept = sample_sentences(extra, config.ner_extra_max_sentences, config.ner_extra_ratio, len(main), config.seed)
    return main, kept, extra


def training_sentences(config: FinetuneConfig, data: Mapping[str, list[Any]] | None = None) -> list[Any]:
    """Gold sentences of ``train`` plus the sampled ``ner_extra`` sentences (:func:`training_sentence_parts`).

    Logs how many there are and how many of the ``train`` ones annotate each layer; warns when no
    training sentence annotates a layer, whose head then stays untrained
    (:func:`training.model_card.untrained_note`).

    Example:
        >>> # refs = training_sentences(config)
    """
    from training.model_card import label_counts, untrained_note

    main, kept, extra = training_sentence_parts(config, data)
    annotated = {layer: counts.sentences for layer, counts in label_counts(main).items()}
    logger.info("training on %d sentences of train (of them, %d annotate NER, %d stance, %d events) + %d of %d "
                "NER-only sentences of ner_extra", len(main), annotated["ner"], annotated["stance"],
                annotated["events"], len(kept), len(extra))  # fmt: skip
    if note := untrained_note(label_counts(main + kept), config.base):
        logger.warning("%s", note)
    return main + kept


def dev_evaluator(tokenizer: Any, settings: AnalyzerSettings, dev_records: list[Any], batch_size: int) -> Any:
    """Return ``model -> flat dev scores`` (sentences mode) for the per-epoch callback.

    Example:
        >>> # scores = dev_evaluator(tokenizer, settings, records, 32)(model)
    """
    from training.evaluate import model_sentence_predictions, score_sentences, summary

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
            (:class:`~training.trainer.SigtermCheckpointCallback`).
        CheckpointWriteError: When a checkpoint cannot be written for lack of space
            (:mod:`training.checkpoint_errors`): one line with its size, the free space and
            what to do, instead of torch's traceback.

    Example:
        >>> # model, tokenizer, settings, trainer = train(config)
    """
    import torch
    from training.trainer import (
        LOG_FILE,
        AnalyzerTrainer,
        EpochEvalCallback,
        JsonlLogCallback,
        SigtermCheckpointCallback,
        WeightAveragingCallback,
        append_jsonl,
        loss_weights,
        training_arguments,
        truncate_log,
    )

    data = config.check_ready() if data is None else data  # every data file read once; the run uses these records
    fingerprints = data_fingerprints(config)  # the files as just read: saved with the config, compared on --resume
    args = training_arguments(config)
    check_launch(args)
    batch = total_batch(args)
    checkpoint = last_complete_checkpoint(config.run_dir) if resume else None
    if checkpoint is not None:  # before any model is loaded: a changed config must not mix two runs
        check_resume_config(config, fingerprints, batch)
    elif not resume and any(Path(config.run_dir).glob("checkpoint-*")):  # a later --resume would mix the two
        raise ConfigError(f"{config.run_dir} holds checkpoints of an earlier run: pass --resume to continue it, "
                          "or a new --run-dir, or delete them to start over there")  # fmt: skip
    model, tokenizer, settings = build_model(config)
    sentences = training_sentences(config, data)
    if config.class_weights:
        stance_weights, event_weights = loss_weights(sentences, config.max_class_weight)
        model.stance_class_weights.copy_(torch.tensor(stance_weights))
        model.event_pos_weights.copy_(torch.tensor(event_weights))
        logger.info("stance class weights %s; event pos_weight %s", stance_weights, event_weights)
    dataset = build_dataset(sentences, tokenizer, settings)
    log_path = Path(config.run_dir) / LOG_FILE
    extra = [JsonlLogCallback(log_path), *(callbacks or [])]
    evaluator = None
    if config.dev and config.eval_each_epoch:
        evaluator = dev_evaluator(tokenizer, settings, data[config.dev], config.eval_batch_size)
        extra.append(EpochEvalCallback(evaluator, log_path))
    if config.average_last_epochs:
        extra.append(WeightAveragingCallback(config.average_last_epochs, resume_from=checkpoint))
    sigterm = SigtermFlag()
    stop = SigtermCheckpointCallback(sigterm)  # last: sees a SIGTERM that arrived in the other callbacks
    extra.append(stop)
    trainer = AnalyzerTrainer(
        model=model,
        args=args,
        train_dataset=dataset,
        data_collator=PaddingCollator(tokenizer.pad_token_id),
        callbacks=extra,
    )
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
    try:
        with sigterm:
            trainer.train(resume_from_checkpoint=checkpoint)
    except KeyboardInterrupt:
        saved = last_complete_checkpoint(config.run_dir)
        where = f"its last checkpoint is {saved}" if saved else "no checkpoint was saved yet"
        raise TrainingInterrupted(f"interrupted at step {trainer.state.global_step}; {where}: rerun the same "
                                  "command with --resume to continue from it") from None  # fmt: skip
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
    if evaluator is not None and config.average_last_epochs and trainer.is_world_process_zero():
        # the per-epoch lines score the last weights; this one scores their average, same way
        trainer.model.eval()
        entry = {"step": trainer.state.global_step, "epoch": trainer.state.epoch, "dev_averaged": evaluator(trainer.model)}
        append_jsonl(log_path, entry)
    return trainer.model, tokenizer, settings, trainer


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
                          "and write the same folders. Run one process (python -m training finetune ...), or launch "
                          "with accelerate/torchrun on a machine with a GPU per process")  # fmt: skip


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
    from training.evaluate import write_json

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
    current = config.to_dict()
    defaults = {f.name: f.default if f.default_factory is dataclasses.MISSING else f.default_factory()
                for f in dataclasses.fields(FinetuneConfig)}  # fmt: skip
    changed = [f"  {name}: {json.dumps(saved.get(name, defaults[name]), ensure_ascii=False)} → "
               f"{json.dumps(value, ensure_ascii=False)}"
               for name, value in current.items()
               if name not in NOT_TRAINING_FIELDS and saved.get(name, defaults[name]) != value]  # fmt: skip
    saved_prints = saved.get(FINGERPRINTS_KEY) or {}
    prints = data_fingerprints(config) if fingerprints is None else fingerprints
    changed += [f"  {path}: its content changed since the run started (sha256 {saved_prints[path][:12]}… → {digest[:12]}…)"
                for path, digest in prints.items()
                if path in saved_prints and saved_prints[path] != digest]  # fmt: skip
    saved_batch = saved.get(BATCH_KEY)
    if batch is not None and saved_batch is not None and saved_batch != batch:
        changed.append(f"  windows per optimizer step (batch_size × GPUs × processes × gradient_accumulation_steps): "
                       f"{saved_batch} → {batch}; the checkpoint's step would fall elsewhere in the epochs and the "
                       f"learning-rate schedule. Resume on as many GPUs, or set batch_size or "
                       f"gradient_accumulation_steps so that the total stays {saved_batch}")  # fmt: skip
    if changed:
        raise ConfigError(
            f"--resume: the run in {config.run_dir} was started with other training settings; resuming it would mix "
            "two runs. Changed (saved → now):\n" + "\n".join(changed) + "\nUse the old settings to resume it, or "
            "pass a new --run-dir to train the new settings apart, or delete its checkpoints to start over there"
        )


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


def predict_dev(
    model: Any, tokenizer: Any, settings: AnalyzerSettings, dev_records: list[Any], batch_size: int
) -> list[tuple[Any, Any, SpanPrediction]]:
    """One forward pass over the dev gold sentences: ``(record, sentence, prediction)`` each.

    The choices made on dev (event thresholds, stance factors, gazetteer) only re-read these
    predictions, so the model runs once however many settings are tried.

    Example:
        >>> # dev = predict_dev(model, tokenizer, settings, read_records("seeds/dev.jsonl"), 32)
    """
    from training.predict import predict_spans

    refs = gold_sentences(dev_records)
    spans = [(r["text"], s["start"], s["end"]) for r, s in refs]
    predictions = predict_spans(model, tokenizer, settings, spans, batch_size)
    return [(record, sentence, prediction) for (record, sentence), prediction in zip(refs, predictions)]


def tune_event_thresholds(dev: list[tuple[Any, Any, SpanPrediction]], shared: bool = True) -> dict[str, float]:
    """Tune the event thresholds on dev sentences with event annotation.

    ``shared``: one threshold for every type, by micro-F1; else each type's own by its F1, 0.5
    for types absent from dev (:func:`training.metrics.tune_thresholds`).

    Example:
        >>> # settings.event_thresholds = tune_event_thresholds(predict_dev(model, tokenizer, settings, records, 32))
    """
    from training.data.records import record_tasks

    kept = [(s, p) for r, s, p in dev if "events" in record_tasks(r) and s.get("events") is not None]
    return tune_thresholds([p.event_probs for _, p in kept], [set(s["events"]) for s, _ in kept], shared=shared)


STANCE_WEIGHTS = (1.0, 1.5, 2.0, 3.0)


def choose_ngram_blend(
    settings: AnalyzerSettings, dev: list[tuple[Any, Any, SpanPrediction]],
    shared_thresholds: bool = True, stance_factors: bool = False, outputs: Sequence[NgramOutput] | None = None,
) -> list[tuple[Any, Any, SpanPrediction]]:
    """Choose the n-gram blend weights on dev (:mod:`training.ngram`); return the blended predictions.

    For each weight the event thresholds (and, with ``stance_factors``, the stance factors) are
    tuned again on the blend, as :func:`finish` then does (``shared_thresholds``: see
    :func:`tune_event_thresholds`); the weight with the best stance macro-F1 (events: micro-F1;
    NER: micro-F1 before the gazetteer, which is chosen afterwards) is kept, ties to the
    smaller weight. ``settings.ngram`` receives the model's features and the weights. ``outputs``:
    the n-gram models' outputs for ``dev`` (:func:`training.ngram.ngram_outputs`) when the caller
    has them already; they are computed once here otherwise.

    Example:
        >>> # dev = choose_ngram_blend(settings, predict_dev(model, tokenizer, settings, records, 32))
    """
    from training.data.records import record_tasks
    from training.evaluate import gold_tags
    from training.metrics import event_scores, ner_scores, stance_scores

    model = settings.ngram_model
    assert model is not None
    stance_gold = [(i, s["stance"]) for i, (r, s, _) in enumerate(dev) if "stance" in record_tasks(r) and s.get("stance")]
    event_gold = [(i, set(s["events"])) for i, (r, s, _) in enumerate(dev)
                  if "events" in record_tasks(r) and s.get("events") is not None]  # fmt: skip
    ner_gold = [(i, gold_tags(r, s)) for i, (r, s, _) in enumerate(dev) if "ner" in record_tasks(r)]
    scores: dict[str, dict[float, float]] = {"stance": {}, "events": {}, "ner": {}}
    if outputs is None:
        outputs = ngram_outputs(dev, model)  # the n-gram models run once; only the blend changes with the weight
    for weight in BLEND_WEIGHTS:
        blended = blend_predictions(dev, model, settings, weight, weight, weight, outputs)
        factors = tune_stance_weights(settings, blended) if stance_factors else {}
        labels = settings.labels["stance"]
        pred = [blended[i][2].stance(labels, factors) or "neutral" for i, _ in stance_gold]
        scores["stance"][weight] = stance_scores([g for _, g in stance_gold], pred)["macro_f1"]
        thresholds = tune_event_thresholds(blended, shared_thresholds)
        found = [blended[i][2].events(settings.labels["events"], thresholds) for i, _ in event_gold]
        scores["events"][weight] = event_scores([g for _, g in event_gold], found)["micro"]["f1"]
        tags = [blended[i][2].tags for i, _ in ner_gold]
        scores["ner"][weight] = ner_scores([g for _, g in ner_gold], tags)["micro"]["f1"] if ner_gold else 0.0
    chosen = {task: max(BLEND_WEIGHTS, key=lambda w: (by_weight[w], -w)) for task, by_weight in scores.items()}
    logger.info("n-gram blend on dev (weight: score): %s -> %s", scores, chosen)
    settings.ngram = {**model.config.to_dict(), "stance_weight": chosen["stance"],
                      "events_weight": chosen["events"], "ner_weight": chosen["ner"]}  # fmt: skip
    return blend_predictions(dev, model, settings, chosen["stance"], chosen["events"], chosen["ner"], outputs)


def tune_stance_weights(settings: AnalyzerSettings, dev: list[tuple[Any, Any, SpanPrediction]]) -> dict[str, float]:
    """Pick the ``anti`` and ``pro`` probability factors (:data:`STANCE_WEIGHTS`) by dev macro-F1.

    Rare stances are under-predicted by a model trained on mostly neutral sentences; a factor
    on their probability is a prior correction. Ties go to the smaller factors, so weights stay
    1.0 unless they help on dev.

    Example:
        >>> # settings.stance_weights = tune_stance_weights(settings, predict_dev(model, tokenizer, settings, records, 32))
    """
    from training.data.records import record_tasks
    from training.metrics import stance_scores

    kept = [(s, p) for r, s, p in dev if "stance" in record_tasks(r) and s.get("stance")]
    labels, gold = settings.labels["stance"], [s["stance"] for s, _ in kept]
    scores: dict[tuple[float, float], float] = {}
    for anti in STANCE_WEIGHTS:
        for pro in STANCE_WEIGHTS:
            weights = {"anti": anti, "pro": pro}
            pred = [p.stance(labels, weights) or "neutral" for _, p in kept]
            scores[(anti, pro)] = stance_scores(gold, pred)["macro_f1"]
    anti, pro = max(scores, key=lambda key: (scores[key], -key[0] - key[1]))
    logger.info("stance weights: dev macro-F1 %s -> anti %s, pro %s", scores, anti, pro)
    return {"anti": anti, "pro": pro} if (anti, pro) != (1.0, 1.0) else {}


MIN_SCORES = (0.0, 0.5, 0.6, 0.7, 0.8, 0.9)


def choose_gazetteer(
    settings: AnalyzerSettings, train_records: list[Any], dev_records: list[Any],
    dev: list[tuple[Any, Any, SpanPrediction]],
) -> tuple[dict[str, str], str, float]:
    """Build the gazetteer from the training entities; pick its mode and the model's entity
    confidence floor (:data:`MIN_SCORES`) by NER F1 on dev.

    Each trial re-runs only the post-processing on the model's decoded tags (``dev`` from
    :func:`predict_dev` on ``dev_records``) and scores it as ``python -m training evaluate`` does.
    Without NER annotation in dev there is nothing to choose on: the gazetteer stays off.

    Example:
        >>> # settings.gazetteer, settings.gazetteer_mode, settings.ner_min_score = choose_gazetteer(...)
    """
    from arabnews_nlp.tasks import ner as ner_task
    from arabnews_nlp.tasks.gazetteer import GAZETTEER_MODES
    from training.baseline import build_gazetteer
    from training.data.records import record_tasks
    from training.evaluate import score_sentences

    if not any("ner" in record_tasks(record) for record in dev_records):
        logger.warning("dev has no NER annotation to choose the gazetteer on: it stays off, entity floor 0")
        return {}, "off", 0.0
    names = build_gazetteer(train_records)
    scores: dict[tuple[str, float], float] = {}
    for mode in GAZETTEER_MODES:
        for floor in MIN_SCORES:
            trial = dataclasses.replace(settings, gazetteer=names, gazetteer_mode=mode, ner_min_score=floor)
            tagged = [
                ([tag for tag, _ in ner_task.postprocess(r["text"], p.words, p.decoded, trial)], None, set())
                for r, _, p in dev
            ]
            scores[(mode, floor)] = score_sentences(dev_records, tagged)["ner"]["micro"]["f1"]
    mode, floor = max(scores, key=lambda key: (scores[key], key[0] == "off", -key[1]))
    logger.info("gazetteer of %d names; dev NER F1 %s -> %s, floor %s", len(names), scores, mode, floor)
    return (names if mode != "off" else {}), mode, floor


def finish(
    config: FinetuneConfig,
    model: Any,
    tokenizer: Any,
    settings: AnalyzerSettings,
    command: str,
    clusters: WordClusters | None = None,
    retuned: bool = False,
    data: Mapping[str, list[Any]] | None = None,
) -> Path:
    """Tune thresholds, save the model, evaluate the saved model and write the card.

    ``data``: the data files' records as the run read them
    (:meth:`~training.config.FinetuneConfig.check_data`); a file not in it is read here.

    The tagger's word clusters are ``clusters`` when given (a retuned or continued model keeps
    its own; :func:`base_clusters`), else computed from ``config.word_vectors`` when
    ``config.ngram_clusters`` asks for them. ``retuned`` says the model comes from ``python -m
    training retune``, which trained nothing: its card then says the training files fitted only
    the n-gram models and the dev choices.

    Example:
        >>> # finish(config, model, tokenizer, settings, "python -m training finetune ...")
    """
    import torch

    from arabnews_nlp.model_dir import load_analyzer, save_analyzer
    from training.evaluate import evaluate_model, scores_report, summary, write_json
    from training.model_card import write_model_card

    model.eval()
    dev_records = read_records([config.dev], data) if config.dev else []
    train = train_records(config, data) if config.dev else []  # for the gazetteer and the baseline
    if dev_records:  # one line per phase: with real data each takes minutes
        logger.info("scoring dev (%s): %d documents", config.dev, len(dev_records))
        dev = predict_dev(model, tokenizer, settings, dev_records, config.eval_batch_size)
        shared_thresholds = config.event_thresholds == "shared"
        if config.ngram:
            labels, ner_extra = settings.labels, read_records(config.ner_extra, data)
            if clusters is None and config.ngram_clusters:
                clusters = word_clusters(config.word_vectors, config.ngram_clusters)
            features = NgramConfig(event_clusters=config.ngram_event_clusters)
            logger.info("fitting the n-gram models on %d training documents", len(train))
            settings.ngram_model = fit_ngram(train, labels["stance"], labels["events"], labels["ner"], ner_extra,
                                             features, clusters, config.ngram_tagger)  # fmt: skip
            dev = choose_ngram_blend(settings, dev, shared_thresholds, config.stance_factors)
        settings.event_thresholds = tune_event_thresholds(dev, shared_thresholds)
        settings.stance_weights = tune_stance_weights(settings, dev) if config.stance_factors else {}
        if config.gazetteer:
            settings.gazetteer, settings.gazetteer_mode, settings.ner_min_score = choose_gazetteer(
                settings, train, dev_records, dev
            )
    else:
        logger.warning("no dev file: event thresholds stay at 0.5")
    out = save_analyzer(config.output_dir, model.cpu(), tokenizer, settings, dtype=torch.float16)
    saved = load_analyzer(out, device="auto")
    commands, files = [command], {}
    for name, path in config.evaluations():
        files[name] = Path(config.run_dir) / f"eval_{name}.json"  # beside the run: the model dir stays lean
        argv = ["evaluate", "--model", str(out), "--data", path, "--mode", "both", "--out", str(files[name])]
        records = dev_records if name == "dev" else read_records([path], data)
        logger.info("evaluating the saved model on %s (%s): %d documents", name, path, len(records))
        scores = evaluate_model(*saved, records, "both", config.eval_batch_size)
        report = scores_report(str(out), [path], scores, argv)
        write_json(files[name], report)
        commands.append(report["command"])
        if name == "dev":
            saved[2].metrics = summary(report)
            saved[2].save(out)
    if config.dev:
        logger.info("fitting the keyword baseline on %d training documents and scoring it on dev", len(train))
        files["baseline_dev"] = score_baseline(config, train, dev_records, commands)
    write_model_card(
        out,
        config.to_dict(),
        [*config.train, *config.ner_extra, *([config.dev] if config.dev else []), *config.test],
        files,
        commands,
        retuned,
        data,
    )
    logger.info("saved %s", out)
    return out


def score_baseline(config: FinetuneConfig, train: list[Any], dev_records: list[Any], commands: list[str]) -> Path:
    """Fit the keyword/gazetteer baseline on the model's training records (``train``), score it on dev.

    Writes ``baseline.json`` and ``eval_baseline_dev.json`` into the run directory and appends
    the commands that reproduce them to ``commands``, so the card compares model and baseline on
    the same data.

    Returns:
        The path of the baseline's scores JSON.

    Example:
        >>> # score_baseline(config, train_records(config), read_records(config.dev), commands)
    """
    from training.baseline import KeywordBaseline
    from training.evaluate import evaluate_analyzer, scores_report, write_json

    run_dir = Path(config.run_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    baseline_path, scores_path = run_dir / "baseline.json", run_dir / "eval_baseline_dev.json"
    KeywordBaseline.fit(train).save(baseline_path)
    argv = ["evaluate", "--baseline", str(baseline_path), "--data", str(config.dev), "--mode", "both"]
    report = scores_report(str(baseline_path), [str(config.dev)], evaluate_analyzer(
        KeywordBaseline.load(baseline_path), dev_records, "both"), [*argv, "--out", str(scores_path)])
    write_json(scores_path, report)
    synthetic = " --exclude-synthetic" if config.exclude_synthetic else ""
    commands.append(f"python -m training baseline --train {shlex.join(config.train)} --out {baseline_path}{synthetic}")
    commands.append(report["command"])
    return scores_path


def check_event_clusters(config: FinetuneConfig, clusters: WordClusters | None = None) -> None:
    """Fail before any work when ``ngram_event_clusters`` has no word clusters to read.

    Raises:
        ConfigError: If neither ``clusters`` (those of a model being retuned) nor
            ``config.ngram_clusters`` give any.
    """
    if config.ngram_event_clusters and clusters is None and not config.ngram_clusters:
        raise ConfigError("ngram_event_clusters needs word clusters: set ngram_clusters (e.g. [256, 1024]) "
                          "and word_vectors, or retune a model that has them")  # fmt: skip


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


def base_clusters(config: FinetuneConfig) -> WordClusters | None:
    """The word clusters a run keeps from its base, checked before training so that errors come first.

    A trained analyzer ``base`` that has word clusters keeps them, like its encoder (the config's
    ``word_vectors`` need not exist, as for ``retune``). Otherwise ``None``: :func:`finish`
    computes them from ``word_vectors`` when ``ngram`` and ``ngram_clusters`` ask, and those
    vectors are checked here.

    Raises:
        ConfigError: If clusters will be computed and ``word_vectors`` holds no vectors.
    """
    if is_analyzer_dir(config.base):
        base = AnalyzerSettings.load(config.base).ngram_model
        if base is not None and not config.ngram:
            logger.warning("%s has n-gram models (blended into its answers with weights %s) but this config has "
                           "ngram: false, so the output will have none; set ngram: true to fit them again on the "
                           "training data", config.base,
                           {k: v for k, v in base.config.to_dict().items() if k.endswith("_weight")})  # fmt: skip
        if base is not None and base.clusters is not None:
            logger.info("keeping the word clusters of %s", config.base)
            return base.clusters
    if config.ngram and config.ngram_clusters and config.word_vectors:
        check_word_vectors(config.word_vectors)
    return None


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
