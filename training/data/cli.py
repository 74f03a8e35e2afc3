"""``python -m training validate | build-data | convert | stats | conflicts``: the data commands.

Thin wrappers over :mod:`training.data`; with :mod:`training.data.cli_convert` (``convert``) the
only modules here that print. ``main(argv)`` takes the command name first, as
:mod:`training.__main__` passes it.

Example:
    >>> main(["validate", "--help"])  # doctest: +SKIP
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from training.data.checked_files import (
    Checked, duplicate_problems, expand_patterns, load_checked, located_records, read_checked,
)  # fmt: skip
from training.data.cli_convert import EXPORT_FORMATS, IMPORT_FORMATS, cmd_convert
from training.data.records import write_records

__all__ = ["Checked", "build_parser", "cmd_build_data", "cmd_conflicts", "cmd_convert", "cmd_stats", "cmd_validate", "load_checked", "main", "read_checked"]


def cmd_validate(args: argparse.Namespace) -> int:
    """Validate files; print one line per problem, then a summary on stderr; 1 if any problem.

    The summary counts the documents read (non-blank lines holding a JSON object, valid or not)
    and, apart, the lines that are not a JSON object, so no line goes uncounted.
    """
    from training.data.validate_unannotated import unannotated_note

    files = {path: read_checked(path) for path in expand_patterns(args.files)}
    problems = [p for path, checked in files.items() for p in checked.problems + duplicate_problems({path: checked.records})]
    for problem in problems:
        print(problem)
    note = unannotated_note(located_records({path: checked.records for path, checked in files.items()}))
    if note:
        print(note, file=sys.stderr)
    documents = sum(checked.documents for checked in files.values())
    unreadable = sum(checked.unreadable for checked in files.values())
    print(f"{len(problems)} problem(s) in {len(files)} file(s): {documents} document(s) read"
          f"{f', {unreadable} line(s) not read (not UTF-8 or not a JSON object)' if unreadable else ''}", file=sys.stderr)  # fmt: skip
    return 1 if problems else 0


def cmd_build_data(args: argparse.Namespace) -> int:
    """Surface files -> validated records, split, train/dev/seeds JSONL and the manifest."""
    from training.data.consistency import label_conflicts
    from training.data.split import DEV, TRAIN, assign_splits, load_manifest, missing_in_dev, save_manifest
    from training.data.stats import compute_stats, format_table
    from training.data.validate_unannotated import unannotated_note

    paths = expand_patterns(args.surface)
    files = {path: load_checked(path) for path in paths}
    read = {path: recs for path, (recs, _) in files.items()}
    problems = [p for _, found in files.values() for p in found] + duplicate_problems(read)
    if problems or not files:
        print("\n".join(problems) or f"no input files match {args.surface}", file=sys.stderr)
        print(f"build-data: {len(problems)} problem(s); nothing written", file=sys.stderr)
        return 1
    note = unannotated_note(located_records(read))
    if note:
        print(note, file=sys.stderr)
    records = sorted((r for recs, _ in files.values() for _, r in recs), key=lambda r: str(r["id"]))
    out = Path(args.out)
    manifest_path = Path(args.manifest) if args.manifest else out / "split.json"
    manifest = load_manifest(manifest_path)
    split = assign_splits(records, manifest, args.dev_fraction, args.seed)
    parts = {name: [r for r in records if split[str(r["id"])] == name] for name in (TRAIN, DEV)}
    for name, part in parts.items():
        write_records(out / f"{name}.jsonl", part)
    write_records(out / "seeds.jsonl", [r for r in records if str(r["id"]).startswith("seed-")])
    save_manifest(manifest_path, split)
    print(format_table({name: compute_stats(part) for name, part in parts.items()}))
    conflicts = label_conflicts(located_records(read))
    if conflicts:
        print(f"note: {len(conflicts)} repeated sentence(s) carry different labels in different documents; "
              f"review them with python -m training conflicts {' '.join(args.surface)}", file=sys.stderr)  # fmt: skip
    missing = missing_in_dev(records, split)
    if missing:
        print(f"warning: not in dev (too rare, or fixed by the manifest): {', '.join(missing)}", file=sys.stderr)
    if not manifest:  # a new --out folder: the shipped seeds/split.json is not read, so dev is drawn again
        print(f"warning: no split manifest at {manifest_path}: all {len(records)} documents were split afresh "
              f"({len(parts[DEV])} to dev); to keep an existing split (seeds/split.json), copy it to "
              f"{manifest_path} or pass --manifest, then run build-data again", file=sys.stderr)  # fmt: skip
    print(f"wrote {out / 'train.jsonl'}, {out / 'dev.jsonl'}, {out / 'seeds.jsonl'}, {manifest_path}", file=sys.stderr)
    return 0


def cmd_stats(args: argparse.Namespace) -> int:
    """Print label counts per file, as a table or JSON; refuse files with problems unless ``--force``.

    Problems are those of ``validate``, repeated ids included; with ``--force`` the counts include
    ``duplicate_ids``, a note on stderr names the repeated ids, and another says how many lines
    could not be read or converted (those are not counted).
    """
    from training.data.stats import brief_ids, compute_stats, format_table, to_json
    from training.data.validate_file_checks import duplicate_ids

    by_name: dict[str, Any] = {}
    for path in expand_patterns(args.files):
        checked = read_checked(path)
        records, problems = checked.records, checked.problems + duplicate_problems({path: checked.records})
        if problems and not args.force:
            print("\n".join(problems), file=sys.stderr)
            print(f"stats: {path} has {len(problems)} problem(s); fix them or pass --force", file=sys.stderr)
            return 1
        repeats = duplicate_ids(records)
        if repeats:
            ids = sorted({doc_id for _, doc_id, _ in repeats})
            print(f"stats: {path}: {len(repeats)} document(s) repeat the id of an earlier one ({brief_ids(ids)}); "
                  f"python -m training validate {path} lists where", file=sys.stderr)  # fmt: skip
        left_out = checked.documents + checked.unreadable - len(records)
        if left_out:
            print(f"stats: {path}: {left_out} line(s) could not be read or converted and are not counted; "
                  f"python -m training validate {path} lists them", file=sys.stderr)  # fmt: skip
        name = Path(path).name.removesuffix(".jsonl")
        by_name[name if name not in by_name else path] = compute_stats(r for _, r in records)
    print(to_json(by_name) if args.json else format_table(by_name))
    return 0


def _at_least_one(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {number}")
    return number


def cmd_conflicts(args: argparse.Namespace) -> int:
    """Print the repeated sentences whose copies carry different labels; 1 with ``--fail`` if any."""
    from training.data.consistency import label_conflicts

    files = {path: load_checked(path) for path in expand_patterns(args.files)}
    problems = [p for _, found in files.values() for p in found]
    if problems:
        print("\n".join(problems), file=sys.stderr)
        print(f"conflicts: {len(problems)} problem(s) in the input; fix them first (python -m training validate)",
              file=sys.stderr)  # fmt: skip
        return 1
    conflicts = label_conflicts(located_records({path: recs for path, (recs, _) in files.items()}), args.min_words)
    for conflict in conflicts:
        excerpt = conflict.text if len(conflict.text) <= 90 else conflict.text[:90] + "…"
        print(f"{' and '.join(conflict.layers)} differ in {len(conflict.copies)} copies of: {excerpt}")
        for copy in conflict.copies:
            events = "not annotated" if copy.events is None else ", ".join(copy.events) or "none"
            print(f"  {copy.where}: {copy.doc_id} sentence {copy.sentence}: stance {copy.stance or 'not annotated'}; "
                  f"events {events}")  # fmt: skip
    count = sum(len(recs) for recs, _ in files.values())
    print(f"{len(conflicts)} repeated sentence(s) of {args.min_words}+ words with different labels in {count} "
          f"document(s)", file=sys.stderr)  # fmt: skip
    return 1 if conflicts and args.fail else 0


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of the data commands (one sub-command each)."""
    parser = argparse.ArgumentParser(prog="python -m training", description="Annotated data tools (SCHEMA.md).")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("validate", help="check JSONL files; prints file:line: what is wrong; exit 1 on problems",
                       description="Validate SCHEMA.md §5 records (or surface documents, converted first).")  # fmt: skip
    p.add_argument("files", nargs="+", help="JSONL files or glob patterns")
    p.set_defaults(func=cmd_validate)
    p = sub.add_parser("build-data", help="surface annotations -> train/dev/seeds JSONL and the split manifest")
    p.add_argument("--surface", nargs="+", default=["seeds/surface/*.jsonl"], help="surface JSONL files or globs (default: %(default)s)")
    p.add_argument("--out", default="seeds", help="folder for train/dev/seeds.jsonl and split.json (default: %(default)s)")
    p.add_argument("--manifest", default=None, help="split manifest to read and update (default: OUT/split.json)")
    p.add_argument("--dev-fraction", type=float, default=0.2, help="share of real documents in dev (default: %(default)s)")
    p.add_argument("--seed", type=int, default=0, help="seed of the split's tie-breaking (default: %(default)s)")
    p.set_defaults(func=cmd_build_data)
    p = sub.add_parser("convert", help="import FORMAT -> JSONL records, or export records -> FORMAT with --export",
                       description=f"Import ({', '.join(IMPORT_FORMATS)}) into SCHEMA.md JSONL, or with --export "
                                   f"write records as {', '.join(EXPORT_FORMATS)}.")  # fmt: skip
    p.add_argument("format", choices=sorted(set(IMPORT_FORMATS) | set(EXPORT_FORMATS)), help="the other side's format")
    p.add_argument("input", help="input file (FORMAT, or JSONL records with --export)")
    p.add_argument("output", help="output file (JSONL records, or FORMAT with --export)")
    p.add_argument("--export", action="store_true", help="records -> FORMAT instead of FORMAT -> records")
    p.add_argument("--sentences-per-doc", type=int, default=20, help="CoNLL import: sentences per record (default: %(default)s)")
    p.add_argument("--id-prefix", default=None, help="CoNLL import: record id prefix (default: from the file name)")
    p.add_argument("--records", default=None, help="doccano-sentences import: the records to merge the labels into")
    p.add_argument("--keep-missing", action="store_true",
                   help="doccano-sentences import: keep the labels of sentences without an example (else an error)")
    p.add_argument("--include-ner-only", action="store_true",
                   help="doccano-sentences export: also export NER-only records (tasks without 'stance', e.g. from a "
                        "plain Doccano project) with a document-stance example each; the merge adds stance and events")
    p.add_argument("--config", default=None, help="labelstudio export: also write the labeling config XML here")
    p.set_defaults(func=cmd_convert)
    p = sub.add_parser("stats", help="label counts per file (table, or --json)")
    p.add_argument("files", nargs="+", help="JSONL files (e.g. seeds/train.jsonl seeds/dev.jsonl)")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    p.add_argument("--force", action="store_true", help="count even if the files have problems")
    p.set_defaults(func=cmd_stats)
    p = sub.add_parser("conflicts", help="repeated sentences whose copies carry different stance or events",
                       description="List sentences that occur in several records (same words after "
                                   "normalisation) with a different stance or event set, for review.")  # fmt: skip
    p.add_argument("files", nargs="+", help="JSONL files or glob patterns (records or surface documents)")
    p.add_argument("--min-words", type=_at_least_one, default=6, help="ignore shorter sentences (default: %(default)s)")
    p.add_argument("--fail", action="store_true", help="exit 1 when there is any conflict (for CI)")
    p.set_defaults(func=cmd_conflicts)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one data command; ``argv`` starts with the command name.

    Example:
        >>> main(["stats", "--help"])  # doctest: +SKIP
    """
    args = build_parser().parse_args(sys.argv[1:] if argv is None else argv)
    return int(args.func(args))
