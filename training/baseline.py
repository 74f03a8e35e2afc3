"""A keyword and gazetteer baseline: what a user would build without a model.

Fitted on the training split only, each part on the records that declare its layer (``tasks``):

* **entities**: a gazetteer of every annotated entity string (normalised words -> majority
  label), matched by :func:`arabnews_nlp.tasks.gazetteer.find_names` (longest first; a leading
  ``و``/``ف`` then ``ب``/``ل``/``ك`` may be stripped: ``والعراق`` -> ``العراق``), less the names
  that are annotated entities in fewer than ``min_name_precision`` of the places where the
  gazetteer finds them in the training texts (common words that are also names: ``علي``
  "Ali" / "on", ``الشعب`` a Baghdad district / "the people");
* **stance**: per class, the words with at least ``min_count`` training sentences and a
  precision of at least ``min_precision`` for that class; a sentence takes the class with the most
  keyword hits, ``neutral`` when none hits;
* **events**: per type, keywords selected the same way; a sentence gets every type with a hit;
* **document stance**: the most frequent non-neutral sentence stance, ``neutral`` when none.

It has the :class:`arabnews_nlp.Analyzer` interface (``analyze``, ``pipe``), so
``python -m training evaluate`` scores it with the same code as a model.
"""

from __future__ import annotations

import collections
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from arabnews_nlp.errors import DataFormatError, InputTypeError
from arabnews_nlp.results import Analysis, Entity, Event, SentenceResult, Stance
from arabnews_nlp.schema import EVENT_TYPES, NEUTRAL
from arabnews_nlp.tasks.gazetteer import find_name_keys, find_names
from arabnews_nlp.text.normalize import normalize_word
from arabnews_nlp.text.segment import split_sentences
from arabnews_nlp.text.words import split_words
from training.data.records import record_tasks


def build_gazetteer(records: Iterable[dict[str, Any]]) -> dict[str, str]:
    """Every annotated entity string (normalised words) -> its most frequent label (records
    annotated for NER only).

    Example:
        >>> build_gazetteer([{"text": "في بغداد", "entities": [{"start": 3, "end": 8, "label": "LOC"}]}])
        {'بغداد': 'LOC'}
    """
    names: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    for record in records:
        if "ner" not in record_tasks(record):
            continue
        text = record["text"]
        for entity in record.get("entities") or []:
            key = " ".join(normalize_word(text[s:e]) for s, e in split_words(text, entity["start"], entity["end"]))
            names[key][entity["label"]] += 1
    return {key: counts.most_common(1)[0][0] for key, counts in names.items()}


def name_precision(gazetteer: dict[str, str], records: Iterable[dict[str, Any]]) -> dict[str, float]:
    """Per name, the share of its gazetteer matches in the texts that are annotated entities.

    Only records annotated for NER count. A match is an entity when its words are the words of
    an annotated entity of the same label.

    Example:
        >>> text = "علي في بغداد وعلي الطاولة"
        >>> record = {"text": text, "entities": [{"start": 0, "end": 3, "label": "PER"}]}
        >>> name_precision({"علي": "PER"}, [record])
        {'علي': 0.5}
    """
    found: collections.Counter[str] = collections.Counter()
    right: collections.Counter[str] = collections.Counter()
    for record in records:
        if "ner" not in record_tasks(record):
            continue
        text = record["text"]
        words = split_words(text, 0, len(text))
        normal = [normalize_word(text[s:e]) for s, e in words]
        gold = set()
        for entity in record.get("entities") or []:
            inside = [i for i, (s, e) in enumerate(words) if s < entity["end"] and e > entity["start"]]
            if inside:
                gold.add((inside[0], inside[-1] + 1, entity["label"]))
        for first, stop, key in find_name_keys(normal, gazetteer):
            found[key] += 1
            right[key] += (first, stop, gazetteer[key]) in gold
    return {key: right[key] / count for key, count in found.items()}


def precise_gazetteer(records: Iterable[dict[str, Any]], min_name_precision: float = 0.5) -> dict[str, str]:
    """:func:`build_gazetteer` less the names below ``min_name_precision`` (:func:`name_precision`).

    Example:
        >>> text = "علي في بغداد وعلي الطاولة وبغداد"
        >>> record = {"text": text, "entities": [{"start": 0, "end": 3, "label": "PER"},
        ...     {"start": 7, "end": 12, "label": "LOC"}, {"start": 27, "end": 32, "label": "LOC"}]}
        >>> precise_gazetteer([record], 0.6)
        {'بغداد': 'LOC'}
    """
    records = list(records)
    gazetteer = build_gazetteer(records)
    precision = name_precision(gazetteer, records)
    return {key: label for key, label in gazetteer.items() if precision.get(key, 1.0) >= min_name_precision}


@dataclass
class KeywordBaseline:
    """Gazetteer + keyword analyzer (see the module docstring).

    Example:
        >>> records = [{"text": "قصف في بغداد", "sentences": [{"start": 0, "end": 12,
        ...     "stance": "neutral", "holder": None, "events": ["AIRSTRIKE"]}],
        ...     "entities": [{"start": 7, "end": 12, "label": "LOC"}]}] * 2
        >>> base = KeywordBaseline.fit(records)
        >>> [e.text for e in base.analyze("وصل إلى بغداد").entities]
        ['بغداد']
    """

    gazetteer: dict[str, str] = field(default_factory=dict)
    stance_keywords: dict[str, list[str]] = field(default_factory=dict)
    event_keywords: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def fit(
        cls,
        records: Iterable[dict[str, Any]],
        min_count: int = 2,
        min_precision: float = 0.6,
        min_name_precision: float = 0.5,
    ) -> KeywordBaseline:
        """Build the gazetteer and keyword lists from annotated training records.

        Args:
            records: Annotated training records (SCHEMA.md).
            min_count: A keyword is in at least this many training sentences of its label.
            min_precision: At least this share of a keyword's training sentences have its label.
            min_name_precision: At least this share of a name's matches in the training texts
                are annotated entities (0 keeps every annotated name).
        """
        records = list(records)
        # per layer: the annotated sentences each word is in, and those of each label
        word_sentences: collections.Counter[tuple[str, str]] = collections.Counter()
        word_label: collections.Counter[tuple[str, str, str]] = collections.Counter()
        for record in records:
            text, tasks = record["text"], record_tasks(record)
            for sentence in record["sentences"]:
                labels: dict[str, list[str]] = {}
                if "stance" in tasks and sentence.get("stance"):
                    labels["stance"] = [sentence["stance"]]
                if "events" in tasks and sentence.get("events") is not None:
                    labels["events"] = sentence["events"]
                if not labels:
                    continue
                words = {normalize_word(text[s:e]) for s, e in split_words(text, sentence["start"], sentence["end"])}
                for word in words:
                    for layer, gold in labels.items():
                        word_sentences[(word, layer)] += 1
                        for label in gold:
                            word_label[(word, layer, label)] += 1
        selected: dict[tuple[str, str], list[str]] = collections.defaultdict(list)
        for (word, layer, label), count in word_label.items():
            precision = count / word_sentences[(word, layer)]
            if count >= min_count and precision >= min_precision and len(word) > 1:
                selected[(layer, label)].append(word)
        return cls(
            gazetteer=precise_gazetteer(records, min_name_precision),
            stance_keywords={s: sorted(selected[("stance", s)]) for s in ("anti", "pro")},
            event_keywords={e: sorted(selected[("events", e)]) for e in EVENT_TYPES},
        )

    def _entities(self, text: str, start: int, end: int) -> list[Entity]:
        words = split_words(text, start, end)
        normal = [normalize_word(text[s:e]) for s, e in words]
        found = []
        for first, stop, label in find_names(normal, self.gazetteer):
            s, e = words[first][0], words[stop - 1][1]
            found.append(Entity(s, e, label, text[s:e], 1.0))
        return found

    def _sentence(self, text: str, start: int, end: int) -> SentenceResult:
        words = {normalize_word(text[s:e]) for s, e in split_words(text, start, end)}
        hits = {label: len(words.intersection(keys)) for label, keys in self.stance_keywords.items()}
        best = max(hits, key=lambda label: hits[label]) if hits else NEUTRAL
        stance = best if hits.get(best, 0) > 0 else NEUTRAL
        events = tuple(Event(e, 1.0) for e, keys in self.event_keywords.items() if words.intersection(keys))
        entities = tuple(self._entities(text, start, end))
        return SentenceResult(start, end, text[start:end], Stance(stance, 1.0), events, entities)

    def analyze(self, text: str) -> Analysis:
        """Analyse one document with the keyword rules."""
        if not isinstance(text, str):
            raise InputTypeError(text)
        sentences = tuple(self._sentence(text, s, e) for s, e in split_sentences(text))
        if not sentences:
            return Analysis.empty(text)
        votes = collections.Counter(s.stance.label for s in sentences if s.stance.label != NEUTRAL)
        doc = votes.most_common(1)[0][0] if votes else NEUTRAL
        entities = tuple(e for s in sentences for e in s.entities)
        return Analysis(text=text, stance=Stance(doc, 1.0), entities=entities, sentences=sentences)

    def pipe(self, texts: Iterable[str], batch_size: int = 32, progress: bool = False) -> Iterator[Analysis]:
        """Analyse several documents (``batch_size`` and ``progress`` are accepted for API parity)."""
        for text in texts:
            yield self.analyze(text)

    def save(self, path: str | Path) -> None:
        """Write the baseline as JSON."""
        Path(path).write_text(json.dumps(self.__dict__, ensure_ascii=False, indent=1), encoding="utf-8")

    @classmethod
    def load(cls, path: str | Path) -> KeywordBaseline:
        """Read a baseline written by :meth:`save`.

        Raises:
            DataFormatError: If ``path`` is not such a file (not JSON, or other keys).
        """
        hint = "make one with: python -m training baseline --train FILE --out baseline.json"
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as err:
            raise DataFormatError(f"{path} is not a keyword baseline (not JSON: {err}); {hint}") from None
        expected = {"gazetteer", "stance_keywords", "event_keywords"}
        if not isinstance(data, dict) or set(data) != expected:
            found = sorted(data) if isinstance(data, dict) else type(data).__name__
            raise DataFormatError(f"{path} is not a keyword baseline (keys {found}, expected {sorted(expected)}); {hint}")
        return cls(**data)


def main(argv: list[str] | None = None) -> int:
    """``python -m training baseline --train FILE... --out baseline.json``: fit and save the baseline.

    Score it with ``python -m training evaluate --baseline baseline.json --data seeds/dev.jsonl``.
    """
    import argparse
    import sys

    from training.data.validate import read_valid_records

    args_list = list(sys.argv[1:] if argv is None else argv)
    if args_list and args_list[0] == "baseline":
        args_list = args_list[1:]
    parser = argparse.ArgumentParser(prog="python -m training baseline", description=__doc__.split("\n")[0])
    parser.add_argument("--train", nargs="+", required=True, help="annotated SCHEMA.md JSONL files (training split)")
    parser.add_argument("--out", required=True, help="where to write the baseline JSON")
    parser.add_argument("--min-count", type=int, default=2, help="keyword: at least this many training sentences")
    parser.add_argument("--min-precision", type=float, default=0.6, help="keyword: at least this precision")
    parser.add_argument(
        "--min-name-precision", type=float, default=0.5, help="name: at least this share of its matches are entities"
    )
    parser.add_argument("--exclude-synthetic", action="store_true", help="fit on real documents only")
    args = parser.parse_args(args_list)
    records = [r for r in read_valid_records(args.train) if not (args.exclude_synthetic and r.get("synthetic"))]
    baseline = KeywordBaseline.fit(records, args.min_count, args.min_precision, args.min_name_precision)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    baseline.save(args.out)
    sizes = {"names": len(baseline.gazetteer), **{k: len(v) for k, v in baseline.stance_keywords.items()}}
    print(f"baseline written to {args.out}: {json.dumps(sizes)}")
    return 0
