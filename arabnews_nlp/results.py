"""Results of :func:`arabnews_nlp.analyze`: frozen dataclasses with ``to_dict()`` per SCHEMA.md §6.

Every offset indexes the caller's original string (``text[e.start:e.end] == e.text``) and every
score is a probability in ``[0, 1]``.

Example:
    >>> entity = Entity(start=0, end=5, label="LOC", text="بغداد", score=0.98)
    >>> sentence = SentenceResult(start=0, end=5, text="بغداد", stance=Stance("neutral", 0.9))
    >>> analysis = Analysis(text="بغداد", stance=Stance("neutral", 0.9), entities=(entity,),
    ...     sentences=(sentence,))
    >>> analysis.to_dict()["entities"][0]["label"]
    'LOC'
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from arabnews_nlp.schema import EVENT_TYPES, NEUTRAL
from arabnews_nlp.text.normalize import SURROGATE

_EVENT_RANK = {label: rank for rank, label in enumerate(EVENT_TYPES)}


@dataclass(frozen=True)
class Entity:
    """A named entity: a span of whole words.

    Attributes:
        start: Offset of the first character in the caller's text.
        end: Offset after the last character.
        label: ``PER``, ``ORG``, ``LOC`` or ``FAC``.
        text: ``text[start:end]`` of the caller's text.
        score: Mean probability of the predicted tags of its words.

    Example:
        >>> Entity(4, 12, "PER", "السوداني", 0.9).to_dict()["text"]
        'السوداني'
    """

    start: int
    end: int
    label: str
    text: str
    score: float

    def to_dict(self) -> dict[str, Any]:
        """Return ``{"start", "end", "label", "text", "score"}``."""
        return {"start": self.start, "end": self.end, "label": self.label, "text": self.text, "score": self.score}


@dataclass(frozen=True)
class Stance:
    """A stance toward the US/coalition military presence.

    Attributes:
        label: ``anti``, ``pro`` or ``neutral``.
        score: Probability of ``label``.
        holder: For a sentence, the entity whose position it is, or ``None`` (the author's voice,
            no named holder, or a neutral sentence). Always ``None`` for a document.

    Example:
        >>> Stance("anti", 0.8).to_dict()
        {'label': 'anti', 'score': 0.8, 'holder': None}
    """

    label: str
    score: float
    holder: Entity | None = None

    def to_dict(self, with_holder: bool = True) -> dict[str, Any]:
        """Return ``{"label", "score", "holder"}`` (``holder`` left out when ``with_holder`` is false)."""
        data: dict[str, Any] = {"label": self.label, "score": self.score}
        if with_holder:
            data["holder"] = self.holder.to_dict() if self.holder is not None else None
        return data


@dataclass(frozen=True)
class Event:
    """A conflict event type reported by a sentence.

    Attributes:
        label: One of :data:`arabnews_nlp.schema.EVENT_TYPES`.
        score: Its probability (at or above the model's threshold for that type).

    Example:
        >>> Event("ROCKET_ATTACK", 0.97).to_dict()
        {'label': 'ROCKET_ATTACK', 'score': 0.97}
    """

    label: str
    score: float

    def to_dict(self) -> dict[str, Any]:
        """Return ``{"label", "score"}``."""
        return {"label": self.label, "score": self.score}


@dataclass(frozen=True)
class SentenceResult:
    """One sentence: its span, stance (with holder) and events.

    Attributes:
        start: Offset in the caller's text.
        end: End offset (exclusive).
        text: ``text[start:end]``.
        stance: The sentence's stance.
        events: Event types reported, highest score first.
        entities: The entities inside the sentence (also listed on the :class:`Analysis`).

    Example:
        >>> SentenceResult(0, 3, "قال", Stance("neutral", 0.7)).to_dict()["events"]
        []
    """

    start: int
    end: int
    text: str
    stance: Stance
    events: tuple[Event, ...] = ()
    entities: tuple[Entity, ...] = field(default=(), repr=False)

    def to_dict(self, text: bool = True) -> dict[str, Any]:
        """Return ``{"start", "end", "text", "stance", "events"}`` (SCHEMA.md §6).

        Args:
            text: Include ``"text"``; without it the offsets still index the document's text.
        """
        shown = {"text": self.text} if text else {}
        return {"start": self.start, "end": self.end, **shown, "stance": self.stance.to_dict(),
                "events": [event.to_dict() for event in self.events]}  # fmt: skip


@dataclass(frozen=True)
class DocumentEvent:
    """An event type reported somewhere in a document: what :attr:`Analysis.events` lists.

    Attributes:
        label: One of :data:`arabnews_nlp.schema.EVENT_TYPES`.
        score: Its highest score among the sentences that report it.
        sentences: How many sentences report it.

    Example:
        >>> DocumentEvent("AIRSTRIKE", 0.9, 2).to_dict()
        {'label': 'AIRSTRIKE', 'score': 0.9, 'sentences': 2}
    """

    label: str
    score: float
    sentences: int

    def to_dict(self) -> dict[str, Any]:
        """Return ``{"label", "score", "sentences"}``."""
        return {"label": self.label, "score": self.score, "sentences": self.sentences}


@dataclass(frozen=True)
class Analysis:
    """The analysis of one document.

    Attributes:
        text: The caller's text, unchanged.
        stance: The document's stance (no holder); ``neutral`` with score 1.0 for empty text.
        entities: Every entity, in text order.
        sentences: Every sentence, in text order; empty for empty or whitespace-only text.
        markup: How the text was read: ``"text"``, or ``"html"`` for a web page
            (``analyze(page, markup="html")``), which :func:`~arabnews_nlp.render_html` and a
            notebook then show as a reader sees it. Not part of :meth:`to_dict`.

    The document's events, :attr:`events`, are read from its sentences.

    Example:
        >>> Analysis.empty("  ").to_dict()
        {'text': '  ', 'stance': {'label': 'neutral', 'score': 1.0}, 'events': [], 'entities': [], 'sentences': []}
    """

    text: str
    stance: Stance
    entities: tuple[Entity, ...] = ()
    sentences: tuple[SentenceResult, ...] = ()
    markup: str = "text"

    def __repr__(self) -> str:
        """A one-line summary (the fields are :meth:`to_dict`), so lists of analyses print short.

        Example:
            >>> Analysis.empty("نص قصير")
            <Analysis of 7 characters ('نص قصير'): stance neutral 1.00, 0 sentences, 0 entities, no events>
        """
        head = self.text[:24].replace("\n", " ") + ("…" if len(self.text) > 24 else "")
        events = ", ".join(event.label for event in self.events) or "no events"
        html = ", markup html" if self.markup != "text" else ""
        sentences, entities = len(self.sentences), len(self.entities)
        return (f"<Analysis of {len(self.text):,} characters ({head!r}){html}: stance {self.stance.label} "
                f"{self.stance.score:.2f}, {sentences} sentence{'s' * (sentences != 1)}, "
                f"{entities} {'entity' if entities == 1 else 'entities'}, {events}>")  # fmt: skip

    @classmethod
    def empty(cls, text: str, markup: str = "text") -> Analysis:
        """Return the analysis of a text with nothing to analyse: neutral with score 1.0."""
        return cls(text=text, stance=Stance(NEUTRAL, 1.0), markup=markup)

    @property
    def events(self) -> tuple[DocumentEvent, ...]:
        """Each event type that a sentence reports, highest score first (ties: schema order).

        Example:
            >>> rocket = Event("ROCKET_ATTACK", 0.9)
            >>> sentences = (SentenceResult(0, 1, "أ", Stance("neutral", 0.9), (rocket,)),
            ...              SentenceResult(2, 3, "ب", Stance("neutral", 0.9), (Event("ROCKET_ATTACK", 0.7),)))
            >>> Analysis("أ ب", Stance("neutral", 0.9), sentences=sentences).events
            (DocumentEvent(label='ROCKET_ATTACK', score=0.9, sentences=2),)
        """
        scores: dict[str, list[float]] = {}
        for sentence in self.sentences:
            for event in sentence.events:
                scores.setdefault(event.label, []).append(event.score)
        found = [DocumentEvent(label, max(values), len(values)) for label, values in scores.items()]
        return tuple(sorted(found, key=lambda event: (-event.score, _EVENT_RANK.get(event.label, len(_EVENT_RANK)))))

    def to_dict(self, text: bool = True) -> dict[str, Any]:
        """Return the JSON-ready dict of SCHEMA.md §6, with the document's :attr:`events` after its stance.

        Args:
            text: Include the document's and each sentence's ``"text"`` (an entity's text is always
                kept). Without them a result has less than half the bytes, and its offsets still
                index the text, as when a corpus's results are kept beside the corpus.

        Example:
            >>> list(Analysis.empty("").to_dict())
            ['text', 'stance', 'events', 'entities', 'sentences']
            >>> list(Analysis.empty("").to_dict(text=False))
            ['stance', 'events', 'entities', 'sentences']
        """
        shown = {"text": self.text} if text else {}
        return {
            **shown,
            "stance": self.stance.to_dict(with_holder=False),
            "events": [event.to_dict() for event in self.events],
            "entities": [entity.to_dict() for entity in self.entities],
            "sentences": [sentence.to_dict(text) for sentence in self.sentences],
        }

    def _repr_html_(self) -> str:
        """Show the analysis in a notebook (Jupyter, VS Code) as :func:`~arabnews_nlp.render_html` does.

        The ``fragment`` form: styles as ``style`` attributes, so the notebook's own page is left
        as it is; a web page analysed with ``markup="html"`` is shown as a reader sees it.
        """
        from arabnews_nlp.render import render_html  # the renderer imports this module

        return render_html(self, fragment=True)

    def to_json(self, indent: int | None = None, text: bool = True) -> str:
        """Return :meth:`to_dict` as JSON text (UTF-8 characters kept, not escaped).

        A lone surrogate of the text (a split emoji escape in scraped JSON) is written as its JSON
        escape (``\\ud800``), so the result can always be written as UTF-8 (read back, a high and a
        low surrogate side by side become the one character they encode).

        Example:
            >>> Analysis.empty("").to_json()
            '{"text": "", "stance": {"label": "neutral", "score": 1.0}, "events": [], "entities": [], "sentences": []}'
            >>> Analysis.empty(chr(0xD800)).to_json()[:18]
            '{"text": "\\\\ud800",'
        """
        data = json.dumps(self.to_dict(text), ensure_ascii=False, indent=indent)
        return data.encode("utf-8", "backslashreplace").decode("utf-8") if SURROGATE.search(data) else data
