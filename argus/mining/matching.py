"""Vectorised template assignment for many key texts at once (pass 2 and ``argus parse``).

Matching every line with RE2 one by one would cost microseconds a line. Instead, lines are
grouped by *shape* (every run of hex-ish characters holding a digit collapsed to ``0``), one
representative per new shape is matched with the index, and every line is then verified against
its shape's template with polars' Rust regex engine in one vectorised call per template. A line
that fails verification (its digits mattered) is matched on its own. Every assignment is
therefore a real match of that line.
"""

from __future__ import annotations

import polars as pl

from argus.mining.index import TemplateIndex

_VALUE_RUN = r"[0-9a-fA-F]*[0-9][0-9a-fA-F]*"


def shape_of(text: pl.Expr) -> pl.Expr:
    """The shape of each text: every hex-ish run holding a digit collapsed to ``0``."""
    return text.str.replace_all(_VALUE_RUN, "0")


_SCHEMA = {"shape": pl.String, "tid": pl.Int64}


class ChunkMatcher:
    """Assigns template ids to key texts with one fixed index (shapes learnt across chunks)."""

    def __init__(self, index: TemplateIndex) -> None:
        self.index = index
        self._known = pl.DataFrame(schema=_SCHEMA)
        self._patterns = {t.template_id: t.pattern for t in index.templates}

    def assign(self, content: pl.Series, shapes: pl.Series | None = None) -> pl.Series:
        """Template id of each key text (null when no template matches).

        ``shapes`` may be given when computed already (of the key text or of the whole line:
        any grouping works, verification keeps it honest).
        """
        frame = pl.DataFrame({"content": content}).with_columns(
            shape=shapes if shapes is not None else shape_of(pl.col("content")),
            row=pl.int_range(pl.len(), dtype=pl.UInt32),
        )
        self._learn(frame)
        frame = frame.join(self._known, on="shape", how="left")
        return self._verified(frame).sort("row")["tid"]

    def _learn(self, frame: pl.DataFrame) -> None:
        unknown = frame.join(self._known, on="shape", how="anti")
        if unknown.is_empty():
            return
        reps = unknown.unique(subset="shape", keep="first")
        tids = [self._match(text) for text in reps["content"]]
        learnt = pl.DataFrame({"shape": reps["shape"], "tid": tids}, schema=_SCHEMA)
        self._known = pl.concat([self._known, learnt])

    def _match(self, text: str | None) -> int | None:
        hit = self.index.match(text) if text is not None else None
        return hit.template_id if hit else None

    def _verified(self, frame: pl.DataFrame) -> pl.DataFrame:
        parts = []
        for (tid,), part in frame.partition_by("tid", as_dict=True).items():
            if tid is None:
                parts.append(part)
                continue
            ok = part["content"].str.contains(self._patterns[int(tid)]).fill_null(False)
            parts.append(part.filter(ok))
            failed = part.filter(~ok)
            if not failed.is_empty():
                ids = pl.Series("tid", [self._match(t) for t in failed["content"]], pl.Int64)
                parts.append(failed.with_columns(ids))
        return pl.concat(parts) if parts else frame
