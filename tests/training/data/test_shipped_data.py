"""The annotated data shipped in seeds/ is valid, consistent with its sources, and split cleanly."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from training.data.surface import check_surface_file, surface_to_record
from training.data.validate import validate_file

SEEDS = Path(__file__).resolve().parents[3] / "seeds"
SURFACE_FILES = sorted((SEEDS / "surface").glob("*.jsonl"))
BUILT_FILES = [SEEDS / name for name in ("train.jsonl", "dev.jsonl") if (SEEDS / name).exists()]


def _ids(path: Path) -> list[str]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line)["id"] for line in handle if line.strip()]


@pytest.mark.parametrize("path", SURFACE_FILES, ids=lambda p: p.name)
def test_surface_annotations_convert_and_use_schema_labels(path: Path) -> None:
    problems, counts = check_surface_file(str(path))
    assert problems == []
    assert counts["documents"] > 0


@pytest.mark.parametrize("path", BUILT_FILES, ids=lambda p: p.name)
def test_built_splits_validate(path: Path) -> None:
    assert validate_file(path) == []


@pytest.mark.skipif(len(BUILT_FILES) < 2, reason="seeds/train.jsonl and seeds/dev.jsonl not built")
def test_splits_are_disjoint_and_built_from_the_surface_files() -> None:
    train, dev = (set(_ids(p)) for p in BUILT_FILES)
    assert not train & dev
    surface: dict[str, dict] = {}
    for path in SURFACE_FILES:
        with path.open(encoding="utf-8") as handle:
            for line in handle:
                doc = json.loads(line)
                surface[doc["id"]] = surface_to_record(doc)
    assert train | dev == set(surface)
    for path in BUILT_FILES:
        with path.open(encoding="utf-8") as handle:
            for line in handle:
                record = json.loads(line)
                assert record["entities"] == surface[record["id"]]["entities"], record["id"]
                assert record["sentences"] == surface[record["id"]]["sentences"], record["id"]


@pytest.mark.skipif(len(BUILT_FILES) < 2, reason="seeds/train.jsonl and seeds/dev.jsonl not built")
def test_synthetic_documents_never_reach_dev() -> None:
    with BUILT_FILES[1].open(encoding="utf-8") as handle:
        assert not any(json.loads(line).get("synthetic") for line in handle)


def test_no_document_text_is_shipped_twice() -> None:
    """A duplicated article could land in train and dev at once and inflate dev scores."""
    seen: dict[str, str] = {}
    for path in SURFACE_FILES:
        with path.open(encoding="utf-8") as handle:
            for line in handle:
                doc = json.loads(line)
                key = " ".join(doc["text"].split())
                assert key not in seen, f"{doc['id']} repeats the text of {seen.get(key)}"
                seen[key] = doc["id"]


def test_review_corrections_name_shipped_sentences_and_are_not_applied() -> None:
    # seeds/candidates/review1_corrections.jsonl (docs/annotation.md): each line names a sentence
    # of a surface batch by file, line and index; its text and its "before" labels are the shipped ones
    path = SEEDS / "candidates" / "review1_corrections.jsonl"
    if not path.exists():
        pytest.skip("no review corrections in seeds/candidates")
    root = SEEDS.parent
    corrections = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert corrections
    for fix in corrections:
        file_name, line_no = fix["surface"].rsplit(":", 1)
        document = json.loads((root / file_name).read_text(encoding="utf-8").splitlines()[int(line_no) - 1])
        sentence = document["sentences"][fix["sentence"]]
        assert document["id"] == fix["id"] and sentence["text"] == fix["text"]
        assert {key: sentence.get(key) for key in ("stance", "holder", "events")} == fix["before"] != fix["after"]
        holder = fix["after"]["holder"]
        assert holder is None or holder in [text for text, _ in sentence["entities"]]
