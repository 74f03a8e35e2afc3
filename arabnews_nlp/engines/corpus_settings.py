"""The run settings of a corpus output, kept beside it in ``OUT.run.json``, and the check that a rerun matches them.

The settings that change the output lines (the model, int8 quantisation, markup, the id and text
fields, the input fields kept in each line, whether texts are written) are kept beside the output
in ``OUT.run.json`` (:func:`check_run_settings`), and a rerun with other settings is refused
instead of mixing two kinds of results in one file.

Example:
    >>> run_settings("no/such/model", False, "text", "id", "text")["keep_fields"]
    []
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from arabnews_nlp.errors import ConfigError
from arabnews_nlp.settings import SETTINGS_FILE

logger = logging.getLogger(__name__)

RUN_FILE_SUFFIX = ".run.json"
"""The run settings of ``OUT`` are kept in ``OUT.run.json`` (:func:`check_run_settings`)."""


def run_settings(
    model: str | os.PathLike[str] | None, quantize: bool, markup: str, id_field: str, text_field: str,
    keep_fields: Sequence[str] = (), with_text: bool = True,
) -> dict[str, Any]:
    """The settings of a corpus run that change its output lines, as :func:`check_run_settings` keeps them.

    The model is named as given (``None``: ``$ARABNEWS_NLP_MODEL`` or the bundled default) and,
    when it is a local directory, identified by the SHA-256 of its ``arabnews_nlp.json`` (its
    labels, thresholds, choices and recorded scores), so one model reached by two paths is the
    same model. The engine, backend, device and batch sizes are left out: they give the same
    results (to float rounding).

    Example:
        >>> settings = run_settings("no/such/model", False, "text", "id", "text")
        >>> settings["model"], settings["model_settings_sha256"], settings["markup"]
        ('no/such/model', None, 'text')
    """
    from arabnews_nlp import __version__
    from arabnews_nlp.model_source import MODEL_ENV, bundled_model_dir

    name = str(model) if model is not None else os.environ.get(MODEL_ENV, "").strip()
    directory = Path(name).expanduser() if name else bundled_model_dir()  # "~/m" as the model loader reads it
    settings_file = directory / SETTINGS_FILE if directory is not None else None
    digest = hashlib.sha256(settings_file.read_bytes()).hexdigest() if settings_file and settings_file.is_file() else None
    return {
        "model": name or "bundled default", "model_settings_sha256": digest, "quantize": bool(quantize),
        "markup": markup, "id_field": id_field, "text_field": text_field, "keep_fields": list(keep_fields),
        "with_text": bool(with_text), "arabnews_nlp": __version__,
    }  # fmt: skip


_SETTINGS_BEFORE: dict[str, Any] = {
    "quantize": None, "markup": None, "id_field": None, "text_field": None, "keep_fields": [], "with_text": True,
}
"""The run settings compared by :func:`check_run_settings`, each with its value in a run file made before it was kept."""


def check_run_settings(output: str | os.PathLike[str], settings: dict[str, Any], has_results: bool) -> None:
    """Refuse to add results made with other settings to ``output``; record the settings of a new one.

    The settings of the run that started ``output`` are in ``OUT.run.json``. When ``output``
    already holds results, each setting of :func:`run_settings` must match (the model by its
    settings digest when both runs have one, else by name); another library version is a
    warning. When it holds none, ``OUT.run.json`` is (re)written with ``settings``. An output
    with results but without ``OUT.run.json`` (made before this check, copied without it, or by
    another tool) is checked against what its first line shows (:func:`settings_in_lines`:
    whether texts are written, the kept fields); when those agree, a warning says the rest
    cannot be checked, and this run's settings are recorded.

    Raises:
        ConfigError: Naming each setting that differs, its value in ``output`` and in this run.

    Example:
        >>> # check_run_settings("out.jsonl", run_settings(None, False, "text", "id", "text"), has_results=True)
    """
    path = Path(str(output) + RUN_FILE_SUFFIX)
    saved: dict[str, Any] | None = None
    if has_results and path.is_file():
        try:
            saved = json.loads(path.read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError) as error:
            raise ConfigError(f"{path} is not the JSON this engine writes ({error}); delete it to resume without "
                              "checking the settings, or write to a new output") from error  # fmt: skip
    if saved is not None:
        by_digest = bool(saved.get("model_settings_sha256") and settings["model_settings_sha256"])
        key = "model_settings_sha256" if by_digest else "model"
        changed = []
        if saved.get(key) != settings[key]:
            why = " (another model: its arabnews_nlp.json differs)" if by_digest else ""
            changed.append(f"model {saved.get('model')!r} -> {settings['model']!r}{why}")
        changed += [f"{name} {saved.get(name, default)!r} -> {settings[name]!r}"
                    for name, default in _SETTINGS_BEFORE.items() if saved.get(name, default) != settings[name]]
        if changed:
            raise ConfigError(f"{output} holds results made with other settings ({'; '.join(changed)}, see {path}); "
                              "resuming would mix the two in one file: rerun with the settings it was started with, "
                              "or write to a new --output")  # fmt: skip
        if saved.get("arabnews_nlp") != settings["arabnews_nlp"]:
            logger.warning("%s was started with arabnews-nlp %s; this is %s (results may differ slightly)",
                           output, saved.get("arabnews_nlp"), settings["arabnews_nlp"])  # fmt: skip
        return
    if has_results:
        shown = settings_in_lines(output)
        changed = [f"{name} {value!r} -> {settings[name]!r}"
                   for name, value in (shown or {}).items() if value != settings[name]]  # fmt: skip
        if changed:
            raise ConfigError(f"{output} has no {path.name}, and its lines were made with other settings than this "
                              f"run's ({'; '.join(changed)}): resuming would mix the two in one file; rerun with the "
                              f"settings its lines show, put its {path.name} back beside it, or write to a new "
                              "output")  # fmt: skip
        logger.warning("%s has no %s (made before run settings were kept, copied without it, or by another tool): "
                       "its lines %s; the model, quantize and markup they were made with cannot be checked. This run "
                       "records its own settings", output, path.name,
                       "show the same with_text and kept fields" if shown else "show no settings")  # fmt: skip
    path.write_text(json.dumps(settings, indent=1) + "\n", encoding="utf-8")  # ASCII: lone surrogates as escapes


def settings_in_lines(output: str | os.PathLike[str]) -> dict[str, Any] | None:
    """The run settings that the first complete line of ``output`` shows, or ``None`` if it shows none.

    ``with_text``: whether the line has a ``"text"``; ``keep_fields``: the fields between
    ``"id"`` and the analysis's own fields
    (:func:`~arabnews_nlp.engines.corpus_output.output_line` writes them in that order).

    Example:
        >>> settings_in_lines("/nonexistent/out.jsonl") is None
        True
    """
    from arabnews_nlp.results import Analysis

    path = Path(output)
    if not path.is_file():
        return None
    with open(path, "rb") as handle:
        first = next((raw for raw in handle if raw.strip() and raw.endswith(b"\n")), None)
    try:
        record = json.loads(first) if first is not None else None
    except (json.JSONDecodeError, UnicodeDecodeError):
        return None
    analysis_fields = set(Analysis.empty("").to_dict())
    if not isinstance(record, dict) or list(record)[:1] != ["id"] or not analysis_fields & set(record):
        return None
    names = list(record)[1:]
    kept = names[: next(i for i, name in enumerate(names) if name in analysis_fields)]
    return {"with_text": "text" in record, "keep_fields": kept}
