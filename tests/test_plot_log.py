"""scripts/plot_log.py: a clear usage error instead of a traceback."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "plot_log.py"


def _run(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(SCRIPT), *map(str, args)], capture_output=True, text=True, check=False)


def test_a_log_without_the_series_is_named(tmp_path: Path) -> None:
    log = tmp_path / "log.jsonl"
    log.write_text(json.dumps({"step": 1, "loss": 9.0}) + "\n", encoding="utf-8")
    done = _run(log, tmp_path / "out.png", "--key", "eval_loss")
    assert done.returncode == 2 and "no line with both 'step' and 'eval_loss'" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.skipif(importlib.util.find_spec("matplotlib") is not None, reason="matplotlib is installed")
def test_without_matplotlib_it_says_how_to_install_it(tmp_path: Path) -> None:
    log = tmp_path / "log.jsonl"
    log.write_text(json.dumps({"step": 1, "loss": 9.0}) + "\n", encoding="utf-8")
    done = _run(log, tmp_path / "out.png")
    assert done.returncode == 2 and "pip install matplotlib" in done.stderr and "Traceback" not in done.stderr
