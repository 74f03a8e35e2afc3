"""The training data a model card describes: documents and sentences per file, examples per layer and label.

Example:
    >>> data_stats([])
    {}
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, NamedTuple

from arabnews_nlp.schema import ENTITY_TYPES, EVENT_TYPES, STANCE_LABELS
from training.data.records import read_records, record_tasks, sentence_entities

# layer -> (its name in the card, its labels, what one training example of a label is: one, many)
LAYERS = {
    "ner": ("NER", ENTITY_TYPES, ("entity", "entities")),
    "stance": ("stance", STANCE_LABELS, ("sentence", "sentences")),
    "events": ("events", EVENT_TYPES, ("sentence", "sentences")),
}


class LayerCounts(NamedTuple):
    """The training examples of one annotation layer.

    Attributes:
        sentences: Sentences annotated for the layer.
        labels: Examples per label of the layer (every label of the schema, 0 when absent).
    """

    sentences: int
    labels: dict[str, int]


def label_counts(sentences: Iterable[tuple[Mapping[str, Any], Mapping[str, Any]]]) -> dict[str, LayerCounts]:
    """Count the training examples per layer and label: entities by type, sentences by stance and event.

    ``sentences`` are ``(record, sentence)`` pairs, the unit training reads and samples
    (:func:`training.features.gold_sentences`); only the layers a record annotates
    (:func:`~training.data.records.record_tasks`) count, as in training.

    Example:
        >>> record = {"text": "x", "tasks": ["stance"], "entities": [],
        ...           "sentences": [{"start": 0, "end": 1, "stance": "pro", "events": []}]}
        >>> counts = label_counts([(record, record["sentences"][0])])
        >>> counts["stance"].labels["pro"], counts["ner"].sentences, counts["events"].sentences
        (1, 0, 0)
    """
    annotated = dict.fromkeys(LAYERS, 0)
    labels = {layer: dict.fromkeys(names, 0) for layer, (_, names, _) in LAYERS.items()}
    for record, sentence in sentences:
        tasks = record_tasks(record)
        if "ner" in tasks:
            annotated["ner"] += 1
            for entity in sentence_entities(record, sentence):
                labels["ner"][entity["label"]] = labels["ner"].get(entity["label"], 0) + 1
        if "stance" in tasks and sentence.get("stance") is not None:
            annotated["stance"] += 1
            labels["stance"][sentence["stance"]] = labels["stance"].get(sentence["stance"], 0) + 1
        if "events" in tasks and sentence.get("events") is not None:
            annotated["events"] += 1
            for name in sentence["events"]:
                labels["events"][name] = labels["events"].get(name, 0) + 1
    return {layer: LayerCounts(annotated[layer], labels[layer]) for layer in LAYERS}


def data_stats(paths: Sequence[str | Path], data: Mapping[str, list[Any]] | None = None) -> dict[str, dict[str, int]]:
    """Count documents, sentences and labels per JSONL file (``data``: records already read, by path).

    Example:
        >>> import tempfile, os
        >>> p = os.path.join(tempfile.mkdtemp(), "a.jsonl")
        >>> _ = open(p, "w", encoding="utf-8").write('{"text": "x", "entities": [], "sentences": '
        ...     '[{"start": 0, "end": 1, "stance": "neutral", "events": []}]}\\n')
        >>> data_stats([p])[p]["stance_sentences"]
        1
    """
    stats: dict[str, dict[str, int]] = {}
    for path in paths:
        records = read_records(path, data)
        counts = {"documents": len(records), "sentences": 0, "entities": 0, "stance_sentences": 0,
                  "event_sentences": 0, "events": 0, "synthetic_documents": 0}  # fmt: skip
        for record in records:
            tasks = record_tasks(record)
            counts["sentences"] += len(record["sentences"])
            counts["entities"] += len(record["entities"]) if "ner" in tasks else 0
            counts["synthetic_documents"] += bool(record.get("synthetic"))
            for sentence in record["sentences"]:
                counts["stance_sentences"] += "stance" in tasks and sentence.get("stance") is not None
                has_events = "events" in tasks and sentence.get("events") is not None
                counts["event_sentences"] += has_events
                counts["events"] += len(sentence["events"]) if has_events else 0
        stats[str(path)] = counts
    return stats


def training_label_counts(
    config: Mapping[str, Any], retuned: bool = False, data: Mapping[str, list[Any]] | None = None
) -> tuple[dict[str, LayerCounts], tuple[int, int]]:
    """:func:`label_counts` of the sentences the run trained on, and how many ``ner_extra`` sentences those hold.

    The sentences are those :func:`training.training_set.training_sentences` trains on
    (:func:`training.training_set.training_sentence_parts`): the gold sentences of ``train`` (without
    synthetic documents when ``exclude_synthetic``) and the seeded sample of the ``ner_extra``
    ones that ``ner_extra_max_sentences`` and ``ner_extra_ratio`` keep. A retuned model
    (``retuned``) trained nothing; its n-gram tagger was fitted on every ``ner_extra`` sentence,
    so all of them count.

    Args:
        config: The fine-tuning config (as a dict, :meth:`training.config.FinetuneConfig.to_dict`).
        retuned: Made by ``python -m training retune``.
        data: The data files' records when already read (path -> records).

    Returns:
        The counts, and ``(ner_extra sentences counted, ner_extra sentences in the files)``.

    Example:
        >>> counts, extra = training_label_counts({"train": []})
        >>> counts["ner"].sentences, extra
        (0, (0, 0))
    """
    from training.config import FinetuneConfig
    from training.training_set import training_sentence_parts  # torch: imported when a card is written

    main, kept, extra = training_sentence_parts(FinetuneConfig.from_dict(config), data)
    counted = extra if retuned else kept
    return label_counts([*main, *counted]), (len(counted), len(extra))
