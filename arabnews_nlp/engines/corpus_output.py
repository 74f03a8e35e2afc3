"""The output of a corpus run: its lines, its lock against a second run, and the ids it already holds (resume).

Per document one line ``{"id": ..., **Analysis.to_dict()}`` (:func:`output_line`), appended and
flushed batch by batch, so a crash loses at most the batch in flight. A rerun reads the ids already
in the output (:func:`done_ids`, dropping a last line cut off mid-write) and analyses only the
others. A run holds an exclusive lock on its output (:func:`output_lock`), so a second run onto the
same file is refused instead of writing every document twice.

Example:
    >>> from arabnews_nlp.results import Analysis
    >>> output_line('"d1"', Analysis.empty(""))[:12]
    '{"id": "d1",'
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from arabnews_nlp.engines.corpus_input import id_key
from arabnews_nlp.engines.jsonl import json_line
from arabnews_nlp.errors import ConfigError, DataFormatError

logger = logging.getLogger(__name__)

RESULT_START = '{"id": '
"""How every line this engine writes begins (:func:`output_line`: its id comes first)."""


def output_line(key: str, analysis: Any, fields: str = "", with_text: bool = True) -> str:
    """Return the output line of one document: ``{"id": <key>, <fields>, **analysis.to_dict()}`` and a newline.

    ``with_text=False`` leaves the texts of the document and its sentences out
    (``analysis.to_dict(text=False)``); the offsets index the input's text.

    Example:
        >>> from arabnews_nlp.results import Analysis
        >>> output_line('"d1"', Analysis.empty(""))[:24]
        '{"id": "d1", "text": "",'
        >>> output_line('"d1"', Analysis.empty(""), ', "date": "2018-04-08"')[:43]
        '{"id": "d1", "date": "2018-04-08", "text": '
        >>> output_line('"d1"', Analysis.empty(""), with_text=False)[:24]
        '{"id": "d1", "stance": {'
    """
    body = json.dumps(analysis.to_dict(with_text), ensure_ascii=False)
    return RESULT_START + key + fields + (", " + body[1:] if len(body) > 2 else "}") + "\n"


@contextlib.contextmanager
def output_lock(output: str | os.PathLike[str]) -> Iterator[None]:
    """Hold an exclusive lock on ``output`` (created if missing) while the block runs.

    Two runs appending to one output would each write every document (the second does not see
    what the first has not written yet). The lock is ``fcntl.flock`` on the output itself, so it
    goes with the process: a killed run leaves no stale lock. Where there is no ``fcntl``
    (Windows), or the file system refuses locks, the run goes on unlocked (with a warning in the
    second case).

    Raises:
        ConfigError: If another run (another process, or another open of the file) holds the lock.

    Example:
        >>> # with output_lock("out.jsonl"): ...  # a second run onto out.jsonl is refused meanwhile
    """
    try:
        import fcntl
    except ImportError:  # Windows: no flock; concurrent runs are not detected
        yield
        return
    with open(output, "ab") as handle:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as error:
            raise ConfigError(f"{output} is being written by another run (in another terminal, or a job still "
                              "running): wait for it to end, or write to another output") from error  # fmt: skip
        except OSError as error:  # e.g. a network file system without locks
            logger.warning("%s cannot be locked (%s): a second run onto it at the same time would not be noticed",
                           output, error)  # fmt: skip
        yield  # closing the file releases the lock


def check_corpus_paths(source: str | os.PathLike[str], output: str | os.PathLike[str]) -> None:
    """Raise before any work when the output file is the input file (its records would count as done), or a ``.gz``.

    Raises:
        ConfigError: If ``output`` exists and is the same file as ``source``, or its name ends
            with ``.gz`` (the output is plain JSONL, appended to and resumed line by line).
        FileNotFoundError: If the directory of ``output`` does not exist.
        IsADirectoryError: If ``output`` is a directory.

    Example:
        >>> check_corpus_paths("news.jsonl", "results.jsonl")  # different paths: nothing to say
    """
    if Path(output).exists() and Path(source).exists() and Path(source).samefile(output):
        raise ConfigError(f"the output {output} is the input file; write the results to another file")
    if str(output).endswith(".gz"):
        raise ConfigError(f"the output {output} would not be gzip: results are written as plain JSONL, appended "
                          "and resumed line by line; write to a .jsonl file and compress it after the run (gzip FILE)")  # fmt: skip
    directory = Path(output).parent
    if not directory.is_dir():
        raise FileNotFoundError(f"the output {output}: its directory {directory} does not exist; create it first "
                                f"(mkdir -p {directory}) or write elsewhere")  # fmt: skip
    if Path(output).is_dir():
        raise IsADirectoryError(f"the output {output} is a directory; give a file name, e.g. "
                                f"{Path(output) / 'results.jsonl'}")  # fmt: skip


def done_ids(output: str | os.PathLike[str]) -> set[str]:
    """Return the id keys already in ``output``; a last line cut off mid-write is removed from the file.

    Both are logged as warnings: the removed line (its document is analysed again), and ids that
    are in ``output`` more than once (two runs wrote it at once: each id is skipped on resume,
    but the repeated lines stay).

    Raises:
        DataFormatError: If a complete line of the output is not a JSON object with an id, or the
            file's only line has no line end and does not begin as a result line does (another
            file given as ``-o``, which is then left unchanged).

    Example:
        >>> done_ids("/nonexistent/out.jsonl")
        set()
    """
    path = Path(output)
    if not path.is_file():
        return set()
    first_line: dict[str, int] = {}
    repeats: list[tuple[str, int, int]] = []  # (id key, first line, repeated line)
    with open(path, "rb+") as handle:
        good_end = 0
        for number, raw in enumerate(handle, start=1):
            if not raw.endswith(b"\n"):  # a line cut off by a crash: drop it, its document is analysed again
                if not first_line and not raw.startswith(RESULT_START.encode()):  # not ours: nothing before it, not a result
                    raise DataFormatError(f"{path}:{number}: not an output of analyze-corpus (a line without a line "
                                          f"end that does not start as a result line does: {raw[:40]!r}); give -o a "
                                          "new file: this one was left as it was")  # fmt: skip
                logger.warning("%s:%d: removed a last line cut off mid-write (%d bytes); its document is analysed "
                               "again", path, number, len(raw))  # fmt: skip
                break
            good_end += len(raw)
            if not raw.strip():
                continue
            record = json_line(raw, f"{path}:{number}", hint="is this an output file?")
            if not isinstance(record, dict) or "id" not in record:
                raise DataFormatError(f"{path}:{number}: expected an object with an 'id' (an output of this engine)")
            key = id_key(record["id"], f"{path}:{number}")
            if key in first_line:
                repeats.append((key, first_line[key], number))
            else:
                first_line[key] = number
        handle.truncate(good_end)
    if repeats:
        shown = ", ".join(f"{key} at lines {first} and {again}" for key, first, again in repeats[:3])
        logger.warning("%s holds %d lines whose id is already on an earlier line (%s%s); two runs probably wrote it "
                       "at once. Resuming skips those ids, but the repeated lines stay: drop them before counting "
                       "(e.g. pandas drop_duplicates('id'))", path, len(repeats), shown,
                       ", ..." if len(repeats) > 3 else "")  # fmt: skip
    return set(first_line)
