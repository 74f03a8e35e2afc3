"""CoNLL NER corpora (ANERcorp, WikiFANE) to SCHEMA.md §5 records, and records back to CoNLL.

**Reading.** One ``token TAG`` pair per line (space- or tab-separated, the tag last); a blank
line ends a sentence. A file without any blank line is cut after sentence-final punctuation
tokens (``.``, ``!``, ``?``, ``؟``). Tags are BIO; IOB1 runs (``I-X`` after ``O``) start a new
span, as in :func:`arabnews_nlp.schema.bio_to_spans`.

**Records.** Each sentence becomes a sentence span whose text is its tokens joined by single
spaces; consecutive sentences are grouped, ``sentences_per_doc`` (default 20) per record and
joined by ``"\\n"``. Because tokens are separated by spaces, token boundaries are word
boundaries and every entity span is whole words. Entity spans are trimmed of punctuation at
their edges (``كابول؛`` → ``كابول``); a span of punctuation only is dropped. Records declare
``"tasks": ["ner"]`` (see :mod:`training.data.validate`): ``doc_stance``, sentence ``stance``
and ``events`` are ``null``.

**ANERcorp** maps through :data:`arabnews_nlp.schema.ANERCORP_TO_SCHEMA` (PERS→PER, LOC, ORG,
MISC dropped) with no other change, so that it stays the public benchmark.

**WikiFANE Gold 2014** (tab-separated, UTF-8 BOM, CRLF, tokens prefixed by U+200E which is
removed, clitics split as tokens) has 51 fine classes (its Readme says 50), mapped by :data:`WIKIFANE_TO_SCHEMA`
(ACE-style coarse class in brackets; B- counts in WikiFANE_Gold_2014_500K):

* ``PER`` [PER]: Politician, Other_PER, Artist, Scientist, Religious_PER, Police, Athlete,
  Businessperson, Engineer, Lawyer.
* ``ORG`` [ORG]: Government, Commercial, Non-Governmental, Educational, Media, Sports,
  Religious_ORG, Entertainment, Medical-Science.
* ``LOC`` [GPE, LOC]: Nation, Population-Center, State-or-Province, Continent, GPE-Cluster,
  County-or-District, Water-Body, Land-Region-Natural.
* ``FAC`` [FAC]: Building-Grounds, Airport, Path (streets, bridges, canals), Subarea-Facility,
  Plant.
* dropped (``None``): Group (peoples, religions, nationalities: NORP-like, not entities in
  SCHEMA.md §2), Celestial (planets, stars: not places of the news), the vehicles (Air, Water,
  Land), the weapons (Projectile, Blunt, Shooting, Nuclear, Exploding, Sharp, Chemical) and the
  products (Software, Hardware, Book, Movie, Sound, Food, Drug).

WikiFANE spans also include words SCHEMA.md §2 keeps outside, so for WikiFANE (not ANERcorp)
a leading place-type noun is removed from LOC spans (:data:`PLACE_NOUNS`: ``مدينة جوبا`` →
``جوبا``) and a leading title from PER spans (:data:`TITLES`).

Example:
    >>> sentences = [(["زار", "ساركوزي", "بغداد", "."], ["O", "B-PERS", "B-LOC", "O"])]
    >>> record = conll_to_records(sentences, ANERCORP_TO_SCHEMA, "demo")[0]
    >>> [(record["text"][e["start"]:e["end"]], e["label"]) for e in record["entities"]]
    [('ساركوزي', 'PER'), ('بغداد', 'LOC')]
"""

from __future__ import annotations

import gzip
import re
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from arabnews_nlp.errors import DataFormatError
from arabnews_nlp.schema import ANERCORP_TO_SCHEMA, OUTSIDE, bio_to_spans, spans_to_bio
from arabnews_nlp.text.words import is_word_char

Sentence = tuple[list[str], list[str]]

SENTENCE_FINAL: frozenset[str] = frozenset({".", "!", "?", "؟"})
"""Tokens that end a sentence in a file with no blank lines."""

_PER, _ORG, _LOC, _FAC = "PER", "ORG", "LOC", "FAC"
WIKIFANE_TO_SCHEMA: dict[str, str | None] = {
    **dict.fromkeys(
        ["Politician", "Other_PER", "Artist", "Scientist", "Religious_PER", "Police", "Athlete",
         "Businessperson", "Engineer", "Lawyer"], _PER),
    **dict.fromkeys(
        ["Government", "Commercial", "Non-Governmental", "Educational", "Media", "Sports",
         "Religious_ORG", "Entertainment", "Medical-Science"], _ORG),
    **dict.fromkeys(
        ["Nation", "Population-Center", "State-or-Province", "Continent", "GPE-Cluster",
         "County-or-District", "Water-Body", "Land-Region-Natural"], _LOC),
    **dict.fromkeys(["Building-Grounds", "Airport", "Path", "Subarea-Facility", "Plant"], _FAC),
    **dict.fromkeys(
        ["Group", "Celestial", "Air", "Water", "Land", "Projectile", "Blunt", "Shooting", "Nuclear",
         "Exploding", "Sharp", "Chemical", "Software", "Hardware", "Book", "Movie", "Sound", "Food",
         "Drug"], None),
}  # fmt: skip
"""WikiFANE fine class → schema entity type (``None``: not an entity of SCHEMA.md §2)."""

PLACE_NOUNS: frozenset[str] = frozenset(
    {"محافظة", "مدينة", "بلدة", "قضاء", "ناحية", "منطقة", "حي", "قرية"}
)
"""Generic place-type nouns removed from the start of WikiFANE LOC spans (SCHEMA.md §2's list;
definite forms are kept: ``المدينة المنورة`` is a name)."""

TITLES: frozenset[str] = frozenset(
    {"الرئيس", "الملك", "الامير", "الأمير", "الشيخ", "السيد", "السيدة", "الدكتور", "د.", "الجنرال",
     "العميد", "اللواء", "العقيد", "الامام", "الإمام", "الخليفة", "السلطان", "البابا", "القائد", "الامبراطور", "الإمبراطور"}
)  # fmt: skip
"""Titles and roles removed from the start of WikiFANE PER spans (SCHEMA.md §2)."""

SCHEMA_TO_ANERCORP: dict[str, str] = {"PER": "PERS", "ORG": "ORG", "LOC": "LOC", "FAC": "LOC"}
"""Schema type → ANERcorp tag type, for writing records back as ANERcorp-style CoNLL."""


def _split_on_punctuation(tokens: list[str], tags: list[str]) -> list[Sentence]:
    sentences: list[Sentence] = []
    start = 0
    for i, token in enumerate(tokens):
        if token in SENTENCE_FINAL:
            sentences.append((tokens[start : i + 1], tags[start : i + 1]))
            start = i + 1
    if start < len(tokens):
        sentences.append((tokens[start:], tags[start:]))
    return sentences


_IOB2_TAG = re.compile(r"O|[BI]-\S+")


def _check_tag(tag: str, line: str, where: str) -> None:
    """Refuse a tag that is not IOB2: IO and BIOES tags would otherwise be read as ``O`` and lost."""
    if _IOB2_TAG.fullmatch(tag):
        return
    if line.lstrip().startswith(("{", "[")):
        raise DataFormatError(
            f"{where}: this line is JSON, not 'token TAG'; convert reads CoNLL here (records -> CoNLL is --export)"
        )
    raise DataFormatError(
        f"{where}: tag {tag!r} is not IOB2 (O, B-TYPE or I-TYPE); convert IO tags (PER) or BIOES tags "
        "(S-LOC, E-LOC) to IOB2 first, or the entity would be read as O and lost"
    )


def read_conll(path: str | Path, strip_chars: str = "") -> list[Sentence]:
    """Read a CoNLL file (``.gz`` allowed) into ``(tokens, tags)`` sentences.

    Args:
        path: The file; UTF-8 with or without BOM, LF or CRLF line ends.
        strip_chars: Characters removed from every token (WikiFANE: ``"\\u200e"``).

    Returns:
        The sentences, split on blank lines, or on sentence-final tokens when the file has none.

    Raises:
        DataFormatError: On a line that is not ``token TAG``, a token left empty, or a tag that
            is not IOB2 (``O``, ``B-X``, ``I-X``).

    Example:
        >>> import tempfile, os
        >>> tmp = os.path.join(tempfile.mkdtemp(), "a.txt")
        >>> _ = open(tmp, "w", encoding="utf-8").write("بغداد B-LOC\\n. O\\n\\nنعم O\\n")
        >>> read_conll(tmp)
        [(['بغداد', '.'], ['B-LOC', 'O']), (['نعم'], ['O'])]
    """
    opener: Any = gzip.open if str(path).endswith(".gz") else open
    blocks: list[Sentence] = []
    tokens: list[str] = []
    tags: list[str] = []
    saw_blank = False
    with opener(path, "rt", encoding="utf-8-sig", newline="") as handle:
        for line_no, line in enumerate(handle, 1):
            line = line.rstrip("\r\n")
            if not line.strip():
                saw_blank = True
                if tokens:
                    blocks.append((tokens, tags))
                tokens, tags = [], []
                continue
            parts = line.rsplit(None, 1)
            token = parts[0].strip() if len(parts) == 2 else ""
            for char in strip_chars:
                token = token.replace(char, "")
            if not token.strip() or len(parts) != 2:
                raise DataFormatError(f"{path}:{line_no}: expected 'token TAG', got {line!r}")
            _check_tag(parts[1], line, f"{path}:{line_no}")
            tokens.append(token.strip())
            tags.append(parts[1])
    if tokens:
        blocks.append((tokens, tags))
    if not saw_blank:
        return [s for block in blocks for s in _split_on_punctuation(*block)]
    return blocks


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and not is_word_char(text[start]):
        start += 1
    while end > start and not is_word_char(text[end - 1]):
        end -= 1
    return start, end


def _map_spans(
    tokens: list[str], tags: list[str], mapping: Mapping[str, str | None], refine: bool
) -> list[tuple[int, int, str]]:
    """Decode BIO at the source's own classes, then map each span's type (unknown: error)."""
    spans: list[tuple[int, int, str]] = []
    for first, last, source_type in bio_to_spans(tags):
        if source_type not in mapping:
            raise DataFormatError(f"unknown entity class {source_type!r}; add it to the mapping table ({sorted(mapping)})")
        label = mapping[source_type]
        if label is None:
            continue
        if refine:
            drop = PLACE_NOUNS if label == _LOC else TITLES if label == _PER else frozenset()
            while last - first > 1 and tokens[first] in drop:
                first += 1
        spans.append((first, last, label))
    return spans


def conll_to_records(
    sentences: Sequence[Sentence],
    mapping: Mapping[str, str | None],
    id_prefix: str,
    sentences_per_doc: int = 20,
    source: Mapping[str, Any] | None = None,
    refine: bool = False,
) -> list[dict[str, Any]]:
    """Turn CoNLL sentences into NER-only records (``"tasks": ["ner"]``).

    Args:
        sentences: ``(tokens, tags)`` pairs, e.g. from :func:`read_conll`.
        mapping: Source entity class → schema type, or ``None`` to drop the class.
        id_prefix: Record ids are ``f"{id_prefix}-{n:05d}"``.
        sentences_per_doc: Sentences grouped in one record.
        source: The ``source`` field of every record (corpus, file, licence).
        refine: Remove leading place nouns (LOC) and titles (PER), for WikiFANE.

    Returns:
        The records, in corpus order.

    Raises:
        DataFormatError: On an entity class missing from ``mapping``.
    """
    if sentences_per_doc < 1:
        raise DataFormatError(f"sentences_per_doc must be at least 1, got {sentences_per_doc}")
    records: list[dict[str, Any]] = []
    for number, first in enumerate(range(0, len(sentences), sentences_per_doc), 1):
        pieces: list[str] = []
        sents: list[dict[str, Any]] = []
        entities: list[dict[str, Any]] = []
        offset = 0
        for tokens, tags in sentences[first : first + sentences_per_doc]:
            sentence_text = " ".join(tokens)
            starts = [0]
            for token in tokens[:-1]:
                starts.append(starts[-1] + len(token) + 1)
            for a, b, label in _map_spans(tokens, tags, mapping, refine):
                start, end = _trim(sentence_text, starts[a], starts[b - 1] + len(tokens[b - 1]))
                if start < end:
                    entities.append({"start": offset + start, "end": offset + end, "label": label})
            pieces.append(sentence_text)
            sents.append({"start": offset, "end": offset + len(sentence_text), "stance": None, "holder": None, "events": None})
            offset += len(sentence_text) + 1
        records.append(
            {"id": f"{id_prefix}-{number:05d}", "source": dict(source or {}), "date": None, "tasks": ["ner"],
             "text": "\n".join(pieces), "doc_stance": None, "sentences": sents, "entities": entities}
        )  # fmt: skip
    return records


def records_to_conll(records: Sequence[Mapping[str, Any]], type_map: Mapping[str, str] | None = None) -> list[Sentence]:
    """Turn records back into IOB2 ``(tokens, tags)`` sentences (tokens split on whitespace).

    A token is tagged when it overlaps an entity: ``B-`` on the entity's first token, ``I-``
    on the others.

    Args:
        records: Valid records.
        type_map: Schema type → CoNLL type (e.g. :data:`SCHEMA_TO_ANERCORP`); identity if ``None``.

    Returns:
        One ``(tokens, tags)`` pair per sentence.

    Example:
        >>> rec = {"text": "زار بغداد", "sentences": [{"start": 0, "end": 9}],
        ...        "entities": [{"start": 4, "end": 9, "label": "LOC"}]}
        >>> records_to_conll([rec])
        [(['زار', 'بغداد'], ['O', 'B-LOC'])]
    """
    out: list[Sentence] = []
    for record in records:
        text = record["text"]
        for sentence in record["sentences"]:
            s_start, s_end = sentence["start"], sentence["end"]
            token_spans = _token_spans(text, s_start, s_end)
            spans = []
            for entity in record["entities"]:
                if s_start <= entity["start"] and entity["end"] <= s_end:
                    hit = [i for i, (a, b) in enumerate(token_spans) if a < entity["end"] and entity["start"] < b]
                    label = (type_map or {}).get(entity["label"], entity["label"])
                    spans.append((hit[0], hit[-1] + 1, label))
            out.append(([text[a:b] for a, b in token_spans], spans_to_bio(len(token_spans), spans)))
    return out


def _token_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    i = start
    while i < end:
        if text[i].isspace():
            i += 1
            continue
        j = i
        while j < end and not text[j].isspace():
            j += 1
        spans.append((i, j))
        i = j
    return spans


def write_conll(path: str | Path, sentences: Sequence[Sentence], separator: str = " ") -> None:
    """Write ``token<separator>TAG`` lines, a blank line after each sentence (UTF-8, LF).

    Example:
        >>> import tempfile, os
        >>> tmp = os.path.join(tempfile.mkdtemp(), "a.txt")
        >>> write_conll(tmp, [(["بغداد"], ["B-LOC"])])
        >>> open(tmp, encoding="utf-8").read()
        'بغداد B-LOC\\n\\n'
    """
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "w", encoding="utf-8", newline="\n") as handle:
        for tokens, tags in sentences:
            handle.writelines(f"{token}{separator}{tag}\n" for token, tag in zip(tokens, tags))
            handle.write("\n")


def normalize_tags(tags: Sequence[str], mapping: Mapping[str, str | None]) -> list[str]:
    """Return the IOB2 tags a round trip through records gives: classes mapped, dropped ones ``O``.

    Example:
        >>> normalize_tags(["I-PERS", "B-MISC", "I-LOC"], ANERCORP_TO_SCHEMA)
        ['B-PER', 'O', 'B-LOC']
    """
    spans = [(a, b, mapping[t]) for a, b, t in bio_to_spans(tags) if mapping.get(t)]
    return spans_to_bio(len(tags), [(a, b, str(t)) for a, b, t in spans]) if spans else [OUTSIDE] * len(tags)


def read_anercorp(path: str | Path, sentences_per_doc: int = 20, id_prefix: str | None = None) -> list[dict[str, Any]]:
    """Read an ANERcorp CoNLL file as NER-only records (PERS→PER, LOC, ORG; MISC dropped).

    Example:
        >>> import tempfile, os
        >>> tmp = os.path.join(tempfile.mkdtemp(), "ANERCorp_demo.txt")
        >>> _ = open(tmp, "w", encoding="utf-8").write("زار O\\nبغداد B-LOC\\n\\n")
        >>> read_anercorp(tmp)[0]["entities"]
        [{'start': 4, 'end': 9, 'label': 'LOC'}]
    """
    source = {"corpus": "ANERcorp", "file": Path(path).name, "licence": "CC BY-SA 4.0"}
    prefix = id_prefix or id_prefix_from_path(path)
    return conll_to_records(read_conll(path), ANERCORP_TO_SCHEMA, prefix, sentences_per_doc, source)


def read_wikifane(path: str | Path, sentences_per_doc: int = 20, id_prefix: str | None = None) -> list[dict[str, Any]]:
    """Read WikiFANE Gold (``.txt`` or ``.txt.gz``) as NER-only records via :data:`WIKIFANE_TO_SCHEMA`.

    Example:
        >>> import tempfile, os
        >>> tmp = os.path.join(tempfile.mkdtemp(), "wf.txt")
        >>> lines = ["\\u200eمدينة\\tB-Population-Center", "\\u200eجوبا\\tI-Population-Center"]
        >>> _ = open(tmp, "w", encoding="utf-8-sig").write("\\r\\n".join(lines) + "\\r\\n")
        >>> rec = read_wikifane(tmp)[0]
        >>> rec["text"][rec["entities"][0]["start"]:rec["entities"][0]["end"]]
        'جوبا'
    """
    source = {"corpus": "WikiFANE Gold 2014", "file": Path(path).name, "licence": "CC BY-SA 3.0"}
    prefix = id_prefix or id_prefix_from_path(path)
    return conll_to_records(read_conll(path, strip_chars="\u200e"), WIKIFANE_TO_SCHEMA, prefix, sentences_per_doc, source, refine=True)


def id_prefix_from_path(path: str | Path) -> str:
    """Return a record id prefix made from a file name.

    Example:
        >>> id_prefix_from_path("ANERCorp_CamelLab_train.reconstructed.txt")
        'anercorp-camellab-train'
    """
    name = Path(path).name.split(".")[0].lower()
    return "".join(c if c.isalnum() else "-" for c in name).strip("-") or "doc"


def iter_entity_classes(sentences: Sequence[Sentence]) -> Iterator[str]:
    """Yield the entity class of every span (to count a corpus's classes).

    Example:
        >>> list(iter_entity_classes([(["a", "b"], ["B-Nation", "I-Nation"])]))
        ['Nation']
    """
    for _, tags in sentences:
        for _, _, entity_class in bio_to_spans(tags):
            yield entity_class
