"""SCHEMA.md records -> model inputs: one example per window of each gold sentence.

Each gold sentence is encoded with :func:`arabnews_nlp.encoding.encode_span` (the same code the
runtime uses), so training sees exactly the windows inference will see. Labels follow
transformers' ``run_ner.py``: the first piece of each word carries the word's IOB2 tag id, other
pieces and special tokens ``-100``. A word is inside an entity when its characters lie inside
the entity's span (:func:`arabnews_nlp.schema.spans_to_bio`). Every window of a long sentence
carries the sentence's stance id and events. A layer the record does not annotate (``tasks``,
e.g. ANERcorp records with ``"tasks": ["ner"]``) gets ``-100`` stance and ``event_mask`` 0.

Example:
    >>> word_spans_of_entities([(0, 3), (4, 9), (10, 14)], [{"start": 4, "end": 14, "label": "LOC"}])
    [(1, 3, 'LOC')]
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from arabnews_nlp.encoding import Window, encode_span, first_pieces
from arabnews_nlp.errors import DataFormatError
from arabnews_nlp.modeling import IGNORE_INDEX
from arabnews_nlp.schema import EVENT_TYPES, NER_TAGS, STANCE_LABELS, spans_to_bio
from training.data.records import record_tasks, sentence_entities

if TYPE_CHECKING:
    import datasets
    import torch

    from arabnews_nlp.settings import AnalyzerSettings

Record = Mapping[str, Any]
SentenceRef = tuple[Record, Mapping[str, Any]]
"""A gold sentence with its record: ``(record, record["sentences"][i])``."""

COLUMNS: tuple[str, ...] = ("input_ids", "ner_labels", "stance_labels", "event_labels", "event_mask")
"""The columns of a training dataset, all consumed by ``AnalyzerModel.forward``."""


def word_spans_of_entities(
    words: Sequence[tuple[int, int]], entities: Iterable[Mapping[str, Any]]
) -> list[tuple[int, int, str]]:
    """Map character entity spans to ``(first_word, end_word, label)`` word spans.

    Raises:
        DataFormatError: If an entity covers no whole word (offsets not on word boundaries).

    Example:
        >>> word_spans_of_entities([(0, 2), (3, 5)], [{"start": 0, "end": 2, "label": "PER"}])
        [(0, 1, 'PER')]
    """
    spans = []
    for entity in entities:
        inside = [i for i, (s, e) in enumerate(words) if entity["start"] <= s and e <= entity["end"]]
        if not inside:
            raise DataFormatError(
                f"entity {entity['start']}-{entity['end']} ({entity['label']}) covers no whole word; "
                "run `python -m training validate` on the file"
            )
        spans.append((inside[0], inside[-1] + 1, str(entity["label"])))
    return spans


def window_tag_ids(window: Window, tag_ids: Sequence[int]) -> list[int]:
    """Token labels of one window: the word's tag id on first pieces, ``-100`` elsewhere.

    Example:
        >>> window_tag_ids(Window([2, 7, 8, 9, 3], [None, 0, 0, 1, None]), [1, 0])
        [-100, 1, -100, 0, -100]
    """
    return [
        tag_ids[word] if is_first and word is not None else IGNORE_INDEX
        for word, is_first in zip(window.word_ids, first_pieces(window))
    ]


def sentence_features(
    record: Record, sentence: Mapping[str, Any], tokenizer: Any, settings: AnalyzerSettings
) -> list[dict[str, Any]]:
    """Encode one gold sentence into one example per window.

    Args:
        record: The document record (SCHEMA.md §5).
        sentence: One of ``record["sentences"]``.
        tokenizer: The model's fast tokenizer.
        settings: Normalisation, ``max_length`` and ``stride``.

    Returns:
        Dicts with the :data:`COLUMNS` (empty when the sentence has no token).

    Example:
        >>> # sentence_features(record, record["sentences"][0], tokenizer, settings)[0]["stance_labels"]
    """
    span = encode_span(record["text"], sentence["start"], sentence["end"], tokenizer, settings)
    tasks = record_tasks(record)
    if "ner" in tasks:
        spans = word_spans_of_entities(span.words, sentence_entities(record, sentence))
        tag_ids = [NER_TAGS.index(tag) for tag in spans_to_bio(len(span.words), spans)]
    else:
        tag_ids = [IGNORE_INDEX] * len(span.words)
    stance = sentence.get("stance")
    stance_id = STANCE_LABELS.index(stance) if "stance" in tasks and stance is not None else IGNORE_INDEX
    events = sentence.get("events")
    has_events = "events" in tasks and events is not None
    gold_events: set[str] = set(events) if "events" in tasks and events is not None else set()
    event_vector = [float(name in gold_events) for name in EVENT_TYPES]
    return [
        {
            "input_ids": list(window.input_ids),
            "ner_labels": window_tag_ids(window, tag_ids),
            "stance_labels": stance_id,
            "event_labels": event_vector,
            "event_mask": float(has_events),
        }
        for window in span.windows
    ]


def gold_sentences(records: Iterable[Record]) -> list[SentenceRef]:
    """List every gold sentence of ``records`` with its record, in order.

    Example:
        >>> len(gold_sentences([{"sentences": [{"start": 0, "end": 1}, {"start": 2, "end": 3}]}]))
        2
    """
    return [(record, sentence) for record in records for sentence in record["sentences"]]


def sample_sentences(
    sentences: Sequence[SentenceRef], max_sentences: int | None, ratio: float | None, n_main: int, seed: int
) -> list[SentenceRef]:
    """Keep a seeded random subset of extra (e.g. NER-only) sentences.

    Args:
        sentences: The candidate sentences.
        max_sentences: At most this many (``None``: no cap).
        ratio: At most ``ratio * n_main`` (``None``: no cap).
        n_main: Number of main training sentences.
        seed: Random seed.

    Returns:
        The kept sentences, in their original order.

    Example:
        >>> refs = [({}, {"start": i}) for i in range(10)]
        >>> len(sample_sentences(refs, max_sentences=None, ratio=0.5, n_main=4, seed=0))
        2
    """
    limit = len(sentences)
    if max_sentences is not None:
        limit = min(limit, max_sentences)
    if ratio is not None:
        limit = min(limit, int(ratio * n_main))
    if limit >= len(sentences):
        return list(sentences)
    keep = sorted(random.Random(seed).sample(range(len(sentences)), limit))
    return [sentences[i] for i in keep]


def iter_features(
    sentences: Iterable[SentenceRef], tokenizer: Any, settings: AnalyzerSettings
) -> Iterator[dict[str, Any]]:
    """Yield the examples of every sentence, in order (see :func:`sentence_features`).

    Example:
        >>> list(iter_features([], None, None))
        []
    """
    for record, sentence in sentences:
        yield from sentence_features(record, sentence, tokenizer, settings)


def build_dataset(sentences: Iterable[SentenceRef], tokenizer: Any, settings: AnalyzerSettings) -> datasets.Dataset:
    """Build an in-memory :class:`datasets.Dataset` of window examples (columns :data:`COLUMNS`).

    Example:
        >>> build_dataset([], None, None).column_names
        ['input_ids', 'ner_labels', 'stance_labels', 'event_labels', 'event_mask']
    """
    import datasets

    features = datasets.Features(
        {
            "input_ids": datasets.Sequence(datasets.Value("int32")),
            "ner_labels": datasets.Sequence(datasets.Value("int32")),
            "stance_labels": datasets.Value("int32"),
            "event_labels": datasets.Sequence(datasets.Value("float32")),
            "event_mask": datasets.Value("float32"),
        }
    )
    rows = list(iter_features(sentences, tokenizer, settings))
    return datasets.Dataset.from_dict({key: [row[key] for row in rows] for key in COLUMNS}, features=features)


@dataclass(frozen=True)
class PaddingCollator:
    """Pad a list of examples into a batch (per batch, to its longest window).

    ``input_ids`` are padded with ``pad_token_id``, ``ner_labels`` (and any other token-level
    list of the same length) with ``-100``; ``attention_mask`` is added. Sentence-level values
    (``stance_labels``, ``event_labels``, ``event_mask``, ``labels``) are stacked.

    Example:
        >>> batch = PaddingCollator(0)([{"input_ids": [2, 5, 3], "ner_labels": [-100, 1, -100]},
        ...                             {"input_ids": [2, 3], "ner_labels": [-100, -100]}])
        >>> batch["input_ids"].tolist(), batch["ner_labels"][1].tolist()
        ([[2, 5, 3], [2, 3, 0]], [-100, -100, -100])
    """

    pad_token_id: int
    token_label_keys: tuple[str, ...] = ("ner_labels", "labels")

    def __call__(self, examples: Sequence[Mapping[str, Any]]) -> dict[str, torch.Tensor]:
        import torch

        longest = max(len(example["input_ids"]) for example in examples)
        batch: dict[str, torch.Tensor] = {
            "input_ids": torch.full((len(examples), longest), self.pad_token_id, dtype=torch.long),
            "attention_mask": torch.zeros((len(examples), longest), dtype=torch.long),
        }
        for row, example in enumerate(examples):
            size = len(example["input_ids"])
            batch["input_ids"][row, :size] = torch.as_tensor(example["input_ids"], dtype=torch.long)
            batch["attention_mask"][row, :size] = 1
        for key in examples[0]:
            if key in ("input_ids", "attention_mask"):
                continue
            if key in self.token_label_keys:
                batch[key] = torch.full((len(examples), longest), IGNORE_INDEX, dtype=torch.long)
                for row, example in enumerate(examples):
                    batch[key][row, : len(example[key])] = torch.as_tensor(example[key], dtype=torch.long)
            else:
                dtype = torch.long if key == "stance_labels" else torch.float
                batch[key] = torch.as_tensor([example[key] for example in examples], dtype=dtype)
        return batch
