"""Fit the bag-of-n-grams model (:mod:`arabnews_nlp.ngram`) and choose its blend weights on dev.

Fitting (on the training records' gold sentences): features that occur in at least
:data:`WORD_MIN_DF` sentences (word n-grams) or :data:`CHAR_MIN_DF` sentences (character
n-grams) are kept; IDF is scikit-learn's smoothed ``ln((1 + n) / (1 + df)) + 1``; stance is one
multinomial logistic regression and each event type a binary one, all L2-regularised with
class weights inversely proportional to class frequencies (``class_weight="balanced"``), so
rare ``pro`` sentences and rare event types are not ignored.

Blending (on dev, like the event thresholds and stance factors): for each weight of
:data:`BLEND_WEIGHTS` the encoder's and the n-gram model's probabilities are averaged, the stance
factors and event thresholds are tuned again on the blend, and the weight with the best dev
stance macro-F1 (events: micro-F1) is kept; ties go to the smaller weight, so the n-gram model
only counts where it helps.
"""

from __future__ import annotations

import dataclasses
import logging
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from arabnews_nlp.ngram import NgramConfig, NgramModel, blend, feature_keys
from training.data.records import record_tasks

if TYPE_CHECKING:
    from arabnews_nlp.settings import AnalyzerSettings
    from training.predict import SpanPrediction

logger = logging.getLogger(__name__)

WORD_MIN_DF = 2
"""Sentences a word n-gram must occur in to become a feature."""
CHAR_MIN_DF = 3
"""Sentences a character n-gram must occur in to become a feature."""
STANCE_C = 1.0
"""Inverse L2 strength of the stance regression."""
EVENTS_C = 3.0
"""Inverse L2 strength of each event regression."""
BLEND_WEIGHTS = (0.0, 0.25, 0.5, 0.75, 1.0)
"""Candidate weights of the n-gram probabilities in the blend."""


def gold_spans(records: Sequence[Mapping[str, Any]], task: str) -> list[tuple[str, Any]]:
    """``(sentence text, gold)`` for every sentence annotated for ``task`` (``stance`` or ``events``).

    Example:
        >>> gold_spans([{"text": "ab", "sentences": [{"start": 0, "end": 2, "stance": "pro", "events": []}]}], "stance")
        [('ab', 'pro')]
    """
    spans = []
    for record in records:
        if task not in record_tasks(record):
            continue
        for sentence in record.get("sentences", []):
            gold = sentence.get(task)
            if gold is None or (task == "stance" and not gold):
                continue
            spans.append((record["text"][sentence["start"] : sentence["end"]], gold))
    return spans


def _vocabulary(texts: Sequence[str], config: NgramConfig) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sorted keys, IDF and block of the features frequent enough in ``texts``."""
    frequency: list[Counter[int]] = [Counter(), Counter()]
    for text in texts:
        for block, keys in enumerate(feature_keys(text, config)):
            frequency[block].update(set(keys))
    n = len(texts)
    kept = [(key, block, df) for block, min_df in enumerate((WORD_MIN_DF, CHAR_MIN_DF))
            for key, df in frequency[block].items() if df >= min_df]  # fmt: skip
    kept.sort()
    keys = np.asarray([key for key, _, _ in kept], dtype=np.int64)
    if len(keys) > 1 and not (np.diff(keys) > 0).all():  # the same key in both blocks: a 63-bit collision
        raise RuntimeError("n-gram key collision between word and character blocks; change the hash salt")
    idf = np.asarray([np.log((1 + n) / (1 + df)) + 1 for _, _, df in kept], dtype=np.float32)
    block = np.asarray([b for _, b, _ in kept], dtype=np.uint8)
    return keys, idf, block


def _matrix(model: NgramModel, texts: Sequence[str]) -> Any:
    from scipy.sparse import csr_matrix

    rows, cols, values = model.vectors(texts)
    return csr_matrix((values, (rows, cols)), shape=(len(texts), len(model.keys)))


def _logistic(features: Any, targets: Sequence[Any], c: float) -> Any:
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=c, max_iter=3000, class_weight="balanced").fit(features, targets)


def fit_ngram(
    records: Sequence[Mapping[str, Any]], stance_labels: Sequence[str], event_types: Sequence[str],
    config: NgramConfig | None = None,
) -> NgramModel:
    """Fit the n-gram model on the gold sentences of ``records``.

    Args:
        records: Training records (SCHEMA.md), never dev or test ones.
        stance_labels: Stance labels in the model's order.
        event_types: Event types in the model's order.
        config: Features (blend weights are set later by :func:`choose_blend`).

    Returns:
        The fitted model (blend weights 0 until chosen).

    Raises:
        ValueError: If the records have no stance sentences of two labels or more.
    """
    config = config or NgramConfig()
    stance_spans, event_spans = gold_spans(records, "stance"), gold_spans(records, "events")
    if len({gold for _, gold in stance_spans}) < 2:
        raise ValueError("the n-gram model needs training sentences of at least two stance labels")
    texts = list(dict.fromkeys([text for text, _ in stance_spans] + [text for text, _ in event_spans]))
    keys, idf, block = _vocabulary(texts, config)
    zeros = np.zeros
    model = NgramModel(config, keys, idf, block, zeros((len(keys), len(stance_labels)), np.float32),
                       zeros(len(stance_labels), np.float32), zeros((len(keys), len(event_types)), np.float32),
                       zeros(len(event_types), np.float32))  # fmt: skip
    stance = _logistic(_matrix(model, [t for t, _ in stance_spans]), [g for _, g in stance_spans], STANCE_C)
    classes = list(stance.classes_)
    for column, label in enumerate(stance_labels):
        if label not in classes:
            model.stance_bias[column] = -30.0  # never seen in training: probability ~0
        elif len(classes) > 2:
            model.stance_coef[:, column] = stance.coef_[classes.index(label)]
            model.stance_bias[column] = stance.intercept_[classes.index(label)]
        elif classes.index(label) == 1:  # binary: the log-odds of classes[1] against classes[0] (score 0)
            model.stance_coef[:, column], model.stance_bias[column] = stance.coef_[0], stance.intercept_[0]
    features = _matrix(model, [t for t, _ in event_spans])
    for column, label in enumerate(event_types):
        target = [label in gold for _, gold in event_spans]
        if any(target) and not all(target):
            regression = _logistic(features, target, EVENTS_C)
            model.event_coef[:, column], model.event_bias[column] = regression.coef_[0], regression.intercept_[0]
        else:
            model.event_bias[column] = 30.0 if any(target) else -30.0
    logger.info("n-gram model: %d features (%d word, %d char), %d stance and %d event sentences", len(keys),
                int((block == 0).sum()), int((block == 1).sum()), len(stance_spans), len(event_spans))  # fmt: skip
    return model


def blend_predictions(
    dev: Sequence[tuple[Any, Any, SpanPrediction]], model: NgramModel, stance_weight: float, events_weight: float
) -> list[tuple[Any, Any, SpanPrediction]]:
    """Return ``dev`` (``(record, sentence, prediction)`` from the encoder alone) with blended probabilities.

    Example:
        >>> # blended = blend_predictions(predict_dev(model, tokenizer, settings, records, 32), ngram_model, 0.5, 0.25)
    """
    texts = [record["text"][sentence["start"] : sentence["end"]] for record, sentence, _ in dev]
    stance, events = model.stance_probabilities(texts), model.event_probabilities(texts)
    return [
        (record, sentence, dataclasses.replace(
            prediction,
            stance_probs=blend(prediction.stance_probs, stance[i], stance_weight),
            event_probs=blend(prediction.event_probs, events[i], events_weight),
        ))
        for i, (record, sentence, prediction) in enumerate(dev)
    ]  # fmt: skip
