"""Minute keys: the timestamp text without its seconds, so rows can be grouped by minute before
any timestamp is parsed (two stamps per group are parsed instead of one per row).

Most files write fixed-width timestamps; their minute key is then a prefix of known length, cut
without a regex. The layout is checked per chunk (every stamp as long as the sample, the seconds
separator in its place) and the caller re-checks each group; otherwise a regex drops the seconds.
"""

from __future__ import annotations

import re

import polars as pl

#: A clock time with seconds (and fractions); group 1 is the part kept.
SECONDS = r"(\d{1,2}:\d{2})[:.]\d{2}(?:[.,:]\d+)?"


class MinuteKeys:
    """Computes minute keys for the timestamps of one file."""

    def __init__(self) -> None:
        self._layout: tuple[int, int, str] | None = None  #: (length, cut, separator at cut)
        self._learnt = False

    def of(self, ts: pl.Series) -> tuple[pl.Series, bool]:
        """The minute key of each stamp, and whether it was cut by the fixed-width layout."""
        self._learn(ts)
        if self._layout is not None and self._fits(ts, *self._layout):
            return ts.str.head(self._layout[1]).alias("key"), True
        return self.by_regex(ts), False

    @staticmethod
    def by_regex(ts: pl.Series) -> pl.Series:
        """The minute keys cut by the seconds regex (always right, slower)."""
        return ts.str.replace(SECONDS, "$1").alias("key")

    def _learn(self, ts: pl.Series) -> None:
        if self._learnt:
            return
        sample = ts.drop_nulls().head(1)
        if sample.is_empty():
            return
        self._learnt = True
        text = str(sample[0])
        found = re.search(SECONDS, text)
        if found is not None:
            self._layout = (len(text), found.end(1), text[found.end(1)])

    @staticmethod
    def _fits(ts: pl.Series, length: int, cut: int, separator: str) -> bool:
        present = ts.drop_nulls()
        lengths = present.str.len_chars()
        if present.is_empty() or lengths.min() != length or lengths.max() != length:
            return False
        return bool((present.str.slice(cut, 1) == separator).all())
