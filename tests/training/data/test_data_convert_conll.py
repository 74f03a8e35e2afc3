"""CoNLL conversion: sentence boundaries, label mapping, whole-word spans, round trips."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from arabnews_nlp.errors import DataFormatError
from arabnews_nlp.schema import ANERCORP_TO_SCHEMA, ENTITY_TYPES
from training.data.convert_conll import (
    SCHEMA_TO_ANERCORP,
    WIKIFANE_TO_SCHEMA,
    conll_to_records,
    iter_entity_classes,
    normalize_tags,
    read_anercorp,
    read_conll,
    read_wikifane,
    records_to_conll,
    write_conll,
)
from training.data.records import span_text
from training.data.validate import validate_record

ANER_SAMPLE = """فرانكفورت B-LOC
(د O
ب B-ORG
أ) I-ORG
أعلن O
جورج B-PERS
بوش I-PERS
أن O
الاتحاد B-MISC
الأوروبي I-MISC
. O

زار O
ساركوزي I-PERS
بكابول؛ B-LOC
و O
لندن B-LOC
. O

"""


def _write(tmp_path: Path, content: str, name: str = "ANERCorp_sample.txt") -> Path:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    return path


def test_blank_lines_end_sentences(tmp_path: Path) -> None:
    sentences = read_conll(_write(tmp_path, ANER_SAMPLE))
    assert [len(tokens) for tokens, _ in sentences] == [11, 6]


def test_without_blank_lines_split_on_final_punctuation(tmp_path: Path) -> None:
    content = "".join(line + "\n" for line in ANER_SAMPLE.splitlines() if line.strip())
    sentences = read_conll(_write(tmp_path, content + "نعم O\n"))
    assert [tokens[-1] for tokens, _ in sentences] == [".", ".", "نعم"]


def test_malformed_line_is_a_data_format_error(tmp_path: Path) -> None:
    with pytest.raises(DataFormatError, match=r":2: expected 'token TAG'"):
        read_conll(_write(tmp_path, "بغداد B-LOC\nB-LOC\n"))


@pytest.mark.parametrize("tag", ["PER", "S-LOC", "E-LOC", "B_LOC", "b-loc", "B-"])
def test_tag_that_is_not_iob2_is_an_error_not_an_o(tmp_path: Path, tag: str) -> None:
    """IO and BIOES tags were read as O: the entities vanished without a word."""
    with pytest.raises(DataFormatError, match=r":2: tag .* is not IOB2"):
        read_conll(_write(tmp_path, f"قال O\nبغداد {tag}\n"))


def test_json_lines_given_as_conll_are_named(tmp_path: Path) -> None:
    """A records file given to `convert conll` became one record of JSON 'tokens'."""
    with pytest.raises(DataFormatError, match=r":1: this line is JSON, not 'token TAG'.*--export"):
        read_conll(_write(tmp_path, '{"id": "d1", "text": "قال بغداد", "entities": []}\n'))


def test_anercorp_mapping_and_spans(tmp_path: Path) -> None:
    records = read_anercorp(_write(tmp_path, ANER_SAMPLE))
    assert len(records) == 1
    record = records[0]
    assert record["tasks"] == ["ner"] and record["id"] == "anercorp-sample-00001"
    found = [(span_text(record, e), e["label"]) for e in record["entities"]]
    # MISC dropped; PERS -> PER; IOB1 "I-PERS" after O starts an entity; edge punctuation trimmed.
    assert found == [("فرانكفورت", "LOC"), ("ب أ", "ORG"), ("جورج بوش", "PER"), ("ساركوزي", "PER"),
                     ("بكابول", "LOC"), ("لندن", "LOC")]  # fmt: skip
    assert record["text"].split("\n")[1] == "زار ساركوزي بكابول؛ و لندن ."
    assert validate_record(record) == []


def test_sentences_are_grouped_into_documents(tmp_path: Path) -> None:
    records = read_anercorp(_write(tmp_path, ANER_SAMPLE), sentences_per_doc=1)
    assert [len(r["sentences"]) for r in records] == [1, 1]
    assert all(validate_record(r) == [] for r in records)


def test_round_trip_to_conll(tmp_path: Path) -> None:
    source = _write(tmp_path, ANER_SAMPLE)
    sentences = read_conll(source)
    back = records_to_conll(read_anercorp(source, sentences_per_doc=1), SCHEMA_TO_ANERCORP)
    expected = [(tokens, [t.replace("PER", "PERS") for t in normalize_tags(tags, ANERCORP_TO_SCHEMA)]) for tokens, tags in sentences]
    assert back == expected
    write_conll(tmp_path / "back.txt", back)
    assert read_conll(tmp_path / "back.txt") == back


def test_unknown_class_is_an_error() -> None:
    with pytest.raises(DataFormatError, match="unknown entity class 'Alien'"):
        conll_to_records([(["س"], ["B-Alien"])], ANERCORP_TO_SCHEMA, "x")


def test_wikifane_mapping_table_is_complete_and_in_schema() -> None:
    assert len(WIKIFANE_TO_SCHEMA) == 51
    assert set(WIKIFANE_TO_SCHEMA.values()) == {*ENTITY_TYPES, None}
    expected = {"Nation": "LOC", "Population-Center": "LOC", "Continent": "LOC", "Airport": "FAC",
                "Building-Grounds": "FAC", "Politician": "PER", "Government": "ORG", "Group": None, "Projectile": None}  # fmt: skip
    assert {k: WIKIFANE_TO_SCHEMA[k] for k in expected} == expected


def test_wikifane_format_and_refinement(tmp_path: Path) -> None:
    lines = ["\u200eزار\tO", "\u200eالشيخ\tB-Politician", "\u200eزايد\tI-Politician", "\u200eمدينة\tB-Population-Center",
             "\u200eجوبا\tI-Population-Center", "\u200eو\tO", "\u200eالعرب\tB-Group", "\u200eفي\tO", "\u200eمطار\tB-Airport",
             "\u200eدبي\tI-Airport", "."+"\tO", ""]  # fmt: skip
    path = tmp_path / "wikifane.txt.gz"
    with gzip.open(path, "wt", encoding="utf-8-sig", newline="") as handle:
        handle.write("\r\n".join(lines))
    record = read_wikifane(path)[0]
    assert "\u200e" not in record["text"] and "\r" not in record["text"]
    assert [(span_text(record, e), e["label"]) for e in record["entities"]] == [("زايد", "PER"), ("جوبا", "LOC"), ("مطار دبي", "FAC")]
    assert validate_record(record) == []


@pytest.mark.integration
def test_anercorp_files_convert_validate_and_round_trip(shared_data: Path) -> None:
    path = shared_data / "anercorp" / "ANERCorp_CamelLab_test.reconstructed.txt"
    sentences = read_conll(path)
    records = read_anercorp(path)
    assert len(sentences) == 918 and sum(len(tokens) for tokens, _ in sentences) == 25_008
    assert all(validate_record(r) == [] for r in records)
    back = records_to_conll(records)
    assert [tokens for tokens, _ in back] == [tokens for tokens, _ in sentences]
    assert [tags for _, tags in back] == [normalize_tags(tags, ANERCORP_TO_SCHEMA) for _, tags in sentences]


@pytest.mark.integration
def test_wikifane_classes_are_all_mapped(shared_data: Path) -> None:
    path = shared_data / "wikifane" / "WikiFANE_Gold_2014_500K.txt.gz"
    sentences = read_conll(path, strip_chars="\u200e")
    assert set(iter_entity_classes(sentences)) == set(WIKIFANE_TO_SCHEMA)
    records = conll_to_records(sentences[:2000], WIKIFANE_TO_SCHEMA, "wikifane", refine=True)
    assert all(validate_record(r) == [] for r in records)
