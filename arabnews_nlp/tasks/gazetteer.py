"""An optional gazetteer of names, like spaCy's ``EntityRuler``, combined with the NER model.

A model directory may carry a gazetteer in its settings (``gazetteer``: normalised name ->
entity type, built from its training annotations by ``python -m training finetune`` with
``gazetteer: true``) and a ``gazetteer_mode``:

* ``off``: the model alone;
* ``fill``: names found where the model tags every word ``O`` are added;
* ``override``: names found replace the model's entities that they overlap.

Matching is on normalised words, longest name first (at most :data:`MAX_NAME_WORDS` words), and
a leading ``و``/``ف`` then ``ب``/``ل``/``ك`` may be stripped from the first word
(``والعراق`` -> ``العراق``). It works on word tags, before the tags become entities, so offsets
are those of the words and always index the caller's text.

Example:
    >>> words = [(0, 5), (6, 12)]
    >>> apply_gazetteer("وصلت لبغداد", words, ["O", "O"], {"بغداد": "LOC"}, "fill", None)
    ['O', 'B-LOC']
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from arabnews_nlp.schema import OUTSIDE
from arabnews_nlp.text.normalize import NormalizationConfig, normalize_word

GAZETTEER_MODES = ("off", "fill", "override")
MAX_NAME_WORDS = 6
_PROCLITICS = ("و", "ف")
_PREPOSITIONS = ("ب", "ل", "ك")


def strip_variants(word: str) -> list[str]:
    """The word, then the word without a leading conjunction and/or preposition.

    Example:
        >>> strip_variants("وبغداد")
        ['وبغداد', 'بغداد', 'غداد']
    """
    variants = [word]
    for first in ("", *_PROCLITICS):
        if first and not word.startswith(first):
            continue
        rest = word[len(first) :]
        for second in ("", *_PREPOSITIONS):
            if second and not rest.startswith(second):
                continue
            candidate = rest[len(second) :]
            if len(candidate) >= 2 and candidate not in variants:
                variants.append(candidate)
    return variants


def find_names(normal_words: Sequence[str], names: Mapping[str, str]) -> list[tuple[int, int, str]]:
    """Find known names, longest first, left to right, without overlap.

    Returns:
        ``(first word, end word exclusive, label)`` per match.

    Example:
        >>> find_names(["قوات", "التحالف", "الدولي"], {"التحالف الدولي": "ORG", "قوات التحالف": "ORG"})
        [(0, 2, 'ORG')]
    """
    return [(first, end, names[key]) for first, end, key in find_name_keys(normal_words, names)]


def find_name_keys(normal_words: Sequence[str], names: Mapping[str, str]) -> list[tuple[int, int, str]]:
    """:func:`find_names`, with the key of ``names`` each match found instead of its label.

    Example:
        >>> find_name_keys(["وصل", "لبغداد"], {"بغداد": "LOC"})
        [(1, 2, 'بغداد')]
    """
    found: list[tuple[int, int, str]] = []
    i = 0
    while i < len(normal_words):
        for n in range(min(MAX_NAME_WORDS, len(normal_words) - i), 0, -1):
            rest = normal_words[i + 1 : i + n]
            keys = (" ".join([variant, *rest]) for variant in strip_variants(normal_words[i]))
            key = next((key for key in keys if key in names), None)
            if key is not None:
                found.append((i, i + n, key))
                i += n
                break
        else:
            i += 1
    return found


def apply_gazetteer(
    text: str,
    words: Sequence[tuple[int, int]],
    tags: Sequence[str],
    names: Mapping[str, str],
    mode: str,
    normalization: NormalizationConfig | None,
) -> list[str]:
    """Combine the model's IOB2 word tags with the names found in the words.

    Args:
        text: The caller's text.
        words: Word spans (offsets into ``text``).
        tags: The model's valid IOB2 tag per word.
        names: Normalised name -> entity type.
        mode: One of :data:`GAZETTEER_MODES`.
        normalization: The model's normalisation rules (``None``: the defaults).

    Returns:
        The combined tags (a valid IOB2 sequence).
    """
    if mode == "off" or not names or not words:
        return list(tags)
    out = list(tags)
    normal = [normalize_word(text[s:e], normalization) for s, e in words]
    for first, end, label in find_names(normal, names):
        if mode == "fill":
            if any(tag != OUTSIDE for tag in out[first:end]) or (end < len(out) and out[end].startswith("I-")):
                continue
        else:
            # drop every model entity that overlaps the name, whole
            start = first
            while start > 0 and out[start].startswith("I-"):
                start -= 1
            stop = end
            while stop < len(out) and out[stop].startswith("I-"):
                stop += 1
            out[start:stop] = [OUTSIDE] * (stop - start)
        out[first:end] = [f"B-{label}"] + [f"I-{label}"] * (end - first - 1)
    return out
