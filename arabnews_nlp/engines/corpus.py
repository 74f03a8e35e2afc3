"""Resumable corpus analysis: JSONL in, one JSONL line per document out, reruns skip what is done.

Input: one JSON object per line with an id (``id_field``) and a text (``text_field``); ``.gz``
files are read as gzip (:mod:`arabnews_nlp.engines.corpus_input`). Output: per document one line
``{"id": ..., **Analysis.to_dict()}``, appended and flushed batch by batch, so a crash loses at
most the batch in flight. A rerun reads the ids already in the output (dropping a last line cut
off mid-write) and analyses only the others; the output order is the order results arrive in, not
the input order. A run holds an exclusive lock on its output
(:func:`~arabnews_nlp.engines.corpus_output.output_lock`), so a second run onto the same file is
refused instead of writing every document twice. The settings that change the output lines (the
model, int8 quantisation, markup, the id and text fields, the input fields kept in each line,
whether texts are written) are kept beside the output in ``OUT.run.json``
(:func:`~arabnews_nlp.engines.corpus_settings.check_run_settings`), and a rerun with other
settings is refused instead of mixing two kinds of results in one file.

:func:`analyze_corpus_local` runs in this process (``Analyzer.pipe``);
:func:`arabnews_nlp.engines.ray_engine.analyze_corpus_ray` runs on a Ray cluster with the same
files and the same resume rule.

Example:
    >>> # stats = analyze_corpus_local("news.jsonl", "out.jsonl", model="models/default")
    >>> # stats.processed, stats.already_done
"""

from __future__ import annotations

import logging
import os
import time
from collections import Counter, deque
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from arabnews_nlp.engines.corpus_input import (
    Pending, check_keep_fields, iter_pending, noted, warn_absent_fields, warn_notes,
)  # fmt: skip
from arabnews_nlp.engines.corpus_output import check_corpus_paths, done_ids, output_line, output_lock
from arabnews_nlp.engines.corpus_settings import check_run_settings, run_settings
from arabnews_nlp.engines.jsonl import count_lines
from arabnews_nlp.signals import sigterm_raises, stop_reason
from arabnews_nlp.text.markup import check_markup
from arabnews_nlp.text.screen import InputNotes

logger = logging.getLogger(__name__)


@dataclass
class CorpusStats:
    """What a corpus run did.

    Attributes:
        input_documents: Documents read from the input (duplicates included).
        already_done: Documents skipped because their id was already in the output.
        duplicates: Input lines whose id appeared earlier in the input (analysed once).
        processed: Documents analysed and written by this run.
        seconds: Wall time of the run.
        output: The output file.
        invalid: Input lines skipped as invalid (``skip_invalid``), each named in a warning.

    Example:
        >>> CorpusStats(3, 1, 0, 2, 0.5, "out.jsonl").processed
        2
    """

    input_documents: int
    already_done: int
    duplicates: int
    processed: int
    seconds: float
    output: str
    invalid: int = 0


@dataclass
class Intake:
    """What a run's reading of its input finds, counted as the documents go to the analyzer.

    Both engines read their input through it (:meth:`pending`) and end with :meth:`finish`.

    Attributes:
        counts: ``input_documents``, ``already_done``, ``duplicates`` and ``invalid``
            (:func:`~arabnews_nlp.engines.corpus_input.iter_pending`).
        present: Per kept field, the documents given to the analyzer that have it.
        notes: The kinds of text the run could say little about.
    """

    counts: dict[str, int] = field(default_factory=dict)
    present: Counter[str] = field(default_factory=Counter)
    notes: InputNotes = field(default_factory=InputNotes)

    def pending(
        self, source: str | os.PathLike[str], done: set[str], id_field: str, text_field: str,
        keep_fields: Sequence[str], markup: str, skip_invalid: bool = False,
    ) -> Iterator[Pending]:  # fmt: skip
        """Each document of ``source`` not in ``done`` (:func:`iter_pending`), counted on its way."""
        found = iter_pending(source, done, id_field, text_field, self.counts, skip_invalid, keep_fields, self.present)
        return noted(found, self.notes, markup)

    def finish(
        self, keep_fields: Sequence[str], processed: int, seconds: float, output: str | os.PathLike[str]
    ) -> CorpusStats:
        """Warn of absent kept fields and odd texts; what the run did, once ``processed`` documents are written."""
        warn_absent_fields(keep_fields, self.present, processed)
        warn_notes(self.notes)
        counts = self.counts
        return CorpusStats(
            counts.get("input_documents", 0), counts.get("already_done", 0), counts.get("duplicates", 0),
            processed, seconds, str(output), counts.get("invalid", 0),
        )  # fmt: skip


def analyze_corpus_local(
    input_jsonl: str | os.PathLike[str], output_jsonl: str | os.PathLike[str],
    model: str | os.PathLike[str] | None = None, batch_size: int = 32, device: str = "auto", id_field: str = "id",
    text_field: str = "text", analyzer: Any = None, progress: bool = False, skip_invalid: bool = False,
    quantize: bool = False, backend: str = "torch", markup: str = "text", keep_fields: Sequence[str] = (),
    with_text: bool = True,
) -> CorpusStats:  # fmt: skip
    """Analyse a JSONL corpus in this process, appending to ``output_jsonl`` and resuming from it.

    Args:
        input_jsonl: Input JSONL (or ``.jsonl.gz``) with ``id_field`` and ``text_field``.
        output_jsonl: Output JSONL, created or appended to.
        model: Model directory or hub id (ignored when ``analyzer`` is given).
        batch_size: Windows per forward pass.
        device: ``"auto"``, ``"cpu"``, ``"cuda"``...
        id_field: Name of the id field.
        text_field: Name of the text field.
        analyzer: An :class:`~arabnews_nlp.api.Analyzer` to use instead of loading ``model``.
        progress: Show a progress bar (tqdm, on stderr) of the documents analysed.
        skip_invalid: Skip invalid input lines with a warning instead of stopping (see
            :func:`~arabnews_nlp.engines.corpus_input.iter_pending`); the documents before a line
            that stops the run are written.
        quantize: Dynamic int8 on CPU (when ``model`` is loaded here).
        backend: ``"torch"`` or ``"numpy"`` (when ``model`` is loaded here).
        markup: ``"text"``, or ``"html"`` when the texts are web pages (offsets index the HTML;
            see :meth:`arabnews_nlp.api.Analyzer.analyze`).
        keep_fields: Input fields (a date, a source…) copied into each output line after the id,
            so results can be grouped without joining them back to the input.
        with_text: Write the texts of each document and its sentences; ``False`` leaves them out
            (the lines have less than half the bytes, and the offsets index the input's texts).

    Returns:
        What was done.

    Raises:
        ConfigError: On settings that differ from those ``output_jsonl`` was started with, or
            while another run writes ``output_jsonl``
            (:func:`~arabnews_nlp.engines.corpus_output.output_lock`).
        DataFormatError: If an input line is not valid (unless ``skip_invalid``).

    Example:
        >>> # analyze_corpus_local("news.jsonl", "out.jsonl", batch_size=64).processed
    """
    began = time.perf_counter()
    check_markup(markup)
    check_corpus_paths(input_jsonl, output_jsonl)
    keep_fields = check_keep_fields(keep_fields, id_field, text_field)
    with output_lock(output_jsonl), sigterm_raises():  # from the model's loading on, SIGTERM ends it as Ctrl-C does
        done = done_ids(output_jsonl)
        model_name = model if analyzer is None else "an Analyzer passed in"  # its model is not checked
        settings = run_settings(model_name, quantize, markup, id_field, text_field, keep_fields, with_text)
        check_run_settings(output_jsonl, settings, bool(done))
        if analyzer is None:
            analyzer = _load_analyzer(model, device, quantize, backend)
        intake, heads = Intake(), deque[tuple[str, str]]()
        pending = intake.pending(input_jsonl, done, id_field, text_field, keep_fields, markup, skip_invalid)
        results = analyzer.pipe(_texts(pending, heads), batch_size, markup=markup)
        if progress:
            results = _progress_bar(results, input_jsonl, len(done))
        processed = _write_results(results, heads, output_jsonl, batch_size, with_text, len(done))
        return intake.finish(keep_fields, processed, time.perf_counter() - began, output_jsonl)


def _texts(pending: Iterable[Pending], heads: deque[tuple[str, str]]) -> Iterator[str]:
    """The text of each pending document, its ``(id key, kept fields)`` appended to ``heads`` as it goes."""
    for document in pending:
        heads.append((document.key, document.fields))
        yield document.text


def _load_analyzer(model: str | os.PathLike[str] | None, device: str, quantize: bool, backend: str) -> Any:
    """The :class:`~arabnews_nlp.api.Analyzer` of ``model`` (imported here: torch is loaded only for a run)."""
    from arabnews_nlp.api import Analyzer

    return Analyzer.from_pretrained(model, device=device, quantize=quantize, backend=backend)


def _progress_bar(results: Iterable[Any], source: str | os.PathLike[str], done: int) -> Iterator[Any]:
    """``results`` behind a tqdm bar (on stderr) over the documents of ``source``, the ``done`` ones counted as done."""
    from tqdm.auto import tqdm

    total = count_lines(source)  # documents in the input, those already done counted as done
    return iter(tqdm(results, total=total, initial=min(done, total), unit="doc", desc="arabnews-nlp"))


def _write_results(
    results: Iterable[Any], heads: deque[tuple[str, str]], output: str | os.PathLike[str], batch_size: int,
    with_text: bool, before: int,
) -> int:  # fmt: skip
    """Append the line of each analysis to ``output``, flushed every ``batch_size``; the number written.

    ``heads`` gives the id key and kept fields of each analysis, in order (it grows as the
    analyzer takes the texts, and each is taken off as its line is written). On Ctrl-C or SIGTERM what is written is flushed and the stop
    logged (:func:`log_interrupted`; ``before``: the documents the output held before the run).
    """
    processed = 0
    # errors="backslashreplace": a lone surrogate in a text is written as its JSON escape, as `analyze` does
    with open(output, "a", encoding="utf-8", errors="backslashreplace") as out:
        try:
            for processed, analysis in enumerate(results, start=1):
                key, fields = heads.popleft()
                out.write(output_line(key, analysis, fields, with_text))
                if processed % batch_size == 0:
                    out.flush()
        except KeyboardInterrupt as stop:  # Ctrl-C, or SIGTERM (Terminated)
            out.flush()
            log_interrupted(stop, processed, output, before)
            raise
    return processed


def log_interrupted(stop: KeyboardInterrupt, processed: int, output: str | os.PathLike[str], before: int) -> None:
    """Log, as a run stops on Ctrl-C or SIGTERM, what its output holds and that the same command goes on.

    ``stop`` is marked as told (:func:`resume_told`), so the command line does not say it twice.
    """
    stop.resume_told = True  # type: ignore[attr-defined]
    logger.warning("%s: %d documents analysed in this run are in %s (%d before it); the same command goes on "
                   "from there", stop_reason(stop), processed, output, before)  # fmt: skip


def resume_told(stop: BaseException) -> bool:
    """Whether :func:`log_interrupted` has told how the run goes on.

    Example:
        >>> resume_told(KeyboardInterrupt())
        False
    """
    return bool(getattr(stop, "resume_told", False))
