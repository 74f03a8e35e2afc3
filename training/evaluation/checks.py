"""The ``--min`` and ``--floor`` checks of ``python -m training evaluate`` (a CI regression guard).

Example:
    >>> check_metrics({"sentences/ner_f1": 0.9}, parse_minimums(["sentences/ner_f1=0.8"]))["passed"]
    True
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from arabnews_nlp.errors import ConfigError
from training.evaluation.summary import metric_names


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
        modes_now = {name.partition("/")[0] for name in now}
        unscored = {name: value for name, value in (recorded or {}).items() if isinstance(value, (int, float))
                    and name not in now and name.partition("/")[0] in modes_now}  # fmt: skip
        metrics += [{"metric": name, "kind": "floor", "threshold": value - tolerance, "recorded": value,
                     "tolerance": tolerance, "value": None, "passed": False}
                    for name, value in unscored.items()]  # fmt: skip
        if kept and unscored:  # a guard that checks only the layers the data happen to annotate passes too easily
            failures.append(f"--floor: {', '.join(unscored)} recorded but not scored (the data do not annotate its "
                            "layer): score the dev file the model was evaluated on, or use --min for the rest")  # fmt: skip
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
