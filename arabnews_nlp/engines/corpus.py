"""Resumable corpus analysis: JSONL in, one JSONL line per document out, reruns skip what is done.

Input: one JSON object per line with an id (``id_field``) and a text (``text_field``); ``.gz``
files are read as gzip. Output: per document one line ``{"id": ..., **Analysis.to_dict()}``,
appended and flushed batch by batch, so a crash loses at most the batch in flight. A rerun reads
the ids already in the output (dropping a last line cut off mid-write) and analyses only the
others; the output order is the order results arrive in, not the input order. A run holds an
exclusive lock on its output (:func:`output_lock`), so a second run onto the same file is refused
instead of writing every document twice. The settings that
change the output lines (the model, int8 quantisation, markup, the id and text fields, the input
fields kept in each line, whether texts are written) are kept beside the output in ``OUT.run.json``
(:func:`check_run_settings`), and a rerun with other settings is refused instead of mixing two
kinds of results in one file.

:func:`analyze_corpus_local` runs in this process (``Analyzer.pipe``);
:func:`arabnews_nlp.engines.ray_engine.analyze_corpus_ray` runs on a Ray cluster with the same
files and the same resume rule.

Example:
    >>> # stats = analyze_corpus_local("news.jsonl", "out.jsonl", model="models/default")
    >>> # stats.processed, stats.already_done
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import io
import json
import logging
import os
import time
import zlib
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from arabnews_nlp.errors import ConfigError, DataFormatError
from arabnews_nlp.settings import SETTINGS_FILE
from arabnews_nlp.signals import sigterm_raises, stop_reason
from arabnews_nlp.text.markup import check_markup
from arabnews_nlp.text.screen import InputNotes

logger = logging.getLogger(__name__)

RUN_FILE_SUFFIX = ".run.json"
"""The run settings of ``OUT`` are kept in ``OUT.run.json`` (:func:`check_run_settings`)."""

JSONL_HINT = 'the input must be JSONL: one JSON object per line, e.g. {"id": "d1", "text": "…"}'


@dataclass
class CorpusStats:
    """What a corpus run did.

    Attributes:
        input_documents: Documents read from the input (duplicates included).
        already_done: Documents skipped because their id was already in the output.
        duplicates: Input lines whose id appeared earlier in the input (analysed once).
        processed: Documents analysed and written by this run.
        seconds: Wall time of the run.
        output: The output file.
        invalid: Input lines skipped as invalid (``skip_invalid``), each named in a warning.

    Example:
        >>> CorpusStats(3, 1, 0, 2, 0.5, "out.jsonl").processed
        2
    """

    input_documents: int
    already_done: int
    duplicates: int
    processed: int
    seconds: float
    output: str
    invalid: int = 0


def id_key(value: Any, where: str) -> str:
    """Return the JSON text of a document id, the key used for resume (str and int ids only).

    Raises:
        DataFormatError: If the id is missing or not a str or int.

    Example:
        >>> id_key("doc-1", "x"), id_key(7, "x")
        ('"doc-1"', '7')
    """
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise DataFormatError(f"{where}: the id must be a string or an integer, got {value!r}")
    return json.dumps(value, ensure_ascii=False)


class Pending(NamedTuple):
    """An input document to analyse.

    Attributes:
        key: Its id as JSON text (:func:`id_key`), the key of resume.
        text: Its text.
        fields: The input fields kept in its output line, as JSON members (``', "date": "…"'``), or ``""``.
    """

    key: str
    text: str
    fields: str = ""


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


def check_keep_fields(keep_fields: Sequence[str], id_field: str, text_field: str) -> tuple[str, ...]:
    """Return the input fields to copy into each output line, checked.

    Raises:
        ConfigError: If one is not a non-empty string, is the id or text field (already in the
            line), or is the name of an output field (it would be written twice).

    Example:
        >>> check_keep_fields(["date", "source"], "id", "text")
        ('date', 'source')
    """
    from arabnews_nlp.results import Analysis

    if isinstance(keep_fields, str):
        raise ConfigError(f"keep_fields must be a list of field names, got the string {keep_fields!r}")
    taken = ("id", *Analysis.empty("").to_dict())  # the fields of every output line
    fields = tuple(keep_fields)
    for name in fields:
        if not isinstance(name, str) or not name.strip():
            raise ConfigError(f"keep_fields: a field name must be a non-empty string, got {name!r}")
        if name in (id_field, text_field, *taken):
            raise ConfigError(f"keep_fields: {name!r} is already a field of each output line "
                              f"({', '.join(taken)}); keep only other input fields")  # fmt: skip
    if len(set(fields)) != len(fields):
        raise ConfigError(f"keep_fields names a field twice: {', '.join(fields)}")
    return fields


def open_bytes(path: str | os.PathLike[str]) -> io.BufferedIOBase:
    """The file at ``path`` in binary mode, decompressed when it ends with ``.gz``."""
    return gzip.open(path, "rb") if str(path).endswith(".gz") else open(path, "rb")  # noqa: SIM115


def decode_utf8(data: bytes, where: str) -> str:
    """``data`` as UTF-8 text, a leading byte-order mark (Windows tools) dropped.

    Raises:
        DataFormatError: Naming ``where`` (a file, or a file and line) and the first bad byte.

    Example:
        >>> decode_utf8("\ufeffنص".encode(), "a.txt")
        'نص'
    """
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        if data.startswith(b"\x1f\x8b"):
            raise DataFormatError(f"{where}: this is gzip-compressed data; name the file .gz (it is then read "
                                  "as gzip) or gunzip it first") from error  # fmt: skip
        raise DataFormatError(
            f"{where}: not UTF-8 text (byte 0x{data[error.start]:02x} at position {error.start}); {_encoding_hint(data, error)}"
        ) from error


def _encoding_hint(data: bytes, error: UnicodeDecodeError) -> str:
    """What to do about bytes that are not UTF-8, from what they look like."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "it begins with a UTF-16 byte-order mark: convert it first, e.g. iconv -f UTF-16 -t UTF-8"
    if b"\x00" in data[:4096]:
        return "it holds NUL bytes: a binary file, or UTF-16 without a byte-order mark (iconv -f UTF-16LE -t UTF-8)?"
    if error.end == len(data) and error.reason == "unexpected end of data":
        return "the data ends inside a UTF-8 character: the file was cut short (an interrupted copy or download?)"
    return "convert it first, e.g. iconv -f WINDOWS-1256 -t UTF-8 (the usual Arabic encoding before UTF-8)"


def json_line(line: str | bytes, where: str, hint: str = JSONL_HINT) -> Any:
    """The JSON value of one line of a JSONL file, parsed without its line end.

    Without the line end, a string cut off before it is reported as "Unterminated string", not
    "Invalid control character".

    Raises:
        DataFormatError: If the line is not valid JSON: ``where``, what is wrong and at which
            column, then ``hint``.

    Example:
        >>> json_line('{"id": "a6"}\\r\\n', "in.jsonl:6")
        {'id': 'a6'}
        >>> json_line('{"id": "a6", "text": "broken\\n', "in.jsonl:6", hint="one object per line")
        Traceback (most recent call last):
        ...
        arabnews_nlp.errors.DataFormatError: in.jsonl:6: not valid JSON (Unterminated string starting at column 22); one object per line
    """
    try:
        return json.loads(line.rstrip("\r\n") if isinstance(line, str) else line.rstrip(b"\r\n"))
    except json.JSONDecodeError as error:
        cause = error.msg if error.msg.endswith(" at") else f"{error.msg} at"
        raise DataFormatError(f"{where}: not valid JSON ({cause} column {error.colno}); {hint}") from error


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


def run_settings(
    model: str | os.PathLike[str] | None, quantize: bool, markup: str, id_field: str, text_field: str,
    keep_fields: Sequence[str] = (), with_text: bool = True,
) -> dict[str, Any]:
    """The settings of a corpus run that change its output lines, as :func:`check_run_settings` keeps them.

    The model is named as given (``None``: ``$ARABNEWS_NLP_MODEL`` or the bundled default) and,
    when it is a local directory, identified by the SHA-256 of its ``arabnews_nlp.json`` (its
    labels, thresholds, choices and recorded scores), so one model reached by two paths is the
    same model. The engine, backend, device and batch sizes are left out: they give the same
    results (to float rounding).

    Example:
        >>> settings = run_settings("no/such/model", False, "text", "id", "text")
        >>> settings["model"], settings["model_settings_sha256"], settings["markup"]
        ('no/such/model', None, 'text')
    """
    from arabnews_nlp import __version__
    from arabnews_nlp.model_dir import MODEL_ENV, bundled_model_dir

    name = str(model) if model is not None else os.environ.get(MODEL_ENV, "").strip()
    directory = Path(name).expanduser() if name else bundled_model_dir()  # "~/m" as the model loader reads it
    settings_file = directory / SETTINGS_FILE if directory is not None else None
    digest = hashlib.sha256(settings_file.read_bytes()).hexdigest() if settings_file and settings_file.is_file() else None
    return {
        "model": name or "bundled default", "model_settings_sha256": digest, "quantize": bool(quantize),
        "markup": markup, "id_field": id_field, "text_field": text_field, "keep_fields": list(keep_fields),
        "with_text": bool(with_text), "arabnews_nlp": __version__,
    }  # fmt: skip


_SETTINGS_BEFORE: dict[str, Any] = {
    "quantize": None, "markup": None, "id_field": None, "text_field": None, "keep_fields": [], "with_text": True,
}
"""The run settings compared by :func:`check_run_settings`, each with its value in a run file made before it was kept."""


def check_run_settings(output: str | os.PathLike[str], settings: dict[str, Any], has_results: bool) -> None:
    """Refuse to add results made with other settings to ``output``; record the settings of a new one.

    The settings of the run that started ``output`` are in ``OUT.run.json``. When ``output``
    already holds results, each setting of :func:`run_settings` must match (the model by its
    settings digest when both runs have one, else by name); another library version is a
    warning. When it holds none, ``OUT.run.json`` is (re)written with ``settings``. An output
    with results but without ``OUT.run.json`` (made before this check, copied without it, or by
    another tool) is checked against what its first line shows (:func:`settings_in_lines`:
    whether texts are written, the kept fields); when those agree, a warning says the rest
    cannot be checked, and this run's settings are recorded.

    Raises:
        ConfigError: Naming each setting that differs, its value in ``output`` and in this run.

    Example:
        >>> # check_run_settings("out.jsonl", run_settings(None, False, "text", "id", "text"), has_results=True)
    """
    path = Path(str(output) + RUN_FILE_SUFFIX)
    saved: dict[str, Any] | None = None
    if has_results and path.is_file():
        try:
            saved = json.loads(path.read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError) as error:
            raise ConfigError(f"{path} is not the JSON this engine writes ({error}); delete it to resume without "
                              "checking the settings, or write to a new output") from error  # fmt: skip
    if saved is not None:
        by_digest = bool(saved.get("model_settings_sha256") and settings["model_settings_sha256"])
        key = "model_settings_sha256" if by_digest else "model"
        changed = []
        if saved.get(key) != settings[key]:
            why = " (another model: its arabnews_nlp.json differs)" if by_digest else ""
            changed.append(f"model {saved.get('model')!r} -> {settings['model']!r}{why}")
        changed += [f"{name} {saved.get(name, default)!r} -> {settings[name]!r}"
                    for name, default in _SETTINGS_BEFORE.items() if saved.get(name, default) != settings[name]]
        if changed:
            raise ConfigError(f"{output} holds results made with other settings ({'; '.join(changed)}, see {path}); "
                              "resuming would mix the two in one file: rerun with the settings it was started with, "
                              "or write to a new --output")  # fmt: skip
        if saved.get("arabnews_nlp") != settings["arabnews_nlp"]:
            logger.warning("%s was started with arabnews-nlp %s; this is %s (results may differ slightly)",
                           output, saved.get("arabnews_nlp"), settings["arabnews_nlp"])  # fmt: skip
        return
    if has_results:
        shown = settings_in_lines(output)
        changed = [f"{name} {value!r} -> {settings[name]!r}"
                   for name, value in (shown or {}).items() if value != settings[name]]  # fmt: skip
        if changed:
            raise ConfigError(f"{output} has no {path.name}, and its lines were made with other settings than this "
                              f"run's ({'; '.join(changed)}): resuming would mix the two in one file; rerun with the "
                              f"settings its lines show, put its {path.name} back beside it, or write to a new "
                              "output")  # fmt: skip
        logger.warning("%s has no %s (made before run settings were kept, copied without it, or by another tool): "
                       "its lines %s; the model, quantize and markup they were made with cannot be checked. This run "
                       "records its own settings", output, path.name,
                       "show the same with_text and kept fields" if shown else "show no settings")  # fmt: skip
    path.write_text(json.dumps(settings, indent=1) + "\n", encoding="utf-8")  # ASCII: lone surrogates as escapes


def settings_in_lines(output: str | os.PathLike[str]) -> dict[str, Any] | None:
    """The run settings that the first complete line of ``output`` shows, or ``None`` if it shows none.

    ``with_text``: whether the line has a ``"text"``; ``keep_fields``: the fields between
    ``"id"`` and the analysis's own fields (:func:`output_line` writes them in that order).

    Example:
        >>> settings_in_lines("/nonexistent/out.jsonl") is None
        True
    """
    from arabnews_nlp.results import Analysis

    path = Path(output)
    if not path.is_file():
        return None
    with open(path, "rb") as handle:
        first = next((raw for raw in handle if raw.strip() and raw.endswith(b"\n")), None)
    try:
        record = json.loads(first) if first is not None else None
    except (json.JSONDecodeError, UnicodeDecodeError):
        return None
    analysis_fields = set(Analysis.empty("").to_dict())
    if not isinstance(record, dict) or list(record)[:1] != ["id"] or not analysis_fields & set(record):
        return None
    names = list(record)[1:]
    kept = names[: next(i for i, name in enumerate(names) if name in analysis_fields)]
    return {"with_text": "text" in record, "keep_fields": kept}


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


def iter_pending(
    source: str | os.PathLike[str], done: set[str], id_field: str, text_field: str, counts: dict[str, int],
    skip_invalid: bool = False, keep_fields: Sequence[str] = (), present: Counter[str] | None = None,
) -> Iterator[Pending]:
    """Yield each input document not in ``done`` (first occurrence of an id only).

    ``keep_fields`` are copied from the input line into :attr:`Pending.fields` (``null`` where
    the line lacks one); ``present`` counts, per kept field, the documents yielded that have it
    (see :func:`warn_absent_fields`).

    ``counts`` gets ``input_documents``, ``already_done``, ``duplicates`` and ``invalid``. A
    repeated id whose text differs from the first one's is a warning naming both lines (that
    document is not analysed). With ``skip_invalid``, a line that is not valid (not UTF-8, not
    JSON, no id or text) is logged as a warning naming ``file:line`` and skipped, instead of
    stopping the run.

    Raises:
        DataFormatError: If a line is not an object with an id and a string text (unless
            ``skip_invalid``).

    Example:
        >>> # list(iter_pending("news.jsonl", set(), "id", "text", {}))
    """
    path = Path(source)
    seen: dict[str, tuple[int, int]] = {}  # id key -> (line, CRC-32 of its text)
    with open_bytes(path) as handle:
        for number, raw in enumerate(handle, start=1):
            where = f"{path}:{number}"
            try:
                found = _read_line(raw, where, id_field, text_field)
            except DataFormatError as error:
                if not skip_invalid:
                    raise
                logger.warning("skipped: %s", error)
                counts["invalid"] = counts.get("invalid", 0) + 1
                continue
            if found is None:
                continue
            key, text, record = found
            counts["input_documents"] = counts.get("input_documents", 0) + 1
            checksum = zlib.crc32(text.encode("utf-8", "surrogatepass"))
            if key in seen:
                counts["duplicates"] = counts.get("duplicates", 0) + 1
                first, first_checksum = seen[key]
                if checksum != first_checksum:
                    logger.warning("%s: the id %s was given at line %d with another text; only that first document "
                                   "is analysed (give each document its own id)", where, key, first)  # fmt: skip
                continue
            seen[key] = (number, checksum)
            if key in done:
                counts["already_done"] = counts.get("already_done", 0) + 1
                continue
            kept = "".join(f", {json.dumps(name, ensure_ascii=False)}: {json.dumps(record.get(name), ensure_ascii=False)}"
                           for name in keep_fields)  # fmt: skip
            if present is not None:
                present.update(name for name in keep_fields if name in record)
            yield Pending(key, text, kept)


def warn_absent_fields(keep_fields: Sequence[str], present: Counter[str], documents: int) -> None:
    """Warn about each kept field that none of the ``documents`` analysed had (a misspelt name?).

    Example:
        >>> warn_absent_fields(["date"], Counter(date=3), 3)  # present: nothing to say
    """
    if not documents:
        return
    for name in keep_fields:
        if not present[name]:
            logger.warning("kept field %r was absent from all %d documents analysed (null in each of their lines); "
                           "check its name in --keep-fields (keep_fields in Python)", name, documents)  # fmt: skip


def check_text_value(record: dict[str, Any], text_field: str, where: str) -> None:
    """Raise when ``record`` has ``text_field`` but its value is not a string (null, a number…).

    Example:
        >>> check_text_value({"text": "نص"}, "text", "in.jsonl:1")
    """
    if text_field in record and not isinstance(record[text_field], str):
        found = "null" if record[text_field] is None else type(record[text_field]).__name__
        raise DataFormatError(f"{where}: {text_field!r} is {found}, expected a string (the document's text)")


def _read_line(raw: bytes, where: str, id_field: str, text_field: str) -> tuple[str, str, dict[str, Any]] | None:
    """``(id key, text, record)`` of one input line; ``None`` for a blank line."""
    line = decode_utf8(raw, where)
    if not line.strip():
        return None
    record = json_line(line, where)
    if isinstance(record, dict) and id_field in record:
        check_text_value(record, text_field, where)
    if not isinstance(record, dict) or id_field not in record or not isinstance(record.get(text_field), str):
        fields = f"; its fields: {', '.join(map(str, record))}" if isinstance(record, dict) else ""
        raise DataFormatError(f"{where}: expected an object with {id_field!r} and a string {text_field!r}{fields} "
                              "(name yours with --id-field and --text-field, or id_field and text_field in Python)")  # fmt: skip
    return id_key(record[id_field], where), record[text_field], record


def analyze_corpus_local(
    input_jsonl: str | os.PathLike[str],
    output_jsonl: str | os.PathLike[str],
    model: str | os.PathLike[str] | None = None,
    batch_size: int = 32,
    device: str = "auto",
    id_field: str = "id",
    text_field: str = "text",
    analyzer: Any = None,
    progress: bool = False,
    skip_invalid: bool = False,
    quantize: bool = False,
    backend: str = "torch",
    markup: str = "text",
    keep_fields: Sequence[str] = (),
    with_text: bool = True,
) -> CorpusStats:
    """Analyse a JSONL corpus in this process, appending to ``output_jsonl`` and resuming from it.

    Args:
        input_jsonl: Input JSONL (or ``.jsonl.gz``) with ``id_field`` and ``text_field``.
        output_jsonl: Output JSONL, created or appended to.
        model: Model directory or hub id (ignored when ``analyzer`` is given).
        batch_size: Windows per forward pass.
        device: ``"auto"``, ``"cpu"``, ``"cuda"``...
        id_field: Name of the id field.
        text_field: Name of the text field.
        analyzer: An :class:`~arabnews_nlp.api.Analyzer` to use instead of loading ``model``.
        progress: Show a progress bar (tqdm, on stderr) of the documents analysed.
        skip_invalid: Skip invalid input lines with a warning instead of stopping (see
            :func:`iter_pending`); the documents before a line that stops the run are written.
        quantize: Dynamic int8 on CPU (when ``model`` is loaded here).
        backend: ``"torch"`` or ``"numpy"`` (when ``model`` is loaded here).
        markup: ``"text"``, or ``"html"`` when the texts are web pages (offsets index the HTML;
            see :meth:`arabnews_nlp.api.Analyzer.analyze`).
        keep_fields: Input fields (a date, a source…) copied into each output line after the id,
            so results can be grouped without joining them back to the input.
        with_text: Write the texts of each document and its sentences; ``False`` leaves them out
            (the lines have less than half the bytes, and the offsets index the input's texts).

    Returns:
        What was done.

    Raises:
        ConfigError: On settings that differ from those ``output_jsonl`` was started with, or
            while another run writes ``output_jsonl`` (:func:`output_lock`).
        DataFormatError: If an input line is not valid (unless ``skip_invalid``).

    Example:
        >>> # analyze_corpus_local("news.jsonl", "out.jsonl", batch_size=64).processed
    """
    began = time.perf_counter()
    check_markup(markup)
    check_corpus_paths(input_jsonl, output_jsonl)
    keep_fields = check_keep_fields(keep_fields, id_field, text_field)
    with output_lock(output_jsonl), sigterm_raises():  # from the model's loading on, SIGTERM ends it as Ctrl-C does
        done = done_ids(output_jsonl)
        model_name = model if analyzer is None else "an Analyzer passed in"  # its model is not checked
        settings = run_settings(model_name, quantize, markup, id_field, text_field, keep_fields, with_text)
        check_run_settings(output_jsonl, settings, bool(done))
        if analyzer is None:
            from arabnews_nlp.api import Analyzer

            analyzer = Analyzer.from_pretrained(model, device=device, quantize=quantize, backend=backend)
        counts: dict[str, int] = {}
        present: Counter[str] = Counter()
        heads: list[tuple[str, str]] = []  # (id key, kept fields) of each document given to the analyzer
        notes = InputNotes()

        def texts() -> Iterator[str]:
            pending_documents = iter_pending(
                input_jsonl, done, id_field, text_field, counts, skip_invalid, keep_fields, present
            )  # fmt: skip
            for pending in noted(pending_documents, notes, markup):
                heads.append((pending.key, pending.fields))
                yield pending.text

        processed = 0
        results = analyzer.pipe(texts(), batch_size, markup=markup)
        if progress:
            from tqdm.auto import tqdm

            total = count_lines(input_jsonl)  # documents in the input, those already done counted as done
            results = iter(tqdm(results, total=total, initial=min(len(done), total), unit="doc", desc="arabnews-nlp"))
        # errors="backslashreplace": a lone surrogate in a text is written as its JSON escape, as `analyze` does
        with open(output_jsonl, "a", encoding="utf-8", errors="backslashreplace") as out:
            try:
                for processed, analysis in enumerate(results, start=1):
                    key, fields = heads[processed - 1]
                    out.write(output_line(key, analysis, fields, with_text))
                    if processed % batch_size == 0:
                        out.flush()
            except KeyboardInterrupt as stop:  # Ctrl-C, or SIGTERM (Terminated)
                out.flush()
                log_interrupted(stop, processed, output_jsonl, len(done))
                raise
        warn_absent_fields(keep_fields, present, processed)
        warn_notes(notes)
        return CorpusStats(
            counts.get("input_documents", 0), counts.get("already_done", 0), counts.get("duplicates", 0),
            processed, time.perf_counter() - began, str(output_jsonl), counts.get("invalid", 0),
        )  # fmt: skip


def noted(pending: Iterable[Pending], notes: InputNotes, markup: str) -> Iterator[Pending]:
    """``pending`` as it is, each text counted in ``notes`` on its way (:class:`~arabnews_nlp.text.screen.InputNotes`)."""
    for document in pending:
        notes.add(document.key, document.text, markup)
        yield document


def warn_notes(notes: InputNotes) -> None:
    """Log one warning per kind of text the run could say little about (empty, not Arabic, a page read as text)."""
    for message in notes.messages():
        logger.warning(message)


def log_interrupted(stop: KeyboardInterrupt, processed: int, output: str | os.PathLike[str], before: int) -> None:
    """Log, as a run stops on Ctrl-C or SIGTERM, what its output holds and that the same command goes on.

    ``stop`` is marked as told (:func:`resume_told`), so the command line does not say it twice.
    """
    stop.resume_told = True  # type: ignore[attr-defined]
    logger.warning("%s: %d documents analysed in this run are in %s (%d before it); the same command goes on "
                   "from there", stop_reason(stop), processed, output, before)  # fmt: skip


def resume_told(stop: BaseException) -> bool:
    """Whether :func:`log_interrupted` has told how the run goes on.

    Example:
        >>> resume_told(KeyboardInterrupt())
        False
    """
    return bool(getattr(stop, "resume_told", False))


def count_lines(path: str | os.PathLike[str]) -> int:
    """Non-blank lines of a (possibly gzipped) file, for a progress bar's total.

    Example:
        >>> count_lines(__file__) > 0
        True
    """
    with open_bytes(path) as handle:
        return sum(1 for line in handle if line.strip())
