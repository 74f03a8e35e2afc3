"""Label Studio projects: records to and from tasks, and the labeling config that matches them.

One job: :func:`label_studio_config`, :func:`to_label_studio` and :func:`from_label_studio`
(see :mod:`training.data.annotation_tools` for the format).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timezone
from typing import Any

from arabnews_nlp.errors import DataFormatError
from arabnews_nlp.schema import ENTITY_TYPES, EVENT_TYPES, STANCE_LABELS
from training.data.annotation_common import META_KEY, _check_not_ours, _fallback_sentences, _item_id
from training.data.records import Record, record_tasks, span_text
from training.data.stats import brief_ids

SENTENCE_LABEL = "SENTENCE"
"""Label Studio region label that marks a sentence (structure, not a schema label)."""

HOLDER_RELATION = "holder"
"""Label Studio relation label from a sentence region to its stance holder's entity region."""


def label_studio_config() -> str:
    """Return the Label Studio labeling config (XML) that matches :func:`to_label_studio`.

    Example:
        >>> '<Label value="FAC"/>' in label_studio_config()
        True
    """

    def options(tag: str, values: Sequence[str]) -> str:
        return "".join(f'<{tag} value="{v}"/>' for v in values)

    return (
        "<View>\n"
        f'  <Labels name="entities" toName="text" choice="single">{options("Label", ENTITY_TYPES)}</Labels>\n'
        f'  <Labels name="sentence" toName="text" choice="single">{options("Label", [SENTENCE_LABEL])}</Labels>\n'
        '  <Text name="text" value="$text"/>\n'
        f'  <Relations>{options("Relation", [HOLDER_RELATION])}</Relations>\n'
        f'  <Choices name="doc_stance" toName="text" choice="single">{options("Choice", STANCE_LABELS)}</Choices>\n'
        f'  <Choices name="stance" toName="text" perRegion="true" choice="single">{options("Choice", STANCE_LABELS)}</Choices>\n'
        f'  <Choices name="events" toName="text" perRegion="true" choice="multiple">{options("Choice", EVENT_TYPES)}</Choices>\n'
        "</View>\n"
    )


def _region(
    region_id: str, from_name: str, record: Mapping[str, Any], span: Mapping[str, Any], key: str, values: list[str]
) -> dict[str, Any]:
    value = {"start": span["start"], "end": span["end"], "text": span_text(record, span), key: values}
    kind = "labels" if key == "labels" else "choices"
    return {"id": region_id, "from_name": from_name, "to_name": "text", "type": kind, "value": value}


def to_label_studio(records: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Export records as Label Studio tasks with their annotations (format: :mod:`training.data.annotation_tools`).

    Example:
        >>> rec = {"id": "d1", "text": "في بغداد", "doc_stance": None, "entities": [
        ...     {"start": 3, "end": 8, "label": "LOC"}], "sentences": []}
        >>> to_label_studio([rec])[0]["annotations"][0]["result"][0]["value"]["labels"]
        ['LOC']
    """
    tasks = []
    for record in records:
        entity_ids = {(e["start"], e["end"]): f"e{i}" for i, e in enumerate(record["entities"])}
        result = [_region(f"e{i}", "entities", record, e, "labels", [e["label"]]) for i, e in enumerate(record["entities"])]
        for i, sentence in enumerate(record["sentences"]):
            result.append(_region(f"s{i}", "sentence", record, sentence, "labels", [SENTENCE_LABEL]))
            if sentence.get("stance") is not None:
                result.append(_region(f"s{i}", "stance", record, sentence, "choices", [sentence["stance"]]))
            if sentence.get("events"):
                result.append(_region(f"s{i}", "events", record, sentence, "choices", list(sentence["events"])))
            holder = sentence.get("holder")
            if holder is not None:
                to_id = entity_ids.get((holder["start"], holder["end"]))
                result.append({"type": "relation", "from_id": f"s{i}", "to_id": to_id, "direction": "right", "labels": [HOLDER_RELATION]})
        if record.get("doc_stance") is not None:
            value = {"choices": [record["doc_stance"]]}
            result.append({"id": "doc", "from_name": "doc_stance", "to_name": "text", "type": "choices", "value": value})
        meta = {k: v for k, v in record.items() if k not in ("text", "entities", "sentences", "doc_stance")}
        tasks.append({"data": {"text": record["text"], META_KEY: meta}, "annotations": [{"result": result}]})
    return tasks


def _timestamp(annotation: Mapping[str, Any]) -> datetime | None:
    """``updated_at``, else ``created_at``, of a Label Studio annotation (ISO 8601; naive = UTC)."""
    for key in ("updated_at", "created_at"):
        value = annotation.get(key)
        if isinstance(value, str):
            try:
                moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
            except ValueError:
                continue
            return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
    return None


def _chosen_annotation(task: Mapping[str, Any]) -> tuple[Mapping[str, Any] | None, int]:
    """Return the annotation to import and how many submitted (not skipped) annotations the task has.

    Skipped annotations (``was_cancelled``, or ``skipped`` in old exports) do not count. Of
    several, the ones a manager marked ``ground_truth`` are preferred; among those left, the most
    recent by ``updated_at`` (else ``created_at``) when every one has a timestamp, ties and
    otherwise the last in the list (Label Studio lists them in creation order).
    """
    annotations = task.get("annotations") or []
    if not isinstance(annotations, list):
        raise DataFormatError(f"Label Studio task {task.get('id')!r}: 'annotations' must be a list")
    submitted = [a for a in annotations if isinstance(a, Mapping) and not (a.get("was_cancelled") or a.get("skipped"))]
    candidates = [a for a in submitted if a.get("ground_truth")] or submitted
    if not candidates:
        return None, 0
    times = [_timestamp(a) for a in candidates]
    if all(t is not None for t in times):
        newest = max(range(len(candidates)), key=lambda i: (times[i], i))
        return candidates[newest], len(submitted)
    return candidates[-1], len(submitted)


def _task_record(task: Mapping[str, Any], number: int) -> tuple[Record, list[dict[str, Any]] | None, int]:
    """Return the record shell, the chosen annotation's result (None: nothing submitted) and how many were submitted."""
    data = task.get("data")
    _check_not_ours(task, f"Label Studio task {number}")
    if not (isinstance(data, Mapping) and isinstance(data.get("text"), str)):
        raise DataFormatError(f"Label Studio task {number}: missing data.text")
    meta = data.get(META_KEY)
    record: Record = dict(meta) if isinstance(meta, Mapping) else {"id": f"labelstudio-{_item_id(task, number)}"}
    record["text"] = data["text"]
    annotation, submitted = _chosen_annotation(task)
    return record, None if annotation is None else list(annotation.get("result") or []), submitted


def _task_name(task: Mapping[str, Any], number: int) -> str:
    return str(task["id"]) if task.get("id") is not None else f"#{number} (position in the export)"


def _import_notes(unannotated: Sequence[str], several: Sequence[str], total: int) -> list[str]:
    notes = []
    if unannotated:
        notes.append(
            f"skipped {len(unannotated)} of {total} Label Studio task(s) with no submitted annotation "
            f"(none, or only skipped ones), so not annotated: task id(s) {brief_ids(list(unannotated), limit=20)}"
        )
    if several:
        notes.append(
            f"{len(several)} Label Studio task(s) have several submitted annotations; took the one marked ground "
            f"truth, else the most recently updated: task id(s) {brief_ids(list(several), limit=20)}"
        )
    return notes


def from_label_studio(tasks: Sequence[Mapping[str, Any]], notes: list[str] | None = None) -> list[Record]:
    """Import Label Studio tasks (JSON export) as records, one per annotated task.

    A task without a submitted annotation (none, or only skipped ones: ``was_cancelled``) was not
    annotated and is left out; an empty record would teach "no entities here". Of several
    submitted annotations (an annotator's and a reviewer's, say) the one marked ``ground_truth``
    is taken, else the most recently updated (``updated_at``, else ``created_at``, else the last
    in the list). Without sentence regions the record becomes NER-only (``"tasks": ["ner"]``)
    with sentences from :func:`training.data.surface.presplit`. An entity region with several
    labels (or none) keeps them as a list, which validation reports, rather than the first.

    Args:
        tasks: The export, a list of tasks.
        notes: If given, a line is appended for the tasks left out and one for the tasks with
            several annotations (with their task ids), for the caller to show.

    Raises:
        DataFormatError: On a task without ``data.text`` or a holder relation to no entity.

    Example:
        >>> tasks = [{"id": 3, "data": {"text": "في بغداد"}, "annotations": [{"result": []}]},
        ...          {"id": 4, "data": {"text": "قصف"}, "annotations": [{"was_cancelled": True, "result": []}]}]
        >>> notes = []
        >>> [r["tasks"] for r in from_label_studio(tasks, notes)]
        [['ner']]
        >>> notes[0]
        'skipped 1 of 2 Label Studio task(s) with no submitted annotation (none, or only skipped ones), so not annotated: task id(s) 4'
    """
    records: list[Record] = []
    unannotated: list[str] = []
    several: list[str] = []
    for number, task in enumerate(tasks, 1):
        record, result, submitted = _task_record(task, number)
        if result is None:
            unannotated.append(_task_name(task, number))
            continue
        if submitted > 1:
            several.append(_task_name(task, number))
        records.append(_fill_record(record, result, number))
    if notes is not None:
        notes.extend(_import_notes(unannotated, several, len(tasks)))
    return records


def _fill_record(record: Record, result: Sequence[Mapping[str, Any]], number: int) -> Record:
    """Give ``record`` the entities, sentences, stances, holders and events of one annotation's ``result``."""
    regions: dict[str, dict[str, Any]] = {}
    entities, sentence_ids, relations = [], [], []
    for item in result:
        value, kind = item.get("value", {}), item.get("type")
        if kind == "relation":
            relations.append(item)
        elif kind == "labels" and item.get("from_name") == "sentence":
            regions.setdefault(item["id"], {}).update(start=value["start"], end=value["end"])
            sentence_ids.append(item["id"])
        elif kind == "labels":
            labels = list(value.get("labels") or [])  # several (or no) labels stay a list: validation reports it
            label = labels[0] if len(labels) == 1 else labels
            entities.append({"start": value["start"], "end": value["end"], "label": label})
            regions.setdefault(item["id"], {}).update(entity=(value["start"], value["end"]))
        elif kind == "choices" and item.get("from_name") == "doc_stance":
            record["doc_stance"] = value["choices"][0]
        elif kind == "choices":
            regions.setdefault(item["id"], {})[item["from_name"]] = list(value["choices"])
    record["entities"] = sorted(entities, key=lambda e: (e["start"], e["end"]))
    record.setdefault("doc_stance", None)
    if not sentence_ids:
        record.update(tasks=["ner"], sentences=_fallback_sentences(record["text"]))
        return record
    holders = _holders(relations, regions, number)
    tasks_ = record_tasks(record)
    record["sentences"] = [
        {"start": regions[i]["start"], "end": regions[i]["end"],
         "stance": (regions[i].get("stance") or [None])[0], "holder": holders.get(i),
         "events": regions[i].get("events", [] if "events" in tasks_ else None)}
        for i in sorted(sentence_ids, key=lambda i: regions[i]["start"])
    ]  # fmt: skip
    return record


def _holders(relations: Sequence[Mapping[str, Any]], regions: Mapping[str, Mapping[str, Any]], number: int) -> dict[str, dict[str, int]]:
    """Map sentence region id → holder span; a relation may be drawn in either direction."""
    holders: dict[str, dict[str, int]] = {}
    for relation in relations:
        if HOLDER_RELATION not in (relation.get("labels") or [HOLDER_RELATION]):
            continue
        ends = [str(relation.get("from_id")), str(relation.get("to_id"))]
        sentence = [i for i in ends if "start" in regions.get(i, {})]
        entity = [regions[i]["entity"] for i in ends if "entity" in regions.get(i, {})]
        if not (sentence and entity):
            raise DataFormatError(
                f"Label Studio task {number}: holder relation {ends[0]}→{ends[1]} must link a sentence region and an entity region"
            )
        holders[sentence[0]] = {"start": entity[0][0], "end": entity[0][1]}
    return holders
