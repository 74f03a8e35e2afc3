"""The headline numbers of an evaluation (``MODE/NAME`` -> value) and its plain-text table.

Example:
    >>> summary({"documents": {"doc_stance": {"accuracy": 0.75}}})
    {'documents/doc_stance_accuracy': 0.75}
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from training.evaluation.modes import MODES

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


def metric_names() -> list[str]:
    """Every ``MODE/NAME`` that :func:`summary` can report (:data:`MODE_METRICS`).

    Example:
        >>> metric_names()[:2]
        ['sentences/ner_f1', 'sentences/stance_accuracy']
    """
    return [f"{mode}/{name}" for mode, names in MODE_METRICS.items() for name in names]


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
