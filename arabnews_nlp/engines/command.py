"""The ``analyze-corpus`` command's arguments and runner, for :mod:`arabnews_nlp.cli` to mount.

``arabnews-nlp analyze-corpus IN.jsonl --output OUT.jsonl [--engine local|ray] ...`` analyses a
JSONL corpus into one result line per document, resuming from ``OUT.jsonl`` when it exists.
This module only builds the parser and runs the engine; printing stays in the CLI.

Example:
    >>> import argparse
    >>> parser = argparse.ArgumentParser()
    >>> commands = parser.add_subparsers(dest="command")
    >>> _ = add_analyze_corpus_parser(commands)
    >>> args = parser.parse_args(["analyze-corpus", "in.jsonl", "-o", "out.jsonl", "--engine", "ray"])
    >>> args.engine, args.num_actors, args.gpus_per_actor
    ('ray', None, None)
"""

from __future__ import annotations

import argparse
from typing import Any

from arabnews_nlp.engines.corpus import CorpusStats
from arabnews_nlp.errors import ConfigError
from arabnews_nlp.model_dir import BACKENDS
from arabnews_nlp.text.markup import MARKUPS

COMMAND = "analyze-corpus"
ENGINES = ("local", "ray")
NO_TEXT_HELP = (
    "leave the texts of each document and its sentences out of the results (entity texts stay; the offsets "
    "index the input's texts): less than half the bytes"
)
BACKEND_HELP = "torch (default; any device) or numpy (CPU, starts without importing torch; same results)"
RAY_OPTIONS: dict[str, Any] = {"num_actors": None, "gpus_per_actor": None, "cpus_per_actor": 1.0, "docs_per_batch": 64}
"""The options of the "ray engine" group and their defaults: given to ``--engine local``, they are refused."""
DEVICE_DEFAULT = "auto"
RAY_ENGINE_HELP = (
    "ray: Ray Data actors (pip install \"arabnews-nlp[ray]\"); JSONL out only, one line per id: a repeated id is "
    "analysed once, ids already in the output are skipped (resume); GPUs with --gpus-per-actor, not --device"
)
ID_FIELD_HELP = "name of the id field of JSONL inputs (default id; e.g. doc_id)"
TEXT_FIELD_HELP = "name of the text field of JSONL inputs (default text)"
KEEP_FIELDS_HELP = (
    "input fields copied into each output line after the id (e.g. date,source), so results can be grouped without "
    "joining them back to the input (null where a line lacks one)"
)
MARKUP_HELP = (
    "text (default) or html: the texts are web pages; their markup is read as a browser shows it (scripts as "
    "whitespace, paragraphs as lines), offsets index the HTML"
)


def add_analyze_corpus_parser(commands: Any) -> argparse.ArgumentParser:
    """Add the ``analyze-corpus`` sub-command to ``commands`` (from ``parser.add_subparsers()``).

    Example:
        >>> # add_analyze_corpus_parser(parser.add_subparsers(dest="command"))
    """
    parser = commands.add_parser(COMMAND, help="analyse a JSONL corpus into a JSONL of results (resumable; local or Ray)")
    parser.add_argument("input", metavar="IN.jsonl", help="JSONL (or .jsonl.gz), one object with an id and a text per line")
    parser.add_argument("--output", "-o", required=True, help="results JSONL; ids already in it are skipped (resume)")
    parser.add_argument("--engine", choices=ENGINES, default="local",
                        help=f"local (default: this process) or {RAY_ENGINE_HELP}")  # fmt: skip
    parser.add_argument("--model", default=None, help="model directory or hub id (default: $ARABNEWS_NLP_MODEL or bundled)")
    parser.add_argument("--batch-size", type=int, default=32, help="windows per forward pass (default 32)")
    parser.add_argument("--device", default=DEVICE_DEFAULT,
                        help="local engine: auto, cpu, cuda or cuda:N (default auto); ray: see --gpus-per-actor")  # fmt: skip
    parser.add_argument("--id-field", default="id", help=ID_FIELD_HELP)
    parser.add_argument("--text-field", default="text", help=TEXT_FIELD_HELP)
    parser.add_argument("--quantize", action="store_true", help="dynamic int8 on CPU (faster; see docs/performance.md)")
    parser.add_argument("--backend", choices=BACKENDS, default="torch", help=BACKEND_HELP)
    parser.add_argument("--markup", choices=MARKUPS, default="text", help=MARKUP_HELP)
    parser.add_argument("--keep-fields", type=field_names, default=(), metavar="F1,F2", help=KEEP_FIELDS_HELP)
    parser.add_argument("--no-text", dest="with_text", action="store_false", help=NO_TEXT_HELP)
    parser.add_argument("--progress", action="store_true",
                        help="show progress on stderr (local: a bar of documents analysed; ray: Ray Data's bars)")
    parser.add_argument("--skip-invalid", action="store_true",
                        help="local engine: skip input lines that are not valid (each named in a warning) instead "
                        "of stopping at the first")  # fmt: skip
    ray = parser.add_argument_group("ray engine (refused with --engine local)")
    ray.add_argument("--num-actors", type=int, default=RAY_OPTIONS["num_actors"],
                     help="actors (default: one per GPU, else per CPU share)")  # fmt: skip
    ray.add_argument("--gpus-per-actor", type=float, default=RAY_OPTIONS["gpus_per_actor"],
                     help="GPUs per actor, fractions share one (default 1 if the cluster has GPUs, else 0: CPU actors)")  # fmt: skip
    ray.add_argument("--cpus-per-actor", type=float, default=RAY_OPTIONS["cpus_per_actor"],
                     help="CPUs (torch threads) per actor (default 1)")  # fmt: skip
    ray.add_argument("--docs-per-batch", type=int, default=RAY_OPTIONS["docs_per_batch"],
                     help="documents per Ray batch (default 64)")  # fmt: skip
    return parser


def field_names(value: str) -> tuple[str, ...]:
    """``--keep-fields date,source`` as ``("date", "source")``.

    Example:
        >>> field_names("date, source")
        ('date', 'source')
    """
    return tuple(name.strip() for name in value.split(","))


def check_engine_options(args: argparse.Namespace) -> None:
    """Refuse options that the chosen engine would ignore.

    Raises:
        ConfigError: For ``--device`` (other than its default) or ``--skip-invalid`` with
            ``--engine ray``, or an option of the "ray engine" group with ``--engine local``.

    Example:
        >>> check_engine_options(argparse.Namespace(engine="local", device="cpu", skip_invalid=False, **RAY_OPTIONS))
    """
    if args.engine == "ray":
        if args.device != DEVICE_DEFAULT:
            raise ConfigError(f"--device is for --engine local; Ray actors run on GPUs with --gpus-per-actor N (default "
                              f"1 when the cluster has GPUs), on CPUs with --gpus-per-actor 0: drop --device {args.device}")  # fmt: skip
        if args.skip_invalid:
            raise ConfigError("--skip-invalid is for --engine local; the ray engine stops at the first invalid line")
        return
    given = [name for name, default in RAY_OPTIONS.items() if getattr(args, name) != default]
    if given:
        flags = ", ".join("--" + name.replace("_", "-") for name in given)
        raise ConfigError(f"{flags} {'is' if len(given) == 1 else 'are'} for --engine ray; add --engine ray, or drop "
                          f"{'it' if len(given) == 1 else 'them'} to run in this process")  # fmt: skip


def run_analyze_corpus(args: argparse.Namespace) -> CorpusStats:
    """Run the engine chosen by ``args.engine`` with the parsed arguments.

    Raises:
        MissingDependencyError: For ``--engine ray`` without ray installed.
        ConfigError: For an option the chosen engine does not take (:func:`check_engine_options`).
        DataFormatError, ModelNotFoundError: As the engines do.

    Example:
        >>> # stats = run_analyze_corpus(parser.parse_args([...]))
    """
    check_engine_options(args)
    if args.engine == "ray":
        if args.backend != "torch":
            raise ConfigError(f"--engine ray runs the torch backend; drop --backend {args.backend} or use --engine local")
        from arabnews_nlp.engines.ray_engine import analyze_corpus_ray

        return analyze_corpus_ray(
            args.input, args.output, model=args.model, batch_size=args.docs_per_batch,
            num_actors=args.num_actors, num_gpus_per_actor=args.gpus_per_actor, num_cpus_per_actor=args.cpus_per_actor,
            id_field=args.id_field, text_field=args.text_field, window_batch_size=args.batch_size,
            quantize=args.quantize, progress=args.progress, markup=args.markup, keep_fields=args.keep_fields,
            with_text=args.with_text,
        )  # fmt: skip
    from arabnews_nlp.engines.corpus import analyze_corpus_local

    return analyze_corpus_local(
        args.input, args.output, model=args.model, batch_size=args.batch_size, device=args.device,
        id_field=args.id_field, text_field=args.text_field, progress=args.progress, skip_invalid=args.skip_invalid,
        quantize=args.quantize, backend=args.backend, markup=args.markup, keep_fields=args.keep_fields,
        with_text=args.with_text,
    )  # fmt: skip


def summary(stats: CorpusStats) -> str:
    """One line for the CLI to print on stderr.

    Example:
        >>> summary(CorpusStats(10, 4, 0, 6, 2.0, "out.jsonl"))
        'out.jsonl: 6 documents analysed, 4 already done, 0 duplicate ids skipped (10 read) in 2.0 s'
        >>> summary(CorpusStats(10, 4, 0, 6, 2.0, "out.jsonl", invalid=2))[-41:]
        'in 2.0 s; 2 invalid lines skipped (above)'
    """
    skipped = f"; {stats.invalid} invalid lines skipped (above)" if stats.invalid else ""
    return (
        f"{stats.output}: {stats.processed} documents analysed, {stats.already_done} already done, "
        f"{stats.duplicates} duplicate ids skipped ({stats.input_documents} read) in {stats.seconds:.1f} s{skipped}"
    )
