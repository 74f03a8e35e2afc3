"""Does the n-gram blend help on articles it was not tuned on? A split-half check on dev.

The blend weights, event thresholds (and stance factors) of a model are chosen on dev, so its
dev scores are optimistic. This script splits the dev articles in two halves at random, chooses
everything on one half exactly as ``python -m training finetune`` does with the default config
(``choose_ngram_blend``, ``tune_event_thresholds`` with one shared threshold, no stance factors;
``--per-type-thresholds`` and ``--stance-factors`` make the other choices), scores the other
half, and averages over ``--splits`` random splits in both directions. It does this twice: for
the encoder alone (blend weights 0) and for the blend. NER is scored before the gazetteer
(which is not re-chosen).

    python scripts/ngram_halves.py --model models/default --dev seeds/dev.jsonl --splits 5
"""

from __future__ import annotations

import argparse
import copy
import logging
import random
import statistics
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # `pip install .` does not install `training`


def _scores(
    settings: Any, tune: list[Any], score: list[Any], weights: tuple[float, float, float], choices: argparse.Namespace,
    outputs: dict[int, Any],
) -> dict[str, float]:
    from training.data.records import record_tasks
    from training.evaluation.sentences import gold_tags
    from training.tuning import tune_event_thresholds, tune_stance_weights
    from training.metrics import event_scores, ner_scores, stance_scores
    from training.ngram import blend_predictions

    tuned = blend_predictions(tune, settings.ngram_model, settings, *weights, [outputs[id(d)] for d in tune])
    factors = tune_stance_weights(settings, tuned) if choices.stance_factors else {}
    thresholds = tune_event_thresholds(tuned, not choices.per_type_thresholds)
    scored = blend_predictions(score, settings.ngram_model, settings, *weights, [outputs[id(d)] for d in score])
    stance = [(s["stance"], p.stance(settings.labels["stance"], factors) or "neutral")
              for r, s, p in scored if "stance" in record_tasks(r) and s.get("stance")]  # fmt: skip
    events = [(set(s["events"]), p.events(settings.labels["events"], thresholds))
              for r, s, p in scored if "events" in record_tasks(r) and s.get("events") is not None]  # fmt: skip
    ner = [(gold_tags(r, s), p.tags) for r, s, p in scored if "ner" in record_tasks(r)]
    event = event_scores(*zip(*events))
    return {
        "stance macro-F1": stance_scores(*zip(*stance))["macro_f1"],
        "events micro-F1": event["micro"]["f1"],
        "events macro-F1": event["macro_f1"],
        "NER micro-F1 (no gazetteer)": ner_scores(*zip(*ner))["micro"]["f1"],
    }


def main() -> None:
    """Print the encoder's and the blend's mean held-out-half scores."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", default="models/default")
    parser.add_argument("--dev", default="seeds/dev.jsonl")
    parser.add_argument("--splits", type=int, default=5)
    parser.add_argument("--per-type-thresholds", action="store_true", help="tune each event type's threshold")
    parser.add_argument("--stance-factors", action="store_true", help="tune the anti/pro probability factors")
    args = parser.parse_args()
    logging.disable(logging.INFO)

    from arabnews_nlp.model_dir import load_analyzer
    from training.data.records import read_records
    from training.tuning import choose_ngram_blend, predict_dev
    from training.ngram import ngram_outputs

    model, tokenizer, settings = load_analyzer(args.model, device="cpu")
    if settings.ngram_model is None:
        raise SystemExit(f"{args.model} has no n-gram model (ngram.safetensors)")
    settings.gazetteer_mode, settings.ner_min_score = "off", 0.0
    encoder_only = copy.copy(settings)
    encoder_only.ngram_model, encoder_only.ngram = None, {}
    dev = predict_dev(model, tokenizer, encoder_only, read_records(args.dev), 32)
    # the n-gram models' outputs for each dev sentence, once: every split only blends them again
    outputs = {id(d): output for d, output in zip(dev, ngram_outputs(dev, settings.ngram_model))}
    ids = sorted({record["id"] for record, _, _ in dev})
    results: dict[str, list[dict[str, float]]] = {"encoder alone": [], "blend": []}
    chosen = []
    for seed in range(args.splits):
        random.Random(seed).shuffle(ids)
        half = set(ids[: len(ids) // 2])
        first = [d for d in dev if d[0]["id"] in half]
        second = [d for d in dev if d[0]["id"] not in half]
        for tune, score in ((first, second), (second, first)):
            trial = copy.copy(settings)
            choose_ngram_blend(trial, tune, not args.per_type_thresholds, args.stance_factors,
                               [outputs[id(d)] for d in tune])  # fmt: skip
            weights = (trial.ngram["stance_weight"], trial.ngram["events_weight"], trial.ngram["ner_weight"])
            chosen.append(weights)
            results["encoder alone"].append(_scores(settings, tune, score, (0.0, 0.0, 0.0), args, outputs))
            results["blend"].append(_scores(settings, tune, score, weights, args, outputs))
    print(f"{len(chosen)} held-out halves of {len(ids)} dev articles; chosen (stance, events, NER) weights: {chosen}")
    for name, runs in results.items():
        means = {metric: statistics.mean(run[metric] for run in runs) for metric in runs[0]}
        print(f"{name:14s} " + "  ".join(f"{metric} {value:.3f}" for metric, value in means.items()))


if __name__ == "__main__":
    main()
