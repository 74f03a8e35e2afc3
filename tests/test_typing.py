"""The package is typed (``py.typed``, "Typing :: Typed"): mypy, configured in pyproject.toml, finds no error.

Users type-check their own code against these annotations, so a wrong one is a bug they see.
"""

from __future__ import annotations

from pathlib import Path

import pytest

mypy_api = pytest.importorskip("mypy.api", reason="mypy is a dev dependency: pip install '.[dev]'")

ROOT = Path(__file__).resolve().parent.parent


def test_mypy_finds_no_error_in_the_package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    stdout, stderr, status = mypy_api.run(["--config-file", str(ROOT / "pyproject.toml"), "--cache-dir", str(tmp_path)])
    assert status == 0, stdout + stderr
    assert "no issues found" in stdout
