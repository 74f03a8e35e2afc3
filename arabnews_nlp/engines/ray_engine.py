"""Analyse a JSONL corpus on a Ray cluster: one analyzer per actor, results streamed to one JSONL.

The driver reads the input, skips ids already in the output (:func:`arabnews_nlp.engines.corpus.done_ids`),
and feeds the rest to Ray Data in shards (``ray.data.from_items``); ``map_batches`` runs
:class:`AnalyzerActor`, a callable class, on a fixed pool of actors
(``ray.data.ActorPoolStrategy(size=num_actors)``), each loading the model once and running
``Analyzer.pipe`` over its batches on ``num_cpus_per_actor`` CPU threads or ``num_gpus_per_actor``
GPUs. The driver consumes the results with ``iter_batches`` as they are produced and appends them
to the output, flushing every batch.

Failures: Ray Data restarts a dead actor and retries its batch (its defaults ``max_restarts=-1``,
``max_task_retries=-1``); if the whole job stops (driver killed, an exception in a batch), every
line written so far stays, and a rerun with the same arguments analyses only the missing ids.

Example:
    >>> import ray  # doctest: +SKIP
    >>> ray.init()  # doctest: +SKIP
    >>> stats = analyze_corpus_ray("news.jsonl", "out.jsonl", model="models/default", num_actors=4)  # doctest: +SKIP
    >>> stats.processed  # doctest: +SKIP
    31514
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator, Sequence
from itertools import islice
from typing import Any

from arabnews_nlp.engines.corpus import (
    CorpusStats, Pending, check_corpus_paths, check_keep_fields, check_run_settings, done_ids, iter_pending, output_line,
    run_settings,
)  # fmt: skip
from arabnews_nlp.errors import ConfigError, MissingDependencyError
from arabnews_nlp.text.markup import check_markup

DEFAULT_SHARD_SIZE = 100_000
"""Documents per Ray dataset; the actors (and their models) are created once per shard."""


class AnalyzerActor:
    """Ray Data callable class: an analyzer loaded once per actor, applied to batches of documents.

    Args:
        model: Model directory or hub id, readable from every node.
        device: ``"cpu"``, ``"cuda"`` (Ray sets ``CUDA_VISIBLE_DEVICES`` per actor) or ``"auto"``.
        threads: torch CPU threads (the actor's CPU share), or ``None`` to keep torch's choice.
        window_batch_size: Windows per forward pass (``Analyzer.pipe(batch_size=...)``).
        quantize: Use dynamic int8 quantisation (CPU only).
        markup: ``"text"`` or ``"html"`` (see :meth:`arabnews_nlp.api.Analyzer.analyze`).

    Example:
        >>> # actor = AnalyzerActor("models/default", "cpu", 1, 32)
        >>> # actor({"key": np.array(['"d1"']), "text": np.array(["قال"])})["line"][0]
    """

    def __init__(
        self, model: str | None, device: str, threads: int | None, window_batch_size: int, quantize: bool = False,
        markup: str = "text", with_text: bool = True,
    ) -> None:  # fmt: skip
        import torch

        from arabnews_nlp.api import Analyzer

        if threads:
            torch.set_num_threads(threads)
        self.analyzer = Analyzer.from_pretrained(model, device=device)
        if quantize:
            from arabnews_nlp.quantize import quantize_analyzer

            self.analyzer = quantize_analyzer(self.analyzer, inplace=True)
        self.window_batch_size = window_batch_size
        self.markup = markup
        self.with_text = with_text

    def __call__(self, batch: dict[str, Any]) -> dict[str, Any]:
        """Analyse ``batch["text"]``; return ``{"key": ..., "line": output lines}``."""
        import numpy as np

        keys = [str(key) for key in batch["key"]]
        texts = [str(text) for text in batch["text"]]
        fields = [str(kept) for kept in batch["fields"]] if "fields" in batch else [""] * len(keys)
        analyses = self.analyzer.pipe(texts, self.window_batch_size, markup=self.markup)
        lines = [output_line(key, analysis, kept, self.with_text) for key, analysis, kept in zip(keys, analyses, fields)]
        return {"key": np.array(keys, dtype=object), "line": np.array(lines, dtype=object)}


def _import_ray() -> Any:
    try:
        import ray
        import ray.data  # noqa: F401
    except ImportError as error:
        raise MissingDependencyError("ray[data]", "ray", "analyze_corpus_ray") from error
    return ray


def _resources(ray: Any, num_actors: int | None, num_cpus: float, num_gpus: float | None) -> tuple[int, float]:
    """Fill in defaults: a GPU per actor when the cluster has GPUs, one actor per GPU or per CPU share."""
    available = ray.cluster_resources()
    gpus = float(available.get("GPU", 0.0))
    if num_gpus is None:
        num_gpus = 1.0 if gpus >= 1 else 0.0
    if num_actors is None:
        per_gpu = int(gpus // num_gpus) if num_gpus > 0 else 0
        num_actors = max(1, per_gpu if num_gpus > 0 else int(float(available.get("CPU", 1.0)) // num_cpus))
    if num_actors < 1 or num_cpus <= 0 or num_gpus < 0:
        raise ConfigError(f"need num_actors >= 1, num_cpus_per_actor > 0, num_gpus_per_actor >= 0; got "
                          f"{num_actors}, {num_cpus}, {num_gpus}")  # fmt: skip
    return num_actors, num_gpus


def _shards(pending: Iterator[Pending], size: int) -> Iterator[list[dict[str, str]]]:
    while True:
        shard = [document._asdict() for document in islice(pending, size)]
        if not shard:
            return
        yield shard


def _write_shards(
    ray: Any, shards: Iterator[list[dict[str, str]]], output: str | os.PathLike[str], actor_options: dict[str, Any],
    map_options: dict[str, Any],
) -> int:
    """Run every shard through the actor pool, appending its lines as they arrive; return the count."""
    processed = 0
    # errors="backslashreplace": a lone surrogate in a text is written as its JSON escape, as the local engine does
    with open(output, "a", encoding="utf-8", errors="backslashreplace") as out:
        for shard in shards:
            dataset = ray.data.from_items(shard).map_batches(
                AnalyzerActor, fn_constructor_kwargs=actor_options, batch_format="numpy", **map_options,
            )  # fmt: skip
            for batch in dataset.iter_batches(batch_size=None, batch_format="numpy"):
                out.writelines(str(line) for line in batch["line"])
                out.flush()
                processed += len(batch["line"])
    return processed


def analyze_corpus_ray(
    input_jsonl: str | os.PathLike[str],
    output_jsonl: str | os.PathLike[str],
    model: str | os.PathLike[str] | None = None,
    batch_size: int = 64,
    num_actors: int | None = None,
    num_gpus_per_actor: float | None = None,
    num_cpus_per_actor: float = 1.0,
    id_field: str = "id",
    text_field: str = "text",
    window_batch_size: int = 32,
    quantize: bool = False,
    shard_size: int = DEFAULT_SHARD_SIZE,
    progress: bool = False,
    markup: str = "text",
    keep_fields: Sequence[str] = (),
    with_text: bool = True,
) -> CorpusStats:
    """Analyse ``input_jsonl`` on Ray and append one line per new document to ``output_jsonl``.

    Connects to the running Ray instance (``ray.init()`` with its defaults if none is running:
    ``RAY_ADDRESS`` or a new local one).

    Args:
        input_jsonl: Input JSONL (or ``.jsonl.gz``) on the driver, with ``id_field`` and ``text_field``.
        output_jsonl: Output JSONL on the driver; ids already in it are skipped (resume).
        model: Model directory (on a path every node can read) or hub id; ``None``: the default model.
        batch_size: Documents per Ray batch (one ``Analyzer.pipe`` call in an actor).
        num_actors: Actors in the pool; default: one per GPU, else one per ``num_cpus_per_actor`` CPUs.
        num_gpus_per_actor: GPUs per actor (fractions share a GPU); default 1 when the cluster has GPUs, else 0.
        num_cpus_per_actor: CPUs per actor, also its torch thread count.
        id_field: Name of the id field (string or integer ids).
        text_field: Name of the text field.
        window_batch_size: Windows per forward pass inside an actor.
        quantize: Dynamic int8 quantisation; implies CPU actors.
        shard_size: Documents per Ray dataset (bounds driver and object-store memory).
        progress: Show Ray Data's progress bars.
        markup: ``"text"``, or ``"html"`` when the texts are web pages (offsets index the HTML).
        keep_fields: Input fields copied into each output line after the id (see
            :func:`~arabnews_nlp.engines.corpus.analyze_corpus_local`).
        with_text: Write the texts of each document and its sentences (``False``: left out).

    Returns:
        What was done (counts and wall time).

    Raises:
        MissingDependencyError: If ray is not installed (``pip install "arabnews-nlp[ray]"``).
        DataFormatError: If an input line lacks an id or a text, or the output is not an output file.
        ConfigError: On impossible resource settings.

    Example:
        >>> # analyze_corpus_ray("news.jsonl", "out.jsonl", num_actors=8, num_gpus_per_actor=0.5)
    """
    check_markup(markup)
    ray = _import_ray()
    began = time.perf_counter()
    if quantize and num_gpus_per_actor:
        raise ConfigError("quantize=True runs on CPU actors only; set num_gpus_per_actor=0")
    if not ray.is_initialized():
        ray.init()
    num_actors, num_gpus = _resources(ray, num_actors, num_cpus_per_actor, 0.0 if quantize else num_gpus_per_actor)
    actor_options = {
        "model": None if model is None else str(model),
        "device": "cuda" if num_gpus > 0 else "cpu",
        "threads": max(1, int(num_cpus_per_actor)),
        "window_batch_size": window_batch_size,
        "quantize": quantize,
        "markup": markup,
        "with_text": with_text,
    }
    map_options = {
        "batch_size": batch_size,
        "compute": ray.data.ActorPoolStrategy(size=num_actors),
        "num_cpus": num_cpus_per_actor,
        "num_gpus": num_gpus,
    }
    context = ray.data.DataContext.get_current()
    previous_bars = context.enable_progress_bars
    context.enable_progress_bars = progress
    counts: dict[str, int] = {}
    try:
        check_corpus_paths(input_jsonl, output_jsonl)
        keep_fields = check_keep_fields(keep_fields, id_field, text_field)
        done = done_ids(output_jsonl)
        settings = run_settings(model, quantize, markup, id_field, text_field, keep_fields, with_text)
        check_run_settings(output_jsonl, settings, bool(done))
        pending = iter_pending(input_jsonl, done, id_field, text_field, counts, keep_fields=keep_fields)
        processed = _write_shards(ray, _shards(pending, shard_size), output_jsonl, actor_options, map_options)
    finally:
        context.enable_progress_bars = previous_bars
    return CorpusStats(
        counts.get("input_documents", 0), counts.get("already_done", 0), counts.get("duplicates", 0),
        processed, time.perf_counter() - began, str(output_jsonl),
    )  # fmt: skip
