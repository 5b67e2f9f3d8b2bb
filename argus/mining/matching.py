"""Vectorised template assignment for many key texts at once (pass 2 and ``argus parse``).

Matching every line with RE2 one by one would cost microseconds a line. Instead, lines are
grouped by *shape* (digit runs collapsed), one representative per shape is matched with the
index, and every line is then verified against its shape's template with polars' Rust regex
engine in one vectorised call per template. A line that fails verification (its digits mattered)
is matched on its own. Every assignment is therefore a real match of that line.
"""

from __future__ import annotations

import polars as pl

from argus.mining.index import TemplateIndex

_DIGITS = r"[0-9]+"


class ChunkMatcher:
    """Assigns template ids to key texts with one fixed index (shape cache kept across chunks)."""

    def __init__(self, index: TemplateIndex) -> None:
        self.index = index
        self._by_shape: dict[str, int | None] = {}
        self._patterns = {t.template_id: t.pattern for t in index.templates}

    def assign(self, content: pl.Series) -> pl.Series:
        """Template id of each key text (null when no template matches)."""
        frame = pl.DataFrame({"content": content}).with_columns(
            shape=pl.col("content").str.replace_all(_DIGITS, "0"),
            row=pl.int_range(pl.len(), dtype=pl.UInt32),
        )
        self._learn_shapes(frame)
        lookup = pl.DataFrame(
            {"shape": list(self._by_shape), "tid": list(self._by_shape.values())},
            schema={"shape": pl.String, "tid": pl.Int64},
        )
        frame = frame.join(lookup, on="shape", how="left")
        return self._verified(frame).sort("row")["tid"]

    def _learn_shapes(self, frame: pl.DataFrame) -> None:
        unknown = frame.filter(~pl.col("shape").is_in(list(self._by_shape)))
        if unknown.is_empty():
            return
        reps = unknown.unique(subset="shape", keep="first")
        for shape, text in zip(reps["shape"], reps["content"], strict=True):
            hit = self.index.match(text) if text is not None else None
            self._by_shape[shape] = hit.template_id if hit else None

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
                parts.append(self._one_by_one(failed))
        return pl.concat(parts) if parts else frame

    def _one_by_one(self, frame: pl.DataFrame) -> pl.DataFrame:
        hits = [self.index.match(t) if t is not None else None for t in frame["content"]]
        ids = pl.Series("tid", [h.template_id if h else None for h in hits], dtype=pl.Int64)
        return frame.with_columns(ids)
