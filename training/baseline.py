"""A keyword and gazetteer baseline: what a user would build without a model.

Fitted on the training split only:

* **entities**: a gazetteer of every annotated entity string (normalised words -> majority
  label), matched longest-first over words; a leading ``و``/``ف`` and then ``ب``/``ل``/``ك``
  proclitic may be stripped from the first word to find a known name (``والعراق`` -> ``العراق``);
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

from arabnews_nlp.errors import InputTypeError
from arabnews_nlp.results import Analysis, Entity, Event, SentenceResult, Stance
from arabnews_nlp.schema import EVENT_TYPES, NEUTRAL
from arabnews_nlp.text.normalize import normalize_word
from arabnews_nlp.text.segment import split_sentences
from arabnews_nlp.text.words import split_words

_PROCLITICS = ("و", "ف")
_PREPOSITIONS = ("ب", "ل", "ك")
MAX_NAME_WORDS = 6


def _strip_variants(word: str) -> list[str]:
    variants = [word]
    for first in ("", *_PROCLITICS):
        if first and not word.startswith(first):
            continue
        rest = word[len(first) :]
        for second in ("", *_PREPOSITIONS):
            if second and not rest.startswith(second):
                continue
            candidate = rest[len(second) :]
            if len(candidate) >= 2 and candidate not in variants:
                variants.append(candidate)
    return variants


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
    def fit(cls, records: Iterable[dict[str, Any]], min_count: int = 2, min_precision: float = 0.6) -> KeywordBaseline:
        """Build the gazetteer and keyword lists from annotated training records."""
        names: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
        word_sentences: collections.Counter[str] = collections.Counter()
        word_label: collections.Counter[tuple[str, str]] = collections.Counter()
        for record in records:
            text = record["text"]
            for entity in record.get("entities", []):
                key = " ".join(normalize_word(text[s:e]) for s, e in split_words(text, entity["start"], entity["end"]))
                names[key][entity["label"]] += 1
            for sentence in record["sentences"]:
                if sentence.get("stance") is None:
                    continue
                words = {normalize_word(text[s:e]) for s, e in split_words(text, sentence["start"], sentence["end"])}
                labels = {f"stance:{sentence['stance']}"} | {f"event:{x}" for x in sentence.get("events") or []}
                for word in words:
                    word_sentences[word] += 1
                    for label in labels:
                        word_label[(word, label)] += 1
        selected: dict[str, list[str]] = collections.defaultdict(list)
        for (word, label), count in word_label.items():
            if count >= min_count and count / word_sentences[word] >= min_precision and len(word) > 1:
                selected[label].append(word)
        return cls(
            gazetteer={key: counts.most_common(1)[0][0] for key, counts in names.items()},
            stance_keywords={s: sorted(selected[f"stance:{s}"]) for s in ("anti", "pro")},
            event_keywords={e: sorted(selected[f"event:{e}"]) for e in EVENT_TYPES},
        )

    def _entities(self, text: str, start: int, end: int) -> list[Entity]:
        words = split_words(text, start, end)
        normal = [normalize_word(text[s:e]) for s, e in words]
        found: list[Entity] = []
        i = 0
        while i < len(words):
            for n in range(min(MAX_NAME_WORDS, len(words) - i), 0, -1):
                rest = normal[i + 1 : i + n]
                label = next(
                    (self.gazetteer[k] for v in _strip_variants(normal[i]) if (k := " ".join([v, *rest])) in self.gazetteer),
                    None,
                )
                if label is not None:
                    s, e = words[i][0], words[i + n - 1][1]
                    found.append(Entity(s, e, label, text[s:e], 1.0))
                    i += n
                    break
            else:
                i += 1
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
        """Read a baseline written by :meth:`save`."""
        return cls(**json.loads(Path(path).read_text(encoding="utf-8")))


def main(argv: list[str] | None = None) -> int:
    """``python -m training baseline --train FILE... --out baseline.json``: fit and save the baseline.

    Score it with ``python -m training evaluate --baseline baseline.json --data seeds/dev.jsonl``.
    """
    import argparse
    import sys

    from training.data.records import read_records

    args_list = list(sys.argv[1:] if argv is None else argv)
    if args_list and args_list[0] == "baseline":
        args_list = args_list[1:]
    parser = argparse.ArgumentParser(prog="python -m training baseline", description=__doc__.split("\n")[0])
    parser.add_argument("--train", nargs="+", required=True, help="annotated SCHEMA.md JSONL files (training split)")
    parser.add_argument("--out", required=True, help="where to write the baseline JSON")
    parser.add_argument("--min-count", type=int, default=2, help="keyword: at least this many training sentences")
    parser.add_argument("--min-precision", type=float, default=0.6, help="keyword: at least this precision")
    args = parser.parse_args(args_list)
    baseline = KeywordBaseline.fit(read_records(args.train), args.min_count, args.min_precision)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    baseline.save(args.out)
    sizes = {"names": len(baseline.gazetteer), **{k: len(v) for k, v in baseline.stance_keywords.items()}}
    print(f"baseline written to {args.out}: {json.dumps(sizes)}")
    return 0
