"""Document-level split: stratified coverage of every label, synthetic in train, stable manifest."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from arabnews_nlp.errors import DataFormatError
from arabnews_nlp.schema import EVENT_TYPES, STANCE_LABELS
from training.data.records import read_records
from training.data.split import (
    DEV,
    TRAIN,
    assign_splits,
    label_counts,
    load_manifest,
    missing_in_dev,
    near_duplicate_groups,
    save_manifest,
)


def _doc(doc_id: str, stances: list[str], events: list[str], synthetic: bool = False) -> dict[str, Any]:
    sentences = [{"stance": s, "events": [events[i]] if i < len(events) else []} for i, s in enumerate(stances)]
    doc: dict[str, Any] = {"id": doc_id, "sentences": sentences, "entities": []}
    if synthetic:
        doc.update(synthetic=True, author="t")
    return doc


def _corpus(n: int = 40) -> list[dict[str, Any]]:
    """Mostly neutral documents; each event type and the rare stances in two or three of them."""
    docs = []
    for i in range(n):
        stances = ["neutral"] * 3 + (["anti"] if i % 6 == 0 else []) + (["pro"] if i in (7, 29) else [])
        events = [EVENT_TYPES[i % len(EVENT_TYPES)]] if i < 2 * len(EVENT_TYPES) + 3 else []
        docs.append(_doc(f"d{i:03d}", stances, events))
    return docs


def _labels_in(docs: list[dict[str, Any]], split: dict[str, str], name: str) -> set[str]:
    return {label for d in docs if split[d["id"]] == name for label in label_counts(d)}


def test_dev_covers_every_stance_and_event_and_train_keeps_them() -> None:
    docs = _corpus()
    split = assign_splits(docs, {}, dev_fraction=0.2, seed=0)
    dev, train = _labels_in(docs, split, DEV), _labels_in(docs, split, TRAIN)
    wanted = {f"stance:{s}" for s in STANCE_LABELS} | {f"event:{e}" for e in EVENT_TYPES}
    assert wanted <= dev and wanted <= train
    assert missing_in_dev(docs, split) == []
    assert 8 <= list(split.values()).count(DEV) <= 20


def test_split_is_deterministic_for_a_seed() -> None:
    docs = _corpus()
    assert assign_splits(docs, {}, seed=3) == assign_splits(list(reversed(docs)), {}, seed=3)


def test_synthetic_documents_always_go_to_train() -> None:
    docs = _corpus() + [_doc(f"syn{i}", ["pro"], ["THREAT"], synthetic=True) for i in range(5)]
    split = assign_splits(docs, {"syn0": DEV}, seed=0)
    assert all(split[f"syn{i}"] == TRAIN for i in range(5))


def test_manifest_keeps_existing_documents_in_place() -> None:
    docs = _corpus(30)
    first = assign_splits(docs, {}, seed=0)
    grown = docs + _corpus(45)[30:]
    second = assign_splits(grown, first, seed=0)
    assert {k: second[k] for k in first} == first
    assert set(second) == {d["id"] for d in grown}
    stale = assign_splits(docs[:5], {"gone": DEV}, seed=0)
    assert stale["gone"] == DEV  # ids no longer present keep their entry


def test_label_in_a_single_document_stays_in_train_and_is_reported() -> None:
    docs = _corpus() + [_doc("rare", ["neutral"], ["INTERCEPTION"])]
    docs = [d for d in docs if d["id"] == "rare" or not any(s["events"] == ["INTERCEPTION"] for s in d["sentences"])]
    split = assign_splits(docs, {}, seed=0)
    assert split["rare"] == TRAIN
    assert "event:INTERCEPTION" in missing_in_dev(docs, split)


def test_bad_inputs_are_rejected() -> None:
    with pytest.raises(DataFormatError, match="duplicate document ids"):
        assign_splits([_doc("a", ["neutral"], []), _doc("a", ["neutral"], [])], {})
    with pytest.raises(DataFormatError, match="dev_fraction"):
        assign_splits([], {}, dev_fraction=1.5)


def test_manifest_file_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "seeds" / "split.json"
    assert load_manifest(path) == {}
    save_manifest(path, {"ب": DEV, "a": TRAIN})
    assert load_manifest(path) == {"a": TRAIN, "ب": DEV}
    assert "ب" in path.read_text(encoding="utf-8")
    path.write_text('{"a": "test"}', encoding="utf-8")
    with pytest.raises(DataFormatError, match="must map document ids"):
        load_manifest(path)


def test_near_duplicate_documents_never_straddle_train_and_dev() -> None:
    story = " ".join(f"كلمة{i}" for i in range(60))
    docs = _corpus()
    docs[0]["text"] = story  # a manifest says dev
    docs[1]["text"] = "مقدمة قصيرة " + story  # the same story from another outlet, in train
    docs[2]["text"] = " ".join(f"أخرى{i}" for i in range(60))
    assert near_duplicate_groups(docs) == [{"d000", "d001"}]
    assert assign_splits(docs, {"d001": TRAIN}, dev_fraction=0.2, seed=0)["d000"] == TRAIN  # a new copy joins train
    split = assign_splits(docs, {"d000": DEV}, dev_fraction=0.2, seed=0)
    assert split["d000"] == split["d001"] == DEV  # a new copy of a dev article joins dev: dev stays what it was
    # listed in both splits: the dev article was silently moved to train; now the conflict is named
    with pytest.raises(DataFormatError, match=r"listed in both splits of the manifest: \{'d000': 'dev', 'd001': 'train'\}"):
        assign_splits(docs, {"d000": DEV, "d001": TRAIN}, dev_fraction=0.2, seed=0)


SEEDS = Path(__file__).resolve().parents[3] / "seeds"


def _shipped(name: str) -> list[dict[str, Any]]:
    """The records of ``seeds/<name>``; the test is skipped when the file has not been built."""
    if not (SEEDS / name).is_file():
        pytest.skip(f"seeds/{name} not built")
    return read_records(SEEDS / name)


def test_shipped_dev_has_no_near_copy_in_train() -> None:
    dev_records = _shipped("dev.jsonl")
    records = _shipped("train.jsonl") + dev_records
    dev = {record["id"] for record in dev_records}
    for group in near_duplicate_groups(records):
        assert group <= dev or not group & dev, f"near-duplicate documents split across train and dev: {sorted(group)}"


def test_shipped_test_split_shares_no_document_or_near_copy_with_train_or_dev() -> None:
    test = _shipped("test.jsonl")
    seen = _shipped("train.jsonl") + _shipped("dev.jsonl")
    test_ids = {r["id"] for r in test}
    assert test_ids.isdisjoint(r["id"] for r in seen)
    for group in near_duplicate_groups(test + seen):
        assert group <= test_ids or not group & test_ids, f"near copies across test and train/dev: {sorted(group)}"


@pytest.mark.parametrize("pattern", ["synthetic*.jsonl", "batch*.jsonl"])
def test_shipped_candidate_batches_are_valid_and_share_nothing_with_dev_or_test(pattern: str) -> None:
    """Batches held out of train (docs/annotation.md) stay ready to add: valid, new ids, no held-out copies."""
    from training.data.checked_files import load_checked

    files = sorted((SEEDS / "candidates").glob(pattern))
    if not files:
        pytest.skip(f"no {pattern} candidate batches in seeds/candidates")
    candidates = []
    for path in files:  # converted and validated as `python -m training validate` does
        records, problems = load_checked(path)
        assert not problems, problems[:5]
        candidates += [record for _, record in records]
    if pattern.startswith("synthetic"):
        assert all(r.get("synthetic") and r.get("author") for r in candidates)
    else:  # annotated real articles
        assert not any(r.get("synthetic") for r in candidates)
    held = _shipped("dev.jsonl") + _shipped("test.jsonl")
    ids = {r["id"] for r in candidates}
    assert ids.isdisjoint(r["id"] for r in held + _shipped("train.jsonl"))
    for group in near_duplicate_groups(candidates + held):
        assert group <= ids or not group & ids, f"a candidate is a near copy of a dev/test article: {sorted(group)}"
