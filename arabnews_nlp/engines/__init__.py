"""Corpus engines: analyse a JSONL corpus into a JSONL of results, resumably.

* :func:`analyze_corpus_local`: in this process (``Analyzer.pipe``).
* :func:`analyze_corpus_ray`: on a Ray cluster, one analyzer per actor, CPU or GPU actors
  (needs ``pip install "arabnews-nlp[ray]"``; ray is imported only when it is called).

Both write one line per document, ``{"id": ..., **Analysis.to_dict()}``, append as they go, and
skip on a rerun the ids already in the output.

Example:
    >>> from arabnews_nlp.engines import analyze_corpus_local
    >>> # analyze_corpus_local("news.jsonl", "out.jsonl").processed
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__all__ = ["CorpusStats", "analyze_corpus_local", "analyze_corpus_ray"]

if TYPE_CHECKING:
    from arabnews_nlp.engines.corpus import CorpusStats, analyze_corpus_local
    from arabnews_nlp.engines.ray_engine import analyze_corpus_ray


def __getattr__(name: str) -> Any:
    if name in ("CorpusStats", "analyze_corpus_local"):
        from arabnews_nlp.engines import corpus

        return getattr(corpus, name)
    if name == "analyze_corpus_ray":
        from arabnews_nlp.engines import ray_engine

        return ray_engine.analyze_corpus_ray
    raise AttributeError(f"module 'arabnews_nlp.engines' has no attribute {name!r}")
