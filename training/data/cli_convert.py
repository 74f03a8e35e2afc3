"""``python -m training convert``: import a tool's or corpus's format into records, or export records.

One job: the ``convert`` command (Doccano, Label Studio, CoNLL corpora and surface documents,
both ways); :mod:`training.data.cli` builds its parser and runs it.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from arabnews_nlp.errors import DataFormatError
from training.data.checked_files import load_checked
from training.data.json_decode import parse_json_array, parse_line
from training.data.records import Record, iter_records, read_lines, to_surface, write_records

TOOL_IDS = {
    "doccano": "a record doccano-N is the example with id N",
    "labelstudio": "a record labelstudio-N is task N, any other id that of the record exported to the task",
}
"""Import format -> how a converted record's id names the example of the export it came from."""
IMPORT_FORMATS = ("anercorp", "wikifane", "conll", "doccano", "doccano-sentences", "labelstudio", "surface")
EXPORT_FORMATS = ("anercorp", "conll", "doccano", "doccano-sentences", "labelstudio", "surface")


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
