"""The tables of a model card: the data files' counts, the scores of each evaluation, the baseline comparison.

Every number comes from :func:`~training.card_counts.data_stats` or from the metrics JSON files the
evaluation wrote.

Example:
    >>> data_section({})[2]
    '| file | documents | sentences | entities | stance sentences | event sentences | events | synthetic docs |'
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

DATA_COLUMNS = ("documents", "sentences", "entities", "stance sentences", "event sentences", "events", "synthetic docs")
"""The columns of the Data table, in the order of :func:`~training.card_counts.data_stats`' counts."""


def data_section(stats: Mapping[str, Mapping[str, int]]) -> list[str]:
    """The card's Data section: one row of counts per file (:func:`~training.card_counts.data_stats`)."""
    lines = ["## Data", "", "| file | " + " | ".join(DATA_COLUMNS) + " |", "|---" * (len(DATA_COLUMNS) + 1) + "|"]
    lines += [f"| `{path}` | " + " | ".join(str(v) for v in counts.values()) + " |" for path, counts in stats.items()]
    return [*lines, ""]


def evaluation_section(metrics: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """The card's Evaluation section: the comparison with the baseline on dev (when scored), then each evaluation.

    Args:
        metrics: Name (``dev``, ``baseline_dev``, a test file) -> the scores JSON written by the evaluation.
    """
    lines = ["## Evaluation", "", "Read from the metrics files written by the evaluation (commands below). A type or class "
             "without gold examples in a file has no F1 row; its predictions count in the micro precision.", ""]  # fmt: skip
    if "dev" in metrics and "baseline_dev" in metrics:
        lines += comparison_section(metrics["dev"], metrics["baseline_dev"])
    for name, scores in metrics.items():
        title = "keyword/gazetteer baseline on dev" if name == "baseline_dev" else name
        lines += _metrics_section(title, scores)
    return lines


def _prf(micro: Mapping[str, Any]) -> str:
    return f"{micro['precision']:.3f} / {micro['recall']:.3f} / {micro['f1']:.3f}"


def _layer_rows(part: Mapping[str, Any]) -> list[str]:
    rows: list[tuple[str, str, str]] = []
    for key, layer in (("ner", "NER (seqeval strict IOB2, words)"), ("entities", "entities (exact char span)")):
        if key in part:
            rows.append((layer, "micro P / R / F1", _prf(part[key]["micro"])))
            rows += [(layer, f"F1 {t} (n={v['support']})", f"{v['f1']:.3f}") for t, v in part[key]["per_type"].items() if v["support"]]
    for key in ("stance", "doc_stance"):
        if key in part:
            s = part[key]
            value = f"{s['accuracy']:.3f} / {s['macro_f1']:.3f} / {s['f_avg']:.3f}"
            rows.append((key, "accuracy / macro-F1 / F_avg(pro,anti)", value))
            rows += [(key, f"F1 {c} (n={v['support']})", f"{v['f1']:.3f}") for c, v in s["per_class"].items() if v["support"]]
    if "events" in part:
        e = part["events"]
        rows.append(("events", "micro F1 / macro F1", f"{e['micro']['f1']:.3f} / {e['macro_f1']:.3f}"))
        per_type = e["per_type"].items()
        rows += [("events", f"F1 {t} (n={v['support']})", f"{v['f1']:.3f}") for t, v in per_type if v["support"]]
    if "doc_events" in part:
        d, layer = part["doc_events"], "document events (types per article)"
        rows.append((layer, "micro P / R / F1", _prf(d["micro"])))
        rows += [(layer, f"F1 {t} (n={v['support']})", f"{v['f1']:.3f}") for t, v in d["per_type"].items() if v["support"]]
    return [f"| {layer} | {metric} | {value} |" for layer, metric, value in rows]


def _metrics_section(name: str, scores: Mapping[str, Any]) -> list[str]:
    lines = [f"### {name}", "", f"Data: `{scores.get('data')}`; {scores.get('n_documents')} documents.", ""]
    for mode in ("sentences", "documents"):
        if scores.get(mode):
            lines += [f"**{mode} mode**", "", "| layer | metric | value |", "|---|---|---|"]
            lines += [*_layer_rows(scores[mode]), ""]
    return lines


COMPARED = (
    ("NER micro-F1 (seqeval)", "sentences", ("ner", "micro", "f1")),
    ("stance macro-F1", "sentences", ("stance", "macro_f1")),
    ("stance F_avg(pro, anti)", "sentences", ("stance", "f_avg")),
    ("events micro-F1", "sentences", ("events", "micro", "f1")),
    ("events macro-F1", "sentences", ("events", "macro_f1")),
    ("entities micro-F1, full analyze()", "documents", ("entities", "micro", "f1")),
    ("stance macro-F1, full analyze()", "documents", ("stance", "macro_f1")),
    ("events micro-F1, full analyze()", "documents", ("events", "micro", "f1")),
    ("document events micro-F1, full analyze()", "documents", ("doc_events", "micro", "f1")),
)


def _lookup(scores: Mapping[str, Any], mode: str, path: Sequence[str]) -> float | None:
    value: Any = scores.get(mode, {})
    for key in path:
        value = value.get(key) if isinstance(value, Mapping) else None
    return float(value) if isinstance(value, (int, float)) else None


def comparison_section(model: Mapping[str, Any], baseline: Mapping[str, Any]) -> list[str]:
    """A table of the model against the keyword/gazetteer baseline on the same dev file.

    Example:
        >>> m = {"sentences": {"stance": {"macro_f1": 0.7}}}
        >>> b = {"sentences": {"stance": {"macro_f1": 0.5}}}
        >>> comparison_section(m, b)[4]
        '| stance macro-F1 | 0.700 | 0.500 | +0.200 |'
    """
    lines = [
        "### Compared with a keyword/gazetteer baseline (dev)",
        "",
        "| metric | this model | baseline | difference |",
        "|---|---|---|---|",
    ]
    for name, mode, path in COMPARED:
        ours, theirs = _lookup(model, mode, path), _lookup(baseline, mode, path)
        if ours is not None and theirs is not None:
            lines.append(f"| {name} | {ours:.3f} | {theirs:.3f} | {ours - theirs:+.3f} |")
    lines += [
        "",
        "The baseline (`training/baseline.py`) is fitted on the same training records: a gazetteer of the "
        "annotated names that are entities in at least half of the places where they occur in the training "
        "texts and, per stance class and event type, the words that predict it in training.",
        "",
    ]
    return lines

