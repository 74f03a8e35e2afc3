"""The package surface: lazy import, explicit public names."""

from __future__ import annotations

import subprocess
import sys

import arabnews_nlp


def test_import_is_lazy_and_has_no_side_effects() -> None:
    code = (
        "import logging, os, sys; env = dict(os.environ); import arabnews_nlp; "
        "assert 'torch' not in sys.modules and 'transformers' not in sys.modules, 'heavy import'; "
        "assert dict(os.environ) == env; assert not logging.getLogger().handlers; "
        "arabnews_nlp.Analyzer; assert 'torch' not in sys.modules, 'api imports torch'"
    )
    subprocess.run([sys.executable, "-c", code], check=True, env=None)


def test_public_names_resolve() -> None:
    assert len(arabnews_nlp.__all__) == len(set(arabnews_nlp.__all__)) == 17
    for name in arabnews_nlp.__all__:
        assert getattr(arabnews_nlp, name) is not None
    assert set(arabnews_nlp.__all__) <= set(dir(arabnews_nlp))
    assert arabnews_nlp.__version__


def test_unknown_attribute_raises() -> None:
    try:
        arabnews_nlp.no_such_name  # noqa: B018
    except AttributeError as error:
        assert "no_such_name" in str(error)
    else:  # pragma: no cover
        raise AssertionError("expected AttributeError")
