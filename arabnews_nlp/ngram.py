"""Linear n-gram models blended with the encoder: sentence stance and events, and a word tagger.

A compact encoder pre-trained on little text recognises a position on the US presence mostly
by its words; a linear model over the sentence's word and character n-grams (TF-IDF, logistic
regression, the classic strong baseline for short-text classification) learns exactly that from
the annotated sentences. Its probabilities are blended with the encoder's, with a weight per task
chosen on dev by training (0 keeps the encoder alone, 1 the n-gram model alone); the gains are
measured in the model card and in docs/training.md.

Features (all on normalised words, :func:`arabnews_nlp.text.normalize.normalize_word`):

* word n-grams of the sentence (``word_n``, default 1 and 2 words);
* character n-grams inside each word padded with a space on each side (``char_n``, default 2 to
  5 characters: scikit-learn's ``char_wb``), which catches clitics and inflections;
* with ``event_clusters``, for the event regressions only, the 1-2-grams of the words' clusters
  (:func:`cluster_keys`), which carry what a regression learnt about a word to the words used
  like it in the news corpus.

The **word tagger** (NER) is a maximum-entropy classifier of each word's IOB2 tag from indicator
features of the word and its neighbours (:func:`tagger_features`: the word, its stem without
the clitics و ف ب ل ك and the article ال, its first and last 1-3 letters, its length, the words
and stems one and two positions away, and the two word bigrams around it), the features of
classic Arabic NER taggers; its distribution is blended with the encoder's before the Viterbi
decoding of :mod:`arabnews_nlp.tasks.ner`. A model fitted as a linear-chain CRF
(:mod:`arabnews_nlp.crf`) also stores tag transition scores, and its distribution is then each
word's posterior marginal given the whole sentence.

Each feature is identified by a stable 63-bit hash (BLAKE2b) of its block and string, so the
model directory stores numbers only, in ``ngram.safetensors``: the sorted keys of the sentence
features with their IDF and stance and event coefficients, and the sorted keys of the tagger
features with their tag coefficients. A sentence's vector per block is ``(1 + ln tf) * idf``, L2-normalised;
features never seen in training are ignored. Stance is a softmax over its labels, each event type
an independent sigmoid. Inference needs numpy and safetensors only.

Example:
    >>> keys = feature_keys("قال السوداني", NgramConfig())
    >>> len(keys[0]), len(keys[1]) > 0
    (3, True)
"""

from __future__ import annotations

import functools
import hashlib
import itertools
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np

from arabnews_nlp.crf import ChainScores, batch_marginals
from arabnews_nlp.errors import ConfigError, ModelFormatError
from arabnews_nlp.tasks.arrays import sigmoid, softmax
from arabnews_nlp.text.normalize import normalize_word

if TYPE_CHECKING:
    from arabnews_nlp.encoding import EncodedSpan

NGRAM_FILE = "ngram.safetensors"
"""File of the n-gram model inside a model directory (present only when the settings use it)."""

_MASK = (1 << 63) - 1
_TENSORS = ("keys", "idf", "stance_coef", "stance_bias", "event_coef", "event_bias", "tag_keys", "tag_coef", "tag_bias")
_CHAIN = ("tag_transitions", "tag_start", "tag_end")
_CLITICS = ("و", "ف", "ب", "ل", "ك")
T = TypeVar("T")


@dataclass
class NgramConfig:
    """What the n-gram model reads and how much its probabilities count.

    Attributes:
        word_n: Smallest and largest word n-gram.
        char_n: Smallest and largest character n-gram (inside space-padded words).
        stance_weight: Weight of the n-gram stance probabilities in the blend with the encoder's
            (0: encoder only, 1: n-grams only); chosen on dev by training.
        events_weight: The same for event probabilities.
        ner_weight: The same for the word tagger's tag distributions.
        event_clusters: Also give the event regressions a third block of features, the 1-2-grams
            of the sentence's word clusters (:func:`cluster_keys`; the tagger's clusters, which
            the model must then have). The stance regression does not read that block.

    Example:
        >>> NgramConfig.from_dict({"stance_weight": 0.5}).word_n
        (1, 2)
    """

    word_n: tuple[int, int] = (1, 2)
    char_n: tuple[int, int] = (2, 5)
    stance_weight: float = 0.0
    events_weight: float = 0.0
    ner_weight: float = 0.0
    event_clusters: bool = False

    def __post_init__(self) -> None:
        self.word_n, self.char_n = tuple(self.word_n), tuple(self.char_n)  # type: ignore[assignment]
        for name in ("word_n", "char_n"):
            low, high = getattr(self, name)
            if not (isinstance(low, int) and isinstance(high, int) and 1 <= low <= high):
                raise ConfigError(f"ngram {name} must be two integers 1 <= low <= high, got {getattr(self, name)!r}")
        for name in ("stance_weight", "events_weight", "ner_weight"):
            value = getattr(self, name)
            if not isinstance(value, (int, float)) or not 0.0 <= value <= 1.0:
                raise ConfigError(f"ngram {name} must be a number in [0, 1], got {value!r}")
        if not isinstance(self.event_clusters, bool):
            raise ConfigError(f"ngram event_clusters must be true or false, got {self.event_clusters!r}")

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        data = asdict(self)
        data["word_n"], data["char_n"] = list(self.word_n), list(self.char_n)
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> NgramConfig:
        """Build from a dict (``settings.ngram``), ignoring unknown keys."""
        known = {field.name for field in fields(cls)}
        return cls(**{key: value for key, value in data.items() if key in known})


def _key(block: str, gram: str) -> int:
    # surrogatepass: a lone surrogate (a JSON escape of half an emoji) is a feature like any other
    digest = hashlib.blake2b(f"{block}\x00{gram}".encode("utf-8", "surrogatepass"), digest_size=8).digest()
    return int.from_bytes(digest, "little") & _MASK


_cached_key = functools.lru_cache(maxsize=1 << 18)(_key)  # news repeats its words: hash each feature once
_normalized = functools.lru_cache(maxsize=1 << 16)(normalize_word)


@functools.lru_cache(maxsize=1 << 16)
def _char_keys(word: str, low: int, high: int) -> tuple[int, ...]:
    padded = f" {word} "
    return tuple(_key("c", padded[i : i + n]) for n in range(low, high + 1) for i in range(len(padded) - n + 1))


def _sentence_words(text: str) -> list[str]:
    return [w for w in (_normalized(word) for word in text.split()) if w]


def feature_keys(text: str, config: NgramConfig) -> tuple[list[int], list[int]]:
    """Return the keys of the word n-grams and of the character n-grams of ``text`` (with repeats).

    Example:
        >>> words, chars = feature_keys("a b", NgramConfig(char_n=(3, 3)))
        >>> len(words), len(chars)  # a, b, "a b"; " a ", " b "
        (3, 2)
    """
    words = _sentence_words(text)
    low, high = config.word_n
    word_keys = [
        _cached_key("w", " ".join(words[i : i + n])) for n in range(low, high + 1) for i in range(len(words) - n + 1)
    ]
    char_keys = [key for word in words for key in _char_keys(word, *config.char_n)]
    return word_keys, char_keys


def cluster_keys(text: str, clusters: WordClusters) -> list[int]:
    """Return the keys of the word-cluster 1-2-grams of ``text`` (with repeats; ``event_clusters``).

    Per clustering ``g``, each word becomes its cluster (``U`` without one); the features are those
    cluster names and each pair of consecutive ones, so "a strike on a base" and "a drone on a
    camp" share features when their words share clusters.

    Example:
        >>> len(cluster_keys("بغداد غيرها", WordClusters.from_words({"بغداد": (3, 17)})))  # 2 clusterings x (2 + 1)
        6
    """
    words = _sentence_words(text)
    if not words:
        return []
    ids = clusters.lookup(words)
    keys = []
    for g in range(ids.shape[1]):
        names = [f"{g}:{i}" if i >= 0 else f"{g}:U" for i in ids[:, g].tolist()]
        keys += [_cached_key("g", name) for name in names]
        keys += [_cached_key("g", f"{a} {b}") for a, b in zip(names, names[1:])]
    return keys


def sentence_keys(text: str, config: NgramConfig, clusters: WordClusters | None) -> tuple[list[int], ...]:
    """Return the keys of each block of sentence features of ``text``: words, characters, and
    with ``config.event_clusters`` the word clusters (which ``clusters`` must then hold).

    Example:
        >>> len(sentence_keys("a b", NgramConfig(), None))
        2
    """
    blocks = feature_keys(text, config)
    if not config.event_clusters:
        return blocks
    if clusters is None:
        raise ConfigError("ngram event_clusters needs word clusters (the tagger's, from ngram_clusters)")
    return (*blocks, cluster_keys(text, clusters))


def stem(word: str) -> str:
    """Strip one leading clitic (و ف ب ل ك) and the article (ال, or لل after ل), keeping 3+ letters.

    Example:
        >>> stem("والعراق"), stem("للقوات"), stem("بغداد")
        ('عراق', 'قوات', 'غداد')
    """
    if len(word) > 4 and word.startswith("لل"):  # ل + ال
        return word[2:]
    if len(word) > 3 and word[0] in _CLITICS:
        word = word[1:]
    if len(word) > 4 and word.startswith("ال"):
        word = word[2:]
    return word


def tagger_features(words: Sequence[str], clusters: WordClusters | None = None) -> list[list[str]]:
    """Return the tagger's feature strings for each word of a sentence.

    With ``clusters``, each word also gets, per clustering ``g``, the cluster of itself and of
    its two neighbours (``c{g}0``, ``c{g}-1``, ``c{g}+1``; ``U`` for a word without a cluster,
    ``B``/``E`` at the sentence's edges).

    Example:
        >>> tagger_features(["قال", "السوداني"])[1][:3]
        ['w0=السوداني', 'st=سوداني', 'w-1=قال']
    """
    return _tagger_rows(words, clusters, _word_features, str)


def tagger_keys(words: Sequence[str], clusters: WordClusters | None = None) -> list[list[int]]:
    """Return the keys of :func:`tagger_features` for each word, in the same order.

    The keys a word contributes by itself or as a neighbour are cached per word, so only the two
    word bigrams (and the cluster features) around each position are looked up anew.
    """
    return _tagger_rows(words, clusters, _word_tagger_keys, functools.partial(_cached_key, "t"))


def _word_features(word: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The tagger features a (normalised) word gives itself and gives its neighbours.

    Own: ``w0 st len al p1 p2 p3 s1 s2 s3``; as a neighbour: ``w-1 w+1 w-2 w+2 st-1 st+1`` (the
    features of the word 1 or 2 positions after or before it).
    """
    base = stem(word)
    own = (f"w0={word}", f"st={base}", f"len={min(len(word), 8)}", f"al={int(word.startswith('ال'))}",
           *(f"p{k}={word[:k]}" for k in (1, 2, 3)), *(f"s{k}={word[-k:]}" for k in (1, 2, 3)))  # fmt: skip
    neighbour = (f"w-1={word}", f"w+1={word}", f"w-2={word}", f"w+2={word}", f"st-1={base}", f"st+1={base}")
    return own, neighbour


@functools.lru_cache(maxsize=1 << 16)
def _word_tagger_keys(word: str) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """The keys of :func:`_word_features` (cached per word)."""
    own, neighbour = _word_features(word)
    return tuple(_key("t", f) for f in own), tuple(_key("t", f) for f in neighbour)


def _tagger_rows(
    words: Sequence[str], clusters: WordClusters | None,
    per_word: Callable[[str], tuple[tuple[T, ...], tuple[T, ...]]], feature: Callable[[str], T],
) -> list[list[T]]:
    """Assemble each word's tagger features in their fixed order, as strings or as keys.

    ``per_word`` gives a word's own and neighbour features (:func:`_word_features` or its keys);
    ``feature`` turns the features built here (bigrams, clusters) into the same kind.
    """
    normalised = [_normalized(word) or "_" for word in words]
    padded = ["<s2>", "<s1>", *normalised, "</s1>", "</s2>"]
    parts = [per_word(word) for word in padded]
    groups = _cluster_columns(clusters, normalised)
    rows = []
    for i, word in enumerate(normalised):
        j = i + 2
        own = parts[j][0]
        rows.append([
            own[0], own[1], parts[j - 1][1][0], parts[j + 1][1][1], parts[j - 2][1][2], parts[j + 2][1][3],
            parts[j - 1][1][4], parts[j + 1][1][5], feature(f"b-={padded[j - 1]}|{word}"),
            feature(f"b+={word}|{padded[j + 1]}"), *own[2:],
            *(feature(f"c{g}{offset}={column[i + 1 + step]}") for g, column in enumerate(groups)
              for offset, step in (("0", 0), ("-1", -1), ("+1", 1))),
        ])  # fmt: skip
    return rows


def _cluster_columns(clusters: WordClusters | None, normalised: Sequence[str]) -> list[list[str]]:
    """Per clustering, the cluster names of ``B``, the words and ``E``."""
    if clusters is None or not normalised:
        return []
    ids = clusters.lookup(normalised)
    return [["B", *(str(i) if i >= 0 else "U" for i in ids[:, g]), "E"] for g in range(ids.shape[1])]


@dataclass
class WordClusters:
    """Clusters of the corpus words (k-means of their skip-gram vectors), for the tagger.

    Attributes:
        keys: ``(n,)`` int64, sorted hashes of the normalised words.
        ids: ``(n, clusterings)`` int32, each word's cluster in each clustering.

    Example:
        >>> clusters = WordClusters.from_words({"بغداد": (3, 17)})
        >>> clusters.lookup(["بغداد", "غيرها"]).tolist()
        [[3, 17], [-1, -1]]
    """

    keys: np.ndarray
    ids: np.ndarray

    def __post_init__(self) -> None:
        if self.ids.ndim != 2 or len(self.ids) != len(self.keys):
            raise ModelFormatError(f"{NGRAM_FILE}: cluster_ids has shape {self.ids.shape}, expected ({len(self.keys)}, k)")
        if len(self.keys) > 1 and not (np.diff(self.keys) > 0).all():
            raise ModelFormatError(f"{NGRAM_FILE}: cluster_keys must be sorted and unique")

    @classmethod
    def from_words(cls, clusters: Mapping[str, Sequence[int]]) -> WordClusters:
        """Build from ``{normalised word: (cluster per clustering, ...)}``."""
        by_key = sorted((_key("k", word), tuple(ids)) for word, ids in clusters.items())
        width = len(by_key[0][1]) if by_key else 0
        keys = np.asarray([key for key, _ in by_key], dtype=np.int64)
        return cls(keys, np.asarray([ids for _, ids in by_key], dtype=np.int32).reshape(len(by_key), width))

    def lookup(self, normalised: Sequence[str]) -> np.ndarray:
        """Return ``(len(normalised), clusterings)`` cluster ids, -1 for words without a cluster."""
        index, known = _lookup(self.keys, np.fromiter((_cached_key("k", w) for w in normalised), dtype=np.int64))
        return np.where(known[:, None], self.ids[index], -1)


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
                index, known = _lookup(self.keys, np.fromiter(counts, dtype=np.int64, count=len(counts)))
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
            index, known = _lookup(self.tag_keys, flat)
            rows = np.repeat(np.arange(len(words)), [len(keys) for keys in per_word])
            np.add.at(scores, rows[known], self.tag_coef[index[known]].astype(np.float64))
        return scores

    def save(self, directory: str | Path) -> Path:
        """Write ``ngram.safetensors`` into ``directory`` (the config goes into the settings JSON)."""
        from safetensors.numpy import save_file

        path = Path(directory) / NGRAM_FILE
        tensors = {name: np.ascontiguousarray(getattr(self, name)) for name in _TENSORS}
        for name in ("idf", "stance_coef", "event_coef", "tag_coef"):
            tensors[name] = tensors[name].astype(np.float16)
        if self.clusters is not None:
            ids = self.clusters.ids
            tensors["cluster_keys"] = self.clusters.keys
            tensors["cluster_ids"] = ids.astype(np.int16) if ids.size and ids.max() < 1 << 15 else ids
        if self.tag_chain is not None:
            for name, array in zip(_CHAIN, (self.tag_chain.transitions, self.tag_chain.start, self.tag_chain.end)):
                tensors[name] = np.ascontiguousarray(array, dtype=np.float32)
        save_file(tensors, str(path))
        return path

    @classmethod
    def load(cls, directory: str | Path, config: NgramConfig) -> NgramModel:
        """Read ``ngram.safetensors`` from ``directory``.

        Raises:
            ModelFormatError: If the file is missing or damaged, or its tensors do not fit together.
        """
        from arabnews_nlp.weights_file import load_numpy

        path = Path(directory) / NGRAM_FILE
        if not path.is_file():
            raise ModelFormatError(
                f"{path} is missing, but the settings blend an n-gram model (settings 'ngram'); "
                "copy the whole model directory, or remove 'ngram' from arabnews_nlp.json"
            )
        tensors = load_numpy(path)
        missing = [name for name in _TENSORS if name not in tensors]
        if missing:
            raise ModelFormatError(f"{path}: missing tensors {missing}")
        arrays = {name: tensors[name].astype(np.int64 if name.endswith("keys") else np.float32) for name in _TENSORS}
        clusters = None
        if "cluster_keys" in tensors:
            clusters = WordClusters(tensors["cluster_keys"].astype(np.int64), tensors["cluster_ids"].astype(np.int32))
        chain = None
        if any(name in tensors for name in _CHAIN):
            if not all(name in tensors for name in _CHAIN):
                raise ModelFormatError(f"{path}: a CRF tagger needs all of {list(_CHAIN)}")
            chain = ChainScores(*(tensors[name].astype(np.float64) for name in _CHAIN))
        return cls(config, **arrays, clusters=clusters, tag_chain=chain)


def _scores(vectors: tuple[np.ndarray, np.ndarray, np.ndarray], n: int, coef: np.ndarray, bias: np.ndarray) -> np.ndarray:
    rows, cols, values = vectors
    scores = np.tile(bias.astype(np.float64), (n, 1))
    np.add.at(scores, rows, values[:, None] * coef[cols].astype(np.float64))
    return scores


def _lookup(table: np.ndarray, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Indices of ``keys`` in the sorted ``table`` and the mask of those it holds."""
    if not len(table):
        return np.zeros(len(keys), dtype=np.int64), np.zeros(len(keys), dtype=bool)
    index = np.searchsorted(table, keys).clip(max=len(table) - 1)
    return index, table[index] == keys


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
