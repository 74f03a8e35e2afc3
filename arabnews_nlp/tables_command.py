"""The ``table`` and ``summary`` commands' arguments and runners, for :mod:`arabnews_nlp.cli` to mount.

``arabnews-nlp table OUT.jsonl --layer entities -o entities.csv`` writes one layer of a results
file as CSV (:mod:`arabnews_nlp.tables`); ``arabnews-nlp summary OUT.jsonl --by date`` prints
its counts (:mod:`arabnews_nlp.summary`). Both read the file line by line. The runners write to
the stream the CLI gives them; messages for stderr are returned, printing stays in the CLI.

Example:
    >>> import argparse
    >>> parser = argparse.ArgumentParser()
    >>> commands = parser.add_subparsers(dest="command")
    >>> add_table_parsers(commands)
    >>> args = parser.parse_args(["table", "out.jsonl", "--layer", "events", "--excel"])
    >>> args.layer, args.excel, args.output
    ('events', True, None)
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import IO, Any

from arabnews_nlp.engines.command import field_names
from arabnews_nlp.errors import ConfigError
from arabnews_nlp.periods import PERIODS
from arabnews_nlp.summary import format_summary, summarize
from arabnews_nlp.tables import LAYERS, write_csv

RESULTS_HELP = "results JSONL of analyze-corpus -o (or analyze --format jsonl); .gz is read as gzip"
OUTPUT_HELP = "write here instead of stdout ('-': stdout)"


def add_table_parsers(commands: Any) -> None:
    """Add the ``table`` and ``summary`` sub-commands to ``commands`` (from ``parser.add_subparsers()``)."""
    table = commands.add_parser("table", help="write one layer of a results file as CSV (documents, sentences, entities, events)")
    table.add_argument("input", metavar="OUT.jsonl", help=RESULTS_HELP)
    table.add_argument(
        "--layer", choices=LAYERS, default="documents",
        help="one row per document (default; stance, counts, sentences per event type), sentence, entity, or "
        "sentence and event type; each row starts with the id and the kept fields (docs/tables.md lists the columns)",
    )  # fmt: skip
    table.add_argument("--output", "-o", default=None, help=OUTPUT_HELP + "; UTF-8 CSV, replaced only when complete")
    table.add_argument("--excel", action="store_true",
                       help="begin the CSV with a UTF-8 byte-order mark, so that Excel shows Arabic (without it, Excel "
                       "reads the file in the computer's legacy code page); pandas and R skip it. A text cell beginning "
                       "with =, +, -, @, a tab or a carriage return also gets a leading ' so that Excel shows it as text, "
                       "not as a formula (CSV injection); numbers stay as they are. Without --excel every cell is written "
                       "exactly as in the results")  # fmt: skip
    table.add_argument("--fields", type=field_names, default=None, metavar="F1,F2",
                       help="the kept fields to write as columns (default: those of the first line; a later line with "
                       "another kept field is then an error); one that no line has is named in a warning")  # fmt: skip
    summary = commands.add_parser("summary", help="count stance, events and the entities named most in a results file")
    summary.add_argument("input", metavar="OUT.jsonl", help=RESULTS_HELP)
    summary.add_argument("--top", type=int, default=20, help="names shown per entity label (default 20)")
    summary.add_argument("--by", default=None, metavar="FIELD",
                         help="a kept field holding each document's date (analyze-corpus --keep-fields date): count "
                         "documents, their stance and events per --period; unreadable dates are counted as 'unknown', "
                         "and a field that no line has is named in a warning")  # fmt: skip
    summary.add_argument("--period", choices=PERIODS, default=None, help="with --by: day, month (default) or year")
    summary.add_argument("--format", choices=("text", "json"), default="text", help="text (default) or json")
    summary.add_argument("--output", "-o", default=None, help=OUTPUT_HELP)


def check_table_paths(args: argparse.Namespace) -> None:
    """Raise before any work if the output would replace the results file, or ``--period`` has no ``--by``.

    A missing or unreadable results file is reported when it is read (:func:`arabnews_nlp.result_lines.read_results`).

    Raises:
        ConfigError: If ``args.output`` is the input, or ``--period`` is given without ``--by``.

    Example:
        >>> check_table_paths(argparse.Namespace(command="summary", input="out.jsonl", output=None, by=None, period="day"))
        Traceback (most recent call last):
        ...
        arabnews_nlp.errors.ConfigError: --period counts per period of a date field: name it with --by FIELD (e.g. --by date)
    """
    path = Path(args.input)
    if args.output not in (None, "-") and path.is_file() and Path(args.output).exists() and path.samefile(args.output):
        raise ConfigError(f"--output {args.output} is the results file; write the {args.command} to another file")
    if getattr(args, "by", None) is None and getattr(args, "period", None) is not None:
        raise ConfigError("--period counts per period of a date field: name it with --by FIELD (e.g. --by date)")


def run_table(args: argparse.Namespace, out: IO[str]) -> str:
    """Write the CSV of ``args.layer`` to ``out``; return the line for stderr."""
    rows = write_csv(args.input, out, args.layer, fields=args.fields, excel=args.excel)
    return f"{args.input}: {rows} {args.layer} rows"


def run_summary(args: argparse.Namespace, out: IO[str]) -> None:
    """Write the summary of ``args.input`` to ``out``, as text or JSON."""
    summary = summarize(args.input, top=args.top, by=args.by, period=args.period or "month")
    if args.format == "json":
        out.write(json.dumps({"input": args.input, **summary.to_dict()}, ensure_ascii=False, indent=2) + "\n")
    else:
        out.write(format_summary(summary, args.input))
