"""The features of the linear n-gram models (:mod:`arabnews_nlp.ngram`): what they read, hashed.

Sentence features (all on normalised words, :func:`arabnews_nlp.text.normalize.normalize_word`):

* word n-grams of the sentence (``word_n``, default 1 and 2 words);
* character n-grams inside each word padded with a space on each side (``char_n``, default 2 to
  5 characters: scikit-learn's ``char_wb``), which catches clitics and inflections;
* with ``event_clusters``, for the event regressions only, the 1-2-grams of the words' clusters
  (:func:`cluster_keys`), which carry what a regression learnt about a word to the words used
  like it in the news corpus.

The word tagger's features (:func:`tagger_features`) are indicator features of the word and its
neighbours: the word, its stem without the clitics و ف ب ل ك and the article ال, its first and
last 1-3 letters, its length, the words and stems one and two positions away, the two word
bigrams around it and, with :class:`WordClusters`, the clusters of the word and its neighbours.

Each feature is identified by a stable 63-bit hash (BLAKE2b) of its block and string, so the
model file stores numbers only.

Example:
    >>> keys = feature_keys("قال السوداني", NgramConfig())
    >>> len(keys[0]), len(keys[1]) > 0
    (3, True)
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, fields
from typing import Any, TypeVar

import numpy as np

from arabnews_nlp.errors import ConfigError, ModelFormatError
from arabnews_nlp.ngram_file import NGRAM_FILE
from arabnews_nlp.text.normalize import normalize_word

_MASK = (1 << 63) - 1
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
        index, known = sorted_lookup(self.keys, np.fromiter((_cached_key("k", w) for w in normalised), dtype=np.int64))
        return np.where(known[:, None], self.ids[index], -1)



def sorted_lookup(table: np.ndarray, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return the indices of ``keys`` in the sorted ``table`` and the mask of those it holds.

    Example:
        >>> index, known = sorted_lookup(np.array([3, 7]), np.array([7, 5]))
        >>> index.tolist(), known.tolist()
        ([1, 1], [True, False])
    """
    if not len(table):
        return np.zeros(len(keys), dtype=np.int64), np.zeros(len(keys), dtype=bool)
    index = np.searchsorted(table, keys).clip(max=len(table) - 1)
    return index, table[index] == keys
