"""Entity names counted across documents, a name's forms with a proclitic merged into it.

A name is an entity's label and normalised text (:class:`NameCounts`); a form with a proclitic
attached (``والعراق``, ``للعراق``) is merged into its bare form (:func:`bare_forms`) when that
form is an entity of the same label with at least as many mentions; :class:`EntityCount` is what
:func:`arabnews_nlp.summary.summarize` reports per name (see :mod:`arabnews_nlp.summary` for the
rule, with examples).

Example:
    >>> names = NameCounts()
    >>> _ = names.add_document([{"label": "LOC", "text": "العراق"}, {"label": "LOC", "text": "والعراق"}])
    >>> names.roots()[("LOC", "والعراق")]
    ('LOC', 'العراق')
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from arabnews_nlp.schema import ENTITY_TYPES
from arabnews_nlp.tasks.gazetteer import strip_variants
from arabnews_nlp.text.normalize import normalize_word

__all__ = ["EntityCount", "NameCounts", "NameKey", "bare_forms"]


@dataclass(frozen=True)
class EntityCount:
    """A name and how often the results name it.

    Attributes:
        text: The name, in its most frequent bare form.
        label: ``PER``, ``ORG``, ``LOC`` or ``FAC``.
        mentions: Entities with this name, all its forms together.
        documents: Documents naming it at least once.
        forms: The surface forms counted, most frequent first (``والعراق``…), each with its runs of
            whitespace (a line break, a no-break space) written as one space.
    """

    text: str
    label: str
    mentions: int
    documents: int
    forms: tuple[str, ...]


def bare_forms(name: str) -> list[str]:
    """The forms of a normalised name with a proclitic stripped, least stripped first (the name not included).

    Example:
        >>> bare_forms("وللعراق")
        ['للعراق', 'لعراق', 'العراق']
        >>> bare_forms("وبغداد")
        ['بغداد', 'غداد']
    """
    forms = strip_variants(name)[1:]
    for conjunction in ("", "و", "ف"):
        start = len(conjunction) + 2
        if name.startswith(conjunction + "لل") and len(name) > start + 1:
            forms.append("ال" + name[start:])  # ل + ال, written لل: للعراق is ل + العراق
    return list(dict.fromkeys(forms))


NameKey = tuple[str, str]
"""A name: ``(label, normalised text)``."""


class NameCounts:
    """Mentions per (label, normalised name), merged into bare forms once all are counted, then documents per name."""

    def __init__(self) -> None:
        self.mentions: Counter[NameKey] = Counter()
        self.surfaces: dict[NameKey, Counter[str]] = {}
        self.documents: Counter[NameKey] = Counter()  # per root, by count_documents
        self._roots: dict[NameKey, NameKey] | None = None

    @staticmethod
    def key(entity: Mapping[str, Any]) -> NameKey:
        """The name of an entity: its label and normalised text."""
        return str(entity["label"]), normalize_word(" ".join(str(entity["text"]).split()))

    @classmethod
    def keys(cls, entities: Iterable[Mapping[str, Any]]) -> set[NameKey]:
        """The names of a document's entities."""
        return {cls.key(entity) for entity in entities}

    def add_document(self, entities: Iterable[Mapping[str, Any]]) -> frozenset[NameKey]:
        """Count the mentions of a document's entities; return its names."""
        found: set[NameKey] = set()
        for entity in entities:
            key = self.key(entity)
            self.mentions[key] += 1
            self.surfaces.setdefault(key, Counter())[" ".join(str(entity["text"]).split())] += 1  # a NBSP is no other form
            found.add(key)
        self._roots = None
        return frozenset(found)

    def roots(self) -> dict[NameKey, NameKey]:
        """Each name's root: the bare form it is merged into (itself merged), else itself.

        A name (with the names merged into it so far) is merged into its least stripped bare
        form found with the same label and **at least as many mentions** of its own: a form with
        a proclitic is the rarer spelling of a name, and a stray truncated entity (``غداد`` next
        to ``بغداد``) must not absorb it. Longer names are decided first (``للX`` before ``الX``),
        so that a bare form's count is compared only once the forms merged into the name are in.
        """
        if self._roots is not None:
            return self._roots
        parent: dict[NameKey, NameKey] = {}
        total = Counter(self.mentions)
        # a bare form is shorter, or ``الX`` for ``للX`` (as long): this order decides every form before its bare forms
        for key in sorted(self.mentions, key=lambda key: (-len(key[1]), not key[1].startswith("لل"), key)):
            bare = ((key[0], form) for form in bare_forms(key[1]))
            target = next((form for form in bare if self.mentions.get(form, 0) >= total[key]), None)
            if target is not None:
                parent[key] = target
                total[target] += total[key]

        def find(key: NameKey) -> NameKey:
            while key in parent:
                key = parent[key]
            return key

        self._roots = {key: find(key) for key in self.mentions}
        return self._roots

    def count_documents(self, documents: Iterable[Iterable[NameKey]]) -> None:
        """Count, per root, the documents naming it in any of its forms (each document's names, in a second pass)."""
        roots = self.roots()
        for names in documents:
            self.documents.update({roots.get(key, key) for key in names})

    def top(self, n: int) -> dict[str, list[EntityCount]]:
        """Per entity label (every label of the schema), its ``n`` names mentioned most, each shown in its most frequent form."""
        groups: dict[NameKey, list[NameKey]] = {}
        for key, root in self.roots().items():
            groups.setdefault(root, []).append(key)
        found: dict[str, list[EntityCount]] = {label: [] for label in ENTITY_TYPES}
        for root, keys in groups.items():
            forms: Counter[str] = Counter()
            for key in keys:
                forms.update(self.surfaces[key])
            ordered = tuple(form for form, _ in sorted(forms.items(), key=lambda item: (-item[1], item[0])))
            shown = min(self.surfaces[root].items(), key=lambda item: (-item[1], item[0]))[0]
            count = EntityCount(shown, root[0], sum(self.mentions[key] for key in keys), self.documents[root], ordered)
            found.setdefault(root[0], []).append(count)
        return {label: sorted(counts, key=lambda c: (-c.mentions, -c.documents, c.text))[:n] for label, counts in found.items()}
