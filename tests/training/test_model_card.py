"""The model card's Limitations follow the run: its data, the layers it trained, its rarest labels."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from arabnews_nlp.schema import ENTITY_TYPES
from arabnews_nlp.settings import AnalyzerSettings
from training.config import FinetuneConfig
from training.data.records import sentence_entities, write_records
from training.training_set import training_sentences
from training.model_card import write_model_card


def _limitations(model_dir: Path, config: dict[str, Any], retuned: bool = False) -> str:
    """Write the card of ``config`` for a bare model directory; return its Limitations section."""
    AnalyzerSettings(trained=True, base_model="enc").save(model_dir)
    files = [*config["train"], *config.get("ner_extra", []), *([config["dev"]] if config.get("dev") else [])]
    card = write_model_card(model_dir, config, files, {}, ["python -m training finetune"], retuned)
    card = card.read_text(encoding="utf-8")
    return card.split("## Limitations\n")[1].split("## Versions")[0]


def test_limitations_of_own_annotations_only(tmp_path: Path, gold_file: Path) -> None:
    """Without ner_extra the card claims no seed set or public NER data; the rare labels are the data's."""
    text = _limitations(tmp_path / "model", {"train": [str(gold_file)], "dev": str(gold_file)})
    assert "public NER data" not in text and "seed set" not in text and "NER-only" not in text
    assert f"- Trained on `{gold_file}` (2 documents, 4 sentences); scores on the dev set of 2 documents" in text
    # PER: 1 entity; anti and pro: 1 sentence each (ties keep the schema's order: NER, stance, events)
    assert "fewest training examples: `PER` (1 entity), `anti` (1 sentence), `pro` (1 sentence);" in text
    missing = next(line for line in text.splitlines() if line.startswith("- No training examples of"))
    assert "`WITHDRAWAL_TALKS`" in missing and "`DRONE_ATTACK`" not in missing and "`PER`" not in missing
    assert "annotate no" not in text and "synthetic" not in text
    for always in ("The stance target is fixed", "Modern Standard Arabic news only", "Predictions are not facts"):
        assert always in text


def test_limitations_name_ner_extra_untrained_layers_and_synthetic(
    tmp_path: Path, gold_file: Path, gold_records: list[dict[str, Any]]
) -> None:
    train = tmp_path / "train.jsonl"
    write_records(train, [dict(gold_records[0], tasks=["stance", "events"], synthetic=True),
                          dict(gold_records[1], tasks=["stance", "events"])])  # fmt: skip
    extra = tmp_path / "extra.jsonl"
    write_records(extra, [dict(record, tasks=["ner"]) for record in gold_records])
    text = _limitations(tmp_path / "a", {"train": [str(train)], "ner_extra": [str(extra)]})
    assert f"plus the 4 NER-only sentences of `{extra}`; there was no dev file" in text  # no sampling: all of them
    assert "annotate no" not in text  # NER comes from ner_extra
    assert "Sentences marked `synthetic`" in text
    # without ner_extra NER is not trained; the synthetic document left out counts no label
    text = _limitations(tmp_path / "b", {"train": [str(train)], "exclude_synthetic": True})
    assert f"- Trained on `{train}` (2 documents, 4 sentences; of them, 1 synthetic document left out)" in text
    assert "Sentences marked `synthetic`" not in text
    assert "- No training sentence annotates NER: its head is untrained (random initial weights)" in text
    assert "`pro` (1 sentence), `neutral` (1 sentence), `ROCKET_ATTACK` (1 sentence);" in text
    assert "`PER`" not in text  # the NER layer was not trained: its labels are not named
    assert "`anti`" not in text.split("fewest training examples")[1]  # anti was in the synthetic document only


def test_label_counts_are_of_the_ner_extra_sample_training_used(
    tmp_path: Path, gold_records: list[dict[str, Any]]
) -> None:
    """With ner_extra_max_sentences, the card counts the sampled NER-only sentences, not the whole file."""
    train, extra = tmp_path / "train.jsonl", tmp_path / "extra.jsonl"
    write_records(train, [dict(record, tasks=["stance", "events"]) for record in gold_records])
    write_records(extra, [dict(record, id=f"ner-{i}", tasks=["ner"]) for i, record in enumerate(gold_records)])
    config = FinetuneConfig(base="enc", train=[str(train)], ner_extra=[str(extra)], ner_extra_max_sentences=1, seed=7)
    used = Counter(entity["label"] for record, sentence in training_sentences(config) if record["tasks"] == ["ner"]
                   for entity in sentence_entities(record, sentence))  # fmt: skip
    everywhere = Counter(entity["label"] for record in gold_records for entity in record["entities"])
    unsampled = [label for label in ENTITY_TYPES if everywhere[label] and not used[label]]
    assert unsampled  # the sample leaves out a label the whole file has: the two counts differ
    text = _limitations(tmp_path / "sampled", config.to_dict())
    assert (f"plus 1 of the 4 NER-only sentences of `{extra}`, a seeded sample (ner_extra_max_sentences 1); "
            "the label counts below count that sample, what training used; there was no dev file") in text
    missing = next(line for line in text.splitlines() if line.startswith("- No training examples of"))
    for label in ENTITY_TYPES:
        assert (f"`{label}`" in missing) == (not used[label]), label
    # retune trains nothing: its n-gram tagger is fitted on every ner_extra sentence, and the card counts them all
    text = _limitations(tmp_path / "retuned", config.to_dict(), retuned=True)
    assert f"plus NER-only sentences from `{extra}`: only the n-gram models" in text
    assert not any(f"`{label}`" in text.split("fewest training examples")[0] for label in unsampled)


def test_limitations_say_what_an_untrained_head_is_and_what_to_do(
    tmp_path: Path, gold_records: list[dict[str, Any]], tiny_model_dir: Path
) -> None:
    """NER-only training data: random stance and event heads from an encoder, the base's from an analyzer (probe16 #1)."""
    train = tmp_path / "ner_only.jsonl"
    write_records(train, [dict(record, tasks=["ner"]) for record in gold_records])
    text = _limitations(tmp_path / "a", {"base": "org/encoder", "train": [str(train)]})
    assert ("- No training sentence annotates stance or events: their heads are untrained (random initial weights): "
            "their predictions mean nothing. Annotate those layers in the training data (docs/annotation.md §3, §4), "
            "or do not use their outputs.") in text  # fmt: skip
    text = _limitations(tmp_path / "b", {"base": str(tiny_model_dir), "train": [str(train)]})
    assert (f"- No training sentence annotates stance or events: their heads are still those of {tiny_model_dir}, "
            "which this run did not train") in text  # fmt: skip
    text = _limitations(tmp_path / "c", {"base": str(tiny_model_dir), "train": [str(train)]}, retuned=True)
    assert "- The training data annotate no stance or events: the n-gram models saw no example of them" in text


def test_types_and_classes_without_gold_have_no_f1_row() -> None:
    """ANERcorp has no FAC: the card showed 'F1 FAC (n=0) 0.000', a score of nothing."""
    from training.card_tables import evaluation_section

    zero, some = {"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 0}, {"precision": 0.5, "recall": 0.5, "f1": 0.5, "support": 4}
    ner = {"micro": some, "per_type": {"FAC": zero, "LOC": some}}
    stance = {"accuracy": 0.9, "macro_f1": 0.5, "f_avg": 0.2, "per_class": {"anti": some, "pro": zero, "neutral": some}}
    card = "\n".join(evaluation_section({"test": {"sentences": {"ner": ner, "stance": stance},
                                                  "documents": {"entities": ner, "doc_events": {"micro": some, "per_type": {"THREAT": zero, "AIRSTRIKE": some}}}}}))  # fmt: skip
    assert "n=0" not in card
    assert all(row in card for row in ("F1 LOC (n=4) | 0.500", "F1 anti (n=4)", "F1 neutral (n=4)", "F1 AIRSTRIKE (n=4)"))
    assert "has no F1 row; its predictions count in the micro precision" in card
