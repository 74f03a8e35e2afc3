"""What a model directory must hold, checked before anything loads it.

A model directory is a plain Hugging Face folder plus our settings: ``config.json``
(:class:`~arabnews_nlp.model_config.AnalyzerConfig`), ``model.safetensors``, ``tokenizer.json`` and
``tokenizer_config.json`` (a fast tokenizer), ``arabnews_nlp.json``
(:class:`~arabnews_nlp.settings.AnalyzerSettings`) and a ``README.md`` model card. The checks here
name the missing file and the fix, refuse pickle weights and models that ask to run their own
code, recognise a fine-tuning run's folder given in place of its model, and validate the labels
of ``config.json`` against :mod:`arabnews_nlp.schema`.

Example:
    >>> WEIGHTS_FILE, "tokenizer.json" in REQUIRED_FILES
    ('model.safetensors', True)
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from arabnews_nlp.errors import ModelFormatError, ModelNotFoundError
from arabnews_nlp.schema import EVENT_TYPES, NER_TAGS, SCHEMA_VERSION, STANCE_LABELS, check_labels
from arabnews_nlp.settings import SETTINGS_FILE

WEIGHTS_FILE = "model.safetensors"
PICKLE_SUFFIXES = (".bin", ".pt", ".pth", ".ckpt")
REQUIRED_FILES = {
    "config.json": "save the model with save_analyzer() or model.save_pretrained(directory)",
    "tokenizer.json": "save a fast tokenizer with tokenizer.save_pretrained(directory)",
    "tokenizer_config.json": "save a fast tokenizer with tokenizer.save_pretrained(directory)",
    SETTINGS_FILE: "save the model with arabnews_nlp.model_dir.save_analyzer (or Analyzer.save_pretrained)",
}


RUN_CONFIG_FILE = "finetune_config.json"
"""The config a fine-tuning run keeps in its run directory, written before its first checkpoint
(``training.run_dir.write_run_config``; ``--resume`` compares against it)."""


def training_run_of(directory: Path) -> str | None:
    """Say what ``directory`` is when it is a fine-tuning run's folder or checkpoint, and where its model goes.

    Read from file names only (``trainer_state.json`` in a checkpoint, ``finetune_config.json``
    or ``checkpoint-*`` folders in a run directory): inference does not import the training code.

    Example:
        >>> import tempfile
        >>> run = Path(tempfile.mkdtemp())
        >>> _ = (run / "finetune_config.json").write_text('{"output_dir": "models/mine"}')
        >>> training_run_of(run)[:44]
        "a fine-tuning run's folder (its checkpoints,"
    """
    if (directory / "trainer_state.json").is_file():
        what, run = "a training checkpoint", directory.parent
    elif (directory / RUN_CONFIG_FILE).is_file() or any(directory.glob("checkpoint-*")):
        what, run = "a fine-tuning run's folder (its checkpoints, logs and scores)", directory
    else:
        return None
    try:
        output = json.loads((run / RUN_CONFIG_FILE).read_text(encoding="utf-8")).get("output_dir")
    except (OSError, ValueError, AttributeError):
        output = None
    where = f"to {output!r} (output_dir in {run / RUN_CONFIG_FILE})" if isinstance(output, str) else "to the run's output_dir"
    return (f"{what}: the model is saved {where} when the run finishes; load that directory, or finish an "
            "interrupted run with the same python -m training finetune command and --resume")  # fmt: skip


REMOTE_CODE_KEYS = ("auto_map", "trust_remote_code")
"""Keys of ``config.json`` / ``tokenizer_config.json`` that ask transformers to run code shipped with a model."""


def refuse_remote_code(directory: Path) -> None:
    """Refuse a directory whose ``config.json`` or ``tokenizer_config.json`` asks to run its own code.

    transformers would ask on stdin whether to run such code (and run it on ``y``); arabnews-nlp
    never runs a model's code (``trust_remote_code``), so such a directory is refused before
    anything reads it. A file that is not a JSON object is left to the reader that needs it.

    Raises:
        ModelFormatError: Naming the file and the key (``auto_map``, ``trust_remote_code``).

    Example:
        >>> refuse_remote_code(Path("no-such-directory"))  # nothing to refuse
    """
    for name in ("config.json", "tokenizer_config.json"):
        path = directory / name
        try:
            fields = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if not isinstance(fields, dict):
            continue
        encoder = fields.get("encoder")
        nested: dict[str, Any] = encoder if isinstance(encoder, dict) else {}  # an analyzer's encoder config
        for where, part in (("", fields), ("encoder.", nested)):
            for key in REMOTE_CODE_KEYS:
                if key in part:
                    raise ModelFormatError(
                        f"{path} has {where + key!r} ({json.dumps(part[key], ensure_ascii=False)[:120]}): it asks "
                        "to run Python code shipped with the model, which arabnews-nlp never does (no "
                        "trust_remote_code). Remove the key if the model is a standard architecture; otherwise it "
                        "cannot be used here"
                    )


@contextlib.contextmanager
def no_remote_code(name_or_path: str | os.PathLike[str]) -> Iterator[None]:
    """Load ``name_or_path`` (a directory or a hub id) inside, with ``trust_remote_code=False``.

    A local directory is checked first (:func:`refuse_remote_code`); for a hub id, transformers'
    own refusal of a model that needs its code becomes a :class:`ModelFormatError`.

    Raises:
        ModelFormatError: If the model asks to run its own code.
    """
    refuse_remote_code(Path(name_or_path))
    try:
        yield
    except ValueError as error:
        if "trust_remote_code" not in str(error):
            raise
        raise ModelFormatError(f"{name_or_path} needs its own Python code (trust_remote_code), which arabnews-nlp "
                               "never runs; choose a standard BERT-style model") from error  # fmt: skip


def check_model_type(path: Path) -> None:
    """Refuse a ``config.json`` that is not a JSON object or not an analyzer's.

    Raises:
        ModelFormatError: Naming the model type found and how to start an analyzer from it.

    Example:
        >>> # check_model_type(Path("models/default/config.json"))
    """
    from arabnews_nlp.model_config import AnalyzerConfig

    model_type = _model_type(path)
    if model_type != AnalyzerConfig.model_type:
        raise ModelFormatError(
            f"{path} has model_type {model_type!r}, not {AnalyzerConfig.model_type!r}: this is not an "
            "arabnews-nlp analyzer (a plain encoder must be fine-tuned first: python -m training finetune, or "
            "AnalyzerModel.from_encoder(path) for an analyzer with fresh heads)"
        )


def check_encoder_source(name_or_path: str | os.PathLike[str]) -> None:
    """Refuse what :meth:`~arabnews_nlp.modeling.AnalyzerModel.from_encoder` cannot start from.

    A name of the hub-id form (``runs/encoder``) is a path when its first folder exists here.

    Raises:
        ModelNotFoundError: If a path (not a hub id) does not exist.
        ModelFormatError: If the directory is already an analyzer, not an encoder.

    Example:
        >>> # check_encoder_source("aubmindlab/bert-base-arabertv02")
    """
    from arabnews_nlp.model_source import is_hub_id

    path = Path(name_or_path)
    local = not is_hub_id(str(name_or_path)) or (len(path.parts) > 1 and Path(path.parts[0]).is_dir())
    if not path.exists() and local:
        raise ModelNotFoundError(f"encoder directory {str(name_or_path)!r} does not exist; check the path")
    if _is_analyzer_config(path / "config.json"):
        raise ModelFormatError(
            f"{path} is already an arabnews-nlp analyzer, not an encoder: load it with "
            "AnalyzerModel.from_pretrained(path) (or Analyzer.from_pretrained), or continue training it "
            "with python -m training finetune --base path"
        )


def _model_type(path: Path) -> Any:
    """The ``model_type`` of the ``config.json`` at ``path``; :class:`ModelFormatError` if it is not a JSON object."""
    try:
        return json.loads(path.read_text(encoding="utf-8")).get("model_type")
    except (json.JSONDecodeError, AttributeError, UnicodeDecodeError) as error:
        raise ModelFormatError(f"{path} is not a JSON object: {error}") from error


def _is_analyzer_config(config_path: Path) -> bool:
    """Whether ``config_path`` is a readable ``config.json`` of an analyzer."""
    from arabnews_nlp.model_config import AnalyzerConfig

    try:
        return bool(_model_type(config_path) == AnalyzerConfig.model_type)
    except (OSError, ModelFormatError):
        return False


def check_model_dir(directory: Path) -> None:
    """Check that ``directory`` holds every file of a model directory, with safetensors weights.

    Raises:
        ModelNotFoundError: If ``directory`` does not exist.
        ModelFormatError: If a file is missing, naming it and how to fix it; if the weights are
            only pickle files (``*.bin``, ``*.pt``, ``*.pth``, ``*.ckpt``); if its config is
            another model type's (a plain encoder); or if it asks to run its own code
            (:func:`refuse_remote_code`).

    Example:
        >>> # check_model_dir(Path("models/default"))
    """
    if not directory.is_dir():
        raise ModelNotFoundError(f"model directory {str(directory)!r} does not exist")
    refuse_remote_code(directory)
    if (directory / "config.json").is_file() and not (directory / SETTINGS_FILE).is_file():
        check_model_type(directory / "config.json")  # a plain encoder: say so, not which file it lacks
    missing = [name for name in (WEIGHTS_FILE, *REQUIRED_FILES) if not (directory / name).is_file()]
    if missing and (run := training_run_of(directory)) is not None:
        raise ModelFormatError(f"{directory} is {run}, not a model directory ({missing[0]} is missing)")
    has_weights = (directory / WEIGHTS_FILE).is_file() or (directory / f"{WEIGHTS_FILE}.index.json").is_file()
    if not has_weights:
        pickles = sorted(p.name for p in directory.iterdir() if p.suffix in PICKLE_SUFFIXES)
        if pickles:
            raise ModelFormatError(
                f"{directory / pickles[0]} is a pickle checkpoint and {WEIGHTS_FILE} is missing; "
                "arabnews-nlp loads only safetensors (pickle files can run code when loaded). Convert it "
                "to safetensors in a trusted environment: load it with AnalyzerModel.from_pretrained(dir, "
                "use_safetensors=False) and save it with save_analyzer() or save_pretrained()"
            )
        raise ModelFormatError(
            f"{directory / WEIGHTS_FILE} is missing; save the model with save_analyzer() or "
            "model.save_pretrained(directory) (safetensors is the default)"
        )
    for name, fix in REQUIRED_FILES.items():
        if not (directory / name).is_file():
            raise ModelFormatError(f"{directory / name} is missing; {fix}")


def load_config(directory: Path) -> Any:
    """Load and validate ``config.json``: an analyzer config with the schema's labels.

    Raises:
        ModelFormatError: If it is not an arabnews-nlp analyzer config.
        LabelMismatchError: If its labels differ from :mod:`arabnews_nlp.schema`.

    Example:
        >>> # load_config(Path("models/default")).stance_labels -> ['anti', 'pro', 'neutral']
    """
    from arabnews_nlp.model_config import AnalyzerConfig

    path = directory / "config.json"
    check_model_type(path)
    config = AnalyzerConfig.from_pretrained(str(directory))
    check_labels("ner", config.ner_labels, NER_TAGS)
    if config.label2id != {label: index for index, label in enumerate(config.ner_labels)}:
        raise ModelFormatError(f"{path}: label2id {config.label2id} does not invert id2label {config.id2label}; "
                               "remove label2id (it is filled from id2label) or correct it")  # fmt: skip
    if config.schema_version != SCHEMA_VERSION:
        raise ModelFormatError(f"{path} has schema_version {config.schema_version!r}, this library reads schema "
                               f"version {SCHEMA_VERSION} (an integer); install a matching arabnews-nlp or retrain "
                               "the model")  # fmt: skip
    check_labels("stance", config.stance_labels or [], STANCE_LABELS)
    check_labels("events", config.event_labels or [], EVENT_TYPES)
    return config
