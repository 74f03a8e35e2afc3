"""The choices made on dev after training: event thresholds, n-gram blend, stance factors, gazetteer.

The model runs once over the dev gold sentences (:func:`predict_dev`); every choice then only
re-reads those predictions, trying each candidate setting and keeping the one that scores best
on dev, as :func:`training.finish.finish` does after ``finetune`` and ``retune``.

Example:
    >>> STANCE_WEIGHTS[0], MIN_SCORES[0]
    (1.0, 0.0)
"""

from __future__ import annotations

import dataclasses
import logging
from typing import TYPE_CHECKING, Any

from training.features import gold_sentences
from training.metrics import tune_thresholds
from training.ngram import BLEND_WEIGHTS, blend_predictions, ngram_outputs

if TYPE_CHECKING:
    from collections.abc import Sequence

    from arabnews_nlp.settings import AnalyzerSettings
    from training.ngram import NgramOutput
    from training.predict import SpanPrediction

logger = logging.getLogger(__name__)


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
    tuned again on the blend, as :func:`training.finish.finish` then does (``shared_thresholds``: see
    :func:`tune_event_thresholds`); the weight with the best stance macro-F1 (events: micro-F1;
    NER: micro-F1 before the gazetteer, which is chosen afterwards) is kept, ties to the
    smaller weight. ``settings.ngram`` receives the model's features and the weights. ``outputs``:
    the n-gram models' outputs for ``dev`` (:func:`training.ngram.ngram_outputs`) when the caller
    has them already; they are computed once here otherwise.

    Example:
        >>> # dev = choose_ngram_blend(settings, predict_dev(model, tokenizer, settings, records, 32))
    """
    from training.data.records import record_tasks
    from training.evaluation.sentences import gold_tags
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

    The names are those of :func:`training.baseline.precise_gazetteer`: every training entity
    string that is an entity in at least half of the places where it occurs in the training texts
    (``علي`` "Ali", which is also the preposition "on", is left out).

    Each trial re-runs only the post-processing on the model's decoded tags (``dev`` from
    :func:`predict_dev` on ``dev_records``) and scores it as ``python -m training evaluate`` does.
    Without NER annotation in dev there is nothing to choose on: the gazetteer stays off.

    Example:
        >>> # settings.gazetteer, settings.gazetteer_mode, settings.ner_min_score = choose_gazetteer(...)
    """
    from arabnews_nlp.tasks import ner as ner_task
    from arabnews_nlp.tasks.gazetteer import GAZETTEER_MODES
    from training.baseline import precise_gazetteer
    from training.data.records import record_tasks
    from training.evaluation.sentences import score_sentences

    if not any("ner" in record_tasks(record) for record in dev_records):
        logger.warning("dev has no NER annotation to choose the gazetteer on: it stays off, entity floor 0")
        return {}, "off", 0.0
    names = precise_gazetteer(train_records)
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
