"""Command line: ``arabnews-nlp analyze``, ``analyze-corpus``, ``table``, ``summary`` and ``info`` (also ``python -m arabnews_nlp``).

Thin wrappers over :class:`arabnews_nlp.Analyzer` and :mod:`arabnews_nlp.model_dir`; the only
module of the package that prints. Errors are one line on stderr and exit code 2.

Inputs of ``analyze``: each file is one plain UTF-8 text document, read as it is (line ends kept,
so offsets index the file; a leading byte-order mark dropped), or, for ``*.jsonl`` and
``*.jsonl.gz`` files (or ``--input-format jsonl``), one JSON object per line with a ``text`` field
(``--text-field``; its ``id``, ``--id-field``, is kept, and the fields named by ``--keep-fields``);
``-`` reads one document from stdin (:mod:`arabnews_nlp.analyze_inputs` reads them). ``--output``
is replaced only when every input was analysed, so an error leaves an existing file as it was.

Output: ``--format json`` writes one JSON array of results, ``--format jsonl`` one result per
line, each result being ``Analysis.to_dict()`` with an ``id`` first (the path for text files, the
record's id for JSONL) when there is one, then the kept fields; ``--format html`` one
self-contained page to read in a browser (:mod:`arabnews_nlp.render`). Every document is analysed,
repeated ids included; ``--engine ray`` writes JSONL only, one line per id (as ``analyze-corpus``).

``table`` and ``summary`` read such a JSONL of results (:mod:`arabnews_nlp.tables_command`): one
layer as CSV (documents, sentences, entities, events), or the counts of stance, events and names.
``info`` shows a model, its labels and settings (:mod:`arabnews_nlp.info_command`).

Example:
    $ arabnews-nlp analyze article.txt --format jsonl
    $ arabnews-nlp analyze article.txt --format html -o article.html
    $ cat news.jsonl | arabnews-nlp analyze - --input-format jsonl --output out.jsonl
    $ arabnews-nlp analyze-corpus news.jsonl --output out.jsonl          # resumable
    $ arabnews-nlp analyze news.jsonl --engine ray --output out.jsonl    # the same on Ray Data
    $ arabnews-nlp table out.jsonl --layer entities -o entities.csv      # one row per entity
    $ arabnews-nlp summary out.jsonl --by date --period month            # counts, events per month
    $ arabnews-nlp info
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import sys
import tempfile
from collections import deque
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from arabnews_nlp import __version__
from arabnews_nlp.analyze_inputs import check_paths, is_jsonl, read_inputs
from arabnews_nlp.engines.command import (
    BACKEND_HELP,
    COMMAND,
    DEVICE_DEFAULT,
    ID_FIELD_HELP,
    KEEP_FIELDS_HELP,
    MARKUP_HELP,
    NO_TEXT_HELP,
    RAY_ENGINE_HELP,
    TEXT_FIELD_HELP,
    add_analyze_corpus_parser,
    field_names,
    run_analyze_corpus,
    summary,
)
from arabnews_nlp.engines.corpus import resume_told
from arabnews_nlp.engines.corpus_input import check_keep_fields
from arabnews_nlp.engines.jsonl import count_lines
from arabnews_nlp.errors import ArabNewsError, ConfigError
from arabnews_nlp.info_command import run_info
from arabnews_nlp.model_dir import BACKENDS
from arabnews_nlp.signals import closed_pipe_status, exit_status
from arabnews_nlp.tables_command import add_table_parsers, check_table_paths, run_summary, run_table
from arabnews_nlp.text.markup import MARKUPS
from arabnews_nlp.text.screen import InputNotes

if TYPE_CHECKING:
    from arabnews_nlp.results import Analysis

PROG = "arabnews-nlp"
MODEL_HELP = "model directory or hub id (default: $ARABNEWS_NLP_MODEL, else the bundled model)"


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=PROG, description="Entities, stance and events in Arabic news.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    analyze = commands.add_parser("analyze", help="analyse text files, JSONL files or stdin")
    analyze.add_argument("inputs", nargs="+", metavar="FILE", help="text or .jsonl files; '-' for stdin")
    analyze.add_argument(
        "--format", choices=("json", "jsonl", "html"), default=None,
        help="output format (default json: one array of results, one per document, each with its id first when "
        "it has one; jsonl: one result per line, the only format of --engine ray; html: a page to read in a browser)",
    )  # fmt: skip
    analyze.add_argument(
        "--input-format", choices=("auto", "text", "jsonl"), default="auto",
        help="auto: .jsonl files are JSONL, everything else (stdin included) is one text document",
    )  # fmt: skip
    analyze.add_argument("--markup", choices=MARKUPS, default="text", help=MARKUP_HELP)
    analyze.add_argument("--no-text", dest="with_text", action="store_false", help=f"json, jsonl: {NO_TEXT_HELP}")
    analyze.add_argument("--batch-size", type=int, default=32, help="windows per forward pass (default 32)")
    analyze.add_argument("--device", default=DEVICE_DEFAULT, help="auto, cpu, cuda or cuda:N (default auto; local engine)")
    analyze.add_argument("--model", default=None, help=MODEL_HELP)
    analyze.add_argument("--output", "-o", default=None, help="write here instead of stdout")
    analyze.add_argument("--progress", action="store_true", help="show a progress bar on stderr")
    analyze.add_argument("--quantize", action="store_true", help="dynamic int8 on CPU (faster; see docs/performance.md)")
    analyze.add_argument("--backend", choices=BACKENDS, default="torch", help=BACKEND_HELP)
    analyze.add_argument("--id-field", default="id", help=ID_FIELD_HELP)
    analyze.add_argument("--text-field", default="text", help=TEXT_FIELD_HELP)
    analyze.add_argument("--keep-fields", type=field_names, default=(), metavar="F1,F2",
                         help=f"JSONL inputs, json and jsonl output: {KEEP_FIELDS_HELP}")  # fmt: skip
    analyze.add_argument(
        "--engine", choices=("local", "ray"), default="local",
        help=f"local (default: this process, every document analysed, ids repeated or not) or {RAY_ENGINE_HELP}; "
        "one JSONL input, resumable into --output (as analyze-corpus --engine ray, with its defaults for the Ray options; "
        "--gpus-per-actor and the other Ray options are analyze-corpus's)",
    )  # fmt: skip
    add_analyze_corpus_parser(commands)
    add_table_parsers(commands)
    info = commands.add_parser("info", help="show the model, its labels and settings, and library versions")
    info.add_argument("--model", default=None, help=MODEL_HELP)
    info.add_argument("--json", action="store_true", help="print the information as JSON")
    return parser


def _analyze(args: argparse.Namespace, out: IO[str]) -> int:
    from arabnews_nlp.api import Analyzer

    args.format = args.format or "json"
    if args.format == "html" and not args.with_text:  # before the model is loaded
        raise ConfigError("--no-text is for --format json or jsonl; an html page shows the texts")
    if args.keep_fields:
        if args.format == "html":
            raise ConfigError("--keep-fields is for --format json or jsonl; an html page shows the ids and texts")
        texts_files = [name for name in args.inputs if not is_jsonl(name, args.input_format)]
        if texts_files:
            raise ConfigError(f"--keep-fields copies fields of JSONL records; {texts_files[0]} is read as one text "
                              "document (name JSONL files .jsonl, or pass --input-format jsonl)")  # fmt: skip
        check_keep_fields(args.keep_fields, args.id_field, args.text_field)

    analyzer = Analyzer.from_pretrained(args.model, device=args.device, quantize=args.quantize, backend=args.backend)
    ids: deque[Any] = deque()
    kept: deque[dict[str, Any]] = deque()
    notes = InputNotes()

    def texts() -> Iterator[str]:
        inputs = read_inputs(args.inputs, args.input_format, args.id_field, args.text_field, args.keep_fields,
                             warn=lambda message: _warn([message]))  # fmt: skip
        for doc_id, fields, text in inputs:
            ids.append(doc_id)
            kept.append(fields)
            notes.add(doc_id, text, args.markup)
            yield text

    if args.format == "html":
        from arabnews_nlp.render import render_html

        results = list(_documents(analyzer.pipe(texts(), args.batch_size, markup=args.markup), args))
        out.write(render_html(results, [None if i is None else str(i) for i in ids], args.markup))
        _warn(notes.messages())
        return 0
    count = -1  # "[" goes out with the first result: an input error before it leaves the output empty
    for count, analysis in enumerate(_documents(analyzer.pipe(texts(), args.batch_size, markup=args.markup), args)):
        doc_id = ids.popleft()
        record = ({"id": doc_id} if doc_id is not None else {}) | kept.popleft() | analysis.to_dict(args.with_text)
        if args.format == "jsonl":
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
        else:
            out.write(("," if count else "[") + "\n" + json.dumps(record, ensure_ascii=False, indent=2))
    if args.format == "json":
        out.write(("[" if count < 0 else "") + "\n]\n")
    _warn(notes.messages())
    return 0


def _documents(results: Iterator[Analysis], args: argparse.Namespace) -> Iterator[Analysis]:
    """``results``, behind a progress bar with ``--progress``: out of the documents the inputs hold, when known."""
    if not args.progress:
        return results
    from tqdm.auto import tqdm

    total = None  # stdin cannot be counted before it is read
    if "-" not in args.inputs:
        total = sum(count_lines(name) if is_jsonl(name, args.input_format) else 1 for name in args.inputs)
    return iter(tqdm(results, total=total, unit="doc", desc=PROG))


def _warn(messages: Sequence[str]) -> None:
    for message in messages:
        print(f"{PROG}: warning: {message}", file=sys.stderr)


def _analyze_corpus(args: argparse.Namespace) -> int:
    if args.command == "analyze":
        if len(args.inputs) != 1 or args.inputs[0] == "-" or not args.output:
            raise ConfigError("--engine ray needs exactly one JSONL input file and --output OUT.jsonl")
        if args.format not in (None, "jsonl"):
            raise ConfigError(f"--engine ray writes JSONL only (one result per line, appended as it goes); use "
                              f"--format jsonl, or drop --engine ray for --format {args.format}")  # fmt: skip
        if args.device != DEVICE_DEFAULT:
            raise ConfigError(f"--device is for --engine local; for GPU actors use 'analyze-corpus --engine ray "
                              f"--gpus-per-actor N' (drop --device {args.device})")  # fmt: skip
        names = ("model", "batch_size", "quantize", "progress", "backend", "markup", "with_text", "id_field", "text_field", "keep_fields")
        shared = {name: getattr(args, name) for name in names}
        # analyze-corpus's own defaults for everything else, so the two commands cannot drift apart
        paths = {"input": args.inputs[0], "output": args.output}  # set after parsing: a path may start with "-"
        args = _build_parser().parse_args([COMMAND, "IN.jsonl", "--output", "OUT.jsonl", "--engine", "ray"])
        vars(args).update(shared, **paths)
    if args.input == "-":
        raise ConfigError(f"{COMMAND} reads a file, not stdin (it rereads its input to resume); save the stream to a "
                          "file first, or use 'analyze - --input-format jsonl --format jsonl' for a one-off run")  # fmt: skip
    check_paths([args.input], None)
    print(summary(run_analyze_corpus(args)), file=sys.stderr)
    return 0


def _table(args: argparse.Namespace) -> int:
    check_table_paths(args)
    output = None if args.output == "-" else args.output
    if args.command == "summary":
        with _output(output) as out:
            run_summary(args, out)
        return 0
    with _output(output, newline="") as out:  # csv writes its own \r\n line ends
        done = run_table(args, out)
    if output is not None:
        print(f"{done} written to {output}", file=sys.stderr)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code (0 on success, 2 on any error).

    Example:
        >>> main(["info"])  # doctest: +SKIP
        0
    """
    args = _build_parser().parse_args(argv)
    try:
        if _corpus(args):
            return _analyze_corpus(args)
        if args.command == "analyze":
            check_paths(args.inputs, args.output)
            with _output(args.output) as out:
                return _analyze(args, out)
        if args.command in ("table", "summary"):
            return _table(args)
        return run_info(args, sys.stdout)
    except BrokenPipeError:  # the reader stopped early (`| head`): not an error of ours
        return closed_pipe_status()
    except (ArabNewsError, OSError, UnicodeError) as error:
        message = f"input is not UTF-8 text ({error})" if isinstance(error, UnicodeDecodeError) else str(error)
        print(f"{PROG}: error: {' '.join(message.splitlines())}", file=sys.stderr)
        return 2
    except KeyboardInterrupt as stop:  # Ctrl-C, or SIGTERM during a corpus run (Terminated)
        told = not _corpus(args) or resume_told(stop)  # the engine's warning names what the output holds
        resume = "" if told else f"; what is in {args.output} stays, and the same command goes on from there"
        print(f"{PROG}: {str(stop) or 'interrupted'}{resume}", file=sys.stderr)
        return exit_status(stop)


def _corpus(args: argparse.Namespace) -> bool:
    """Whether the command runs a corpus engine (``analyze-corpus``, or ``analyze --engine ray``)."""
    return args.command == COMMAND or (args.command == "analyze" and args.engine == "ray")


@contextlib.contextmanager
def _output(path: str | None, newline: str | None = None) -> Iterator[IO[str]]:
    """Stdout, or a temporary file beside ``path`` that replaces it only when everything succeeded.

    An error or an interruption leaves ``path`` as it was (no half-written JSON). Lone surrogates
    (from JSON escapes in the input) are written as JSON escapes instead of failing. ``newline``
    is the ``open()`` argument (``""``: line ends written as they are, as ``csv`` needs).
    """
    if path is None:
        if isinstance(sys.stdout, io.TextIOWrapper):
            sys.stdout.reconfigure(errors="backslashreplace", newline=newline)
        yield sys.stdout
        return
    target = Path(path)
    if not target.parent.is_dir():
        raise FileNotFoundError(f"--output {path}: the directory {target.parent} does not exist")
    if target.is_dir():  # refused before any work: os.replace would fail only after the whole analysis
        raise IsADirectoryError(f"--output {path} is a directory; give a file name, e.g. {target / 'results.jsonl'}")
    try:
        handle = tempfile.NamedTemporaryFile(  # noqa: SIM115
            "w", encoding="utf-8", errors="backslashreplace", newline=newline, dir=target.parent,
            prefix=f".{target.name}.", delete=False,
        )  # fmt: skip
    except OSError as error:  # its message would name the temporary file, which the user never asked for
        raise type(error)(f"--output {path}: cannot write in {target.parent} ({error.strerror}); "
                          "write elsewhere") from error  # fmt: skip
    try:
        with handle:
            yield handle
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(handle.name, 0o666 & ~umask)  # as open(path, "w") would make it, not the temporary file's 0600
        os.replace(handle.name, target)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(handle.name)
