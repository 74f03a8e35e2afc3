"""``python -m training validate | build-data | convert | stats | conflicts``: the data commands.

Thin wrappers over :mod:`training.data`; the only module here that prints. ``main(argv)`` takes
the command name first, as :mod:`training.__main__` passes it.

Example:
    >>> main(["validate", "--help"])  # doctest: +SKIP
"""

from __future__ import annotations

import argparse
import glob
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NamedTuple

from arabnews_nlp.errors import DataFormatError
from training.data.records import (
    Record, is_surface, iter_records, parse_json_array, parse_line, parsed_lines, read_lines, to_surface, write_records,
)  # fmt: skip

TOOL_IDS = {
    "doccano": "a record doccano-N is the example with id N",
    "labelstudio": "a record labelstudio-N is task N, any other id that of the record exported to the task",
}
"""Import format -> how a converted record's id names the example of the export it came from."""
IMPORT_FORMATS = ("anercorp", "wikifane", "conll", "doccano", "doccano-sentences", "labelstudio", "surface")
EXPORT_FORMATS = ("anercorp", "conll", "doccano", "doccano-sentences", "labelstudio", "surface")


class Checked(NamedTuple):
    """What :func:`read_checked` found in one JSONL file."""

    records: list[tuple[int, Record]]
    """``(line, record)`` for each document read and converted (surface documents)."""
    problems: list[str]
    """``file:line: …`` messages, in line order."""
    documents: int
    """Non-blank lines holding a JSON object, including documents that could not be converted."""
    unreadable: int
    """Non-blank lines that are not a JSON object (invalid JSON, or another JSON value)."""


def read_checked(path: str | Path) -> Checked:
    """Read a JSONL file of records or surface documents; convert, validate and count them.

    Surface documents are converted with :func:`training.data.surface.convert_document`, then
    every record is validated; problems are ``file:line: …`` messages.
    """
    from training.data.surface import convert_document
    from training.data.validate import validate_record
    from training.data.validate_file_checks import empty_file_problem, tool_export_problem

    records: list[tuple[int, Record]] = []
    problems: list[str] = []
    documents = unreadable = 0
    for line_no, record in parsed_lines(path):
        if isinstance(record, DataFormatError):
            unreadable += 1
            problems.append(str(record))
            continue
        documents += 1
        try:
            record = convert_document(record, path, line_no) if is_surface(record) else record
        except DataFormatError as err:
            problems.append(str(err))
            continue
        doc_id = record.get("id")
        prefix = f"{path}:{line_no}: {doc_id}:" if isinstance(doc_id, str) else f"{path}:{line_no}:"
        problems += [f"{prefix} {message}" for message in validate_record(record)]
        records.append((line_no, record))
    if not documents and not unreadable:
        problems.append(empty_file_problem(path))
    export = tool_export_problem(path) if problems else None
    if export:  # one message for the file, not one per line or per example
        return Checked([], [export], 0, 0)
    return Checked(records, problems, documents, unreadable)


def load_checked(path: str | Path) -> tuple[list[tuple[int, Record]], list[str]]:
    """Read a JSONL file of records or surface documents; return ``(line, record)`` and problems.

    :func:`read_checked` without the counts.
    """
    checked = read_checked(path)
    return checked.records, checked.problems


def _duplicates(files: dict[str, list[tuple[int, Record]]]) -> list[str]:
    from training.data.validate_file_checks import duplicate_id_messages

    return duplicate_id_messages(_where(files))


def _expand(patterns: Sequence[str]) -> list[str]:
    paths: list[str] = []
    for pattern in patterns:
        matches = sorted(glob.glob(pattern))
        paths += matches or [pattern]
    return paths


def cmd_validate(args: argparse.Namespace) -> int:
    """Validate files; print one line per problem, then a summary on stderr; 1 if any problem.

    The summary counts the documents read (non-blank lines holding a JSON object, valid or not)
    and, apart, the lines that are not a JSON object, so no line goes uncounted.
    """
    from training.data.validate_unannotated import unannotated_note

    files = {path: read_checked(path) for path in _expand(args.files)}
    problems = [p for path, checked in files.items() for p in checked.problems + _duplicates({path: checked.records})]
    for problem in problems:
        print(problem)
    note = unannotated_note(_where({path: checked.records for path, checked in files.items()}))
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

    paths = _expand(args.surface)
    files = {path: load_checked(path) for path in paths}
    read = {path: recs for path, (recs, _) in files.items()}
    problems = [p for _, found in files.values() for p in found] + _duplicates(read)
    if problems or not files:
        print("\n".join(problems) or f"no input files match {args.surface}", file=sys.stderr)
        print(f"build-data: {len(problems)} problem(s); nothing written", file=sys.stderr)
        return 1
    note = unannotated_note(_where(read))
    if note:
        print(note, file=sys.stderr)
    records = sorted((r for recs, _ in files.values() for _, r in recs), key=lambda r: str(r["id"]))
    out = Path(args.out)
    manifest_path = Path(args.manifest) if args.manifest else out / "split.json"
    split = assign_splits(records, load_manifest(manifest_path), args.dev_fraction, args.seed)
    parts = {name: [r for r in records if split[str(r["id"])] == name] for name in (TRAIN, DEV)}
    for name, part in parts.items():
        write_records(out / f"{name}.jsonl", part)
    write_records(out / "seeds.jsonl", [r for r in records if str(r["id"]).startswith("seed-")])
    save_manifest(manifest_path, split)
    print(format_table({name: compute_stats(part) for name, part in parts.items()}))
    conflicts = label_conflicts(_where(read))
    if conflicts:
        print(f"note: {len(conflicts)} repeated sentence(s) carry different labels in different documents; "
              f"review them with python -m training conflicts {' '.join(args.surface)}", file=sys.stderr)  # fmt: skip
    missing = missing_in_dev(records, split)
    if missing:
        print(f"warning: not in dev (too rare, or fixed by the manifest): {', '.join(missing)}", file=sys.stderr)
    print(f"wrote {out / 'train.jsonl'}, {out / 'dev.jsonl'}, {out / 'seeds.jsonl'}, {manifest_path}", file=sys.stderr)
    return 0


def _read_json_any(path: str) -> list[dict[str, Any]]:
    """Read a JSON list or a JSONL file."""
    lines = []
    for _, line in read_lines(path):
        if isinstance(line, DataFormatError):
            raise line
        lines.append(line)
    content = "".join(lines)
    if content.lstrip().startswith("["):
        return parse_json_array(content, path)
    return [parse_line(line, path, n) for n, line in enumerate(lines, 1) if line.strip()]


def _import(args: argparse.Namespace) -> list[Record]:
    from training.data.annotation_doccano import from_doccano
    from training.data.annotation_doccano_sentences import merge_doccano_sentences
    from training.data.annotation_label_studio import from_label_studio
    from training.data import convert_conll as conll

    fmt, source = args.format, args.input
    if fmt == "anercorp":
        return conll.read_anercorp(source, args.sentences_per_doc, args.id_prefix)
    if fmt == "wikifane":
        return conll.read_wikifane(source, args.sentences_per_doc, args.id_prefix)
    if fmt == "conll":
        mapping: dict[str, str | None] = {t: t for t in ("PER", "ORG", "LOC", "FAC")}
        prefix = args.id_prefix or conll.id_prefix_from_path(source)
        return conll.conll_to_records(conll.read_conll(source), mapping, prefix, args.sentences_per_doc)
    if fmt in ("doccano", "labelstudio"):
        notes: list[str] = []
        reader = from_doccano if fmt == "doccano" else from_label_studio
        records = reader(_read_json_any(source), notes)
        for note in notes:
            print(f"convert: {note}", file=sys.stderr)
        return records
    if fmt == "doccano-sentences":
        if not args.records:
            raise DataFormatError("convert doccano-sentences needs --records FILE: the records to merge the sentence labels into")
        records = [r for _, r in iter_records(args.records)]
        merge_notes: list[str] = []
        merged = merge_doccano_sentences(records, _read_json_any(source), args.keep_missing, merge_notes)
        for note in merge_notes:
            print(f"convert: {note}", file=sys.stderr)
        return merged
    return _import_surface(source)


def _import_surface(source: str) -> list[Record]:
    """Convert every surface document; refuse (all problems named, nothing written) if any fails."""
    from training.data.surface import read_surface_file

    converted, problems = read_surface_file(source)
    if problems:
        summary = f"{source}: {len(problems)} line(s) cannot be converted; nothing written. Fix them:"
        raise DataFormatError("\n".join([summary, *problems]))
    return [record for _, record in converted]


def _export_doccano_sentences(args: argparse.Namespace, records: list[Record]) -> str:
    """Write the sentence examples; name the records left out; refuse an export with none. Returns the summary."""
    from training.data.annotation_doccano_sentences import has_sentence_layers, to_doccano_sentences
    from training.data.stats import brief_ids

    items = to_doccano_sentences(records, include_ner_only=args.include_ner_only)
    left_out = [] if args.include_ner_only else [str(r["id"]) for r in records if not has_sentence_layers(r)]
    how = ("pass --include-ner-only to export them for stance and events annotation (the merge then adds those "
           "layers to them)")  # fmt: skip
    if not items:
        raise DataFormatError(f"{args.input}: nothing to export: all {len(records)} record(s) are NER-only (\"tasks\" "
                              f"without 'stance', e.g. from a plain Doccano project: {brief_ids(left_out)}); {how}")  # fmt: skip
    if left_out:
        print(f"convert: left out {len(left_out)} of {len(records)} record(s) that are NER-only (\"tasks\" without "
              f"'stance'): {brief_ids(left_out, limit=20)}; {how}", file=sys.stderr)  # fmt: skip
    write_records(args.output, items)
    exported = len({item["doc_id"] for item in items})
    return f"wrote {len(items)} example(s) of {exported} record(s) to {args.output}"


def _export(args: argparse.Namespace) -> str:
    """Export the records of ``args.input``; return the summary line."""
    from training.data.annotation_doccano import to_doccano
    from training.data.annotation_label_studio import label_studio_config, to_label_studio
    from training.data import convert_conll as conll

    records, problems = load_checked(args.input)
    if problems:
        raise DataFormatError(f"{args.input} is not valid ({len(problems)} problem(s)); first: {problems[0]}")
    plain = [r for _, r in records]
    fmt, target = args.format, args.output
    if fmt == "doccano-sentences":
        return _export_doccano_sentences(args, plain)
    if fmt in ("anercorp", "conll"):
        conll.write_conll(target, conll.records_to_conll(plain, conll.SCHEMA_TO_ANERCORP if fmt == "anercorp" else None))
    elif fmt == "labelstudio":
        Path(target).parent.mkdir(parents=True, exist_ok=True)
        with open(target, "w", encoding="utf-8") as handle:
            json.dump(to_label_studio(plain), handle, ensure_ascii=False, indent=1)
        if args.config:
            with open(args.config, "w", encoding="utf-8") as handle:
                handle.write(label_studio_config())
    elif fmt == "surface":
        write_records(target, [to_surface(r) for r in plain])
    else:
        write_records(target, to_doccano(plain))
    return f"wrote {target}"


def cmd_convert(args: argparse.Namespace) -> int:
    """Import a format into JSONL records, or export records with --export."""
    from training.data.validate import validate_record
    from training.data.validate_file_checks import duplicate_id_messages

    formats = EXPORT_FORMATS if args.export else IMPORT_FORMATS
    if args.format not in formats:
        direction = "exported" if args.export else "imported"
        print(f"convert: {args.format!r} cannot be {direction}; choose from {list(formats)}", file=sys.stderr)
        return 2
    try:
        if args.export:
            print(_export(args), file=sys.stderr)
            return 0
        records = _import(args)
    except (DataFormatError, OSError) as err:
        print(f"convert: {err}", file=sys.stderr)
        return 1
    write_records(args.output, records)
    problems = [f"{args.output}:{n}: {r.get('id')}: {m}" for n, r in enumerate(records, 1) for m in validate_record(r)]
    problems += duplicate_id_messages((f"{args.output}:{n}", r) for n, r in enumerate(records, 1))
    for problem in problems:
        print(problem)
    entities = sum(len(r["entities"]) for r in records)
    sentences = sum(len(r["sentences"]) for r in records)
    summary = f"{len(records)} record(s), {sentences} sentence(s), {entities} entities"
    print(f"wrote {summary} to {args.output}; {len(problems)} problem(s)", file=sys.stderr)
    if problems and args.format in TOOL_IDS:
        print(f"convert: {args.output} is written so that you can fix them there (python -m training validate "
              f"{args.output} checks it again), or fix them in the tool and export again: {TOOL_IDS[args.format]} "
              f"of {args.input}", file=sys.stderr)  # fmt: skip
    return 1 if problems else 0


def cmd_stats(args: argparse.Namespace) -> int:
    """Print label counts per file, as a table or JSON; refuse files with problems unless ``--force``.

    Problems are those of ``validate``, repeated ids included; with ``--force`` the counts include
    ``duplicate_ids``, a note on stderr names the repeated ids, and another says how many lines
    could not be read or converted (those are not counted).
    """
    from training.data.stats import brief_ids, compute_stats, format_table, to_json
    from training.data.validate_file_checks import duplicate_ids

    by_name: dict[str, Any] = {}
    for path in _expand(args.files):
        checked = read_checked(path)
        records, problems = checked.records, checked.problems + _duplicates({path: checked.records})
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


def _where(files: dict[str, list[tuple[int, Record]]]) -> list[tuple[str, Record]]:
    """``("file:line", record)`` for every record of ``files`` (path -> ``(line, record)``)."""
    return [(f"{path}:{line_no}", record) for path, records in files.items() for line_no, record in records]


def cmd_conflicts(args: argparse.Namespace) -> int:
    """Print the repeated sentences whose copies carry different labels; 1 with ``--fail`` if any."""
    from training.data.consistency import label_conflicts

    files = {path: load_checked(path) for path in _expand(args.files)}
    problems = [p for _, found in files.values() for p in found]
    if problems:
        print("\n".join(problems), file=sys.stderr)
        print(f"conflicts: {len(problems)} problem(s) in the input; fix them first (python -m training validate)",
              file=sys.stderr)  # fmt: skip
        return 1
    conflicts = label_conflicts(_where({path: recs for path, (recs, _) in files.items()}), args.min_words)
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
