"""What the Doccano and Label Studio converters share: the metadata key and record fallbacks.

One job: the pieces both tools' imports need (the ``arabnews`` metadata key, refusing one of
our own files given as an export, sentences for a text without them, an example's id).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from arabnews_nlp.errors import DataFormatError

META_KEY = "arabnews"
"""Key under which exports keep the record fields the tool does not edit."""


def _fallback_sentences(text: str) -> list[dict[str, Any]]:
    from training.data.surface import presplit

    sentences, pos = [], 0
    for piece in presplit(text):
        start = text.index(piece, pos)
        pos = start + len(piece)
        sentences.append({"start": start, "end": pos, "stance": None, "holder": None, "events": None})
    return sentences


def _check_not_ours(item: Mapping[str, Any], what: str) -> None:
    """Refuse one of our records or surface documents given as a tool's export (it has ``sentences``)."""
    if "sentences" in item and META_KEY not in item:
        raise DataFormatError(
            f"{what} has 'sentences' and no '{META_KEY}': it is an arabnews record or surface document, not an "
            "export of the tool; import it with 'convert surface' (surface documents) or use it as it is "
            "(records), and make the tool's project from it with --export"
        )


def _item_id(item: Mapping[str, Any], number: int) -> Any:
    """The tool's id of an example, or its number in the export when it has none (a missing, null or empty id)."""
    found = item.get("id")
    return number if found is None or found == "" else found
