"""The end of a fine-tuning run: choose on dev, save the model, evaluate the saved model, write the card.

:func:`finish` runs after ``python -m training finetune`` has trained (on the main process) and
for ``python -m training retune``, which trains nothing: it fits the n-gram models on the
training records, makes the dev choices (:mod:`training.tuning`), saves the model directory,
scores the *saved* model on dev and the test files exactly as ``python -m training evaluate``
would, scores the keyword baseline (:func:`score_baseline`) and writes the model card.

Example:
    >>> # finish(config, model, tokenizer, settings, "python -m training finetune ...")
"""

from __future__ import annotations

import logging
import shlex
from pathlib import Path
from typing import TYPE_CHECKING, Any

from arabnews_nlp.errors import ConfigError
from arabnews_nlp.ngram_features import NgramConfig, WordClusters
from arabnews_nlp.settings import AnalyzerSettings
from training.base_checks import check_word_vectors, is_analyzer_dir
from training.config import FinetuneConfig
from training.data.records import read_records
from training.ngram import fit_ngram, word_clusters
from training.training_set import train_records
from training.tuning import (
    choose_gazetteer,
    choose_ngram_blend,
    predict_dev,
    tune_event_thresholds,
    tune_stance_weights,
)

if TYPE_CHECKING:
    from collections.abc import Mapping

logger = logging.getLogger(__name__)


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

    from arabnews_nlp.model_dir import save_analyzer
    from training.model_card import write_model_card

    model.eval()
    dev_records = read_records([config.dev], data) if config.dev else []
    train = train_records(config, data) if config.dev else []  # for the gazetteer and the baseline
    if dev_records:  # one line per phase: with real data each takes minutes
        _choose_on_dev(config, model, tokenizer, settings, train, dev_records, clusters, data)
    else:
        logger.warning("no dev file: event thresholds stay at 0.5")
    out = save_analyzer(config.output_dir, model.cpu(), tokenizer, settings, dtype=torch.float16)
    commands, files = _evaluate_saved(config, out, command, dev_records, data)
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


def _choose_on_dev(
    config: FinetuneConfig, model: Any, tokenizer: Any, settings: AnalyzerSettings, train: list[Any],
    dev_records: list[Any], clusters: WordClusters | None, data: Mapping[str, list[Any]] | None,
) -> None:  # fmt: skip
    """Fit the n-gram models on ``train`` and make every dev choice into ``settings`` (see :func:`finish`)."""
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


def _evaluate_saved(
    config: FinetuneConfig, out: Path, command: str, dev_records: list[Any], data: Mapping[str, list[Any]] | None
) -> tuple[list[str], dict[str, Path]]:
    """Score the model saved in ``out`` on dev and the test files; its dev scores go into its settings.

    Returns:
        The commands that reproduce the scores (``command`` first) and the scores files by name.
    """
    from arabnews_nlp.model_dir import load_analyzer
    from training.evaluation.modes import evaluate_model
    from training.evaluation.report import scores_report, write_json
    from training.evaluation.summary import summary

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
    return commands, files


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
    from training.evaluation.modes import evaluate_analyzer
    from training.evaluation.report import scores_report, write_json

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
