"""arabnews-nlp: entities, stance on the US/coalition military presence, and conflict events in Arabic news.

Importing the package is cheap: names are loaded on first use, and no model is loaded until
:func:`analyze` or :meth:`Analyzer.from_pretrained` is called.

Example:
    >>> import arabnews_nlp
    >>> result = arabnews_nlp.analyze("قال السوداني إن بغداد تريد خروج قوات التحالف.")  # doctest: +SKIP
    >>> result.to_dict()["sentences"][0]["stance"]["label"]  # doctest: +SKIP
    'anti'
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

__all__ = [
    "ENTITY_TYPES",
    "EVENT_TYPES",
    "SCHEMA_VERSION",
    "STANCE_LABELS",
    "Analysis",
    "Analyzer",
    "AnalyzerSettings",
    "ArabNewsError",
    "DocumentEvent",
    "Entity",
    "Event",
    "SentenceResult",
    "Stance",
    "analyze",
    "load_analyzer",
    "render_html",
    "save_analyzer",
]

_LAZY: dict[str, str] = {
    "ENTITY_TYPES": "arabnews_nlp.schema",
    "EVENT_TYPES": "arabnews_nlp.schema",
    "SCHEMA_VERSION": "arabnews_nlp.schema",
    "STANCE_LABELS": "arabnews_nlp.schema",
    "Analysis": "arabnews_nlp.results",
    "Analyzer": "arabnews_nlp.api",
    "AnalyzerSettings": "arabnews_nlp.settings",
    "ArabNewsError": "arabnews_nlp.errors",
    "DocumentEvent": "arabnews_nlp.results",
    "Entity": "arabnews_nlp.results",
    "Event": "arabnews_nlp.results",
    "SentenceResult": "arabnews_nlp.results",
    "Stance": "arabnews_nlp.results",
    "analyze": "arabnews_nlp.api",
    "load_analyzer": "arabnews_nlp.model_dir",
    "render_html": "arabnews_nlp.render",
    "save_analyzer": "arabnews_nlp.model_dir",
}

if TYPE_CHECKING:
    from arabnews_nlp.api import Analyzer, analyze
    from arabnews_nlp.errors import ArabNewsError
    from arabnews_nlp.model_dir import load_analyzer, save_analyzer
    from arabnews_nlp.render import render_html
    from arabnews_nlp.results import Analysis, DocumentEvent, Entity, Event, SentenceResult, Stance
    from arabnews_nlp.schema import ENTITY_TYPES, EVENT_TYPES, SCHEMA_VERSION, STANCE_LABELS
    from arabnews_nlp.settings import AnalyzerSettings


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'arabnews_nlp' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
