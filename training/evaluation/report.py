"""The JSON report of an evaluation (what was scored, the scores, the command) and its atomic writing.

Example:
    >>> scores_report("m", ["d.jsonl"], {}, ["evaluate", "--model", "m"])["summary"]
    {}
"""

from __future__ import annotations

import json
import shlex
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from training.evaluation.summary import summary


def scores_report(model: str, data: Sequence[str], scores: Mapping[str, Any], argv: Sequence[str]) -> dict[str, Any]:
    """Wrap scores with what was scored and the command that reproduces them (the JSON written).

    Example:
        >>> scores_report("m", ["d.jsonl"], {}, ["evaluate", "--model", "m"])["command"]
        'python -m training evaluate --model m'
    """
    command = "python -m training " + shlex.join(argv)
    return {"model": model, "data": list(data), **scores, "summary": summary(scores), "command": command}


def write_json(path: str | Path, data: Any) -> None:
    """Write ``data`` as indented UTF-8 JSON (non-ASCII kept), creating parent folders (atomically).

    Example:
        >>> import tempfile, os
        >>> write_json(os.path.join(tempfile.mkdtemp(), "a", "m.json"), {"f1": 1.0})
    """
    write_text_atomic(path, json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def write_text_atomic(path: str | Path, text: str) -> None:
    """Write UTF-8 ``text`` to ``path`` whole or not at all (a sibling ``.part`` file, then a rename).

    An interruption leaves the previous file, never half of one. Parent folders are created.

    Example:
        >>> import tempfile, os
        >>> write_text_atomic(os.path.join(tempfile.mkdtemp(), "a", "m.json"), "{}")
    """
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    part = out.with_name(out.name + ".part")
    try:
        part.write_text(text, encoding="utf-8")
        part.replace(out)
    except BaseException:
        part.unlink(missing_ok=True)
        raise
