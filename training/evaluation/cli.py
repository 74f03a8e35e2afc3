"""``python -m training evaluate``: score a model (or any analyzer) on gold SCHEMA.md JSONL.

The scoring is :mod:`training.evaluation` (``sentences`` and ``documents`` modes); this module
parses the command line, prints the table, writes the JSON report and runs the ``--min`` and
``--floor`` checks, exiting 1 when one fails.

Example:
    >>> # python -m training evaluate --model models/default --data data/dev.jsonl --out eval.json
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from arabnews_nlp.errors import ConfigError
from training.evaluation.checks import check_metrics, parse_minimums
from training.evaluation.gold import read_evaluation_data
from training.evaluation.modes import MODES, evaluate_analyzer, evaluate_model
from training.evaluation.report import scores_report, write_json
from training.evaluation.summary import format_table, metric_names


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``python -m training evaluate`` (``argv[0]`` is the command name)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    args = build_parser().parse_args(argv[1:])
    minimums = parse_minimums(args.min)
    check_arguments(args, minimums)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    records = read_evaluation_data(args.data)
    scores, recorded = score(args, records)
    report = scores_report(args.model or args.baseline, args.data, scores, argv)
    print(format_table(report))
    if minimums or args.floor is not None:
        report["checks"] = check_metrics(report["summary"], minimums, recorded, args.floor)
    if args.out:
        write_json(args.out, report)
    if "checks" not in report:
        return 0
    return report_checks(report["checks"])


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``python -m training evaluate``.

    Example:
        >>> build_parser().parse_args(["--model", "m", "--data", "d.jsonl"]).mode
        'both'
    """
    parser = argparse.ArgumentParser(prog="python -m training evaluate", description=__doc__.split("\n")[0])
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--model", help="model directory (or hub id)")
    source.add_argument("--baseline", help="a saved keyword baseline (training.baseline.KeywordBaseline.save)")
    parser.add_argument("--data", required=True, nargs="+", help="gold SCHEMA.md JSONL file(s)")
    parser.add_argument("--out", help="write the scores as JSON here")
    parser.add_argument("--mode", choices=MODES, default="both")
    parser.add_argument("--device", default="auto")
    parser.add_argument("--batch-size", type=positive_int, default=32)
    parser.add_argument("--progress", action=argparse.BooleanOptionalAction, default=True,
                        help="progress bars on stderr while predicting (default: on)")  # fmt: skip
    parser.add_argument("--min", action="append", default=[], metavar="METRIC=VALUE",
                        help="exit 1 if METRIC (MODE/NAME, a key of the JSON's `summary`, e.g. "
                        "sentences/events_micro_f1) is below VALUE, a number in [0, 1]; repeatable. Names: "
                        + ", ".join(metric_names()))  # fmt: skip
    parser.add_argument("--floor", type=tolerance, metavar="TOLERANCE",
                        help="exit 1 if a metric the model recorded at training (its arabnews_nlp.json) is now more "
                        "than TOLERANCE below it (e.g. 0.02); score the dev file it was evaluated on")  # fmt: skip
    return parser


def check_arguments(args: argparse.Namespace, minimums: Mapping[str, float]) -> None:
    """Refuse, before any work, arguments that would check nothing or write nowhere.

    Raises:
        ConfigError: A ``--min`` metric that ``--mode`` does not score, ``--floor`` without
            ``--model``, or an ``--out`` that is a directory.

    Example:
        >>> check_arguments(build_parser().parse_args(["--model", "m", "--data", "d.jsonl"]), {})
    """
    if left_out := [name for name in minimums if args.mode != "both" and not name.startswith(f"{args.mode}/")]:
        raise ConfigError(f"--min {', '.join(left_out)}: --mode {args.mode} does not score it; pass --mode both, "
                          f"or --min names of {args.mode}/")  # fmt: skip
    if args.floor is not None and not args.model:
        raise ConfigError("--floor compares with the metrics a model recorded; it needs --model")
    if args.out and Path(args.out).is_dir():
        raise ConfigError(f"--out {args.out} is a directory; give a file, e.g. {Path(args.out) / 'eval.json'}")


def score(args: argparse.Namespace, records: list[Any]) -> tuple[dict[str, Any], Mapping[str, Any]]:
    """Score ``--baseline`` or ``--model`` on ``records``: the scores, and the metrics the model recorded (``--floor``).

    Example:
        >>> # scores, recorded = score(build_parser().parse_args(["--model", "m", "--data", "d.jsonl"]), records)
    """
    if args.baseline:
        from training.baseline import KeywordBaseline

        return evaluate_analyzer(KeywordBaseline.load(args.baseline), records, args.mode, args.progress), {}
    from arabnews_nlp.model_dir import load_analyzer

    model, tokenizer, settings = load_analyzer(args.model, device=args.device)
    if args.floor is not None and not any(isinstance(v, (int, float)) for v in (settings.metrics or {}).values()):
        raise ConfigError(f"--floor: the model {args.model} recorded no metrics when it was trained (none in its "
                          "arabnews_nlp.json: trained without a dev file, or saved outside python -m training), so "
                          "there is nothing to guard; use --min METRIC=VALUE")  # fmt: skip
    scores = evaluate_model(model, tokenizer, settings, records, args.mode, args.batch_size, args.progress)
    return scores, settings.metrics


def report_checks(checks: Mapping[str, Any]) -> int:
    """Print each failed check and their count on stderr; the exit status (1 when one failed).

    Example:
        >>> report_checks({"metrics": [], "failures": [], "passed": True})
        0
    """
    for failure in checks["failures"]:
        print(f"evaluate: {failure}", file=sys.stderr)
    print(f"evaluate: {len(checks['failures'])} failure(s) among {len(checks['metrics'])} checked metric(s)",
          file=sys.stderr)  # fmt: skip
    return 0 if checks["passed"] else 1


def positive_int(value: str) -> int:
    """An ``argparse`` type: an int of at least 1.

    Example:
        >>> positive_int("8")
        8
    """
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, got {value!r}")
    return number


def tolerance(value: str) -> float:
    """An ``argparse`` type: a finite number of at least 0 (``--floor``).

    Example:
        >>> tolerance("0.02")
        0.02
    """
    try:
        number = float(value)
    except ValueError:
        number = -1.0
    if not 0.0 <= number < float("inf"):  # NaN fails too
        raise argparse.ArgumentTypeError(f"expected a tolerance of at least 0, e.g. 0.02, got {value!r}")
    return number
