"""Records -> window examples: run_ner alignment, NER-only records, long sentences."""

from __future__ import annotations

from typing import Any

from arabnews_nlp.modeling import IGNORE_INDEX
from arabnews_nlp.schema import EVENT_TYPES, NER_TAGS, STANCE_LABELS
from arabnews_nlp.settings import AnalyzerSettings
from training.features import PaddingCollator, build_dataset, gold_sentences, sample_sentences, sentence_features


def test_labels_on_first_pieces(tiny_tokenizer: Any, gold_records: list[dict[str, Any]]) -> None:
    settings = AnalyzerSettings(max_length=64, stride=8)
    record = gold_records[0]
    examples = sentence_features(record, record["sentences"][0], tiny_tokenizer, settings)
    assert len(examples) == 1
    example = examples[0]
    assert example["ner_labels"][0] == example["ner_labels"][-1] == IGNORE_INDEX
    tags = [NER_TAGS[i] for i in example["ner_labels"] if i != IGNORE_INDEX]
    # قال السوداني إن بغداد تريد خروج قوات التحالف الدولي من العراق .
    assert tags == ["O", "B-PER", "O", "B-LOC", "O", "O", "B-ORG", "I-ORG", "I-ORG", "O", "B-LOC", "O"]
    assert example["stance_labels"] == STANCE_LABELS.index("anti")
    assert example["event_mask"] == 1.0 and sum(example["event_labels"]) == 0


def test_long_sentence_windows_share_sentence_labels(tiny_tokenizer: Any, gold_records: list[dict[str, Any]]) -> None:
    settings = AnalyzerSettings(max_length=8, stride=2)
    record = gold_records[1]
    examples = sentence_features(record, record["sentences"][1], tiny_tokenizer, settings)
    assert len(examples) > 1
    assert all(len(e["input_ids"]) <= 8 for e in examples)
    expected = [float(t in ("ROCKET_ATTACK", "CASUALTIES")) for t in EVENT_TYPES]
    assert all(e["event_labels"] == expected and e["stance_labels"] == STANCE_LABELS.index("neutral") for e in examples)


def test_ner_only_record(tiny_tokenizer: Any) -> None:
    record = {"id": "a", "text": "زار ساركوزي بغداد .", "tasks": ["ner"], "doc_stance": None,
              "sentences": [{"start": 0, "end": 19, "stance": None, "holder": None, "events": None}],
              "entities": [{"start": 4, "end": 11, "label": "PER"},
                           {"start": 12, "end": 17, "label": "LOC"}]}  # fmt: skip
    (example,) = sentence_features(record, record["sentences"][0], tiny_tokenizer, AnalyzerSettings())
    assert example["stance_labels"] == IGNORE_INDEX
    assert example["event_mask"] == 0.0
    assert [NER_TAGS[i] for i in example["ner_labels"] if i != IGNORE_INDEX] == ["O", "B-PER", "B-LOC", "O"]


def test_dataset_and_collator(tiny_tokenizer: Any, gold_records: list[dict[str, Any]]) -> None:
    dataset = build_dataset(gold_sentences(gold_records), tiny_tokenizer, AnalyzerSettings(max_length=64, stride=8))
    assert len(dataset) == 4
    batch = PaddingCollator(tiny_tokenizer.pad_token_id)([dataset[0], dataset[2]])
    assert batch["input_ids"].shape == batch["ner_labels"].shape == batch["attention_mask"].shape
    assert batch["event_labels"].shape == (2, len(EVENT_TYPES))
    padded = batch["attention_mask"] == 0
    assert (batch["ner_labels"][padded] == IGNORE_INDEX).all()


def test_sample_sentences_is_seeded() -> None:
    refs = [({}, {"start": i}) for i in range(100)]
    first = sample_sentences(refs, max_sentences=10, ratio=None, n_main=5, seed=1)
    assert first == sample_sentences(refs, max_sentences=10, ratio=None, n_main=5, seed=1)
    assert len(first) == 10 and [r[1]["start"] for r in first] == sorted(r[1]["start"] for r in first)
    assert len(sample_sentences(refs, None, 2.0, n_main=5, seed=1)) == 10
