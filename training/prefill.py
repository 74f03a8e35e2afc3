"""``python -m training prefill``: pre-annotate articles with a model, for annotators to correct.

Annotators then start from the model's reading of each article instead of an empty skeleton:
its sentence cuts, entities, sentence stances with their holders, events and document stance.
Correcting is faster than writing from nothing, and what the model gets wrong is what the next
model needs to learn. Three outputs, chosen by ``--format``:

- ``surface`` (the default): surface documents (docs/annotation.md §6), to edit as text;
- ``records``: SCHEMA.md §5 offset records;
- ``labelstudio``: Label Studio tasks whose *predictions* carry the model's labels; an annotator
  submits each task as an annotation, which is what ``convert labelstudio`` imports (a task that
  was never submitted is left out), so an unreviewed prediction never becomes training data.

Every surface document and record carries ``"prefilled": {"model": …}``, which ``validate``
(and so ``build-data``, ``finetune`` and ``retune``) refuses: delete the key once the document
has been read through and corrected. Where the surface format cannot name a predicted entity (its
text also occurs, unpredicted, earlier in the sentence) or holder, the document lists it in
``prefilled.left_out`` instead of dropping it silently.

    python -m training prefill ../shared/data/news/annotation_pool_iraq.jsonl seeds/surface/batch99.jsonl \\
        --id-field doc_id --id-prefix pool- --keep-fields date --source-fields corpus doc_id url title \\
        --skip-annotated seeds/*.jsonl seeds/surface/*.jsonl

``--skip-annotated`` leaves out (and names) the inputs those files already annotate: the same id,
or the same article under another id.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from arabnews_nlp.analyze_inputs import check_paths, read_inputs
from arabnews_nlp.errors import ConfigError, DataFormatError
from arabnews_nlp.results import Analysis
from training.data.records import Record, sentence_entities, span_text, write_records
from training.data.surface import find_whole_words
from training.data.validate_fields import PREFILLED

FORMATS = ("surface", "records", "labelstudio")


def analysis_to_record(doc_id: str, analysis: Analysis, fields: Mapping[str, Any] | None = None) -> Record:
    """Return the SCHEMA.md §5 record that says what ``analysis`` says about its text.

    Args:
        doc_id: The record's ``id``.
        analysis: The model's analysis of the article.
        fields: Other top-level fields to carry (``source``, ``date``…), placed after ``id``.

    Returns:
        The record: the analysis's sentences (stance label, holder span, event labels), its
        entities and its document stance; scores are left out.

    Example:
        >>> from arabnews_nlp.results import Entity, SentenceResult, Stance
        >>> text = "قصف في بغداد."
        >>> baghdad = Entity(7, 12, "LOC", "بغداد", 0.9)
        >>> sentence = SentenceResult(0, 13, text, Stance("neutral", 0.8), (), (baghdad,))
        >>> record = analysis_to_record("d1", Analysis(text, Stance("neutral", 0.9), (baghdad,), (sentence,)))
        >>> record["entities"], record["sentences"][0]["stance"]
        ([{'start': 7, 'end': 12, 'label': 'LOC'}], 'neutral')
    """
    sentences = []
    for sentence in analysis.sentences:
        holder = sentence.stance.holder
        sentences.append({
            "start": sentence.start, "end": sentence.end, "stance": sentence.stance.label,
            "holder": None if holder is None else {"start": holder.start, "end": holder.end},
            "events": [event.label for event in sentence.events],
        })  # fmt: skip
    entities = [{"start": e.start, "end": e.end, "label": e.label} for e in analysis.entities]
    return {"id": doc_id, **(fields or {}), "text": analysis.text, "doc_stance": analysis.stance.label,
            "sentences": sentences, "entities": entities}  # fmt: skip


def to_prefilled_surface(record: Mapping[str, Any]) -> Record:
    """Return ``record`` as a surface document, keeping what the surface format can name.

    An entity whose text also occurs as whole words earlier in its sentence (after the entity
    before it) cannot be named by text, nor a holder when no entity the sentence keeps has its
    text: each goes to ``record["prefilled"]["left_out"]`` (sentence number, text, label or
    ``"holder"``, offset) for the annotator to add back. A holder names the first entity with its
    text, as the surface format reads it: the same name.

    Args:
        record: A record from :func:`analysis_to_record`, with its ``prefilled`` mark.

    Returns:
        The surface document.
    """
    text = record["text"]
    left_out: list[dict[str, Any]] = []
    sentences = []
    placed: set[tuple[int, int]] = set()
    for number, sentence in enumerate(record["sentences"]):
        named, position = [], sentence["start"]
        for entity in sentence_entities(record, sentence):
            placed.add((entity["start"], entity["end"]))
            surface = span_text(record, entity)
            if find_whole_words(text, surface, position, sentence["end"]) == entity["start"]:
                named.append([surface, entity["label"]])
                position = entity["end"]
            else:
                left_out.append({"sentence": number, "text": surface, "label": entity["label"], "start": entity["start"]})
        holder = _holder_text(record, sentence, named, left_out, number)
        sentences.append({"text": span_text(record, sentence), "stance": sentence["stance"],
                          "holder": holder, "events": list(sentence["events"]), "entities": named})  # fmt: skip
    left_out += [{"sentence": None, "text": span_text(record, e), "label": e["label"], "start": e["start"]}
                 for e in record["entities"] if (e["start"], e["end"]) not in placed]  # fmt: skip
    doc = {key: value for key, value in record.items() if key not in ("sentences", "entities")}
    if left_out:
        doc[PREFILLED] = {**doc[PREFILLED], "left_out": left_out}
    doc["sentences"] = sentences
    return doc


def _holder_text(
    record: Mapping[str, Any], sentence: Mapping[str, Any], named: list[list[str]], left_out: list[dict[str, Any]],
    number: int,
) -> str | None:
    """The surface holder of ``sentence``: its text when one of the ``named`` entities has it, else noted."""
    holder = sentence["holder"]
    if holder is None:
        return None
    surface = span_text(record, holder)
    if any(name == surface for name, _ in named):
        return surface
    left_out.append({"sentence": number, "text": surface, "label": "holder", "start": holder["start"]})
    return None


def to_label_studio_predictions(records: Sequence[Mapping[str, Any]], model_version: str) -> list[dict[str, Any]]:
    """Return Label Studio tasks whose ``predictions`` (not ``annotations``) hold ``records``' labels.

    Args:
        records: Records from :func:`analysis_to_record`, without the ``prefilled`` mark (a
            submitted annotation is a reviewed one).
        model_version: Shown by Label Studio beside each prediction.

    Returns:
        The tasks, in the layout of :func:`training.data.annotation_label_studio.to_label_studio`.
    """
    from training.data.annotation_label_studio import to_label_studio

    tasks = to_label_studio(records)
    for task in tasks:
        (annotation,) = task.pop("annotations")
        task["predictions"] = [{"model_version": model_version, **annotation}]
    return tasks


def _documents(args: argparse.Namespace) -> Iterator[tuple[str, dict[str, Any], str]]:
    """Yield ``(id, fields, text)`` per input document, refusing a missing or repeated id and empty text."""
    wanted = [*args.keep_fields, *args.source_fields]
    seen: set[str] = set()
    for raw_id, kept, text in read_inputs(args.inputs, "auto", args.id_field, args.text_field, wanted, warn=_refuse_no_id):
        if raw_id is None or raw_id == "":
            raise DataFormatError("a text read from stdin or a JSONL record with an empty id has no id; "
                                  "give the text as a file (its name is the id) or set the id")  # fmt: skip
        doc_id = args.id_prefix + (Path(raw_id).stem if raw_id in args.inputs else str(raw_id))
        if doc_id in seen:
            raise DataFormatError(f"id {doc_id!r} is repeated in the input; every document needs its own id")
        seen.add(doc_id)
        if not text.strip():
            raise DataFormatError(f"{doc_id}: the text is empty or whitespace, so there is nothing to annotate; drop it")
        fields = {name: kept[name] for name in args.keep_fields if kept[name] is not None}
        source = {name: kept[name] for name in args.source_fields if kept[name] is not None}
        yield doc_id, {**({"source": source} if source else {}), **fields}, text


def _refuse_no_id(message: str) -> None:
    raise DataFormatError(message.replace("its result, and those of any other record without one, carry no id",
                                          "a pre-annotated document needs an id"))  # fmt: skip


def prefill(args: argparse.Namespace) -> tuple[list[Record], str]:
    """Analyse the inputs with the model; return the records (marked) and the model's name."""
    from arabnews_nlp import Analyzer, __version__

    model_name = args.model or "bundled default"
    mark = {"model": model_name, "arabnews_nlp": __version__}
    documents = _not_annotated(list(_documents(args)), args.skip_annotated)  # all checked before the model loads
    analyzer = Analyzer.from_pretrained(args.model, device=args.device)
    analyses = analyzer.pipe([text for _, _, text in documents], batch_size=args.batch_size,
                             progress=not args.no_progress)  # fmt: skip
    records = [analysis_to_record(doc_id, analysis, {**fields, PREFILLED: mark})
               for (doc_id, fields, _), analysis in zip(documents, analyses, strict=True)]  # fmt: skip
    return records, model_name


def _not_annotated(
    documents: list[tuple[str, dict[str, Any], str]], annotated: Sequence[str]
) -> list[tuple[str, dict[str, Any], str]]:
    """Leave out (naming each on stderr) the documents that a file of ``annotated`` already holds.

    A document is already annotated when a record of those files has its id, or at least half of
    the 5-word sequences of the shorter text (the same article under another id, as pool articles
    can be: :func:`training.data.split.held_out_copies`).
    """
    if not annotated:
        return documents
    from training.data.records import read_records
    from training.data.split import held_out_copies

    pairs = held_out_copies([{"id": doc_id, "text": text} for doc_id, _, text in documents],
                            {path: read_records(path) for path in annotated})  # fmt: skip
    where: dict[str, list[str]] = {}
    for doc_id, path, other in pairs:
        where.setdefault(doc_id, []).append(f"{path} ({'the same id' if doc_id == other else f'as {other!r}'})")
    for doc_id, found in where.items():
        print(f"prefill: left out {doc_id!r}, already annotated in {', '.join(found)}", file=sys.stderr)
    done = set(where)
    if len(done) == len(documents):
        raise DataFormatError(f"all {len(documents)} input document(s) are already annotated in {list(annotated)}; "
                              "there is nothing to pre-annotate")  # fmt: skip
    return [document for document in documents if document[0] not in done]


def _write(records: list[Record], model_name: str, args: argparse.Namespace) -> str:
    """Write ``records`` in ``args.format``; return the summary line."""
    if args.format == "labelstudio":
        plain = [{k: v for k, v in r.items() if k != PREFILLED} for r in records]
        Path(args.output).parent.mkdir(parents=True, exist_ok=True)
        with open(args.output, "w", encoding="utf-8") as handle:
            json.dump(to_label_studio_predictions(plain, model_name), handle, ensure_ascii=False, indent=1)
        if args.config:
            from training.data.annotation_label_studio import label_studio_config

            Path(args.config).write_text(label_studio_config(), encoding="utf-8")
        return f"wrote {len(records)} Label Studio task(s) with the model's predictions to {args.output}"
    documents = [to_prefilled_surface(r) for r in records] if args.format == "surface" else records
    write_records(args.output, documents)
    left = sum(len(d[PREFILLED].get("left_out", ())) for d in documents)
    note = (f"; {left} prediction(s) the surface format cannot name are listed in each document's "
            f"'{PREFILLED}.left_out'" if left else "")  # fmt: skip
    return (f"wrote {len(records)} pre-annotated document(s) to {args.output}{note}; review each one, then delete "
            f"its '{PREFILLED}' key (validate refuses it until then)")  # fmt: skip


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m training prefill", formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Pre-annotate articles with a model (its sentences, entities, stances, holders and events), for "
        "annotators to correct; every document is marked 'prefilled', which validate refuses until the mark is deleted "
        "after review.",
        epilog="example (20 pool articles as a surface batch):\n  head -20 ../shared/data/news/annotation_pool_iraq.jsonl "
        "> new.jsonl\n  python -m training prefill new.jsonl seeds/surface/batch99.jsonl --id-field doc_id "
        "--id-prefix pool- \\\n      --keep-fields date --source-fields corpus doc_id url title",
    )  # fmt: skip
    parser.add_argument("inputs", nargs="+", help="text files (one article each, id = file name) or JSONL files")
    parser.add_argument("output", help="the output file (JSONL; JSON for --format labelstudio)")
    parser.add_argument("--format", choices=FORMATS, default="surface", help="what to write (default: surface)")
    parser.add_argument("--model", default=None, help="model directory or hub id (default: the bundled model)")
    parser.add_argument("--id-field", default="id", help="JSONL field with the document id (default: id)")
    parser.add_argument("--text-field", default="text", help="JSONL field with the text (default: text)")
    parser.add_argument("--id-prefix", default="", help="put before every id, e.g. pool- for pool articles")
    parser.add_argument("--keep-fields", nargs="*", default=[], help="JSONL fields copied as they are, e.g. date")
    parser.add_argument("--source-fields", nargs="*", default=[], help="JSONL fields gathered into 'source'")
    parser.add_argument("--config", default=None, help="with --format labelstudio: also write the labeling config here")
    parser.add_argument("--skip-annotated", nargs="+", default=[], metavar="FILE",
                        help="JSONL files of annotated documents (e.g. seeds/*.jsonl seeds/surface/*.jsonl): an input "
                        "with the id, or the article, of one of theirs is left out and named")  # fmt: skip
    parser.add_argument("--batch-size", type=int, default=8, help="documents per batch (default: 8)")
    parser.add_argument("--device", default="auto", help="auto, cpu, cuda or cuda:N (default: auto)")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    return parser


def main(argv: Iterable[str] | None = None) -> int:
    """Run ``python -m training prefill`` (``argv`` may start with the command name)."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    if args_list[:1] == ["prefill"]:
        args_list = args_list[1:]
    args = _parser().parse_args(args_list)
    _check_args(args)
    records, model_name = prefill(args)
    print(_write(records, model_name, args), file=sys.stderr)
    return 0


def _check_args(args: argparse.Namespace) -> None:
    """Refuse options that cannot work together, and missing inputs, before anything is read."""
    if args.batch_size < 1:
        raise ConfigError(f"--batch-size must be at least 1, got {args.batch_size}")
    written = {"id", "text", "doc_stance", "sentences", "entities", PREFILLED, *(["source"] if args.source_fields else [])}
    if written & set(args.keep_fields):
        raise ConfigError(f"--keep-fields {sorted(written & set(args.keep_fields))}: prefill writes these keys itself; "
                          "keep other fields (e.g. date), and gather source fields with --source-fields")  # fmt: skip
    if args.config and args.format != "labelstudio":
        raise ConfigError(f"--config writes Label Studio's labeling config: it needs --format labelstudio, not {args.format}")
    check_paths(args.inputs, args.output)
    check_paths(args.skip_annotated, None)
    if any(Path(args.output).exists() and Path(path).samefile(args.output) for path in args.skip_annotated):
        raise ConfigError(f"--skip-annotated lists the output {args.output}, which prefill overwrites; "
                          "write the new batch to a new file")  # fmt: skip
