"""Vectorised timestamp parsing: the format is detected once per file from a sample.

Header timestamps come in many shapes. The first chunk's values are tried against a list of
common formats and the one that parses most of them is used for the whole file; formats without
a year get a fixed one, so minute buckets still line up within a file.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

#: (prefix added to the value, strftime format) — most specific first.
_CANDIDATES: tuple[tuple[str, str], ...] = (
    ("", "%Y-%m-%d %H:%M:%S%.f"),
    ("", "%Y-%m-%dT%H:%M:%S%.f"),
    ("", "%Y-%m-%dT%H:%M:%S%.fZ"),
    ("", "%Y-%m-%dT%H:%M:%S%.f%:z"),
    ("", "%Y-%m-%d %H:%M:%S,%3f"),
    ("", "%Y-%m-%d-%H.%M.%S%.f"),
    ("", "%Y%m%d-%H:%M:%S:%3f"),
    ("", "%y%m%d %H%M%S"),
    ("", "%y/%m/%d %H:%M:%S"),
    ("", "%a %b %d %H:%M:%S %Y"),
    ("", "%d/%b/%Y:%H:%M:%S"),
    ("2000-", "%Y-%m-%d %H:%M:%S%.f"),
    ("2000 ", "%Y %b %d %H:%M:%S"),
)

_SAMPLE = 200


@dataclass(frozen=True, kw_only=True)
class TimestampFormat:
    """How the timestamps of one file are parsed."""

    prefix: str  #: prepended to every value (a year for formats that lack one)
    fmt: str | None  #: strftime format; None when nothing parsed (timestamps ignored)

    def parse(self, values: pl.Series) -> pl.Series:
        """Parse ``values`` into datetimes (null where a value does not fit)."""
        if self.fmt is None:
            return pl.Series(values.name, [None] * len(values), dtype=pl.Datetime("us"))
        text = values.str.strip_chars()
        if self.prefix:
            text = self.prefix + text
        return text.str.strptime(pl.Datetime("us"), self.fmt, strict=False, exact=True)


def detect_format(values: pl.Series) -> TimestampFormat:
    """The candidate format that parses most of the first non-null values."""
    sample = values.drop_nulls().head(_SAMPLE)
    if sample.is_empty():
        return TimestampFormat(prefix="", fmt=None)
    best, best_count = TimestampFormat(prefix="", fmt=None), 0
    for prefix, fmt in _CANDIDATES:
        candidate = TimestampFormat(prefix=prefix, fmt=fmt)
        try:
            parsed = candidate.parse(sample).drop_nulls().len()
        except pl.exceptions.PolarsError:
            continue
        if parsed > best_count:
            best, best_count = candidate, parsed
    return best if best_count * 2 >= sample.len() else TimestampFormat(prefix="", fmt=None)
