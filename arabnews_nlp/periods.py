"""Dates to periods: the day, month or year a document's date falls in (:func:`period_of`).

:func:`arabnews_nlp.summary.summarize` counts documents per period with it; a date that cannot
be read falls in the :data:`UNKNOWN` period.

Example:
    >>> period_of("2018/6/14", "month")
    '2018-06'
"""

from __future__ import annotations

import re
from datetime import date
from email.utils import parsedate_tz
from typing import Any

from arabnews_nlp.errors import ConfigError

__all__ = ["PERIODS", "UNKNOWN", "period_of"]

PERIODS: tuple[str, ...] = ("day", "month", "year")
UNKNOWN = "unknown"
"""The period of a document whose date is missing or cannot be read."""

_ISO = re.compile(r"(\d{4})(?:([-/.])(\d{1,2})(?:\2(\d{1,2}))?)?(?=$|[T\s])")
_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})(?=$|[T\s])")


def period_of(value: Any, period: str) -> str:
    """The period (``2018``, ``2018-06`` or ``2018-06-14``) of a date, or :data:`UNKNOWN`.

    Read: ISO-like dates (``2018-06-14``, ``2018/6/14``, ``2018-06-14T10:00:00+03:00``, a time
    after a space), compact ones (``20180614``, also as a JSON number), year-month (``2018-06``)
    and year (``2018``) when ``period`` needs no more, and e-mail/RSS dates (``Tue, 17 Jul 2018
    18:48:23 GMT``). The date is taken as written, without converting its time zone. Day-first
    dates (``14/06/2018``) are ambiguous and not read.

    Raises:
        ConfigError: If ``period`` is not one of :data:`PERIODS`.

    Example:
        >>> period_of("2018-06-14", "month"), period_of(20180614, "day"), period_of("Tue, 17 Jul 2018 18:48:23 GMT", "year")
        ('2018-06', '2018-06-14', '2018')
        >>> period_of("2018-06", "day"), period_of("14/06/2018", "month"), period_of(None, "year")
        ('unknown', 'unknown', 'unknown')
    """
    if period not in PERIODS:
        raise ConfigError(f"unknown period {period!r}; choose one of {', '.join(PERIODS)}")
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        return UNKNOWN
    text = value.strip()
    parts: tuple[Any, ...] | None = None
    if match := _COMPACT.match(text):
        parts = match.groups()
    elif match := _ISO.match(text):
        parts = (match[1], match[3], match[4])
    elif re.search(r"[A-Za-z]{3}", text) and (parsed := parsedate_tz(text)) is not None:
        parts = parsed[:3]
    if parts is None:
        return UNKNOWN
    year, month, day = (int(part) if part is not None else None for part in parts)
    needed = {"year": (year,), "month": (year, month), "day": (year, month, day)}[period]
    if None in needed:
        return UNKNOWN
    try:
        date(year or 0, month or 1, day or 1)
    except ValueError:  # month 13, 31 June, year 0
        return UNKNOWN
    return "-".join(f"{number:02d}" for number in needed if number is not None)
