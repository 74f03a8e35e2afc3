"""Counts over a results file: stance, events, the entities named most, events per period.

:func:`summarize` reads result lines one at a time (:func:`arabnews_nlp.result_lines.read_results`)
and keeps only counters, so a file of any size goes through in bounded memory (the entity counts
grow with the number of distinct names, not of lines); the file is read a second time to count
the documents per name.

Entities are counted across articles by name: two mentions are the same name when their
normalised texts are equal (diacritics, tatweel, alef and ya forms unified, as the model reads
them), and a form with a proclitic attached (و ف, then ب ل ك; ``لل`` for ``ل`` + ``ال``) counts
as its bare form **only when the bare form is itself an entity of the same label somewhere in
the results, with at least as many mentions** as the form (and the forms merged into it), once
all mentions are counted: a proclitic form is the rarer spelling of a name. ``والعراق``,
``بالعراق`` and ``للعراق`` count as ``العراق`` when ``العراق`` is found as often; ``وبغداد``
counts as ``بغداد`` only if ``بغداد`` is found as often; ``واشنطن`` stays as it is (``اشنطن``
is no entity), and a stray ``غداد`` or ``ليد`` (a cut entity) does not absorb the more frequent
``بغداد`` or ``وليد``. A name is shown in its most frequent form of its own; its documents are
counted once the merged forms are known (a second pass, see :func:`summarize`).

With ``by`` (a kept field holding a date), documents are also counted per ``period`` (day,
month or year) of that date; a document whose date cannot be read is counted in the
``"unknown"`` period, never dropped (:func:`~arabnews_nlp.periods.period_of` says which dates are read).

Example:
    >>> def line(*names):
    ...     return {"stance": {"label": "neutral", "score": 1.0}, "events": [], "sentences": [],
    ...             "entities": [{"start": 0, "end": 1, "label": "LOC", "text": name, "score": 1.0} for name in names]}
    >>> summary = summarize([line("العراق", "والعراق"), line("للعراق", "واشنطن")])
    >>> [(entity.text, entity.mentions, entity.documents) for entity in summary.top_entities["LOC"]]
    [('العراق', 3, 2), ('واشنطن', 1, 1)]
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass, field
from itertools import islice
from typing import Any

from arabnews_nlp.entity_names import EntityCount, NameCounts, NameKey
from arabnews_nlp.errors import ConfigError
from arabnews_nlp.periods import PERIODS, UNKNOWN, period_of
from arabnews_nlp.result_lines import (
    Source,
    kept_fields,
    malformed_line,
    read_results,
    warn_absent,
)
from arabnews_nlp.schema import EVENT_TYPES, STANCE_LABELS

__all__ = ["PERIODS", "UNKNOWN", "EntityCount", "PeriodCounts", "Summary", "format_summary", "period_of", "summarize"]


@dataclass
class PeriodCounts:
    """The documents of one period and what they hold.

    Attributes:
        documents: Documents whose date is in the period.
        document_stance: Their count per stance label (every label of the schema).
        events: Per event type (every type of the schema), the documents reporting it.
    """

    documents: int = 0
    document_stance: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STANCE_LABELS, 0))
    events: dict[str, int] = field(default_factory=lambda: dict.fromkeys(EVENT_TYPES, 0))


@dataclass
class Summary:
    """What a results file holds, counted.

    Attributes:
        documents: Result lines read.
        sentences: Sentences in them.
        entities: Entity mentions in them.
        document_stance: Documents per stance label (every label of the schema, 0 included).
        sentence_stance: Sentences per stance label.
        events: Per event type (every type of the schema): ``{"documents": n, "sentences": n}``.
        top_entities: Per entity label, the names mentioned most (:class:`EntityCount`).
        by: The kept field the periods are read from, or ``None``.
        period: ``day``, ``month`` or ``year``, or ``None``.
        periods: Per period (``2018-06``…, in order, :data:`UNKNOWN` last), its
            :class:`PeriodCounts`.
        unknown_dates: Documents in the :data:`UNKNOWN` period.
        unknown_examples: Up to three of their ``by`` values, to see why they were not read.
        cut_off: Last lines skipped as cut off mid-write.
    """

    documents: int = 0
    sentences: int = 0
    entities: int = 0
    document_stance: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STANCE_LABELS, 0))
    sentence_stance: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STANCE_LABELS, 0))
    events: dict[str, dict[str, int]] = field(default_factory=lambda: {t: {"documents": 0, "sentences": 0} for t in EVENT_TYPES})
    top_entities: dict[str, list[EntityCount]] = field(default_factory=dict)
    by: str | None = None
    period: str | None = None
    periods: dict[str, PeriodCounts] = field(default_factory=dict)
    unknown_dates: int = 0
    unknown_examples: list[Any] = field(default_factory=list)
    cut_off: int = 0

    def to_dict(self) -> dict[str, Any]:
        """Return the summary as a JSON-ready dict (entity counts as dicts)."""
        return asdict(self)

    def __str__(self) -> str:
        """The short text report of :func:`format_summary` (``print(summary)``; a notebook shows it too)."""
        return format_summary(self)

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        """IPython/Jupyter display: the text report, not the fields."""
        printer.text(str(self))


def summarize(
    source: Source, top: int = 20, by: str | None = None, period: str = "month",
) -> Summary:
    """Count what the results in ``source`` hold, reading one line at a time.

    The documents per name are counted in a second pass, once all mentions are counted and the
    forms merged into each name are known: a file is read twice (its first reading's lines), and
    records given in a collection (a list…) are iterated twice. A one-shot iterator (a
    generator) cannot be read again, so each document's set of names is kept in memory during
    the first pass: memory then grows with the documents (their distinct names), not only with
    the distinct names; give a path or a list to avoid it.

    Args:
        source: A results JSONL file (``.gz`` read as gzip), or an iterable of result records or
            of analyses (:data:`Source`).
        top: Names listed per entity label in :attr:`Summary.top_entities`.
        by: A kept field holding each document's date (``--keep-fields date``), to count
            documents, their stance and their events per ``period``. A field that no line
            has (a misspelt name?) is named in a warning, with the kept fields the lines have.
        period: ``day``, ``month`` (default) or ``year``.

    Returns:
        The counts.

    Raises:
        ConfigError: If ``top`` is negative or ``period`` unknown.
        DataFormatError: For a line that is not a result (:func:`~arabnews_nlp.result_lines.read_results`),
            or one with a part missing or of the wrong type (``stance: null``, an entity
            without ``label``…), naming its ``file:line``.

    Example:
        >>> summarize([]).documents
        0
    """
    if isinstance(top, bool) or not isinstance(top, int) or top < 0:
        raise ConfigError(f"top must be an integer >= 0, got {top!r}")
    period_of(None, period)  # an unknown period is refused before the file is read, with or without ``by``
    summary = Summary(by=by, period=period if by is not None else None)
    names = NameCounts()
    counts: Counter[str] = Counter()
    one_shot = isinstance(source, Iterator)  # read once: each document's names are kept for the second pass
    kept: list[frozenset[NameKey]] = []
    dated = 0  # lines that have the field ``by``
    seen: dict[str, None] = {}  # the kept fields of the lines, for the warning about a ``by`` none has
    for where, record in read_results(source, counts):
        with malformed_line(where):
            _count_document(summary, record)
            keys = names.add_document(record["entities"])
            if by is not None:
                _count_period(summary, record, period_of(record.get(by), period), record.get(by))
        if one_shot:
            kept.append(keys)
        if by is not None:
            dated += by in record
            seen.update(dict.fromkeys(kept_fields(record)))
    if by is not None:
        warn_absent([by], {by: dated}, summary.documents, seen, "--by (by= in Python)")
    names.count_documents(kept if one_shot else _document_names(source, summary.documents))
    summary.top_entities = names.top(top)
    summary.periods = dict(sorted(summary.periods.items(), key=lambda item: (item[0] == UNKNOWN, item[0])))
    summary.cut_off = counts["cut_off"]
    return summary


def _document_names(source: Source, documents: int) -> Iterator[frozenset[NameKey]]:
    """Each document's names, read again from ``source`` (its first ``documents`` results, as read the first time)."""
    for where, record in islice(read_results(source, warn=False), documents):
        with malformed_line(where):
            yield frozenset(NameCounts.keys(record["entities"]))


def _count_document(summary: Summary, record: Mapping[str, Any]) -> None:
    summary.documents += 1
    summary.sentences += len(record["sentences"])
    summary.entities += len(record["entities"])
    _add(summary.document_stance, record["stance"]["label"])
    for sentence in record["sentences"]:
        _add(summary.sentence_stance, sentence["stance"]["label"])
    for event in record["events"]:
        counts = summary.events.setdefault(event["label"], {"documents": 0, "sentences": 0})
        counts["documents"] += 1
        counts["sentences"] += int(event["sentences"])


def _count_period(summary: Summary, record: Mapping[str, Any], key: str, value: Any) -> None:
    if key == UNKNOWN:
        summary.unknown_dates += 1
        if len(summary.unknown_examples) < 3 and value not in summary.unknown_examples:
            summary.unknown_examples.append(value)
    counts = summary.periods.setdefault(key, PeriodCounts())
    counts.documents += 1
    _add(counts.document_stance, record["stance"]["label"])
    for event in record["events"]:
        _add(counts.events, event["label"])


def _add(counts: dict[str, int], label: str) -> None:
    counts[label] = counts.get(label, 0) + 1


def format_summary(summary: Summary, source: str = "results", forms: int = 3) -> str:
    """The summary as a short text report (what ``arabnews-nlp summary`` prints).

    Args:
        summary: What :func:`summarize` returned.
        source: The name of what was summarised, for the first line.
        forms: Surface forms shown per name besides the name itself.

    Example:
        >>> print(format_summary(summarize([]), "out.jsonl").splitlines()[0])
        out.jsonl: 0 documents, 0 sentences, 0 entity mentions
    """
    lines = [f"{source}: {summary.documents} documents, {summary.sentences} sentences, {summary.entities} entity mentions"]
    if summary.cut_off:
        lines.append(f"({summary.cut_off} last line cut off mid-write skipped)")
    labels = list(summary.sentence_stance)
    lines += ["", f"{'stance':<12}" + "".join(f"{label:>9}" for label in labels)]
    for name, counts in (("documents", summary.document_stance), ("sentences", summary.sentence_stance)):
        lines.append(f"{name:<12}" + "".join(f"{counts.get(label, 0):>9}" for label in labels))
    lines += ["", f"{'events':<20}{'documents':>10}{'sentences':>10}"]
    lines += [f"{name:<20}{c['documents']:>10}{c['sentences']:>10}" for name, c in summary.events.items()]
    for label, names in summary.top_entities.items():
        lines += ["", f"top {label} (mentions, documents, forms merged)"]
        for entity in names:
            others = [form for form in entity.forms if form != entity.text]
            merged = f"  ({', '.join(others[:forms])}{', …' if len(others) > forms else ''})" if others else ""
            lines.append(f"  {entity.mentions:>6} {entity.documents:>6}  {entity.text}{merged}")
        if not names:
            lines.append("  -")
    if summary.by is not None:
        lines += ["", f"documents per {summary.period} of {summary.by!r} (stance {'/'.join(STANCE_LABELS)}; documents per event type)"]
        for key, period in summary.periods.items():
            stance = "/".join(str(period.document_stance.get(label, 0)) for label in STANCE_LABELS)
            events = ", ".join(f"{name} {n}" for name, n in period.events.items() if n)
            lines.append(f"  {key:<10} {period.documents:>6}  {stance:<12} {events or '-'}")
        if summary.unknown_dates:
            examples = ", ".join(repr(value) for value in summary.unknown_examples)
            lines.append(f"{summary.unknown_dates} documents have no readable {summary.by!r} (e.g. {examples}): counted "
                         f"as {UNKNOWN}; dates are read year first (2018-06-14, 2018/6/14, 20180614, "
                         "2018-06-14T10:00:00+03:00) or as e-mail/RSS dates (Tue, 17 Jul 2018 18:48:23 GMT); day-first "
                         "dates (14/06/2018) are ambiguous and not read")  # fmt: skip
    return "\n".join(lines) + "\n"
