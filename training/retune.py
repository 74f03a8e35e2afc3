"""``python -m training retune``: redo everything after training for an already trained model.

New annotations improve the linear n-gram models and the choices made on dev at once, without
the hours an encoder takes to retrain. This command loads a saved model directory, forgets its
n-gram models and tuned settings, and runs the end of ``finetune`` again with a config: fit the
n-gram models on ``train`` (if ``ngram: true``), choose blend weights, event thresholds, stance
factors and the gazetteer on ``dev``, save to ``output_dir`` (the encoder's weights unchanged),
evaluate on ``dev`` and ``test``, and write the model card. The tagger's word clusters are part
of the model, like the encoder: when the model has them they are kept (so the config's
``word_vectors`` need not exist and the refit does not depend on a word2vec run); otherwise
they are computed as ``finetune`` does.

    python -m training retune --model models/default --config training/configs/default_cpu.yaml

The card then says which training data the n-gram models saw (``train`` now) and which model
directory the encoder came from; the model's ``base_model`` is that directory (as given, and its
absolute path: :func:`training.provenance.base_reference`), not the base it was trained from.
"""

from __future__ import annotations

import argparse
import logging
import shlex
import sys
from pathlib import Path

from arabnews_nlp.errors import ConfigError
from training.config import FinetuneConfig
from training.config_file import read_config_file
from training.finish import check_event_clusters, finish
from training.provenance import base_reference, describe_retune, own_overrides
from training.run_dir import write_run_config


def retune(model_dir: str, config_path: str | None, overrides: dict[str, object], command: str) -> Path:
    """Load ``model_dir``, reset what training tunes, and run :func:`training.finish.finish`.

    Args:
        model_dir: A saved analyzer directory (its encoder and heads are kept as they are).
        config_path: The fine-tuning config (data files, ``ngram``, ``gazetteer``, output).
        overrides: Config fields to override (e.g. ``output_dir``); without ``run_dir``, the
            evaluation files go to the config's ``run_dir`` / ``retune``. When the model has word
            clusters, the config's ``word_vectors`` and ``ngram_clusters`` are dropped: its
            clusters are kept.
        command: The command line, for the model card.

    Returns:
        The new model directory.
    """
    import torch

    from arabnews_nlp.model_dir import load_analyzer

    model, tokenizer, settings = load_analyzer(model_dir, device="cpu", dtype=torch.float32)
    clusters = settings.ngram_model.clusters if settings.ngram_model else None
    data = read_config_file(config_path) if config_path else {}
    if clusters is not None:  # kept: the config's word vectors are not read
        data = {**data, "word_vectors": None, "ngram_clusters": []}
    own_run_dir = "run_dir" in overrides
    if config_path:  # a config written for other files does not describe this model
        described = describe_retune(model_dir, [str(path) for path in overrides.get("train") or []])
        overrides = {**overrides, **own_overrides(config_path, data, overrides, description=described)}
    config = FinetuneConfig.from_dict(data, overrides)
    if not own_run_dir:  # not the training run's own folder: its evaluation files stay
        config.run_dir = str(Path(config.run_dir) / "retune")
    if not config.train:
        raise ConfigError("train lists no file: the n-gram models and the baseline are fitted on it; set `train:` "
                          "in the config or pass --train FILE ...")  # fmt: skip
    records = config.check_data()
    check_event_clusters(config, clusters)
    settings.ngram, settings.ngram_model = {}, None
    settings.stance_weights = {}
    settings.event_thresholds = dict.fromkeys(settings.labels["events"], 0.5)
    settings.gazetteer, settings.gazetteer_mode, settings.ner_min_score = {}, "off", 0.0
    settings.metrics = {}
    settings.description = config.description or settings.description
    settings.base_model = base_reference(model_dir)  # what it was made from, as finetune records its base
    write_run_config(config, "retune_config.json")  # not finetune_config.json: a training run's --resume reads that
    return finish(config, model, tokenizer, settings, command, clusters=clusters, retuned=True, data=records)


def main(argv: list[str] | None = None) -> int:
    """CLI entry point: ``python -m training retune --model DIR --config FILE [--train FILE ...] [--output DIR]``."""
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(prog="python -m training retune", description=__doc__.split("\n")[0])
    parser.add_argument("command", nargs="?", help=argparse.SUPPRESS)
    parser.add_argument("--model", required=True, help="saved model directory whose encoder and heads are kept")
    parser.add_argument("--config", required=True, help="fine-tuning config (training/configs/*.yaml)")
    parser.add_argument("--train", nargs="+", help="training files for the n-gram models and the baseline "
                        "(default: the config's); list them all, e.g. seeds/train.jsonl mine.jsonl")  # fmt: skip
    parser.add_argument("--dev", help="the file every choice is made on (default: the config's)")
    parser.add_argument("--test", nargs="+", help="files scored for the card only (default: the config's)")
    parser.add_argument("--output", dest="output_dir", help="model directory to write (default: the config's)")
    parser.add_argument("--run-dir", help="where the evaluation files and the baseline go (default: RUN_DIR/retune, "
                        "RUN_DIR being the config's run_dir, so that the training run's results stay as they are)")  # fmt: skip
    parser.add_argument("--name", help="the model's name, the title of its card (default: the config's, or the "
                        "--output folder's name when --train replaces the config's files)")  # fmt: skip
    parser.add_argument("--description", help="the model's one-line description (default: the config's, or what "
                        "the retune did when --train replaces the config's files)")  # fmt: skip
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    names = ("output_dir", "run_dir", "train", "dev", "test", "name", "description")
    overrides = {name: getattr(args, name) for name in names if getattr(args, name) is not None}
    out = retune(args.model, args.config, overrides, "python -m training " + shlex.join(argv))
    print(f"model saved to {out}")
    return 0
