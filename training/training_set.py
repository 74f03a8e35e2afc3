"""What a fine-tuning run trains on: the records of ``train`` and the sentences made of them.

The gold sentences of ``train`` (without synthetic documents when ``exclude_synthetic``) plus a
seeded sample of the NER-only ``ner_extra`` sentences; ``finetune`` trains on them, ``finish``
fits the gazetteer and the baseline on the same records, and the model card counts their labels.

Example:
    >>> # main, kept, extra = training_sentence_parts(config)
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from training.data.records import read_records
from training.features import gold_sentences, sample_sentences

if TYPE_CHECKING:
    from collections.abc import Mapping

    from training.card_counts import LayerCounts
    from training.config import FinetuneConfig

logger = logging.getLogger(__name__)


def train_records(config: FinetuneConfig, data: Mapping[str, list[Any]] | None = None) -> list[Any]:
    """The records of ``config.train``, without synthetic ones when ``exclude_synthetic``.

    ``data``: the files' records when already read (:meth:`~training.config.FinetuneConfig.check_data`).

    Example:
        >>> # records = train_records(config)
    """
    records = read_records(config.train, data)
    if config.exclude_synthetic:
        records = [record for record in records if not record.get("synthetic")]
    return records


def training_sentence_parts(
    config: FinetuneConfig, data: Mapping[str, list[Any]] | None = None
) -> tuple[list[Any], list[Any], list[Any]]:
    """The gold sentences of ``train``, the ``ner_extra`` sentences sampled for training, and all the ``ner_extra`` ones.

    ``data``: the files' records when already read (:meth:`~training.config.FinetuneConfig.check_data`).

    Example:
        >>> # main, kept, extra = training_sentence_parts(config)
    """
    main = gold_sentences(train_records(config, data))
    extra = gold_sentences(read_records(config.ner_extra, data))
    kept = sample_sentences(extra, config.ner_extra_max_sentences, config.ner_extra_ratio, len(main), config.seed)
    return main, kept, extra


def training_sentences(config: FinetuneConfig, data: Mapping[str, list[Any]] | None = None) -> list[Any]:
    """Gold sentences of ``train`` plus the sampled ``ner_extra`` sentences (:func:`training_sentence_parts`).

    Logs how many there are and how many of the ``train`` ones annotate each layer; warns when no
    training sentence annotates a layer, whose head then stays untrained
    (:func:`training.card_limitations.untrained_note`).

    Example:
        >>> # refs = training_sentences(config)
    """
    from training.card_counts import label_counts
    from training.card_limitations import untrained_note

    main, kept, extra = training_sentence_parts(config, data)
    counts = label_counts(main)  # each sentence counted once: the log line reads these, the head check adds kept's
    logger.info("training on %d sentences of train (of them, %d annotate NER, %d stance, %d events) + %d of %d "
                "NER-only sentences of ner_extra", len(main), counts["ner"].sentences, counts["stance"].sentences,
                counts["events"].sentences, len(kept), len(extra))  # fmt: skip
    if note := untrained_note(_summed(counts, label_counts(kept)), config.base):
        logger.warning("%s", note)
    return main + kept


def _summed(first: Mapping[str, LayerCounts], second: Mapping[str, LayerCounts]) -> dict[str, LayerCounts]:
    """The counts of two lists of sentences added up: :func:`~training.card_counts.label_counts` of both lists."""
    from training.card_counts import LayerCounts

    summed = {}
    for layer, counts in first.items():
        labels = dict(counts.labels)
        for label, number in second[layer].labels.items():
            labels[label] = labels.get(label, 0) + number
        summed[layer] = LayerCounts(counts.sentences + second[layer].sentences, labels)
    return summed
