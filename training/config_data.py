"""Checks of a fine-tuning config's data files: they exist, hold SCHEMA.md JSONL, and keep dev and test held out.

Example:
    >>> import tempfile
    >>> check_data_paths([("dev", tempfile.gettempdir())])  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    arabnews_nlp.errors.ConfigError: dev: data file '...' is a directory; list the JSONL files in it
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from arabnews_nlp.errors import ConfigError, DataFormatError

if TYPE_CHECKING:
    from training.config import FinetuneConfig


def check_data_paths(keyed_files: Sequence[tuple[str, str]]) -> None:
    """Raise one :class:`ConfigError` naming every data file that is missing or a directory, with its key.

    Args:
        keyed_files: ``(config key, path)`` of every data file
            (:meth:`~training.config.FinetuneConfig.keyed_data_files`).
    """
    problems = [data_path_problem(key, path) for key, path in keyed_files if not Path(path).is_file()]
    if len(problems) == 1:
        raise ConfigError(problems[0])
    if problems:
        raise ConfigError(f"{len(problems)} data files cannot be read:\n  " + "\n  ".join(problems))


def check_evaluation_names(config: FinetuneConfig) -> None:
    """Raise :class:`ConfigError` when two evaluations would write the same ``eval_NAME.json``."""
    names = [name for name, _ in config.evaluations()]
    if len(set(names)) < len(names):
        raise ConfigError(f"test files {config.test} share a file name, so their results would overwrite each "
                          "other (eval_test_NAME.json); give them different names")  # fmt: skip


def read_data(config: FinetuneConfig) -> dict[str, list[dict[str, Any]]]:
    """Read every data file of ``config``; raise :class:`DataFormatError` on invalid JSONL or held-out copies.

    See :meth:`training.config.FinetuneConfig.check_data`, which this does.

    Returns:
        Each data file (as configured) -> its records.
    """
    from training.data.split import held_out_copies
    from training.data.validate import check_files

    data = check_files(config.data_files())
    check_training_ids(config.train, data)
    trained = {Path(path).resolve() for path in config.train}  # a file given as both is deliberate (smoke runs)
    held_out = {path: data[path] for path in [*([config.dev] if config.dev else []), *config.test]
                if Path(path).resolve() not in trained}  # fmt: skip
    check = held_out and config.train and not config.allow_held_out_copies
    copies = held_out_copies([r for path in config.train for r in data[path]], held_out) if check else []
    if copies:
        shown = _first_five([f"train {t!r} = {name} {h!r}" for t, name, h in copies])
        raise DataFormatError(
            f"{len({t for t, _, _ in copies})} training document(s) repeat a dev or test document (the same "
            f"id, or at least half of its 5-word sequences): {shown}. "
            "Training on them would inflate the held-out scores: remove them from the training files (or set "
            "allow_held_out_copies: true)"
        )
    return data


def check_training_ids(train: Sequence[str], data: dict[str, list[dict[str, Any]]]) -> None:
    """Raise :class:`DataFormatError` when a document id is in more than one training file.

    Each file's own ids are unique (validated); a document in two of them would be trained on
    twice, e.g. ``--train seeds/train.jsonl OUT/train.jsonl`` where ``OUT/train.jsonl`` is a
    ``build-data`` output that already holds every document of ``seeds/train.jsonl``.

    Args:
        train: The training files, as configured (a file listed twice counts twice).
        data: Each data file -> its records (:func:`read_data`).

    Example:
        >>> check_training_ids(["a.jsonl", "b.jsonl"], {"a.jsonl": [{"id": "d1"}], "b.jsonl": [{"id": "d1"}]})
        Traceback (most recent call last):
        ...
        arabnews_nlp.errors.DataFormatError: 1 document id(s) are in more than one training file, ...
    """
    seen: dict[str, str] = {}
    repeated: list[tuple[str, str, str]] = []
    for path in train:
        for record in data.get(path, []):
            doc_id = str(record.get("id"))
            if doc_id in seen:
                repeated.append((doc_id, seen[doc_id], path))
            else:
                seen[doc_id] = path
    if repeated:
        shown = _first_five([f"{doc_id!r} in {first} and {second}" for doc_id, first, second in repeated])
        raise DataFormatError(
            f"{len(repeated)} document id(s) are in more than one training file, so each would be trained on "
            f"twice: {shown}. Give every document once (a build-data "
            "train.jsonl already holds the documents of the surface batches it was built from: pass it alone)"
        )


def _first_five(cases: Sequence[str]) -> str:
    """The first five cases joined by ``; ``, and ``; ...`` when there are more."""
    return "; ".join(cases[:5]) + ("; ..." if len(cases) > 5 else "")


def data_path_problem(key: str, path: str) -> str:
    """What is wrong with the data file ``path`` of the config key ``key`` (a directory, or missing), and the fix.

    A missing ANERcorp file (``anercorp_train.jsonl``, ``anercorp_test_reconstructed.jsonl``,
    ``anercorp_test_official_as_found.jsonl``) gets the ``convert anercorp`` command that writes it.

    Example:
        >>> data_path_problem("train", "no/such.jsonl")  # doctest: +ELLIPSIS
        "train: data file 'no/such.jsonl' does not exist; check the path (relative to ...)"
    """
    if Path(path).is_dir():
        return f"{key}: data file {path!r} is a directory; list the JSONL files in it"
    source = anercorp_source(path)
    if source is not None:
        return (f"{key}: data file {path!r} does not exist; it is converted from ANERcorp: "
                f"python -m training convert anercorp {source} {path}")  # fmt: skip
    return f"{key}: data file {path!r} does not exist; check the path (relative to {Path.cwd()})"


def anercorp_source(path: str) -> str | None:
    """The ANERcorp text file that ``python -m training convert anercorp`` turns into ``path``, if it is one.

    The conventional names (docs/training.md) are ``anercorp_`` and the source's split:
    ``anercorp_train.jsonl``, ``anercorp_test_reconstructed.jsonl``,
    ``anercorp_test_official_as_found.jsonl``. The source is given relative to the working folder.

    Example:
        >>> anercorp_source("runs/data/mine.jsonl") is None
        True
    """
    import os

    from training.anercorp import TEST_FILES, TRAIN_FILE, default_data_dir

    name = Path(path).name
    if not (name.startswith("anercorp_") and name.endswith(".jsonl")):
        return None
    split = name[len("anercorp_") : -len(".jsonl")]
    files = {"train": TRAIN_FILE, **{key.replace(".", "_"): value for key, value in TEST_FILES.items()}}
    if split not in files:
        return None
    source = default_data_dir() / files[split]
    try:
        return os.path.relpath(source)
    except ValueError:  # another drive (Windows)
        return str(source)
