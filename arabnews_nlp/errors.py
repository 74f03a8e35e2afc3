"""Typed errors of arabnews-nlp, one catalogue.

Each error subclasses a built-in exception so callers can catch what they expect
(``TypeError``, ``ValueError``, ``FileNotFoundError``) and its message says what was received,
what was expected and how to fix it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence


class ArabNewsError(Exception):
    """Base class of every error raised by arabnews-nlp."""


class InputTypeError(ArabNewsError, TypeError):
    """The caller passed something that is not text."""

    def __init__(self, received: object, what: str = "text") -> None:
        if is_missing(received):  # str(value) would analyse the word "None" or "nan"
            hint = ("a missing value: drop missing texts first (series.dropna()), or fill them with '' for an "
                    "empty, neutral result (series.fillna(''))")  # fmt: skip
            super().__init__(f"{what} must be a str, got {type(received).__name__} {received!r}, {hint}.")
            return
        super().__init__(f"{what} must be a str, got {type(received).__name__}. {_type_hint(received)}.")


def _type_hint(received: object) -> str:
    """How to turn ``received`` into the text it most likely holds (``str()`` of a list or a record is not)."""
    if isinstance(received, (bytes, bytearray)):
        return "Decode bytes first (data.decode('utf-8'))"
    if isinstance(received, dict):
        return "Pass the record's text, e.g. record['text'] (analyze-corpus and the CLI read JSONL records)"
    if isinstance(received, (list, tuple, set, frozenset)):
        return "For many documents, call Analyzer.from_pretrained().pipe(texts): one result per text"
    return "Pass str(value)"


def is_missing(value: object) -> bool:
    """Whether ``value`` is a missing value: ``None``, a float NaN, or pandas' ``NA`` / ``NaT``.

    Example:
        >>> is_missing(None), is_missing(float("nan")), is_missing(0.0), is_missing("")
        (True, True, False, False)
    """
    if value is None:
        return True
    if isinstance(value, float):
        return value != value
    return type(value).__name__ in ("NAType", "NaTType")


class ModelNotFoundError(ArabNewsError, FileNotFoundError):
    """No model directory (or hub id) could be resolved."""


class ModelFormatError(ArabNewsError, ValueError):
    """A model directory is incomplete or in a format arabnews-nlp refuses (e.g. pickle weights)."""


class LabelMismatchError(ModelFormatError):
    """A model's labels do not match this version of the schema."""

    def __init__(self, kind: str, found: Sequence[str], expected: Sequence[str]) -> None:
        self.kind, self.found, self.expected = kind, tuple(found), tuple(expected)
        super().__init__(
            f"the model's {kind} labels {list(found)} do not match schema labels {list(expected)}. "
            "Retrain or convert the model with this version of arabnews-nlp "
            "(python -m training finetune ...), or install the version it was trained with."
        )


class DeviceError(ArabNewsError, ValueError):
    """An unknown or unavailable device was requested."""


class ConfigError(ArabNewsError, ValueError):
    """A configuration value is invalid."""


class DataFormatError(ArabNewsError, ValueError):
    """A data record breaks the file format of SCHEMA.md §5."""


class SpanError(ArabNewsError, ValueError):
    """A ``(start, end)`` span does not fit the text it indexes."""

    def __init__(self, start: int, end: int, length: int) -> None:
        self.start, self.end, self.length = start, end, length
        super().__init__(
            f"span ({start}, {end}) is out of range for a text of length {length}; "
            f"expected 0 <= start <= end <= {length}."
        )


def is_table(value: object) -> bool:
    """Whether ``value`` is a data frame (pandas, polars...): it has ``columns``, and iterating it gives their names."""
    return hasattr(value, "columns") and not isinstance(value, (str, bytes, Mapping))


class TextsTypeError(ArabNewsError, TypeError):
    """A single string (or anything not iterable) was passed where an iterable of documents was expected."""

    def __init__(self, received: object) -> None:
        if is_table(received):
            super().__init__(
                f"texts must be an iterable of str (one per document), got a {type(received).__name__}, whose "
                "iteration gives its column names. Pass its text column, e.g. pipe(df['text']), and pair the "
                "results with the rows."
            )
            return
        if isinstance(received, Mapping):
            super().__init__(
                f"texts must be an iterable of str (one per document), got a {type(received).__name__}, whose "
                "iteration gives its keys. Pass its texts, e.g. pipe(d.values()), and pair the results with its keys."
            )
            return
        what = f"a single {type(received).__name__}" if isinstance(received, (str, bytes)) else repr(received)[:60]
        super().__init__(
            f"texts must be an iterable of str (one per document), got {what}. "
            "Call analyze(text) for one document, or pipe([text])."
        )


class AnalysisTypeError(ArabNewsError, TypeError):
    """Something other than an :class:`~arabnews_nlp.results.Analysis` was passed where analyses are expected."""

    def __init__(self, received: object) -> None:
        super().__init__(
            f"expected Analysis objects (the results of analyze() or pipe()), got {type(received).__name__}. "
            "Pass the results themselves, not their to_dict() or their text."
        )


class MissingDependencyError(ArabNewsError, ImportError):
    """An optional dependency (an extra of arabnews-nlp) is not installed."""

    def __init__(self, package: str, extra: str | None, feature: str) -> None:
        """Say that ``feature`` needs ``package`` and how to install it.

        Args:
            package: What is missing; several packages are joined with ", ".
            extra: The extra of arabnews-nlp that installs it, or None for a package of its own.
            feature: What needs it (the start of the message).
        """
        self.package, self.extra = package, extra
        verb = "are" if ", " in package else "is"
        super().__init__(
            f"{feature} needs {package}, which {verb} not installed. Install it with: {install_command(package, extra)}"
        )


def install_command(package: str, extra: str | None) -> str:
    """The ``pip install`` command for an extra of arabnews-nlp, or for ``package`` alone.

    Example:
        >>> install_command("ray[data]", "ray")
        'pip install "arabnews-nlp[ray]" (in a source checkout: pip install ".[ray]")'
        >>> install_command("torchao", None)
        'pip install torchao'
    """
    if extra is None:
        return f"pip install {package}"
    return f'pip install "arabnews-nlp[{extra}]" (in a source checkout: pip install ".[{extra}]")'
