"""Analyse a JSONL corpus on a Ray cluster: one analyzer per actor, results streamed to one JSONL.

The driver reads the input, skips ids already in the output
(:func:`arabnews_nlp.engines.corpus_output.done_ids`), and feeds the rest to Ray Data in shards
(``ray.data.from_items``); ``map_batches`` runs :class:`AnalyzerActor`, a callable class, on a
fixed pool of actors
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

import contextlib
import logging
import os
import signal
import time
from collections.abc import Iterator, Sequence
from itertools import islice
from typing import Any

from arabnews_nlp.engines.corpus import CorpusStats, Intake, log_interrupted
from arabnews_nlp.engines.corpus_input import Pending, check_keep_fields
from arabnews_nlp.engines.corpus_output import check_corpus_paths, done_ids, output_line, output_lock
from arabnews_nlp.engines.corpus_settings import check_run_settings, run_settings
from arabnews_nlp.errors import ConfigError, MissingDependencyError
from arabnews_nlp.signals import TERMINATED, Terminated, sigterm_raises
from arabnews_nlp.text.markup import check_markup

logger = logging.getLogger(__name__)

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


def _check_sizes(
    num_actors: int | None, num_gpus: float | None, num_cpus: float, batch_size: int, window_batch_size: int,
    shard_size: int,
) -> None:
    """Refuse impossible sizes before Ray starts, each named as in Python and on the command line.

    Raises:
        ConfigError: For ``num_actors < 1``, ``num_gpus_per_actor < 0``, ``num_cpus_per_actor <= 0``,
            or a batch or shard size below 1.
    """
    wrong = [
        f"{name} ({flag}) must be {need}, got {value}"
        for name, flag, value, ok, need in (
            ("num_actors", "--num-actors", num_actors, num_actors is None or num_actors >= 1, ">= 1"),
            ("num_gpus_per_actor", "--gpus-per-actor", num_gpus, num_gpus is None or num_gpus >= 0, ">= 0"),
            ("num_cpus_per_actor", "--cpus-per-actor", num_cpus, num_cpus > 0, "> 0"),
            ("batch_size", "--docs-per-batch", batch_size, batch_size >= 1, ">= 1"),
            ("window_batch_size", "--batch-size", window_batch_size, window_batch_size >= 1, ">= 1"),
            ("shard_size", "no option", shard_size, shard_size >= 1, ">= 1"),
        )
        if not ok
    ]
    if wrong:
        raise ConfigError("; ".join(wrong))


def _init_ray(ray: Any) -> bool:
    """Connect to Ray as ``ray.init()`` does, unless connected already; return whether a new local Ray was started.

    A Ray instance started here logs at WARNING (not INFO) on the driver. The SIGTERM handler that
    ``ray.init`` sets on the driver (it prints a C stack and exits with status 15) is replaced by
    the one in place before, so that a run ends on SIGTERM as on Ctrl-C. Whether ``ray.init()``
    started one or joined a running cluster (``RAY_ADDRESS``, ``ray start``) is read from its
    node: Ray has no public API for it, so when that is not readable the answer is ``False``.
    """
    if ray.is_initialized():
        return False
    handler = signal.getsignal(signal.SIGTERM)
    try:
        ray.init(logging_level=logging.WARNING)
    except SystemExit as stop:  # the driver's handler, set first thing in ray.init, is sys.exit(SIGTERM)
        if stop.code != signal.SIGTERM:
            raise
        raise Terminated(TERMINATED) from None
    finally:
        if signal.getsignal(signal.SIGTERM) is not handler:  # a driver's handler: C stack, then exit status 15
            signal.signal(signal.SIGTERM, signal.SIG_DFL if handler is None else handler)
    node = getattr(getattr(getattr(ray, "_private", None), "worker", None), "_global_node", None)
    return bool(getattr(node, "head", False))


def _resources(
    ray: Any, num_actors: int | None, num_cpus: float, num_gpus: float | None, started_here: bool = False
) -> tuple[int, float]:
    """Fill in defaults: a GPU per actor when the cluster has GPUs, one actor per GPU or per CPU share.

    Raises:
        ConfigError: If one actor needs more GPUs or CPUs than the cluster has and Ray was
            started by this process (``started_here``: no node can join it, Ray would wait
            forever); on another cluster, which may scale up, that is a warning.
    """
    available = ray.cluster_resources()
    gpus, cpus = float(available.get("GPU", 0.0)), float(available.get("CPU", 0.0))
    if num_gpus is None:
        num_gpus = 1.0 if gpus >= 1 else 0.0
    short = [f"{flag} {need:g} but the cluster has {have:g} {what}"
             for flag, need, have, what in (("--gpus-per-actor", num_gpus, gpus, "GPUs"), ("--cpus-per-actor", num_cpus, cpus, "CPUs"))
             if need > have]  # fmt: skip
    if short and started_here:
        raise ConfigError(f"{'; '.join(short)} (the local Ray instance this command started, which cannot grow): "
                          "no actor could start. Use --gpus-per-actor 0 for CPU actors, fewer CPUs per actor, or "
                          "a cluster that has them (RAY_ADDRESS)")  # fmt: skip
    if short:
        logger.warning("%s: no actor can start until the cluster scales up; the run waits until then", "; ".join(short))
    if num_actors is None:
        per_gpu = int(gpus // num_gpus) if num_gpus > 0 else 0
        num_actors = max(1, per_gpu if num_gpus > 0 else int(max(cpus, 1.0) // num_cpus))
    return num_actors, num_gpus


def _shards(pending: Iterator[Pending], size: int) -> Iterator[list[dict[str, str]]]:
    while True:
        shard = [document._asdict() for document in islice(pending, size)]
        if not shard:
            return
        yield shard


def _write_shards(
    ray: Any, shards: Iterator[list[dict[str, str]]], output: str | os.PathLike[str], actor_options: dict[str, Any],
    map_options: dict[str, Any], before: int = 0,
) -> int:
    """Run every shard through the actor pool, appending its lines as they arrive; return the count.

    On Ctrl-C or SIGTERM what was written stays, and a warning says so (``before``: the documents
    the output held at the start).
    """
    processed = 0
    # errors="backslashreplace": a lone surrogate in a text is written as its JSON escape, as the local engine does
    with open(output, "a", encoding="utf-8", errors="backslashreplace") as out:
        try:
            for shard in shards:
                dataset = ray.data.from_items(shard).map_batches(
                    AnalyzerActor, fn_constructor_kwargs=actor_options, batch_format="numpy", **map_options,
                )  # fmt: skip
                for batch in dataset.iter_batches(batch_size=None, batch_format="numpy"):
                    out.writelines(str(line) for line in batch["line"])
                    out.flush()
                    processed += len(batch["line"])
        except KeyboardInterrupt as stop:  # Ctrl-C, or SIGTERM (Terminated)
            log_interrupted(stop, processed, output, before)
            raise
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

    Connects to the running Ray instance (``ray.init()`` if none is connected yet: ``RAY_ADDRESS``,
    a cluster started with ``ray start``, or a new local one, which then logs at WARNING). The
    sizes, the paths and the settings kept with the output are checked, and the output locked
    against a second run (:func:`~arabnews_nlp.engines.corpus_output.output_lock`), before Ray starts.

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
        progress: Show Ray Data's progress bars and the lines it logs when an execution starts.
        markup: ``"text"``, or ``"html"`` when the texts are web pages (offsets index the HTML).
        keep_fields: Input fields copied into each output line after the id (see
            :func:`~arabnews_nlp.engines.corpus.analyze_corpus_local`).
        with_text: Write the texts of each document and its sentences (``False``: left out).

    Returns:
        What was done (counts and wall time).

    Raises:
        MissingDependencyError: If ray is not installed (``pip install "arabnews-nlp[ray]"``).
        DataFormatError: If an input line lacks an id or a text, or the output is not an output file.
        ConfigError: On impossible sizes or resources (more GPUs or CPUs per actor than a Ray
            instance started here has), on settings other than those the output was started
            with, or while another run writes the output.

    Example:
        >>> # analyze_corpus_ray("news.jsonl", "out.jsonl", num_actors=8, num_gpus_per_actor=0.5)
    """
    check_markup(markup)
    ray = _import_ray()
    began = time.perf_counter()
    if quantize and num_gpus_per_actor:
        raise ConfigError("quantize=True runs on CPU actors only; set num_gpus_per_actor=0")
    _check_sizes(num_actors, num_gpus_per_actor, num_cpus_per_actor, batch_size, window_batch_size, shard_size)
    check_corpus_paths(input_jsonl, output_jsonl)
    keep_fields = check_keep_fields(keep_fields, id_field, text_field)
    with output_lock(output_jsonl), sigterm_raises():  # SIGTERM ends it as Ctrl-C does, from Ray's start on
        done = done_ids(output_jsonl)
        settings = run_settings(model, quantize, markup, id_field, text_field, keep_fields, with_text)
        check_run_settings(output_jsonl, settings, bool(done))
        started_here = _init_ray(ray)
        num_gpus_per_actor = 0.0 if quantize else num_gpus_per_actor
        num_actors, num_gpus = _resources(ray, num_actors, num_cpus_per_actor, num_gpus_per_actor, started_here)
        options = _actor_options(model, num_gpus, num_cpus_per_actor, window_batch_size, quantize, markup, with_text)
        map_options = {
            "batch_size": batch_size,
            "compute": ray.data.ActorPoolStrategy(size=num_actors),
            "num_cpus": num_cpus_per_actor,
            "num_gpus": num_gpus,
        }
        intake = Intake()
        with _data_context(ray, progress):
            shards = _shards(intake.pending(input_jsonl, done, id_field, text_field, keep_fields, markup), shard_size)
            processed = _write_shards(ray, shards, output_jsonl, options, map_options, len(done))
    return intake.finish(keep_fields, processed, time.perf_counter() - began, output_jsonl)


PROGRESS_HINT_LOGGER = "ray.data._internal.progress"
"""Where Ray Data logs "Progress bars disabled. To enable, set ...DataContext...", a hint to edit Python."""


class _DropProgressHint(logging.Filter):
    """Drops Ray Data's hint on how to enable its progress bars: CLI users pass ``--progress`` instead."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith("Progress bars disabled")


@contextlib.contextmanager
def _data_context(ray: Any, progress: bool) -> Iterator[None]:
    """Ray Data's progress bars and its execution-start lines on stderr only with ``progress``, restored after.

    Without ``progress`` Ray Data's hint that its bars are disabled is dropped too.
    """
    context = ray.data.DataContext.get_current()
    previous = context.enable_progress_bars, context.print_on_execution_start
    context.enable_progress_bars = context.print_on_execution_start = progress
    hint, drop = logging.getLogger(PROGRESS_HINT_LOGGER), _DropProgressHint()
    hint.addFilter(drop)
    try:
        yield
    finally:
        hint.removeFilter(drop)
        context.enable_progress_bars, context.print_on_execution_start = previous


def _actor_options(
    model: str | os.PathLike[str] | None, num_gpus: float, num_cpus: float, window_batch_size: int, quantize: bool,
    markup: str, with_text: bool,
) -> dict[str, Any]:
    """The constructor arguments of each :class:`AnalyzerActor`."""
    return {
        "model": None if model is None else str(model),
        "device": "cuda" if num_gpus > 0 else "cpu",
        "threads": max(1, int(num_cpus)),
        "window_batch_size": window_batch_size,
        "quantize": quantize,
        "markup": markup,
        "with_text": with_text,
    }
