"""Stream de-duplicated, normalised text from the news corpora (JSONL or JSONL.gz, ``text`` field).

Each file is read lazily, line by line; an article whose text was already seen (by hash of its
normalised form) is skipped, so the ~1,500 duplicate texts of the 2018 corpus count once.
Normalisation is the runtime's (:func:`arabnews_nlp.text.normalize.normalize_word` per word),
so pre-training sees text exactly as the analyzer will.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO

from arabnews_nlp.errors import ConfigError

DEFAULT_CORPORA = (
    "ant_multisource_2018.jsonl.gz",
    "news_credibility_2013.jsonl.gz",
    "ant_jawharafm_2014_2017.jsonl.gz",
)


def default_news_dir() -> Path:
    """Return ``../shared/data/news`` next to the repository root."""
    return Path(__file__).resolve().parents[2].parent / "shared" / "data" / "news"


def _open(path: Path) -> IO[str]:
    if path.suffix == ".gz":
        return gzip.open(path, "rt", encoding="utf-8")
    return path.open(encoding="utf-8")


def normalise_line(text: str) -> str:
    """Normalise a line word by word as the runtime does, keeping single spaces."""
    from arabnews_nlp.text.normalize import normalize_word

    return " ".join(w for w in (normalize_word(word) for word in text.split()) if w)


def _text_of(line: str, path: Path, number: int) -> str:
    """The ``text`` field of one JSONL line ("" when it has none).

    Raises:
        ConfigError: If the line is not a JSON object, naming the file and line.
    """
    try:
        record = json.loads(line)
    except json.JSONDecodeError as error:
        raise ConfigError(f"{path}:{number}: not a JSON line ({error.msg} at column {error.colno}); the corpus "
                          "needs one JSON object with a 'text' field per line (a truncated or cut file? remove or "
                          "repair that line)") from error  # fmt: skip
    if not isinstance(record, dict):
        raise ConfigError(f"{path}:{number}: a {type(record).__name__}, not a JSON object with a 'text' field")
    return str(record.get("text") or "")


def iter_documents(paths: Sequence[Path], skip: int = 0) -> Iterator[str]:
    """Yield normalised, de-duplicated article texts from ``paths`` in order.

    Args:
        paths: JSONL(.gz) files with a ``text`` field per line.
        skip: Number of (de-duplicated) documents to skip, to resume a stream.

    Raises:
        ConfigError: If a file does not exist, or a line is not a JSON object (naming its file and line).
    """
    for path in paths:
        if not path.exists():
            raise ConfigError(f"corpus file {path} does not exist; pass --corpus with existing JSONL(.gz) files")
    seen: set[bytes] = set()
    index = 0
    for path in paths:
        with _open(path) as handle:
            for number, line in enumerate(handle, 1):
                text = normalise_line(_text_of(line, path, number))
                if len(text) < 50:
                    continue
                digest = hashlib.blake2b(text.encode("utf-8"), digest_size=12).digest()
                if digest in seen:
                    continue
                seen.add(digest)
                index += 1
                if index <= skip:
                    continue
                yield text
