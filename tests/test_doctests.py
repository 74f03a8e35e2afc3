"""The examples in the docstrings run and print what they show (the package's and the training code's)."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import arabnews_nlp
import training


def _modules() -> list[str]:
    names: list[str] = []
    for package in (arabnews_nlp, training):
        names.append(package.__name__)
        names += [info.name for info in pkgutil.walk_packages(package.__path__, package.__name__ + ".")]
    return sorted(names)


@pytest.mark.parametrize("name", _modules())
def test_docstring_examples(name: str) -> None:
    try:
        module = importlib.import_module(name)
    except ImportError as error:  # an optional extra (e.g. Ray, gensim) that this environment lacks
        pytest.skip(f"{name}: {error}")
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE, verbose=False)
    assert result.failed == 0, f"{result.failed} of {result.attempted} docstring examples of {name} failed (output above)"
