"""The gold files of an evaluation: every file checked, then read and validated, no document twice.

Example:
    >>> read_evaluation_data([])
    []
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from arabnews_nlp.errors import ConfigError, DataFormatError
from training.data.validate import read_valid_records


def read_evaluation_data(paths: Sequence[str]) -> list[Any]:
    """The valid records of ``paths``, refusing what would score a document twice or nothing.

    Raises:
        ConfigError: A file does not exist or is a directory (every file is checked before any is read).
        DataFormatError: A file is invalid (:func:`~training.data.validate.read_valid_records`),
            or two files hold the same document id (a file given twice, or a copy).

    Example:
        >>> read_evaluation_data([])
        []
    """
    records: list[Any] = []
    seen: dict[str, str] = {}
    for path in paths:
        if Path(path).is_dir():
            raise ConfigError(f"gold file {path} is a directory; give the JSONL files in it")
        if not Path(path).is_file():
            raise ConfigError(f"gold file not found: {path}; check the path (relative to {Path.cwd()})")
    for path in paths:
        for record in read_valid_records(path):
            doc_id = str(record.get("id"))
            if doc_id in seen:
                raise DataFormatError(f"document {doc_id!r} of {path} is also in {seen[doc_id]}: it would be scored "
                                      "twice; give each file once, without copies of the same documents")  # fmt: skip
            seen[doc_id] = str(path)
            records.append(record)
    return records
