"""Document-level train/dev split, stratified on labels and stable as data is added.

The split is kept in a manifest, ``seeds/split.json`` (``{doc_id: "train" | "dev"}``): a
document in the manifest keeps its split forever, so adding documents never moves old ones
between train and dev. New documents are assigned as follows:

1. ``synthetic`` documents always go to train (dev measures real news only); a synthetic
   document that a manifest put in dev is moved to train.
2. *Coverage*: for each label (sentence stance, event type, entity type), rarest first, that
   occurs in at least two real documents but in no dev document yet, one new document holding
   it goes to dev (the one that brings the most still-missing labels, ties broken by the seeded
   order), while at least one document with the label stays in train. Coverage may take dev
   past ``dev_fraction`` (at most half of the real documents).
3. *Greedy stratification*: the remaining new documents, rarest labels first, go to dev while
   that brings the dev label counts closer to ``dev_fraction`` of each label's total (counted
   per sentence) and the dev document count is below ``dev_fraction`` of the real documents.

4. *Near duplicates*: documents sharing at least half of their 5-word sequences (the same
   story from two outlets) end in one split: if any of them is in train, all are (a manifest
   entry in dev is moved), so dev never scores text the model was trained on.

Ties follow a shuffle seeded by ``seed``, so the result depends only on the data, the manifest
and the seed.

Example:
    >>> docs = [{"id": f"d{i}", "sentences": [{"stance": "anti" if i % 2 else "pro",
    ...          "events": []}], "entities": []} for i in range(10)]
    >>> split = assign_splits(docs, {}, dev_fraction=0.2, seed=0)
    >>> sorted(split.values()).count("dev")
    2
"""

from __future__ import annotations

import json
import random
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from arabnews_nlp.errors import DataFormatError

TRAIN, DEV = "train", "dev"
SHINGLE_WORDS = 5
NEAR_DUPLICATE = 0.5
SPLITS: tuple[str, ...] = (TRAIN, DEV)


def label_counts(record: Mapping[str, Any]) -> Counter[str]:
    """Count a document's labels: ``stance:X`` and ``event:X`` per sentence, ``entity:X`` per span.

    Example:
        >>> label_counts({"sentences": [{"stance": "anti", "events": ["THREAT"]}], "entities": []})
        Counter({'stance:anti': 1, 'event:THREAT': 1})
    """
    counts: Counter[str] = Counter()
    for sentence in record.get("sentences", []):
        if sentence.get("stance") is not None:
            counts[f"stance:{sentence['stance']}"] += 1
        for event in sentence.get("events") or []:
            counts[f"event:{event}"] += 1
    for entity in record.get("entities", []):
        counts[f"entity:{entity['label']}"] += 1
    return counts


def load_manifest(path: str | Path) -> dict[str, str]:
    """Read a split manifest (``{}`` when the file does not exist).

    Raises:
        DataFormatError: If it is not an object of ``"train"``/``"dev"`` values.

    Example:
        >>> load_manifest("/nonexistent/split.json")
        {}
    """
    if not Path(path).exists():
        return {}
    with open(path, encoding="utf-8") as handle:
        manifest = json.load(handle)
    if not isinstance(manifest, dict) or any(v not in SPLITS for v in manifest.values()):
        raise DataFormatError(f"{path}: a split manifest must map document ids to 'train' or 'dev'")
    return manifest


def save_manifest(path: str | Path, manifest: Mapping[str, str]) -> None:
    """Write a split manifest, ids sorted, UTF-8, one id per line.

    Example:
        >>> import tempfile, os
        >>> tmp = os.path.join(tempfile.mkdtemp(), "split.json")
        >>> save_manifest(tmp, {"b": "dev", "a": "train"}); load_manifest(tmp)
        {'a': 'train', 'b': 'dev'}
    """
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="\n") as handle:
        json.dump(dict(sorted(manifest.items())), handle, ensure_ascii=False, indent=1)
        handle.write("\n")


class _State:
    """Running label counts of dev against its targets."""

    def __init__(self, counts: Mapping[str, Counter[str]], real: Sequence[str], dev_fraction: float) -> None:
        self.counts = counts
        self.total: Counter[str] = Counter()
        self.docs_with: Counter[str] = Counter()
        for doc_id in real:
            self.total.update(counts[doc_id])
            self.docs_with.update(counts[doc_id].keys())
        self.dev: Counter[str] = Counter()
        self.dev_docs = 0
        self.target_docs = round(dev_fraction * len(real))
        # Coverage may exceed the target (every label in dev matters more), up to half the data.
        self.max_docs = max(1, len(real) // 2)
        self.fraction = dev_fraction

    def add_dev(self, doc_id: str) -> None:
        self.dev.update(self.counts[doc_id])
        self.dev_docs += 1

    def gain(self, doc_id: str) -> float:
        """How much closer to the target shares dev gets by taking ``doc_id`` (negative: further)."""
        score = 0.0
        for label, n in self.counts[doc_id].items():
            target = self.fraction * self.total[label]
            before = abs(target - self.dev[label])
            after = abs(target - self.dev[label] - n)
            score += (before - after) / self.total[label]
        return score


def _coverage(state: _State, order: list[str], split: dict[str, str], train_with: Counter[str]) -> None:
    """Send to dev one new document for each label that dev lacks (rarest label first)."""
    for label in sorted(state.docs_with, key=lambda x: (state.docs_with[x], x)):
        if state.dev[label] or state.docs_with[label] < 2 or state.dev_docs >= state.max_docs:
            continue
        keeps_train = train_with[label] + _unassigned_with(state, order, split, label) > 1
        candidates = [d for d in order if d not in split and state.counts[d][label]]
        if not (candidates and keeps_train):
            continue
        best = max(candidates, key=lambda d: sum(1 for x in state.counts[d] if not state.dev[x]))
        split[best] = DEV
        state.add_dev(best)


def _unassigned_with(state: _State, order: list[str], split: Mapping[str, str], label: str) -> int:
    return sum(1 for d in order if d not in split and state.counts[d][label])


def assign_splits(
    records: Sequence[Mapping[str, Any]], manifest: Mapping[str, str], dev_fraction: float = 0.2, seed: int = 0
) -> dict[str, str]:
    """Assign every record to train or dev, keeping the manifest's assignments.

    Args:
        records: The documents (ids unique).
        manifest: Existing ``{doc_id: split}``; its entries are kept (also for ids not in
            ``records``), except synthetic documents, which always go to train.
        dev_fraction: Target share of real documents (and of each label) in dev.
        seed: Seed of the tie-breaking shuffle.

    Returns:
        The new manifest: the old entries plus one per new document.

    Raises:
        DataFormatError: On duplicate ids or a fraction outside (0, 1).
    """
    if not 0 < dev_fraction < 1:
        raise DataFormatError(f"dev_fraction must be between 0 and 1, got {dev_fraction}")
    ids = [str(r["id"]) for r in records]
    if len(set(ids)) != len(ids):
        raise DataFormatError(f"duplicate document ids: {sorted(i for i, n in Counter(ids).items() if n > 1)}")
    split = dict(manifest)
    real = [str(r["id"]) for r in records if not r.get("synthetic")]
    for record in records:
        if record.get("synthetic"):
            split[str(record["id"])] = TRAIN
    state = _State({str(r["id"]): label_counts(r) for r in records}, real, dev_fraction)
    for doc_id in real:
        if split.get(doc_id) == DEV:
            state.add_dev(doc_id)
    train_with: Counter[str] = Counter()
    for doc_id in real:
        if split.get(doc_id) == TRAIN:
            train_with.update(state.counts[doc_id].keys())
    order = sorted(d for d in real if d not in split)
    random.Random(seed).shuffle(order)
    _coverage(state, order, split, train_with)
    rest = [d for d in order if d not in split]
    rest.sort(key=lambda d: min((state.total[x] for x in state.counts[d]), default=0))
    for doc_id in rest:
        if state.dev_docs < state.target_docs and state.gain(doc_id) > 0:
            split[doc_id] = DEV
            state.add_dev(doc_id)
        else:
            split[doc_id] = TRAIN
    for group in near_duplicate_groups(records):
        listed = {doc_id: manifest[doc_id] for doc_id in sorted(group) if doc_id in manifest}
        if {TRAIN, DEV} <= set(listed.values()):
            raise DataFormatError(f"near copies of one article (half of their 5-word sequences shared) are listed in "
                                  f"both splits of the manifest: {listed}; training on one would score the other "
                                  "on text the model saw: list them all in one split")  # fmt: skip
        if DEV in listed.values():  # a dev article keeps its split: its new near copies join it
            split.update({doc_id: DEV for doc_id in group})
        elif any(split.get(doc_id) == TRAIN for doc_id in group):
            split.update({doc_id: TRAIN for doc_id in group})
    return split


def shingles(text: str, n: int = SHINGLE_WORDS) -> set[tuple[str, ...]]:
    """The set of ``n``-word sequences of a text (whitespace words).

    Example:
        >>> len(shingles("a b c d e f", 5))
        2
    """
    words = text.split()
    return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}


def near_duplicate_groups(
    records: Sequence[Mapping[str, Any]], threshold: float = NEAR_DUPLICATE
) -> list[set[str]]:
    """Groups of documents that share most of their text (the same story from two outlets or dates).

    Two documents are near duplicates when at least ``threshold`` of the 5-word sequences of the
    shorter one also occur in the other; groups are the connected components.

    Example:
        >>> text = "قال المتحدث باسم التحالف الدولي إن قواته باقية في العراق"
        >>> groups = near_duplicate_groups([{"id": "a", "text": text}, {"id": "b", "text": text + " حتى الآن"},
        ...                                 {"id": "c", "text": "خبر آخر مختلف تماما عن كل ما سبق"}])
        >>> [sorted(group) for group in groups]
        [['a', 'b']]
    """
    ids = [str(r["id"]) for r in records]
    sets = [shingles(str(r.get("text", ""))) for r in records]
    parent = list(range(len(records)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    index = _shingle_index(sets)
    for i, grams in enumerate(sets):
        for j in _near_duplicates_of(grams, index, sets, threshold, after=i):
            parent[root(j)] = root(i)
    groups: dict[int, set[str]] = {}
    for i, doc_id in enumerate(ids):
        groups.setdefault(root(i), set()).add(doc_id)
    return [group for group in groups.values() if len(group) > 1]


def held_out_copies(
    train: Sequence[Mapping[str, Any]], held_out: Mapping[str, Sequence[Mapping[str, Any]]],
    threshold: float = NEAR_DUPLICATE,
) -> list[tuple[str, str, str]]:
    """Training documents that are a held-out document again: the same id, or a near duplicate.

    A pair is near duplicate as in :func:`near_duplicate_groups`: at least ``threshold`` of the
    5-word sequences of the shorter document occur in the other (the same article under another
    id, from another outlet or date), pair by pair, not through a third document. Training on
    one inflates the held-out scores.

    Args:
        train: The training records.
        held_out: File name -> its records (dev, test).
        threshold: See :func:`near_duplicate_groups`.

    Returns:
        ``(training id, held-out file, held-out id)`` for each pair, sorted.

    Example:
        >>> text = "قال المتحدث باسم التحالف الدولي إن قواته باقية في العراق"
        >>> held_out_copies([{"id": "t1", "text": text}], {"dev.jsonl": [{"id": "d1", "text": text + " اليوم"}]})
        [('t1', 'dev.jsonl', 'd1')]
    """
    targets = [(name, str(r.get("id"))) for name, rs in held_out.items() for r in rs]
    sets = [shingles(str(r.get("text", ""))) for rs in held_out.values() for r in rs]
    index = _shingle_index(sets)
    by_id: dict[str, list[int]] = {}
    for j, (_, doc_id) in enumerate(targets):
        by_id.setdefault(doc_id, []).append(j)
    pairs: set[tuple[str, str, str]] = set()
    for record in train:
        doc_id, grams = str(record.get("id")), shingles(str(record.get("text", "")))
        near = _near_duplicates_of(grams, index, sets, threshold)
        pairs.update((doc_id, *targets[j]) for j in [*by_id.get(doc_id, []), *near])
    return sorted(pairs)


def _shingle_index(sets: Sequence[set[tuple[str, ...]]]) -> dict[tuple[str, ...], list[int]]:
    """5-word sequence -> the positions in ``sets`` of the documents that have it."""
    index: dict[tuple[str, ...], list[int]] = {}
    for j, grams in enumerate(sets):
        for gram in grams:
            index.setdefault(gram, []).append(j)
    return index


def _near_duplicates_of(
    grams: set[tuple[str, ...]], index: Mapping[tuple[str, ...], list[int]], sets: Sequence[set[tuple[str, ...]]],
    threshold: float, after: int = -1,
) -> list[int]:
    """Positions ``j > after`` in ``sets`` sharing at least ``threshold`` of the shorter document's sequences."""
    shared = Counter(j for gram in grams for j in index.get(gram, ()) if j > after)
    return [j for j, count in shared.items() if count >= threshold * min(len(grams), len(sets[j]))]


def missing_in_dev(
    records: Sequence[Mapping[str, Any]], split: Mapping[str, str], prefixes: Sequence[str] = ("stance:", "event:")
) -> list[str]:
    """Return the labels (``stance:X``, ``event:X``) present in the records but absent from dev.

    Example:
        >>> recs = [{"id": "a", "sentences": [{"stance": "anti", "events": []}], "entities": []}]
        >>> missing_in_dev(recs, {"a": "train"})
        ['stance:anti']
    """
    present: set[str] = set()
    in_dev: set[str] = set()
    for record in records:
        labels = set(label_counts(record))
        present |= labels
        if split.get(str(record["id"])) == DEV:
            in_dev |= labels
    return sorted(x for x in present - in_dev if x.startswith(tuple(prefixes)))
