"""Vectorised template assignment for many key texts at once (pass 2 and ``argus parse``).

Matching every line with RE2 one by one would cost microseconds a line. Instead, lines are
grouped by *shape* (every run of hex-ish characters holding a digit collapsed to ``0``), one
representative per new shape is matched with the index, and every line is then verified against
its shape's template with polars' Rust regex engine, all lines in one parallel query. A line that
fails verification (its digits mattered) is matched on its own. Every assignment is therefore a
real match of that line.
"""

from __future__ import annotations

from functools import lru_cache

import polars as pl

from argus.mining.index import TemplateIndex

_VALUE_RUN = r"[0-9a-fA-F]*[0-9][0-9a-fA-F]*"


def shape_of(text: pl.Expr) -> pl.Expr:
    """The shape of each text: every hex-ish run holding a digit collapsed to ``0``."""
    return text.str.replace_all(_VALUE_RUN, "0")


_SCHEMA = {"shape": pl.String, "tid": pl.Int64, "pattern": pl.String}


class ChunkMatcher:
    """Assigns template ids to key texts with one fixed index (shapes learnt across chunks)."""

    def __init__(self, index: TemplateIndex) -> None:
        self.index = index
        self._known = pl.DataFrame(schema=_SCHEMA)  #: shape -> template id and its pattern
        self._patterns = {t.template_id: t.pattern for t in index.templates}

    def assign(self, content: pl.Series, shapes: pl.Series | None = None) -> pl.Series:
        """Template id of each key text (null when no template matches).

        ``shapes`` may be given when computed already (any grouping works: verification keeps
        it honest).
        """
        frame = pl.DataFrame({"content": content})
        frame = frame.with_columns(
            shape=shapes if shapes is not None else shape_of(pl.col("content"))
        )
        self._learn(frame)
        checked = (
            frame.lazy()
            .join(self._known.lazy(), on="shape", how="left", maintain_order="left")
            .select("content", "tid", ok=pl.col("content").str.contains(pl.col("pattern")))
            .collect(engine="streaming")
        )
        return self._rematched(checked)

    def _learn(self, frame: pl.DataFrame) -> None:
        unknown = frame.join(self._known, on="shape", how="anti")
        if unknown.is_empty():
            return
        reps = unknown.unique(subset="shape", keep="first")
        tids = [self._match(text) for text in reps["content"]]
        patterns = [_verifiable(self._patterns[tid]) if tid is not None else None for tid in tids]
        learnt = pl.DataFrame(
            {"shape": reps["shape"], "tid": tids, "pattern": patterns}, schema=_SCHEMA
        )
        self._known = pl.concat([self._known, learnt])

    def _match(self, text: str | None) -> int | None:
        hit = self.index.match(text) if text is not None else None
        return hit.template_id if hit else None

    def _rematched(self, checked: pl.DataFrame) -> pl.Series:
        """The verified ids, with each line that failed its shape's template matched alone."""
        tid = checked["tid"].alias("tid")
        failed = (checked["tid"].is_not_null() & ~checked["ok"].fill_null(False)).arg_true()
        if failed.is_empty():
            return tid
        again = [self._match(text) for text in checked["content"].gather(failed)]
        return tid.scatter(failed, pl.Series(again, dtype=pl.Int64))


@lru_cache(maxsize=1 << 16)
def _verifiable(pattern: str) -> str | None:
    """The pattern when polars' regex engine accepts it; None sends its lines to RE2 one by one."""
    try:
        pl.Series([""]).str.contains(pattern)
    except pl.exceptions.ComputeError:
        return None
    return pattern
