"""Reading a fine-tuning config file (YAML or JSON) and merging command-line overrides into it.

Example:
    >>> merge_overrides({"base": "x", "seed": 1}, {"seed": 7, "dev": None}, ["base", "seed", "dev"])
    {'base': 'x', 'seed': 7}
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from arabnews_nlp.errors import ConfigError


def read_config_file(path: str | Path) -> dict[str, Any]:
    """Read a YAML or JSON mapping from ``path``.

    Raises:
        ConfigError: If the file is missing, not YAML/JSON, or not a mapping.

    Example:
        >>> read_config_file("no/such.yaml")
        Traceback (most recent call last):
        ...
        arabnews_nlp.errors.ConfigError: config file 'no/such.yaml' does not exist; pass an existing .yaml or .json file
    """
    file = Path(path)
    if not file.is_file():
        raise ConfigError(f"config file {str(path)!r} does not exist; pass an existing .yaml or .json file")
    text = file.read_text(encoding="utf-8")
    try:
        if file.suffix.lower() in (".yaml", ".yml"):
            import yaml

            data = yaml.safe_load(text)
        else:
            data = json.loads(text)
    except Exception as error:  # yaml.YAMLError or json.JSONDecodeError
        raise ConfigError(f"config file {str(path)!r} is not valid {file.suffix[1:] or 'JSON'}: {error}") from error
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"config file {str(path)!r} must hold a mapping of field: value, got {type(data).__name__}")
    return data


def merge_overrides(
    data: Mapping[str, Any], overrides: Mapping[str, Any] | None, known: Sequence[str]
) -> dict[str, Any]:
    """``data`` with ``overrides`` applied (``None`` values are skipped), every key one of ``known``.

    Raises:
        ConfigError: If ``data`` is not a mapping, or on an unknown key (the known ones are listed).

    Example:
        >>> merge_overrides({"learning_rte": 0.1}, None, ["learning_rate"])
        Traceback (most recent call last):
        ...
        arabnews_nlp.errors.ConfigError: unknown config keys ['learning_rte']; known keys are ['learning_rate']. Check the spelling.
    """
    if not isinstance(data, Mapping):
        raise ConfigError(f"a config must be a mapping of field: value, got {type(data).__name__}")
    merged = dict(data)
    merged.update({k: v for k, v in (overrides or {}).items() if v is not None})
    unknown = sorted(set(merged) - set(known))
    if unknown:
        raise ConfigError(f"unknown config keys {unknown}; known keys are {list(known)}. Check the spelling.")
    return merged
