"""Label counts, table and JSON rendering."""

from __future__ import annotations

import json
from typing import Any

from training.data.stats import brief_ids, compute_stats, format_table, to_json


def test_counts(record: dict[str, Any]) -> None:
    synthetic = dict(record, id="syn", synthetic=True, author="t")
    stats = compute_stats([record, synthetic])
    assert (stats["documents"], stats["real"], stats["synthetic"], stats["sentences"]) == (2, 1, 1, 4)
    assert stats["entities"] == {"PER": 2, "ORG": 2, "LOC": 2, "FAC": 2}
    assert stats["stance"] == {"anti": 2, "pro": 0, "neutral": 2}
    assert stats["doc_stance"]["anti"] == 2
    assert stats["events"]["WITHDRAWAL"] == 2 and stats["events"]["THREAT"] == 0
    assert stats["sentences_with_events"] == 4


def test_ner_only_records_count_no_stance(record: dict[str, Any]) -> None:
    record.update(tasks=["ner"], doc_stance=None)
    for sentence in record["sentences"]:
        sentence.update(stance=None, holder=None, events=None)
    stats = compute_stats([record])
    assert sum(stats["stance"].values()) == 0 and sum(stats["events"].values()) == 0


def test_labels_of_undeclared_layers_are_not_counted(record: dict[str, Any]) -> None:
    """A record may keep the labels of a layer it does not teach (``tasks``); training ignores them, so does stats."""
    full = compute_stats([record])
    record["tasks"] = ["ner", "events"]
    part = compute_stats([record])
    assert sum(full["stance"].values()) == 2 and sum(part["stance"].values()) == 0
    assert sum(part["doc_stance"].values()) == 0
    assert part["entities"] == full["entities"] and part["events"] == full["events"]
    record["tasks"] = ["stance"]
    only = compute_stats([record])
    assert sum(only["entities"].values()) == 0 and sum(only["events"].values()) == 0
    assert only["sentences_with_events"] == 0 and only["stance"] == full["stance"] and only["sentences"] == 2


def test_table_and_json(record: dict[str, Any]) -> None:
    by_split = {"train": compute_stats([record]), "dev": compute_stats([])}
    table = format_table(by_split).splitlines()
    assert table[0].split() == ["count", "train", "dev", "total"]
    fac = next(line for line in table if line.startswith("entities:FAC"))
    assert fac.split()[1:] == ["1", "0", "1"]
    assert json.loads(to_json(by_split))["train"]["entities"]["PER"] == 1


def test_counts_repeated_ids_as_validate_finds_them(record: dict[str, Any]) -> None:
    stats = compute_stats([record, dict(record, id="doc-2"), record, record])
    assert stats["documents"] == 4 and stats["duplicate_ids"] == 2
    assert compute_stats([record])["duplicate_ids"] == 0


def test_brief_ids_shows_the_first_few() -> None:
    assert brief_ids(["a", "b"]) == "a, b"
    assert brief_ids([f"d{i}" for i in range(7)], limit=3) == "d0, d1, d2, … (7 in all)"


def test_broken_records_are_counted_not_crashed_on(record: dict[str, Any]) -> None:
    """``stats --force`` counts files that do not validate: missing or odd labels get their own rows."""
    del record["entities"][0]["label"]
    record["entities"][1]["label"] = ["ORG"]
    record["entities"].append("not an entity")
    record["sentences"][0]["events"] = "WITHDRAWAL"
    record["sentences"].append(7)
    stats = compute_stats([record, {"id": "x", "entities": None, "sentences": "no"}])
    assert stats["entities"]["null"] == 2 and stats["entities"]['["ORG"]'] == 1 and stats["entities"]["LOC"] == 1
    assert stats["sentences"] == 3 and stats["sentences_with_events"] == 1 and stats["documents"] == 2
