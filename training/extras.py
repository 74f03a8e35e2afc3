"""The ``[train]`` extra: which commands need its packages, checked before a command does any work.

``pip install .`` (the runtime) leaves out seqeval, datasets, accelerate, pyyaml and
scikit-learn. Without this check ``python -m training evaluate`` would predict for minutes and
then fail on ``import seqeval`` with a traceback and exit status 1, which is the status of a
metric below its floor. :func:`check_extra` fails first, with a typed error that names what is
missing and how to install it; ``python -m training`` exits with 2 on it, as on other usage errors.

Example:
    >>> check_extra("validate")  # the data commands need nothing of the extra
"""

from __future__ import annotations

import importlib.util
from collections.abc import Sequence

from arabnews_nlp.errors import MissingDependencyError

TRAIN_EXTRA: dict[str, str] = {
    "datasets": "datasets",
    "accelerate": "accelerate",
    "seqeval": "seqeval",
    "yaml": "pyyaml",
    "sklearn": "scikit-learn",
}
"""Module -> the package of the ``[train]`` extra (pyproject.toml) that installs it."""

NEEDS: dict[str, tuple[str, ...]] = {
    "finetune": tuple(TRAIN_EXTRA),
    "retune": tuple(TRAIN_EXTRA),
    "evaluate": ("seqeval",),
    "anercorp": ("datasets", "accelerate", "seqeval"),
}
"""Command -> the modules of the extra it imports; a command not named needs none of them."""


class TrainExtraMissingError(MissingDependencyError):
    """A ``python -m training`` command needs packages of the ``[train]`` extra that are not installed.

    Example:
        >>> print(TrainExtraMissingError("evaluate", ["seqeval", "sklearn"]))  # doctest: +NORMALIZE_WHITESPACE
        evaluate needs seqeval, scikit-learn (module sklearn), which are not installed. Install it with:
        pip install "arabnews-nlp[train]" (in a source checkout: pip install ".[train]")
    """

    def __init__(self, command: str, missing: Sequence[str]) -> None:
        packages = [TRAIN_EXTRA.get(module, module) for module in missing]
        named = [package if package == module else f"{package} (module {module})"
                 for package, module in zip(packages, missing)]  # fmt: skip
        super().__init__(", ".join(named), "train", command)
        self.missing = list(missing)


def missing_modules(modules: Sequence[str]) -> list[str]:
    """The ``modules`` that cannot be imported (found without importing them).

    Example:
        >>> missing_modules(["json", "no_such_module_here"])
        ['no_such_module_here']
    """
    missing = []
    for module in modules:
        try:
            found = importlib.util.find_spec(module) is not None
        except (ImportError, ValueError):  # a broken install, or a module set to None in sys.modules
            found = False
        if not found:
            missing.append(module)
    return missing


def check_extra(command: str) -> None:
    """Fail before any work when ``command`` needs packages of the ``[train]`` extra that are missing.

    Raises:
        TrainExtraMissingError: Naming every missing package and the ``pip install`` command.
    """
    missing = missing_modules(NEEDS.get(command, ()))
    if missing:
        raise TrainExtraMissingError(command, missing)
