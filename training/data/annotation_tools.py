"""Import and export annotations for Doccano and Label Studio.

**Doccano** (JSONL), two projects:

* *Sequence labeling*, one example per document (:func:`to_doccano` / :func:`from_doccano`):
  ``{"text", "label": [[start, end, "PER"], …], "arabnews": {…}}``. Doccano edits the
  entities; ``arabnews`` holds everything else of the record (id, source, sentences with
  stance, holder and events, doc_stance…) as metadata that Doccano keeps and exports back
  unchanged. Doccano offsets count UTF-16 code units (issue doccano#2290), so offsets are
  converted both ways; they equal Python's for Arabic text. An example without ``arabnews``
  metadata (made in Doccano from plain text) becomes an NER-only record (``"tasks": ["ner"]``)
  with sentences from :func:`training.data.surface.presplit`. ``label``, ``labels`` and
  ``entities`` (``start_offset``/``end_offset``) exports are all read; ``relations`` are not
  (a note counts them). An offset past the end of the text is kept, for validation to report.
* *Text classification*, one example per sentence (:func:`to_doccano_sentences` /
  :func:`merge_doccano_sentences`): ``{"text": sentence, "label": [stance, *events],
  "doc_id", "sentence", "start", "end", "holder"}``. Doccano edits the stance (exactly one of
  the stance labels) and events; merging writes them back into the records by ``doc_id`` and
  sentence index. Holders are shown (their text) but not edited. NER-only records are exported
  only on request, with one more example per record for the document stance
  (``"sentence": "document"``); the merge then adds the stance and events layers to them.

**Label Studio** (JSON list of tasks; :func:`to_label_studio` / :func:`from_label_studio`,
project config from :func:`label_studio_config`). Everything is carried and editable:
``data.text`` and ``data.arabnews`` (the other record fields), and in ``annotations[0].result``:
entity regions (``type: labels``, ``from_name: entities``), sentence regions (``type:
labels``, ``from_name: sentence``, label ``SENTENCE``) with per-region ``choices`` for
``stance`` (one) and ``events`` (several), the holder as a ``relation`` from the sentence region
to the entity region labelled ``holder``, and the document stance as a ``choices`` result
``doc_stance``. Label Studio offsets are code points, as in Python.

Example:
    >>> record = {"id": "d1", "text": "قصف بغداد.", "doc_stance": "neutral", "entities": [
    ...     {"start": 4, "end": 9, "label": "LOC"}], "sentences": [
    ...     {"start": 0, "end": 10, "stance": "neutral", "holder": None, "events": ["AIRSTRIKE"]}]}
    >>> from_label_studio(to_label_studio([record])) == [record]
    True
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timezone
from typing import Any

from arabnews_nlp.errors import DataFormatError
from arabnews_nlp.schema import ENTITY_TYPES, EVENT_TYPES, STANCE_LABELS
from training.data.records import TASKS, Record, record_tasks, span_text
from training.data.stats import brief_ids

META_KEY = "arabnews"
"""Key under which exports keep the record fields the tool does not edit."""

SENTENCE_LABEL = "SENTENCE"
"""Label Studio region label that marks a sentence (structure, not a schema label)."""

HOLDER_RELATION = "holder"
"""Label Studio relation label from a sentence region to its stance holder's entity region."""

DOCUMENT = "document"
"""``sentence`` value of the Doccano classification example that holds a document's stance."""

SENTENCE_LAYERS = ("stance", "events")
"""The layers that a Doccano classification project edits (one example per sentence)."""


def utf16_offset(text: str, index: int) -> int:
    """Return the UTF-16 code-unit offset of Python index ``index`` (as JavaScript counts).

    Example:
        >>> utf16_offset("😀ب", 1), utf16_offset("بب", 1)
        (2, 1)
    """
    return index + sum(1 for char in text[:index] if ord(char) > 0xFFFF)


def python_offset(text: str, units: int) -> int:
    """Return the Python index of UTF-16 code-unit offset ``units`` (inverse of :func:`utf16_offset`).

    An offset outside the text stays outside it (one index per unit past either end), so that
    validation reports the span instead of a silently clamped one.

    Example:
        >>> python_offset("😀ب", 2), python_offset("😀ب", 5)
        (1, 4)
    """
    if units < 0:
        return units
    count = 0
    for index, char in enumerate(text):
        if count >= units:
            return index
        count += 2 if ord(char) > 0xFFFF else 1
    return len(text) + max(0, units - count)


def _fallback_sentences(text: str) -> list[dict[str, Any]]:
    from training.data.surface import presplit

    sentences, pos = [], 0
    for piece in presplit(text):
        start = text.index(piece, pos)
        pos = start + len(piece)
        sentences.append({"start": start, "end": pos, "stance": None, "holder": None, "events": None})
    return sentences


def to_doccano(records: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Export records for a Doccano sequence-labeling project (one example per document).

    Example:
        >>> to_doccano([{"id": "d1", "text": "في بغداد", "entities": [{"start": 3, "end": 8, "label": "LOC"}],
        ...              "sentences": [], "doc_stance": None}])[0]["label"]
        [[3, 8, 'LOC']]
    """
    out = []
    for record in records:
        text = record["text"]
        labels = [[utf16_offset(text, e["start"]), utf16_offset(text, e["end"]), e["label"]] for e in record["entities"]]
        meta = {k: v for k, v in record.items() if k not in ("text", "entities")}
        out.append({"text": text, "label": labels, META_KEY: meta})
    return out


def _check_not_ours(item: Mapping[str, Any], what: str) -> None:
    """Refuse one of our records or surface documents given as a tool's export (it has ``sentences``)."""
    if "sentences" in item and META_KEY not in item:
        raise DataFormatError(
            f"{what} has 'sentences' and no '{META_KEY}': it is an arabnews record or surface document, not an "
            "export of the tool; import it with 'convert surface' (surface documents) or use it as it is "
            "(records), and make the tool's project from it with --export"
        )


def _doccano_spans(item: Mapping[str, Any], number: int) -> list[tuple[int, int, str]]:
    if isinstance(item.get("entities"), list):
        try:
            return [(e["start_offset"], e["end_offset"], e["label"]) for e in item["entities"]]
        except (KeyError, TypeError) as err:
            raise DataFormatError(
                f"Doccano example {number}: an item of 'entities' is not "
                f"{{'start_offset', 'end_offset', 'label'}} ({type(err).__name__}: {err})"
            ) from err
    spans = item.get("label", item.get("labels", []))
    if not isinstance(spans, list):
        raise DataFormatError(f"Doccano example {item.get('id')!r}: 'label' must be a list of [start, end, label]")
    return [(int(s[0]), int(s[1]), str(s[2])) for s in spans]


def from_doccano(items: Sequence[Mapping[str, Any]], notes: list[str] | None = None) -> list[Record]:
    """Import a Doccano sequence-labeling export as records (entities sorted by offset).

    An offset past the end of the text stays past it (:func:`python_offset`), for validation to
    report. Doccano ``relations`` are not read: holders come from the ``arabnews`` metadata (the
    records) or from Label Studio.

    Args:
        items: The export, one example per document.
        notes: If given, a line is appended naming the examples whose relations were ignored.

    Raises:
        DataFormatError: On an example without ``text`` or with malformed labels, or one of
            our records or surface documents (``sentences`` without ``arabnews`` metadata).

    Example:
        >>> notes = []
        >>> from_doccano([{"id": 7, "text": "في بغداد.", "label": [[3, 8, "LOC"]],
        ...                "relations": [{"from_id": 1, "to_id": 2, "type": "holder"}]}], notes)[0]["tasks"]
        ['ner']
        >>> notes[0].split(":")[0]
        'ignored 1 Doccano relation(s) in 1 example(s) (7)'
    """
    records: list[Record] = []
    relations: dict[str, int] = {}
    for number, item in enumerate(items, 1):
        if isinstance(item.get("relations"), list) and item["relations"]:
            relations[str(item.get("id", f"#{number}"))] = len(item["relations"])
        _check_not_ours(item, f"Doccano example {number}")
        text = item.get("text")
        if not isinstance(text, str):
            raise DataFormatError(f"Doccano example {number}: missing 'text'")
        entities = sorted(
            ({"start": python_offset(text, s), "end": python_offset(text, e), "label": label} for s, e, label in _doccano_spans(item, number)),
            key=lambda ent: (ent["start"], ent["end"]),
        )
        meta = item.get(META_KEY)
        if isinstance(meta, Mapping):
            record: Record = {**meta, "text": text, "entities": entities}
        else:
            record = {"id": f"doccano-{_item_id(item, number)}", "tasks": ["ner"], "text": text, "doc_stance": None,
                      "sentences": _fallback_sentences(text), "entities": entities}  # fmt: skip
        records.append(record)
    if relations and notes is not None:
        notes.append(
            f"ignored {sum(relations.values())} Doccano relation(s) in {len(relations)} example(s) "
            f"({brief_ids(list(relations), limit=20)}): relations are not read; holders come from the records "
            "(the arabnews metadata) or from Label Studio (convert labelstudio)"
        )
    return records


def _item_id(item: Mapping[str, Any], number: int) -> Any:
    """The tool's id of an example, or its number in the export when it has none (a missing, null or empty id)."""
    found = item.get("id")
    return number if found is None or found == "" else found


def has_sentence_layers(record: Mapping[str, Any]) -> bool:
    """Whether ``record`` declares the stance task, so its sentences are exported for review by default.

    Example:
        >>> has_sentence_layers({"tasks": ["ner"]}), has_sentence_layers({})
        (False, True)
    """
    return "stance" in record_tasks(record)


def to_doccano_sentences(records: Sequence[Mapping[str, Any]], include_ner_only: bool = False) -> list[dict[str, Any]]:
    """Export one Doccano text-classification example per sentence (labels: stance + events).

    Records that do not annotate stance (``"tasks": ["ner"]``: ANERcorp, a plain Doccano
    project) are left out unless ``include_ner_only``; then their sentences are exported without
    labels, followed by one example of the whole text (``"sentence": "document"``) for the
    document stance, and :func:`merge_doccano_sentences` adds the stance and events layers.

    Example:
        >>> rec = {"id": "d1", "text": "قصف.", "entities": [], "sentences": [
        ...     {"start": 0, "end": 4, "stance": "neutral", "holder": None, "events": ["AIRSTRIKE"]}]}
        >>> to_doccano_sentences([rec])[0]["label"]
        ['neutral', 'AIRSTRIKE']
        >>> ner = dict(rec, tasks=["ner"], sentences=[{"start": 0, "end": 4, "stance": None, "holder": None, "events": None}])
        >>> [(x["sentence"], x["label"]) for x in to_doccano_sentences([ner], include_ner_only=True)]
        [(0, []), ('document', [])]
    """
    out = []
    for record in records:
        annotated = has_sentence_layers(record)
        if not (annotated or include_ner_only):
            continue
        for index, sentence in enumerate(record["sentences"]):
            labels = ([sentence["stance"]] if sentence.get("stance") else []) + list(sentence.get("events") or [])
            holder = sentence.get("holder")
            out.append(
                {"text": span_text(record, sentence), "label": labels, "doc_id": record["id"], "sentence": index,
                 "start": sentence["start"], "end": sentence["end"],
                 "holder": None if holder is None else span_text(record, holder)}
            )  # fmt: skip
        if not annotated:
            text = record["text"]
            out.append({"text": text, "label": [], "doc_id": record["id"], "sentence": DOCUMENT, "start": 0,
                        "end": len(text), "holder": None})  # fmt: skip
    return out


def merge_doccano_sentences(
    records: Sequence[Mapping[str, Any]],
    items: Sequence[Mapping[str, Any]],
    keep_missing: bool = False,
    notes: list[str] | None = None,
) -> list[Record]:
    """Write stance and events from a Doccano classification export back into copies of ``records``.

    Every sentence that :func:`to_doccano_sentences` exports must come back exactly once: an
    example deleted in Doccano (or left out of a partial export) would otherwise keep its old
    labels without anyone having reviewed them. A record without the stance or events layer
    (``"tasks": ["ner"]``) that has examples in the export gains both layers (its ``tasks``
    lists them, so training learns them); then all of its sentences and its document example
    (``"sentence": "document"``, one stance label: the document stance) must come back. Its
    holders stay ``null``: Doccano does not edit holders.

    Args:
        records: The records that were exported.
        items: The Doccano export (one example per sentence).
        keep_missing: Keep the current labels of sentences that have no example instead of
            failing (e.g. to merge the export of a subset of the documents); a NER-only record
            with some examples missing then stays as it was (it cannot gain layers that some of
            its sentences lack), with a note.
        notes: Where to append those notes (the CLI prints them).

    Raises:
        DataFormatError: On an unknown document or sentence, a sentence whose text changed, a
            label that is neither a stance nor an event, not exactly one stance label, two
            examples of one sentence, or (unless ``keep_missing``) sentences without an example.

    Example:
        >>> rec = {"id": "d1", "text": "قصف.", "entities": [], "sentences": [
        ...     {"start": 0, "end": 4, "stance": "neutral", "holder": None, "events": []}]}
        >>> item = {"text": "قصف.", "label": ["anti", "THREAT"], "doc_id": "d1", "sentence": 0}
        >>> merge_doccano_sentences([rec], [item])[0]["sentences"][0]
        {'start': 0, 'end': 4, 'stance': 'anti', 'holder': None, 'events': ['THREAT']}
        >>> ner = dict(rec, tasks=["ner"], doc_stance=None)
        >>> doc = {"text": "قصف.", "label": ["neutral"], "doc_id": "d1", "sentence": "document"}
        >>> merged = merge_doccano_sentences([ner], [item, doc])[0]
        >>> merged["tasks"], merged["doc_stance"]
        (['ner', 'stance', 'events'], 'neutral')
    """
    merged = {r["id"]: {**r, "sentences": [dict(s) for s in r["sentences"]]} for r in records}
    seen: set[tuple[str, int | str]] = set()
    for number, item in enumerate(items, 1):
        _check_not_ours(item, f"Doccano example {number}")
        where = f"Doccano example for {item.get('doc_id')!r} sentence {item.get('sentence')!r}"
        record = merged.get(item.get("doc_id"))
        index = item.get("sentence")
        if record is not None and index == DOCUMENT:
            _merge_document_example(record, item, seen)
            continue
        if record is None or not isinstance(index, int) or not 0 <= index < len(record["sentences"]):
            raise DataFormatError(f"{where}: no such document or sentence in the records")
        if (record["id"], index) in seen:
            raise DataFormatError(f"{where}: the export holds two examples of this sentence; keep one in Doccano")
        seen.add((record["id"], index))
        sentence = record["sentences"][index]
        if span_text(record, sentence) != item.get("text"):
            raise DataFormatError(f"{where}: the sentence text changed; edit texts in the records, not in Doccano")
        labels = list(item.get("label", []))
        unknown = [x for x in labels if x not in STANCE_LABELS and x not in EVENT_TYPES]
        stances = [x for x in labels if x in STANCE_LABELS]
        if unknown or len(stances) != 1:
            raise DataFormatError(f"{where}: labels {labels} must be exactly one stance of {list(STANCE_LABELS)} plus events")
        sentence["stance"] = stances[0]
        if stances[0] == "neutral":  # a neutral sentence holds no position, so no holder
            sentence["holder"] = None
        sentence["events"] = [x for x in EVENT_TYPES if x in labels]
    reviewed = {doc for doc, _ in seen}
    missing: list[tuple[str, int | str]] = []
    for original in records:
        record, tasks, annotated = merged[original["id"]], record_tasks(original), has_sentence_layers(original)
        if not annotated and record["id"] not in reviewed:
            continue
        own = [(record["id"], i) for i in range(len(record["sentences"])) if (record["id"], i) not in seen]
        if not annotated and (record["id"], DOCUMENT) not in seen:
            own.append((record["id"], DOCUMENT))
        missing += own
        if all(layer in tasks for layer in SENTENCE_LAYERS):
            continue
        if own and keep_missing:  # with the layers, a partly reviewed NER-only record would be invalid
            merged[record["id"]] = original
            kept = sum(1 for doc, _ in seen if doc == record["id"])
            if notes is not None:
                notes.append(f"{record['id']!r}: {len(own)} of its sentences or its document stance have no Doccano "
                             f"example, so it stays NER-only and the labels of its {kept} example(s) are not kept; "
                             "restore the missing examples in Doccano to add its stance and events")  # fmt: skip
        else:
            record["tasks"] = [t for t in TASKS if t in tasks or t in SENTENCE_LAYERS]  # the layers it now carries
    if missing and not keep_missing:
        shown = ", ".join(f"{doc!r} {'document stance' if i == DOCUMENT else f'sentence {i}'}" for doc, i in missing[:5])
        what = "sentence(s)" if all(i != DOCUMENT for _, i in missing) else "sentence(s) or document stance(s)"
        raise DataFormatError(
            f"{len(missing)} {what} of the records have no Doccano example ({shown}{', ...' if len(missing) > 5 else ''}): "
            "deleted in Doccano or left out of the export, their labels were never reviewed. Restore them in Doccano, "
            "or pass --keep-missing to keep their current labels"
        )
    return [merged[r["id"]] for r in records]


def _merge_document_example(record: Record, item: Mapping[str, Any], seen: set[tuple[str, int | str]]) -> None:
    """Set ``record``'s document stance from its Doccano document example (one stance label, no events)."""
    where = f"Doccano example for {record['id']!r} (the document stance)"
    if (record["id"], DOCUMENT) in seen:
        raise DataFormatError(f"{where}: the export holds two document examples of this record; keep one in Doccano")
    seen.add((record["id"], DOCUMENT))
    if item.get("text") != record["text"]:
        raise DataFormatError(f"{where}: the text changed; edit texts in the records, not in Doccano")
    labels = list(item.get("label", []))
    if len(labels) != 1 or labels[0] not in STANCE_LABELS:
        raise DataFormatError(f"{where}: labels {labels} must be exactly one stance of {list(STANCE_LABELS)} "
                              "(the article's own voice; events are labelled per sentence)")  # fmt: skip
    record["doc_stance"] = labels[0]


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
    """Export records as Label Studio tasks with their annotations (see the module docstring).

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
            records.append(record)
            continue
        holders = _holders(relations, regions, number)
        tasks_ = record_tasks(record)
        record["sentences"] = [
            {"start": regions[i]["start"], "end": regions[i]["end"],
             "stance": (regions[i].get("stance") or [None])[0], "holder": holders.get(i),
             "events": regions[i].get("events", [] if "events" in tasks_ else None)}
            for i in sorted(sentence_ids, key=lambda i: regions[i]["start"])
        ]  # fmt: skip
        records.append(record)
    if notes is not None:
        notes.extend(_import_notes(unannotated, several, len(tasks)))
    return records


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
