"""What a fine-tuned model says about itself: its base, and the name and description of its run.

A config file's ``name`` and ``description`` are written for the data it lists. A run that
replaces that data on the command line (``--train``, ``--ner-extra``, ``--base``) would carry
them into the model's settings, its card and ``arabnews-nlp info`` although they no longer
describe it: :func:`own_overrides` replaces them with what the run does, with a warning.

Example:
    >>> base_reference("org/encoder")
    'org/encoder'
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from training.base_checks import is_analyzer_dir

logger = logging.getLogger(__name__)

DATA_FIELDS = ("base", "train", "ner_extra")
"""Config fields whose command-line override makes the config file's description untrue."""


def base_reference(base: str) -> str:
    """``base`` as given, followed by its absolute path when it is a local directory given otherwise.

    A hub id stays as it is: it names the model from anywhere.

    Example:
        >>> base_reference("/abs/no/such/encoder")
        '/abs/no/such/encoder'
    """
    local = Path(base).expanduser()
    if not base or not local.is_dir():
        return base
    resolved = str(local.resolve())
    return base if base == resolved else f"{base} ({resolved})"


def describe_run(base: str, train: list[str], ner_extra: list[str]) -> str:
    """One line saying what a run trains: from which base, on which files.

    Example:
        >>> describe_run("org/encoder", ["mine.jsonl"], [])
        'arabnews-nlp analyzer fine-tuned from org/encoder on mine.jsonl'
    """
    verb = "continued from" if is_analyzer_dir(base) else "fine-tuned from"
    text = f"arabnews-nlp analyzer {verb} {base_reference(base)} on {', '.join(train)}"
    return text + (f", with the NER-only sentences of {', '.join(ner_extra)}" if ner_extra else "")


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    return [str(value)] if isinstance(value, (str, Path)) else [str(v) for v in value]


def describe_retune(model_dir: str, train: list[str]) -> str:
    """One line saying what ``python -m training retune`` made: from which model, refit on which files.

    Example:
        >>> describe_retune("org/analyzer", ["mine.jsonl"])
        'arabnews-nlp analyzer retuned from org/analyzer: n-gram models and tuned choices refit on mine.jsonl'
    """
    return (f"arabnews-nlp analyzer retuned from {base_reference(model_dir)}: n-gram models and tuned choices "
            f"refit on {', '.join(train)}")  # fmt: skip


def own_overrides(
    config_path: str, values: Mapping[str, Any], overrides: Mapping[str, Any], description: str | None = None
) -> dict[str, Any]:
    """Overrides that keep the model's ``description`` and ``name`` true when its data was overridden.

    When ``overrides`` (the command line) change ``base``, ``train`` or ``ner_extra`` that the
    config file's ``values`` set (a config without ``base:``, such as ``smoke.yaml``, is written
    for the base the command line gives, so ``--base`` alone replaces nothing): a
    ``description`` of the file (not given on the command line) becomes ``description``, by
    default :func:`describe_run` of the run's base and files; a ``name`` of the file (the card's
    title) becomes the folder name of an ``output_dir`` given on the command line, the
    ``run_dir`` staying where the config's name put it. A warning names each field replaced or
    kept from the file.

    Returns:
        The fields to override in addition to ``overrides`` (empty when the data is the file's).

    Example:
        >>> own_overrides("c.yaml", {"name": "x", "train": ["a.jsonl"]}, {"train": ["a.jsonl"]})
        {}
        >>> own_overrides("c.yaml", {"description": "mine", "train": ["a.jsonl"]}, {"base": "enc"})
        {}
    """
    changed = [name for name in DATA_FIELDS  # what the file sets only: a config without `base:` is written for any
               if values.get(name) and name in overrides
               and _as_list(overrides[name]) != _as_list(values[name])]  # fmt: skip
    if not changed:
        return {}
    extra: dict[str, Any] = {}
    notes = []
    if values.get("description") and "description" not in overrides:
        merged = {name: overrides.get(name, values.get(name)) for name in DATA_FIELDS}
        extra["description"] = description or describe_run(str(merged["base"] or ""), _as_list(merged["train"]),
                                                            _as_list(merged["ner_extra"]))  # fmt: skip
        notes.append(f"description {extra['description']!r} instead of the config's {values['description']!r}")
    name = Path(str(overrides.get("output_dir", ""))).name
    if values.get("name") and "name" not in overrides:
        if "output_dir" in overrides and name not in ("", ".", "..") and name != values["name"]:
            extra["name"] = name
            if not values.get("run_dir") and "run_dir" not in overrides:
                extra["run_dir"] = f"runs/{values['name']}"  # checkpoints stay where this config puts them
            notes.append(f"name {name!r} (the card's title) instead of the config's {values['name']!r}")
        else:
            notes.append(f"name {values['name']!r} (the card's title) kept from the config")
    if notes:
        logger.warning("%s was written for its own %s, which the command line replaced: the model gets %s. "
                       "Pass --name and --description to choose them", config_path, "/".join(changed),
                       "; ".join(notes))  # fmt: skip
    return extra
