"""Fit the linear n-gram models (:mod:`arabnews_nlp.ngram`) and blend them by weights chosen on dev.

Fitting, on the training records' gold sentences (the tagger also on NER-only records such as
ANERcorp): sentence features that occur in at least :data:`WORD_MIN_DF` sentences (word
n-grams) or :data:`CHAR_MIN_DF` sentences (character n-grams) are kept; IDF is scikit-learn's
smoothed ``ln((1 + n) / (1 + df)) + 1``; stance is one multinomial logistic regression and each
event type a binary one, all L2-regularised with class weights inversely proportional to class
frequencies (``class_weight="balanced"``), so rare ``pro`` sentences and rare event types are not
ignored. The word tagger is one multinomial logistic regression over the IOB2 tags, on tagger
features seen at least :data:`TAG_MIN_COUNT` times in the training words; with ``tagger="crf"``
that fit is the starting point of a linear-chain CRF over the same features
(:mod:`training.crf`).

Blending, on dev like the event thresholds and stance factors
(:func:`training.tuning.choose_ngram_blend`): for each weight of :data:`BLEND_WEIGHTS` the
encoder's and the n-gram models' probabilities are averaged with that weight, the stance factors
and event thresholds are tuned again on the blend, and each task keeps the weight with its best
dev score (stance macro-F1, events micro-F1, NER seqeval micro-F1 after Viterbi); ties go to the
smaller weight, so the n-gram models only count where they help.
"""

from __future__ import annotations

import dataclasses
import logging
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from arabnews_nlp.crf import ChainScores
from arabnews_nlp.ngram import NgramModel, blend
from arabnews_nlp.ngram_features import NgramConfig, WordClusters, sentence_keys, tagger_keys
from arabnews_nlp.tasks import ner as ner_task
from arabnews_nlp.text.words import split_words
from training.config_checks import NGRAM_TAGGERS
from training.data.records import record_tasks

if TYPE_CHECKING:
    from arabnews_nlp.settings import AnalyzerSettings
    from training.predict import SpanPrediction

logger = logging.getLogger(__name__)

WORD_MIN_DF = 2
"""Sentences a word n-gram must occur in to become a feature."""
CHAR_MIN_DF = 3
"""Sentences a character n-gram must occur in to become a feature."""
CLUSTER_MIN_DF = 2
"""Sentences a word-cluster n-gram (``event_clusters``) must occur in to become a feature."""
STANCE_C = 1.0
"""Inverse L2 strength of the stance regression."""
EVENTS_C = 3.0
"""Inverse L2 strength of each event regression."""
TAG_MIN_COUNT = 2
"""Training words a tagger feature must occur in to become a feature."""
TAG_C = 1.0
"""Inverse L2 strength of the tagger's regression."""
CRF_MAX_ITER = 200
"""L-BFGS iterations of the CRF tagger (``tagger: crf``), started from the maximum-entropy fit."""
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


def _vocabulary(
    texts: Sequence[str], config: NgramConfig, clusters: WordClusters | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sorted keys and IDF of the sentence features frequent enough in ``texts``, and each one's block."""
    min_dfs = (WORD_MIN_DF, CHAR_MIN_DF, CLUSTER_MIN_DF)
    frequency: list[Counter[int]] = [Counter() for _ in min_dfs]
    for text in texts:
        for block, keys in enumerate(sentence_keys(text, config, clusters)):
            frequency[block].update(set(keys))
    n = len(texts)
    kept = [(key, block, df) for block, min_df in enumerate(min_dfs)
            for key, df in frequency[block].items() if df >= min_df]  # fmt: skip
    kept.sort()
    keys = np.asarray([key for key, _, _ in kept], dtype=np.int64)
    idf = np.asarray([np.log((1 + n) / (1 + df)) + 1 for _, _, df in kept], dtype=np.float32)
    blocks = np.asarray([block for _, block, _ in kept], dtype=np.int64)
    if len(keys) > 1 and not (np.diff(keys) > 0).all():  # a 63-bit collision between two blocks
        raise RuntimeError("n-gram key collision between two blocks of sentence features; change the hash salt")
    return keys, idf, blocks


def _matrix(model: NgramModel, texts: Sequence[str]) -> Any:
    from scipy.sparse import csr_matrix

    rows, cols, values = model.vectors(texts)
    return csr_matrix((values, (rows, cols)), shape=(len(texts), len(model.keys)))


def _logistic(features: Any, targets: Sequence[Any], c: float, balanced: bool = True, max_iter: int = 3000) -> Any:
    from sklearn.linear_model import LogisticRegression

    weights = "balanced" if balanced else None
    return LogisticRegression(C=c, max_iter=max_iter, class_weight=weights).fit(features, targets)


def _label_columns(regression: Any, labels: Sequence[str], coef: np.ndarray, bias: np.ndarray, rows: Any = slice(None)) -> None:
    """Write a fitted regression's score for each of ``labels`` into a column of ``coef`` (its ``rows``) and ``bias``.

    A label the regression never saw gets bias -30 (probability ~0). With two classes scikit-learn
    keeps one vector, the log-odds of ``classes_[1]`` against ``classes_[0]``, which scores 0.
    """
    classes = list(regression.classes_)
    for column, label in enumerate(labels):
        if label not in classes:
            coef[rows, column], bias[column] = 0.0, -30.0
        elif len(classes) > 2:
            index = classes.index(label)
            coef[rows, column], bias[column] = regression.coef_[index], regression.intercept_[index]
        elif classes.index(label) == 1:
            coef[rows, column], bias[column] = regression.coef_[0], regression.intercept_[0]
        else:
            coef[rows, column], bias[column] = 0.0, 0.0


def _seen_only_bias(labels: Sequence[str], seen: set[str]) -> np.ndarray:
    """The biases of a part with nothing to learn: 0 for the labels seen (for all when none was), -30 for the rest.

    Example:
        >>> _seen_only_bias(["anti", "pro", "neutral"], {"neutral"}).tolist()
        [-30.0, -30.0, 0.0]
    """
    return np.asarray([0.0 if label in seen or not seen else -30.0 for label in labels], np.float32)


def tagged_words(records: Sequence[Mapping[str, Any]]) -> list[tuple[list[str], list[str]]]:
    """``(words, gold IOB2 tags)`` for every sentence of the records annotated for NER.

    Example:
        >>> tagged_words([{"text": "في بغداد", "sentences": [{"start": 0, "end": 8}],
        ...                "entities": [{"start": 3, "end": 8, "label": "LOC"}]}])
        [(['في', 'بغداد'], ['O', 'B-LOC'])]
    """
    from training.evaluation.sentences import gold_tags

    sentences = []
    for record in records:
        if "ner" not in record_tasks(record):
            continue
        for sentence in record.get("sentences", []):
            words = split_words(record["text"], sentence["start"], sentence["end"])
            if words:
                sentences.append(([record["text"][a:b] for a, b in words], gold_tags(record, sentence)))
    return sentences


def word_clusters(folder: str, sizes: Sequence[int], seed: int = 0) -> WordClusters:
    """Cluster the skip-gram word vectors of ``folder`` with k-means, once per size in ``sizes``.

    Args:
        folder: Output of ``python -m training word-vectors`` (``vectors.safetensors``, ``words.txt``).
        sizes: Numbers of clusters, one clustering each (e.g. ``[256, 1024]``).
        seed: Seed of the k-means initialisation.

    Returns:
        The clusters of every word of the vectors (unit-length vectors, mini-batch k-means).
    """
    from safetensors.numpy import load_file
    from sklearn.cluster import MiniBatchKMeans

    from arabnews_nlp.text.normalize import normalize_word

    vectors = load_file(str(Path(folder) / "vectors.safetensors"))["vectors"].astype(np.float32)
    words = (Path(folder) / "words.txt").read_text(encoding="utf-8").split("\n")[: len(vectors)]
    vectors /= np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
    labels = [MiniBatchKMeans(n_clusters=k, random_state=seed, batch_size=4096, n_init=3).fit(vectors).labels_
              for k in sizes]  # fmt: skip
    clusters: dict[str, tuple[int, ...]] = {}
    for i, word in enumerate(words):
        clusters.setdefault(normalize_word(word), tuple(int(column[i]) for column in labels))  # most frequent first
    clusters.pop("", None)
    logger.info("word clusters: %d words, sizes %s", len(clusters), list(sizes))
    return WordClusters.from_words(clusters)


def _tagger(
    sentences: Sequence[tuple[list[str], list[str]]], tags: Sequence[str], clusters: WordClusters | None = None,
    kind: str = "maxent",
) -> tuple[np.ndarray, np.ndarray, np.ndarray, ChainScores | None]:
    """Fit the word tagger: its feature keys (sorted), coefficients ``(keys, tags)``, biases and transitions.

    ``kind`` ``"crf"`` continues the maximum-entropy fit as a linear-chain CRF
    (:func:`training.crf.fit_crf`, same features and L2 strength); ``"maxent"`` has no transitions.
    """
    from scipy.sparse import csr_matrix

    rows = [keys for words, _ in sentences for keys in tagger_keys(words, clusters)]
    gold = [tag for _, sentence_tags in sentences for tag in sentence_tags]
    if len(set(gold)) < 2:
        logger.warning("n-gram word tagger: the training words have %s; it gives no information",
                       f"the tag {gold[0]!r} only" if gold else "no NER annotation")  # fmt: skip
        return np.zeros(0, np.int64), np.zeros((0, len(tags)), np.float32), _seen_only_bias(tags, set(gold)), None
    counts = Counter(key for keys in rows for key in set(keys))
    keys = np.asarray(sorted(key for key, count in counts.items() if count >= TAG_MIN_COUNT), dtype=np.int64)
    column = {int(key): i for i, key in enumerate(keys)}
    indices = [[column[key] for key in word if key in column] for word in rows]
    matrix = csr_matrix((np.ones(sum(map(len, indices))), np.concatenate([np.asarray(i, dtype=np.int64) for i in indices]),
                         np.cumsum([0, *map(len, indices)])), shape=(len(rows), len(keys)))  # fmt: skip
    regression = _logistic(matrix, gold, TAG_C, balanced=False, max_iter=300)  # 200k words: lbfgs budget
    coef, bias = np.zeros((len(keys), len(tags)), np.float32), np.zeros(len(tags), np.float32)
    _label_columns(regression, tags, coef, bias)
    if kind == "maxent":
        return keys, coef, bias, None
    from training.crf import fit_crf

    ids = {tag: i for i, tag in enumerate(tags)}
    crf = fit_crf(matrix, np.asarray([ids[tag] for tag in gold]), [len(words) for words, _ in sentences], tags, TAG_C,
                  coef, bias, max_iter=CRF_MAX_ITER)  # fmt: skip
    logger.info("CRF tagger: %d L-BFGS iterations, objective %.1f", crf.iterations, crf.loss)
    return keys, crf.coef, crf.bias, crf.chain


def fit_ngram(
    records: Sequence[Mapping[str, Any]], stance_labels: Sequence[str], event_types: Sequence[str],
    ner_tags: Sequence[str], ner_records: Sequence[Mapping[str, Any]] = (), config: NgramConfig | None = None,
    clusters: WordClusters | None = None, tagger: str = "maxent",
) -> NgramModel:
    """Fit the n-gram models on the gold sentences of ``records`` (the tagger also on ``ner_records``).

    Args:
        records: Training records (SCHEMA.md), never dev or test ones.
        stance_labels: Stance labels in the model's order.
        event_types: Event types in the model's order.
        ner_tags: IOB2 tags in the model's order.
        ner_records: More NER-only training records (e.g. ANERcorp train) for the tagger.
        config: Features (blend weights are set later by ``choose_ngram_blend``).
        clusters: Word clusters (:func:`word_clusters`) for the tagger's cluster features (and the
            event regressions' with ``config.event_clusters``).
        tagger: ``"maxent"`` (each word's tag on its own) or ``"crf"`` (a linear-chain CRF over the
            same features, :mod:`training.crf`).

    Returns:
        The fitted model (blend weights 0 until chosen).

    A part whose training data hold fewer than two classes (no stance sentences of two labels
    or more, e.g. NER-only annotations; no entity at all) gets no coefficients: it gives the
    classes it saw and nothing else, a warning says so, and ``choose_ngram_blend`` weighs it on dev
    like any other part. Event types never (or always) seen are handled the same way.

    Raises:
        ValueError: If ``tagger`` is unknown, or ``config.event_clusters`` is set without ``clusters``.
    """
    if tagger not in NGRAM_TAGGERS:
        raise ValueError(f"tagger must be one of {list(NGRAM_TAGGERS)}, got {tagger!r}")
    config = config or NgramConfig()
    if config.event_clusters and clusters is None:
        raise ValueError("event_clusters needs word clusters: pass clusters (the config's ngram_clusters)")
    stance_spans, event_spans = gold_spans(records, "stance"), gold_spans(records, "events")
    texts = list(dict.fromkeys([text for text, _ in stance_spans] + [text for text, _ in event_spans]))
    keys, idf, blocks = _vocabulary(texts, config, clusters)
    tag_keys, tag_coef, tag_bias, chain = _tagger(tagged_words([*records, *ner_records]), ner_tags, clusters, tagger)
    n, s, e = len(keys), len(stance_labels), len(event_types)
    model = NgramModel(config, keys, idf, np.zeros((n, s), np.float32), np.zeros(s, np.float32),
                       np.zeros((n, e), np.float32), np.zeros(e, np.float32), tag_keys, tag_coef, tag_bias,
                       clusters, chain)  # fmt: skip
    seen = sorted({gold for _, gold in stance_spans})
    if len(seen) >= 2:
        read = blocks < 2  # the stance regression reads the word and character blocks only
        stance_features = _matrix(model, [t for t, _ in stance_spans])[:, read]
        stance = _logistic(stance_features, [g for _, g in stance_spans], STANCE_C)
        _label_columns(stance, stance_labels, model.stance_coef, model.stance_bias, read)
    else:
        logger.warning("n-gram stance model: the training sentences have %s; it gives no information",
                       f"the stance label {seen[0]!r} only" if seen else "no stance")  # fmt: skip
        model.stance_bias[:] = _seen_only_bias(stance_labels, set(seen))
    features = _matrix(model, [t for t, _ in event_spans])
    for column, label in enumerate(event_types):
        target = [label in gold for _, gold in event_spans]
        if any(target) and not all(target):
            regression = _logistic(features, target, EVENTS_C)
            model.event_coef[:, column], model.event_bias[column] = regression.coef_[0], regression.intercept_[0]
        else:
            model.event_bias[column] = 30.0 if any(target) else -30.0
    per_block = np.bincount(blocks, minlength=3)
    logger.info("n-gram model: %d sentence features (%d word, %d char, %d cluster) from %d stance and %d event "
                "sentences; %d tagger features", n, *per_block, len(stance_spans), len(event_spans), len(tag_keys))  # fmt: skip
    return model


@dataclasses.dataclass(frozen=True)
class NgramOutput:
    """The n-gram models' outputs for one dev sentence, computed once and blended at every weight.

    Attributes:
        stance: The stance probabilities, in the order of the stance labels.
        events: The event probabilities, in the order of the event types.
        tags: Each word's tag distribution from the word tagger, or ``None`` for a sentence without words.
    """

    stance: np.ndarray
    events: np.ndarray
    tags: list[list[float]] | None


def ngram_outputs(dev: Sequence[tuple[Any, Any, SpanPrediction]], model: NgramModel) -> list[NgramOutput]:
    """Return the n-gram models' outputs for each ``(record, sentence, prediction)`` of ``dev``.

    Example:
        >>> # outputs = ngram_outputs(dev, settings.ngram_model)  # then blend_predictions(..., outputs=outputs)
    """
    texts = [record["text"][sentence["start"] : sentence["end"]] for record, sentence, _ in dev]
    stance, events = model.sentence_probabilities(texts)
    outputs = []
    for i, (record, _, prediction) in enumerate(dev):
        words = [record["text"][a:b] for a, b in prediction.words]
        outputs.append(NgramOutput(stance[i], events[i], model.tag_probabilities(words).tolist() if words else None))
    return outputs


def blend_predictions(
    dev: Sequence[tuple[Any, Any, SpanPrediction]], model: NgramModel, settings: AnalyzerSettings,
    stance_weight: float, events_weight: float, ner_weight: float, outputs: Sequence[NgramOutput] | None = None,
) -> list[tuple[Any, Any, SpanPrediction]]:
    """Return ``dev`` (``(record, sentence, prediction)`` from the encoder alone) with blended probabilities.

    The NER tags are decoded again from the blended word distributions and post-processed with
    ``settings`` (as :func:`training.predict.predict_encoded` does). ``outputs`` are the model's
    outputs for ``dev`` from :func:`ngram_outputs`; give them when blending the same sentences at
    several weights, so that the n-gram models (a CRF forward-backward per sentence) run once.

    Example:
        >>> # blended = blend_predictions(predict_dev(...), ngram_model, settings, 1.0, 0.75, 0.5)
    """
    if outputs is None:
        outputs = ngram_outputs(dev, model)
    elif len(outputs) != len(dev):
        raise ValueError(f"outputs has {len(outputs)} entries for {len(dev)} dev sentences: make it with ngram_outputs(dev, model)")
    labels = settings.labels["ner"]
    blended = []
    for (record, sentence, prediction), output in zip(dev, outputs):
        tagger = output.tags if ner_weight else None
        decoded = ner_task.tag_words(ner_task.blend_rows(prediction.ner_probs, tagger, ner_weight), labels,
                                     settings.ner_decoding) if prediction.ner_probs else prediction.decoded  # fmt: skip
        blended.append((record, sentence, dataclasses.replace(
            prediction,
            tags=[tag for tag, _ in ner_task.postprocess(record["text"], prediction.words, decoded, settings)],
            decoded=decoded,
            stance_probs=blend(prediction.stance_probs, output.stance, stance_weight),
            event_probs=blend(prediction.event_probs, output.events, events_weight),
        )))  # fmt: skip
    return blended
