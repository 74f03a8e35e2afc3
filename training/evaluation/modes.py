"""Score a model (in memory) or any analyzer-like object in ``sentences``, ``documents`` or ``both`` modes.

Example:
    >>> evaluate_analyzer(None, [], mode="documents")
    {'n_documents': 0, 'documents': {'n_documents': 0}}
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from training.evaluation.documents import evaluate_documents
from training.evaluation.sentences import (
    AnalyzerLike,
    analyzer_sentence_predictions,
    model_sentence_predictions,
    score_sentences,
)

MODES = ("sentences", "documents", "both")


def evaluate_model(
    model: Any,
    tokenizer: Any,
    settings: Any,
    records: Sequence[Mapping[str, Any]],
    mode: str = "both",
    batch_size: int = 32,
    progress: bool = False,
) -> dict[str, Any]:
    """Score an analyzer model (in memory) in ``sentences``, ``documents`` or ``both`` modes.

    ``progress``: a bar on stderr over the windows (sentences mode), then over the documents.

    Example:
        >>> # evaluate_model(model, tokenizer, settings, records, mode="sentences")["sentences"]["ner"]
    """
    from arabnews_nlp.api import Analyzer

    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
    scores: dict[str, Any] = {"n_documents": len(records)}
    if mode in ("sentences", "both"):
        scores["sentences"] = score_sentences(
            records, model_sentence_predictions(model, tokenizer, settings, records, batch_size, progress)
        )
    if mode in ("documents", "both"):
        scores["documents"] = evaluate_documents(Analyzer(model, tokenizer, settings), records, progress)
    return scores


def evaluate_analyzer(
    analyzer: AnalyzerLike, records: Sequence[Mapping[str, Any]], mode: str = "both", progress: bool = False
) -> dict[str, Any]:
    """Score any analyzer-like object (e.g. a keyword baseline) with the same metrics as a model (``progress``: bars).

    Example:
        >>> # evaluate_analyzer(KeywordBaseline(), read_records("data/dev.jsonl"))
    """
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
    scores: dict[str, Any] = {"n_documents": len(records)}
    if mode in ("sentences", "both"):
        scores["sentences"] = score_sentences(records, analyzer_sentence_predictions(analyzer, records, progress))
    if mode in ("documents", "both"):
        scores["documents"] = evaluate_documents(analyzer, records, progress)
    return scores
