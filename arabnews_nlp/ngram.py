"""Linear n-gram models blended with the encoder: sentence stance and events, and a word tagger.

A compact encoder pre-trained on little text recognises a position on the US presence mostly
by its words; a linear model over the sentence's word and character n-grams (TF-IDF, logistic
regression, the classic strong baseline for short-text classification) learns exactly that from
the annotated sentences. Its probabilities are blended with the encoder's, with a weight per task
chosen on dev by training (0 keeps the encoder alone, 1 the n-gram model alone); the gains are
measured in the model card and in docs/training.md.

This module scores and blends; the features (word, character and word-cluster n-grams, the
tagger's indicator features, all hashed) are :mod:`arabnews_nlp.ngram_features`, and the file
format :mod:`arabnews_nlp.ngram_file`.

The **word tagger** (NER) is a maximum-entropy classifier of each word's IOB2 tag from indicator
features of the word and its neighbours (:func:`arabnews_nlp.ngram_features.tagger_features`),
the features of classic Arabic NER taggers; its distribution is blended with the encoder's before
the Viterbi decoding of :mod:`arabnews_nlp.tasks.ner`. A model fitted as a linear-chain CRF
(:mod:`arabnews_nlp.crf`) also stores tag transition scores, and its distribution is then each
word's posterior marginal given the whole sentence.

The model directory stores numbers only, in ``ngram.safetensors``: the sorted keys of the sentence
features with their IDF and stance and event coefficients, and the sorted keys of the tagger
features with their tag coefficients. A sentence's vector per block is ``(1 + ln tf) * idf``, L2-normalised;
features never seen in training are ignored. Stance is a softmax over its labels, each event type
an independent sigmoid. Inference needs numpy and safetensors only.

Example:
    >>> blend([0.2, 0.8], [0.6, 0.4], 0.25)
    [0.3, 0.7]
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from arabnews_nlp.crf import ChainScores, batch_marginals
from arabnews_nlp.errors import ModelFormatError
from arabnews_nlp.ngram_features import NgramConfig, WordClusters, sentence_keys, sorted_lookup, tagger_keys
from arabnews_nlp.ngram_file import CHAIN, NGRAM_FILE, TENSORS, read_tensors, write_tensors
from arabnews_nlp.tasks.arrays import sigmoid, softmax

if TYPE_CHECKING:
    from arabnews_nlp.encoding import EncodedSpan


@dataclass
class NgramModel:
    """The fitted models: sentence features (sorted keys, IDF, stance and event coefficients) and
    tagger features (sorted keys, tag coefficients).

    Attributes:
        config: Features and blend weights.
        keys: ``(n,)`` int64, sorted keys of the sentence features (word, character and, with
            ``config.event_clusters``, word-cluster n-grams).
        idf: ``(n,)`` float32 inverse document frequencies.
        stance_coef: ``(n, len(stance labels))`` float32.
        stance_bias: ``(len(stance labels),)`` float32.
        event_coef: ``(n, len(event types))`` float32.
        event_bias: ``(len(event types),)`` float32.
        tag_keys: ``(m,)`` int64, sorted keys of the tagger features.
        tag_coef: ``(m, len(NER tags))`` float32.
        tag_bias: ``(len(NER tags),)`` float32.
        clusters: Word clusters for the cluster features of the tagger and, with
            ``config.event_clusters``, of the event regressions.
        tag_chain: Tag transition scores, if the tagger is a CRF (``None``: maximum entropy).
    """

    config: NgramConfig
    keys: np.ndarray
    idf: np.ndarray
    stance_coef: np.ndarray
    stance_bias: np.ndarray
    event_coef: np.ndarray
    event_bias: np.ndarray
    tag_keys: np.ndarray
    tag_coef: np.ndarray
    tag_bias: np.ndarray
    clusters: WordClusters | None = None
    tag_chain: ChainScores | None = None

    def __post_init__(self) -> None:
        n, m, k = len(self.keys), len(self.tag_keys), len(self.tag_bias)
        if self.config.event_clusters and self.clusters is None:
            raise ModelFormatError(f"{NGRAM_FILE}: the settings ask for event_clusters but the file has no word clusters")
        shapes = {"idf": (n,), "stance_coef": (n, len(self.stance_bias)), "event_coef": (n, len(self.event_bias)),
                  "tag_coef": (m, k)}  # fmt: skip
        for name, shape in shapes.items():
            if getattr(self, name).shape != shape:
                raise ModelFormatError(f"{NGRAM_FILE}: {name} has shape {getattr(self, name).shape}, expected {shape}")
        if self.tag_chain is not None:
            chain = self.tag_chain
            for name, array, shape in (("tag_transitions", chain.transitions, (k, k)), ("tag_start", chain.start, (k,)),
                                       ("tag_end", chain.end, (k,))):  # fmt: skip
                if array.shape != shape:
                    raise ModelFormatError(f"{NGRAM_FILE}: {name} has shape {array.shape}, expected {shape}")
        for name in ("keys", "tag_keys"):
            keys = getattr(self, name)
            if len(keys) > 1 and not (np.diff(keys) > 0).all():
                raise ModelFormatError(f"{NGRAM_FILE}: {name} must be sorted and unique")

    def vectors(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Return the TF-IDF vectors of ``texts`` as COO triplets ``(rows, feature indices, values)``."""
        rows: list[int] = []
        cols: list[int] = []
        values: list[float] = []
        for row, text in enumerate(texts):
            for block_keys in sentence_keys(text, self.config, self.clusters):
                counts = Counter(block_keys)
                index, known = sorted_lookup(self.keys, np.fromiter(counts, dtype=np.int64, count=len(counts)))
                if not known.any():
                    continue
                index = index[known]
                tf = np.fromiter(counts.values(), dtype=np.float64, count=len(counts))[known]
                weights = (1.0 + np.log(tf)) * self.idf[index]
                weights /= np.linalg.norm(weights)
                rows += [row] * len(index)
                cols += index.tolist()
                values += weights.tolist()
        return np.asarray(rows, dtype=np.int64), np.asarray(cols, dtype=np.int64), np.asarray(values, dtype=np.float64)

    def sentence_probabilities(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """Return the stance (softmax) and event (sigmoid) probabilities of ``texts``, featurised once."""
        vectors = self.vectors(texts)
        stance = _scores(vectors, len(texts), self.stance_coef, self.stance_bias)
        events = _scores(vectors, len(texts), self.event_coef, self.event_bias)
        return softmax(stance), sigmoid(events)

    def tag_probabilities(self, words: Sequence[str]) -> np.ndarray:
        """Return ``(len(words), len(NER tags))`` tag probabilities of a sentence's words.

        Each word's softmax for a maximum-entropy tagger, its CRF marginal for a CRF one.
        """
        return self.tag_probabilities_batch([words])[0]

    def tag_probabilities_batch(self, sentences: Sequence[Sequence[str]]) -> list[np.ndarray]:
        """Return :meth:`tag_probabilities` of each sentence; a CRF runs one forward-backward for all."""
        scores = [self._tag_scores(words) for words in sentences]
        if self.tag_chain is None:
            return [softmax(rows) for rows in scores]
        return [rows.astype(np.float32) for rows in batch_marginals(scores, self.tag_chain)]

    def _tag_scores(self, words: Sequence[str]) -> np.ndarray:
        """``(len(words), len(NER tags))`` summed tagger coefficients and biases (the emissions)."""
        scores = np.tile(self.tag_bias.astype(np.float64), (len(words), 1))
        per_word = tagger_keys(words, self.clusters)
        if per_word:
            flat = np.fromiter(itertools.chain.from_iterable(per_word), dtype=np.int64)
            index, known = sorted_lookup(self.tag_keys, flat)
            rows = np.repeat(np.arange(len(words)), [len(keys) for keys in per_word])
            np.add.at(scores, rows[known], self.tag_coef[index[known]].astype(np.float64))
        return scores

    def save(self, directory: str | Path) -> Path:
        """Write ``ngram.safetensors`` into ``directory`` (the config goes into the settings JSON)."""
        tensors = {name: getattr(self, name) for name in TENSORS}
        if self.clusters is not None:
            tensors["cluster_keys"], tensors["cluster_ids"] = self.clusters.keys, self.clusters.ids
        if self.tag_chain is not None:
            tensors.update(zip(CHAIN, (self.tag_chain.transitions, self.tag_chain.start, self.tag_chain.end)))
        return write_tensors(directory, tensors)

    @classmethod
    def load(cls, directory: str | Path, config: NgramConfig) -> NgramModel:
        """Read ``ngram.safetensors`` from ``directory``.

        Raises:
            ModelFormatError: If the file is missing or damaged, or its tensors do not fit together.
        """
        tensors = read_tensors(directory)
        clusters = None
        if "cluster_keys" in tensors:
            clusters = WordClusters(tensors["cluster_keys"], tensors["cluster_ids"])
        chain = None
        if CHAIN[0] in tensors:
            chain = ChainScores(*(tensors[name] for name in CHAIN))
        return cls(config, **{name: tensors[name] for name in TENSORS}, clusters=clusters, tag_chain=chain)

def _scores(vectors: tuple[np.ndarray, np.ndarray, np.ndarray], n: int, coef: np.ndarray, bias: np.ndarray) -> np.ndarray:
    rows, cols, values = vectors
    scores = np.tile(bias.astype(np.float64), (n, 1))
    np.add.at(scores, rows, values[:, None] * coef[cols].astype(np.float64))
    return scores



def blend(neural: Sequence[float], ngram: Sequence[float] | None, weight: float) -> list[float]:
    """Return ``(1 - weight) * neural + weight * ngram`` (``neural`` unchanged without n-grams).

    Example:
        >>> blend([0.2, 0.8], [0.6, 0.4], 0.5)
        [0.4, 0.6]
        >>> blend([0.2, 0.8], None, 0.5)
        [0.2, 0.8]
    """
    if ngram is None or not neural or weight == 0.0:
        return list(neural)
    return [round((1.0 - weight) * a + weight * float(b), 12) for a, b in zip(neural, ngram)]


@dataclass(frozen=True)
class SpanNgrams:
    """The n-gram models' output for one span (``None`` fields when the analyzer has none).

    Attributes:
        stance: Stance probabilities of the span.
        events: Event probabilities of the span.
        tags: Per word of the span, its tag distribution.
    """

    stance: list[float] | None = None
    events: list[float] | None = None
    tags: list[list[float]] | None = None


def predict_spans(model: NgramModel | None, texts: Sequence[str], spans: Sequence[EncodedSpan]) -> list[SpanNgrams]:
    """Run the n-gram models on encoded spans (``texts[i]`` is the text ``spans[i]`` indexes).

    Example:
        >>> predict_spans(None, [], [])
        []
    """
    if model is None:
        return [SpanNgrams() for _ in spans]
    sentences = [text[span.start : span.end] for text, span in zip(texts, spans)]
    stance, events = model.sentence_probabilities(sentences)
    tags = model.tag_probabilities_batch([[text[a:b] for a, b in span.words] for text, span in zip(texts, spans)])
    return [SpanNgrams(stance[i].tolist(), events[i].tolist(), tags[i].tolist()) for i in range(len(spans))]
