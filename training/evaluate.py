"""``python -m training evaluate``: score a model (or any analyzer) on gold SCHEMA.md JSONL.

Two modes:

* ``sentences``: predictions on the **gold** sentence spans. NER on words (seqeval, strict
  IOB2), sentence stance, sentence events. For a model directory the model runs on each gold
  span through the runtime's encoder and decoders (:mod:`training.predict`); for any other
  object with the analyzer interface, ``analyze()`` runs on each gold sentence's text.
* ``documents``: ``analyze(text)`` on each whole document, with its own sentence splitting.
  Entities are matched exactly on ``(start, end, label)``; each gold sentence takes the stance
  of the predicted sentence overlapping it most and the events of the predicted sentences that
  overlap it most (:func:`training.metrics.align_sentences`); document stance accuracy; the
  holders of the gold ``anti``/``pro`` sentences (:func:`holder_scores`), which the runtime
  finds with a rule (:func:`arabnews_nlp.tasks.stance.find_holder`); document events: the event
  types a document reports (those of any of its gold sentences) against the result's ``events``
  (:attr:`arabnews_nlp.results.Analysis.events`; a result without them: its sentences' events),
  micro and per type over (document, type) pairs.

Anything with ``analyze(text)`` returning an object with ``to_dict()`` (SCHEMA.md §6), or that
dict itself, can be scored: a keyword baseline uses the same code as the model.

Example:
    >>> class Nothing:
    ...     def analyze(self, text):
    ...         return {"text": text, "stance": {"label": "neutral", "score": 1.0}, "entities": [], "sentences": []}
    >>> record = {"id": "d", "text": "قال", "doc_stance": "neutral", "entities": [],
    ...           "sentences": [{"start": 0, "end": 3, "stance": "neutral", "holder": None, "events": []}]}
    >>> evaluate_documents(Nothing(), [record])["doc_stance"]["accuracy"]
    1.0
"""

from __future__ import annotations

import argparse
import json
import logging
import shlex
import sys
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol, TypeVar

from arabnews_nlp.errors import ConfigError, DataFormatError
from arabnews_nlp.schema import OUTSIDE, spans_to_bio
from arabnews_nlp.text.words import split_words
from training.data.records import record_tasks, sentence_entities
from training.data.validate import read_valid_records
from training.features import gold_sentences, word_spans_of_entities
from training.metrics import align_sentences, event_scores, labelled_set_scores, ner_scores, stance_scores

logger = logging.getLogger(__name__)

MODES = ("sentences", "documents", "both")
SentencePred = tuple[list[str], str | None, set[str]]
"""Per gold sentence: predicted word tags, stance label, event types."""


class AnalyzerLike(Protocol):
    """Anything scored in ``documents`` mode: ``analyze(text)`` gives a SCHEMA.md §6 result."""

    def analyze(self, text: str) -> Any:
        """Return an object with ``to_dict()`` (or the dict) for ``text``."""


def result_dict(result: Any) -> dict[str, Any]:
    """Return the SCHEMA.md §6 dict of an analysis (``to_dict()`` or the dict itself).

    Example:
        >>> result_dict({"entities": []})
        {'entities': []}
    """
    return dict(result) if isinstance(result, Mapping) else result.to_dict()


def gold_tags(record: Mapping[str, Any], sentence: Mapping[str, Any]) -> list[str]:
    """Return the gold IOB2 tag of each word of ``sentence``.

    Example:
        >>> rec = {"text": "في بغداد", "entities": [{"start": 3, "end": 8, "label": "LOC"}]}
        >>> gold_tags(rec, {"start": 0, "end": 8})
        ['O', 'B-LOC']
    """
    words = split_words(record["text"], sentence["start"], sentence["end"])
    return spans_to_bio(len(words), word_spans_of_entities(words, sentence_entities(record, sentence)))


def tags_from_entities(words: Sequence[tuple[int, int]], entities: Iterable[Mapping[str, Any]]) -> list[str]:
    """Tag words from predicted character spans: a word is inside an entity lying over it.

    Predicted spans that cover no whole word, or that overlap an earlier one, are skipped.

    Example:
        >>> tags_from_entities([(0, 2), (3, 8)], [{"start": 3, "end": 8, "label": "LOC"}])
        ['O', 'B-LOC']
    """
    tags = [OUTSIDE] * len(words)
    for entity in entities:
        inside = [i for i, (s, e) in enumerate(words) if entity["start"] <= s and e <= entity["end"]]
        if not inside or any(tags[i] != OUTSIDE for i in inside):
            continue
        tags[inside[0]] = f"B-{entity['label']}"
        for i in inside[1:]:
            tags[i] = f"I-{entity['label']}"
    return tags


def score_sentences(records: Sequence[Mapping[str, Any]], predictions: Sequence[SentencePred]) -> dict[str, Any]:
    """Score per-gold-sentence predictions (in :func:`training.features.gold_sentences` order).

    Each layer is scored only on the sentences whose record annotates it (``tasks``).

    Example:
        >>> rec = {"text": "في بغداد", "entities": [{"start": 3, "end": 8, "label": "LOC"}],
        ...        "sentences": [{"start": 0, "end": 8, "stance": "neutral", "events": []}]}
        >>> score_sentences([rec], [(["O", "B-LOC"], "neutral", set())])["ner"]["micro"]["f1"]
        1.0
    """
    refs = gold_sentences(records)
    if len(refs) != len(predictions):
        raise ValueError(f"{len(refs)} gold sentences but {len(predictions)} predictions")
    ner_gold, ner_pred, stance_gold, stance_pred, event_gold, event_pred = [], [], [], [], [], []
    for (record, sentence), (tags, stance, events) in zip(refs, predictions):
        tasks = record_tasks(record)
        if "ner" in tasks:
            ner_gold.append(gold_tags(record, sentence))
            ner_pred.append(tags)
        if "stance" in tasks and sentence.get("stance") is not None:
            stance_gold.append(sentence["stance"])
            stance_pred.append(stance or "")
        if "events" in tasks and sentence.get("events") is not None:
            event_gold.append(set(sentence["events"]))
            event_pred.append(events)
    scores: dict[str, Any] = {"n_sentences": len(refs)}
    if ner_gold:
        scores["ner"] = ner_scores(ner_gold, ner_pred)
    if stance_gold:
        scores["stance"] = stance_scores(stance_gold, stance_pred)
    if event_gold:
        scores["events"] = event_scores(event_gold, event_pred)
    return scores


def model_sentence_predictions(
    model: Any,
    tokenizer: Any,
    settings: Any,
    records: Sequence[Mapping[str, Any]],
    batch_size: int = 32,
    progress: bool = False,
) -> list[SentencePred]:
    """Run an analyzer model on every gold sentence span (see :mod:`training.predict`; ``progress``: a bar).

    Example:
        >>> # preds = model_sentence_predictions(model, tokenizer, settings, records)
    """
    from training.predict import predict_spans

    refs = gold_sentences(records)
    spans = [(record["text"], s["start"], s["end"]) for record, s in refs]
    predictions = predict_spans(model, tokenizer, settings, spans, batch_size, progress)
    stance_labels, event_labels = settings.labels["stance"], settings.labels["events"]
    return [
        (p.tags, p.stance(stance_labels, settings.stance_weights), p.events(event_labels, settings.event_thresholds))
        for p in predictions
    ]


def analyzer_sentence_predictions(
    analyzer: AnalyzerLike, records: Sequence[Mapping[str, Any]], progress: bool = False
) -> list[SentencePred]:
    """Run ``analyzer.analyze`` on each gold sentence's text (for analyzers that are not models; ``progress``: a bar).

    Example:
        >>> # preds = analyzer_sentence_predictions(KeywordBaseline(), records)
    """
    predictions: list[SentencePred] = []
    for record, sentence in _bar(gold_sentences(records), progress, "sentences mode", "sentence"):
        start, end = sentence["start"], sentence["end"]
        result = result_dict(analyzer.analyze(record["text"][start:end]))
        words = split_words(record["text"][start:end])
        tags = tags_from_entities(words, result.get("entities", []))
        stance, events, _ = _aligned_labels([(0, end - start)], result.get("sentences", []))[0]
        predictions.append((tags, stance, events))
    return predictions


def _aligned_labels(
    gold_spans: Sequence[tuple[int, int]], predicted: Sequence[Mapping[str, Any]]
) -> list[tuple[str | None, set[str], tuple[int, int] | None]]:
    """Per gold sentence: the stance and holder span of the predicted sentence overlapping it most, and the events."""
    spans = [(p["start"], p["end"]) for p in predicted]
    labels = []
    for match in align_sentences(gold_spans, spans):
        best = match["best"]
        stance = predicted[best]["stance"] if best is not None else None
        holder = (stance or {}).get("holder")
        members = match["members"] or ([best] if best is not None else [])
        events = {e["label"] for j in members for e in predicted[j].get("events", [])}
        labels.append((stance["label"] if stance else None, events, None if holder is None else (holder["start"], holder["end"])))
    return labels


Holder = tuple[str, str | None, tuple[int, int] | None, tuple[int, int] | None]
"""(gold stance, predicted stance, gold holder span, predicted holder span) of one sentence."""


def holder_scores(items: Sequence[Holder]) -> dict[str, Any]:
    """Score the holders of the gold ``anti``/``pro`` sentences.

    Args:
        items: ``(gold stance, predicted stance, gold holder span, predicted holder span)`` per
            gold ``anti``/``pro`` sentence; a span is ``None`` for no holder.

    Returns:
        ``{"n", "accuracy", "n_stance_right", "accuracy_stance_right"}``: the share of the
        sentences whose predicted stance and holder (``None`` matching ``None``) are both right,
        and among those whose stance is right, the share whose holder is right too.

    Example:
        >>> holder_scores([("anti", "anti", (0, 3), (0, 3)), ("pro", "anti", None, None),
        ...                ("anti", "anti", None, (4, 9))])
        {'n': 3, 'accuracy': 0.3333333333333333, 'n_stance_right': 2, 'accuracy_stance_right': 0.5}
    """
    right = [item for item in items if item[1] == item[0]]
    both = sum(item[2] == item[3] for item in right)
    return {"n": len(items), "accuracy": both / len(items) if items else 0.0, "n_stance_right": len(right),
            "accuracy_stance_right": both / len(right) if right else 0.0}  # fmt: skip


def document_events(result: Mapping[str, Any]) -> set[str]:
    """The event types a SCHEMA.md §6 result gives its document: its ``events``, else its sentences' events.

    Example:
        >>> sorted(document_events({"sentences": [{"events": [{"label": "THREAT", "score": 0.9}]}]}))
        ['THREAT']
    """
    if "events" in result:
        return {event["label"] for event in result["events"]}
    return {event["label"] for sentence in result.get("sentences", []) for event in sentence.get("events", [])}


def evaluate_documents(
    analyzer: AnalyzerLike, records: Sequence[Mapping[str, Any]], progress: bool = False
) -> dict[str, Any]:
    """Score ``analyzer.analyze`` on whole documents against gold (see the module docstring; ``progress``: a bar).

    Example:
        >>> evaluate_documents(None, [])["n_documents"]
        0
    """
    gold_entities, pred_entities = set(), set()
    sentence_preds: list[SentencePred] = []
    doc_gold, doc_pred = [], []
    events_gold, events_pred = set(), set()
    holders: list[Holder] = []
    for index, record in enumerate(_bar(records, progress, "documents mode", "doc")):
        result = result_dict(analyzer.analyze(record["text"]))
        tasks = record_tasks(record)
        if "ner" in tasks:
            gold_entities |= {(index, e["start"], e["end"], e["label"]) for e in record["entities"]}
            pred_entities |= {(index, e["start"], e["end"], e["label"]) for e in result.get("entities", [])}
        gold_spans = [(s["start"], s["end"]) for s in record["sentences"]]
        aligned = _aligned_labels(gold_spans, result.get("sentences", []))
        for sentence, (start, end), (stance, events, holder) in zip(record["sentences"], gold_spans, aligned):
            words = split_words(record["text"], start, end)
            inside = [e for e in result.get("entities", []) if start <= e["start"] and e["end"] <= end]
            sentence_preds.append((tags_from_entities(words, inside), stance, events))
            if "stance" in tasks and sentence.get("stance") in ("anti", "pro"):
                gold = sentence.get("holder")
                holders.append((sentence["stance"], stance, None if gold is None else (gold["start"], gold["end"]), holder))
        if "stance" in tasks and record.get("doc_stance") is not None:
            doc_gold.append(record["doc_stance"])
            doc_pred.append(result["stance"]["label"])
        if "events" in tasks:
            events_gold |= {(index, label) for sentence in record["sentences"] for label in sentence.get("events") or ()}
            events_pred |= {(index, label) for label in document_events(result)}
    scores: dict[str, Any] = {"n_documents": len(records)}
    if any("ner" in record_tasks(r) for r in records):
        scores["entities"] = labelled_set_scores(gold_entities, pred_entities, label_of=lambda item: item[3])
    sentence_scores = score_sentences(records, sentence_preds) if records else {}
    scores.update({k: v for k, v in sentence_scores.items() if k in ("stance", "events", "n_sentences")})
    if doc_gold:
        scores["doc_stance"] = stance_scores(doc_gold, doc_pred)
    if any("events" in record_tasks(r) for r in records):
        scores["doc_events"] = labelled_set_scores(events_gold, events_pred, label_of=lambda item: item[1])
    if holders:
        scores["holder"] = holder_scores(holders)
    return scores


def evaluate_model(
    model: Any,
    tokenizer: Any,
    settings: Any,
    records: Sequence[Mapping[str, Any]],
    mode: str = "both",
    batch_size: int = 32,
    progress: bool = False,
) -> dict[str, Any]:
    """Score an analyzer model (in memory) in ``sentences``, ``documents`` or ``both`` modes.

    ``progress``: a bar on stderr over the windows (sentences mode), then over the documents.

    Example:
        >>> # evaluate_model(model, tokenizer, settings, records, mode="sentences")["sentences"]["ner"]
    """
    from arabnews_nlp.api import Analyzer

    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
    scores: dict[str, Any] = {"n_documents": len(records)}
    if mode in ("sentences", "both"):
        scores["sentences"] = score_sentences(
            records, model_sentence_predictions(model, tokenizer, settings, records, batch_size, progress)
        )
    if mode in ("documents", "both"):
        scores["documents"] = evaluate_documents(Analyzer(model, tokenizer, settings), records, progress)
    return scores


def evaluate_analyzer(
    analyzer: AnalyzerLike, records: Sequence[Mapping[str, Any]], mode: str = "both", progress: bool = False
) -> dict[str, Any]:
    """Score any analyzer-like object (e.g. a keyword baseline) with the same metrics as a model (``progress``: bars).

    Example:
        >>> # evaluate_analyzer(KeywordBaseline(), read_records("data/dev.jsonl"))
    """
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
    scores: dict[str, Any] = {"n_documents": len(records)}
    if mode in ("sentences", "both"):
        scores["sentences"] = score_sentences(records, analyzer_sentence_predictions(analyzer, records, progress))
    if mode in ("documents", "both"):
        scores["documents"] = evaluate_documents(analyzer, records, progress)
    return scores


T = TypeVar("T")


def _bar(items: Sequence[T], progress: bool, desc: str, unit: str) -> Iterable[T]:
    """``items``, behind a tqdm bar on stderr when ``progress``."""
    if not progress:
        return items
    from tqdm import tqdm

    return tqdm(items, desc=desc, unit=unit, file=sys.stderr)


SUMMARY_PATHS = {
    "ner_f1": ("ner", "micro", "f1"),
    "entity_f1": ("entities", "micro", "f1"),
    "stance_accuracy": ("stance", "accuracy"),
    "stance_macro_f1": ("stance", "macro_f1"),
    "stance_f_avg": ("stance", "f_avg"),
    "events_micro_f1": ("events", "micro", "f1"),
    "events_macro_f1": ("events", "macro_f1"),
    "doc_stance_accuracy": ("doc_stance", "accuracy"),
    "doc_events_micro_f1": ("doc_events", "micro", "f1"),
}
"""Headline metrics of :func:`summary`: name -> path in the scores of a mode."""

MODE_METRICS = {
    "sentences": ("ner_f1", "stance_accuracy", "stance_macro_f1", "stance_f_avg", "events_micro_f1", "events_macro_f1"),
    "documents": ("entity_f1", "stance_accuracy", "stance_macro_f1", "stance_f_avg", "events_micro_f1",
                  "events_macro_f1", "doc_stance_accuracy", "doc_events_micro_f1"),
}  # fmt: skip
"""The metrics each mode scores (of :data:`SUMMARY_PATHS`): ``MODE/NAME`` are the names of :func:`summary`."""


def summary(scores: Mapping[str, Any]) -> dict[str, float]:
    """Flatten the headline numbers (for ``settings.metrics`` and logs).

    Example:
        >>> summary({"sentences": {"ner": {"micro": {"f1": 0.5}}}})
        {'sentences/ner_f1': 0.5}
    """
    flat: dict[str, float] = {}
    for mode in MODES[:2]:
        for name, path in SUMMARY_PATHS.items():
            value: Any = scores.get(mode, {})
            for key in path:
                value = value.get(key) if isinstance(value, Mapping) else None
            if isinstance(value, (int, float)):
                flat[f"{mode}/{name}"] = float(value)
    return flat


def format_table(scores: Mapping[str, Any]) -> str:
    """Render scores as a readable plain-text table.

    Example:
        >>> print(format_table({"sentences": {"stance": {"accuracy": 1.0, "macro_f1": 1.0, "f_avg": 1.0,
        ...     "per_class": {}, "n": 2}}}))
        [sentences]
          stance      n=2  accuracy 1.000  macro-F1 1.000  F_avg(pro,anti) 1.000
    """
    lines: list[str] = []
    for mode in MODES[:2]:
        if mode not in scores:
            continue
        part = scores[mode]
        lines.append(f"[{mode}]")
        for key in ("ner", "entities"):
            if key in part:
                lines += _prf_block(key, part[key]["micro"], part[key]["per_type"])
        for key in ("stance", "doc_stance"):
            if key in part:
                s = part[key]
                lines.append(
                    f"  {key:<10}  n={s['n']}  accuracy {s['accuracy']:.3f}  macro-F1 {s['macro_f1']:.3f}  "
                    f"F_avg(pro,anti) {s['f_avg']:.3f}"
                )
                lines += [f"    {c:<20} F1 {v['f1']:.3f}  (support {v['support']})" for c, v in s["per_class"].items()]
        if "doc_events" in part:
            lines += _prf_block("doc_events", part["doc_events"]["micro"], part["doc_events"]["per_type"])
        if "holder" in part:
            h = part["holder"]
            lines.append(f"  holder      n={h['n']}  stance and holder right {h['accuracy']:.3f}  holder right when "
                         f"the stance is {h['accuracy_stance_right']:.3f} (n={h['n_stance_right']})")  # fmt: skip
        if "events" in part:
            e = part["events"]
            lines += _prf_block("events", e["micro"], {k: v for k, v in e["per_type"].items() if v["support"]})
            lines.append(f"    macro-F1 {e['macro_f1']:.3f}  exact-set accuracy {e['exact_match']:.3f}")
    return "\n".join(lines)


def _prf_block(name: str, micro: Mapping[str, Any], per_type: Mapping[str, Mapping[str, Any]]) -> list[str]:
    row = "P {precision:.3f}  R {recall:.3f}  F1 {f1:.3f}  (support {support})"
    lines = [f"  {name:<10}  micro  " + row.format(**micro)]
    lines += [f"    {label:<20} " + row.format(**values) for label, values in per_type.items()]
    return lines


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``python -m training evaluate`` (``argv[0]`` is the command name)."""
    argv = list(sys.argv[1:] if argv is None else argv)
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
    args = parser.parse_args(argv[1:])
    minimums = parse_minimums(args.min)
    if left_out := [name for name in minimums if args.mode != "both" and not name.startswith(f"{args.mode}/")]:
        raise ConfigError(f"--min {', '.join(left_out)}: --mode {args.mode} does not score it; pass --mode both, "
                          f"or --min names of {args.mode}/")  # fmt: skip
    if args.floor is not None and not args.model:
        raise ConfigError("--floor compares with the metrics a model recorded; it needs --model")
    if args.out and Path(args.out).is_dir():
        raise ConfigError(f"--out {args.out} is a directory; give a file, e.g. {Path(args.out) / 'eval.json'}")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    records = read_evaluation_data(args.data)
    if args.baseline:
        from training.baseline import KeywordBaseline

        scores = evaluate_analyzer(KeywordBaseline.load(args.baseline), records, args.mode, args.progress)
        recorded: Mapping[str, Any] = {}
    else:
        from arabnews_nlp.model_dir import load_analyzer

        model, tokenizer, settings = load_analyzer(args.model, device=args.device)
        scores = evaluate_model(model, tokenizer, settings, records, args.mode, args.batch_size, args.progress)
        recorded = settings.metrics
    report = scores_report(args.model or args.baseline, args.data, scores, argv)
    print(format_table(report))
    if minimums or args.floor is not None:
        report["checks"] = check_metrics(report["summary"], minimums, recorded, args.floor)
    if args.out:
        write_json(args.out, report)
    if "checks" not in report:
        return 0
    checks = report["checks"]
    for failure in checks["failures"]:
        print(f"evaluate: {failure}", file=sys.stderr)
    print(f"evaluate: {len(checks['failures'])} failure(s) among {len(checks['metrics'])} checked metric(s)",
          file=sys.stderr)  # fmt: skip
    return 0 if checks["passed"] else 1


def check_metrics(
    now: Mapping[str, float],
    minimums: Mapping[str, float],
    recorded: Mapping[str, Any] | None = None,
    tolerance: float | None = None,
) -> dict[str, Any]:
    """The outcome of ``--min`` and ``--floor``, as the ``checks`` of the JSON report.

    Args:
        now: The :func:`summary` of this evaluation.
        minimums: ``--min`` metric -> minimum (:func:`parse_minimums`).
        recorded: The metrics the model recorded at training (``settings.metrics``), for ``--floor``.
        tolerance: ``--floor``'s tolerance; ``None`` without ``--floor``.

    Returns:
        ``{"metrics": [...], "failures": [...], "passed": bool}``: per checked metric its ``kind``
        (``min`` or ``floor``), ``threshold`` (for a floor the recorded value minus the
        tolerance, with ``recorded`` and ``tolerance``), ``value`` (``None`` when not scored) and
        ``passed``; the failure messages (:func:`below_minimums`, :func:`below_floor`).

    Example:
        >>> checks = check_metrics({"sentences/ner_f1": 0.7}, {"sentences/ner_f1": 0.8})
        >>> checks["passed"], checks["metrics"][0]["threshold"], checks["metrics"][0]["passed"]
        (False, 0.8, False)
    """
    metrics: list[dict[str, Any]] = [
        {"metric": name, "kind": "min", "threshold": value, "value": now.get(name),
         "passed": name in now and now[name] >= value}
        for name, value in minimums.items()
    ]  # fmt: skip
    failures = below_minimums(now, minimums)
    if tolerance is not None:
        kept = {name: value for name, value in (recorded or {}).items()
                if name in now and isinstance(value, (int, float))}  # fmt: skip
        metrics += [{"metric": name, "kind": "floor", "threshold": value - tolerance, "recorded": value,
                     "tolerance": tolerance, "value": now[name], "passed": now[name] >= value - tolerance}
                    for name, value in kept.items()]  # fmt: skip
        if not kept:
            failures.append(f"--floor: the model records none of the metrics scored now ({sorted(now)}); "
                            "nothing to guard: score the dev file it was evaluated on, or use --min")  # fmt: skip
        failures += below_floor(now, kept, tolerance)
    return {"metrics": metrics, "failures": failures, "passed": not failures}


def parse_minimums(items: Sequence[str]) -> dict[str, float]:
    """Parse ``--min METRIC=VALUE`` items.

    Raises:
        ConfigError: On an item that is not ``METRIC=VALUE`` with a number, or an unknown metric.

    Example:
        >>> parse_minimums(["sentences/ner_f1=0.8"])
        {'sentences/ner_f1': 0.8}
    """
    known = metric_names()
    minimums: dict[str, float] = {}
    for item in items:
        name, _, value = item.partition("=")
        try:
            minimums[name.strip()] = float(value)
        except ValueError:
            raise ConfigError(f"--min {item!r}: expected METRIC=VALUE, e.g. sentences/events_micro_f1=0.65") from None
        if name.strip() not in known:
            raise ConfigError(f"--min {item!r}: unknown metric {name.strip()!r}; one of {known}")
        if not 0.0 <= minimums[name.strip()] <= 1.0:  # NaN too: a minimum that can never fail, or never pass
            raise ConfigError(f"--min {item!r}: the minimum must be a number in [0, 1]")
    return minimums


def metric_names() -> list[str]:
    """Every ``MODE/NAME`` that :func:`summary` can report (:data:`MODE_METRICS`).

    Example:
        >>> metric_names()[:2]
        ['sentences/ner_f1', 'sentences/stance_accuracy']
    """
    return [f"{mode}/{name}" for mode, names in MODE_METRICS.items() for name in names]


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


def read_evaluation_data(paths: Sequence[str]) -> list[Any]:
    """The valid records of ``paths``, refusing what would score a document twice or nothing.

    Raises:
        ConfigError: A file does not exist or is a directory (every file is checked before any is read).
        DataFormatError: A file is invalid (:func:`~training.data.validate.read_valid_records`),
            or two files hold the same document id (a file given twice, or a copy).

    Example:
        >>> read_evaluation_data([])
        []
    """
    records: list[Any] = []
    seen: dict[str, str] = {}
    for path in paths:
        if Path(path).is_dir():
            raise ConfigError(f"gold file {path} is a directory; give the JSONL files in it")
        if not Path(path).is_file():
            raise ConfigError(f"gold file not found: {path}; check the path (relative to {Path.cwd()})")
    for path in paths:
        for record in read_valid_records(path):
            doc_id = str(record.get("id"))
            if doc_id in seen:
                raise DataFormatError(f"document {doc_id!r} of {path} is also in {seen[doc_id]}: it would be scored "
                                      "twice; give each file once, without copies of the same documents")  # fmt: skip
            seen[doc_id] = str(path)
            records.append(record)
    return records


def below_minimums(now: Mapping[str, float], minimums: Mapping[str, float]) -> list[str]:
    """One message per metric of ``minimums`` that ``now`` scores below (or does not score).

    Example:
        >>> below_minimums({"sentences/ner_f1": 0.7}, {"sentences/ner_f1": 0.8})
        ['sentences/ner_f1 0.7000 is below the minimum 0.8000']
    """
    return [f"{name} {now[name]:.4f} is below the minimum {value:.4f}" if name in now
            else f"{name} was not scored (the data do not annotate its layer, or --mode leaves it out)"
            for name, value in minimums.items() if name not in now or now[name] < value]  # fmt: skip


def below_floor(now: Mapping[str, float], recorded: Mapping[str, Any], tolerance: float) -> list[str]:
    """One message per metric the model recorded that ``now`` scores more than ``tolerance`` below.

    Only the metrics scored both then and now are compared (a CI regression guard).

    Example:
        >>> below_floor({"sentences/ner_f1": 0.85}, {"sentences/ner_f1": 0.9}, 0.02)
        ['sentences/ner_f1 0.8500 is below the recorded 0.9000 - 0.02']
    """
    return [f"{name} {now[name]:.4f} is below the recorded {value:.4f} - {tolerance:g}"
            for name, value in recorded.items()
            if name in now and isinstance(value, (int, float)) and now[name] < value - tolerance]  # fmt: skip


def scores_report(model: str, data: Sequence[str], scores: Mapping[str, Any], argv: Sequence[str]) -> dict[str, Any]:
    """Wrap scores with what was scored and the command that reproduces them (the JSON written).

    Example:
        >>> scores_report("m", ["d.jsonl"], {}, ["evaluate", "--model", "m"])["command"]
        'python -m training evaluate --model m'
    """
    command = "python -m training " + shlex.join(argv)
    return {"model": model, "data": list(data), **scores, "summary": summary(scores), "command": command}


def write_json(path: str | Path, data: Any) -> None:
    """Write ``data`` as indented UTF-8 JSON (non-ASCII kept), creating parent folders (atomically).

    Example:
        >>> import tempfile, os
        >>> write_json(os.path.join(tempfile.mkdtemp(), "a", "m.json"), {"f1": 1.0})
    """
    write_text_atomic(path, json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def write_text_atomic(path: str | Path, text: str) -> None:
    """Write UTF-8 ``text`` to ``path`` whole or not at all (a sibling ``.part`` file, then a rename).

    An interruption leaves the previous file, never half of one. Parent folders are created.

    Example:
        >>> import tempfile, os
        >>> write_text_atomic(os.path.join(tempfile.mkdtemp(), "a", "m.json"), "{}")
    """
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    part = out.with_name(out.name + ".part")
    try:
        part.write_text(text, encoding="utf-8")
        part.replace(out)
    except BaseException:
        part.unlink(missing_ok=True)
        raise
