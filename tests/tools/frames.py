"""Small synthetic pass-2 frames for the statistics tests."""

from __future__ import annotations

from datetime import datetime, timedelta

import polars as pl

from argus.mining.pass2 import empty_buckets
from argus.tools.digest import BatchStats, TemplateText
from argus.tools.traces import TRACE_SCHEMA

START = datetime(2024, 1, 1, 12, 0)


def buckets(rows: list[tuple[int, str, str, int, int]], start: datetime = START) -> pl.DataFrame:
    """Rows of (tid, mod, level, minute offset, count) as a bucket frame."""
    data = []
    for tid, mod, level, minute, count in rows:
        at = start + timedelta(minutes=minute)
        data.append((tid, mod, None, level, None, at, count, at, at + timedelta(seconds=59)))
    empty = empty_buckets()
    return pl.DataFrame(data, schema=empty.schema, orient="row") if data else empty


def steady(
    tid: int, mod: str, per_min: int, minutes: int, level: str = "INFO"
) -> list[tuple[int, str, str, int, int]]:
    """A template at a constant rate for ``minutes`` minutes."""
    return [(tid, mod, level, m, per_min) for m in range(minutes)]


def stats(
    rows: list[tuple[int, str, str, int, int]],
    texts: dict[int, str],
    traces: pl.DataFrame | None = None,
) -> BatchStats:
    """BatchStats from bucket rows and template texts."""
    return BatchStats(
        buckets=buckets(rows),
        templates={t: TemplateText(template_id=t, template=x, sample=x) for t, x in texts.items()},
        traces=traces,
    )


def trace_rows(rows: list[tuple[str, str, int, str, int]]) -> pl.DataFrame:
    """Rows of (trace, mod, tid, level, second offset) as a trace-lines frame."""
    data = [
        (trace, mod, tid, level, 1, START + timedelta(seconds=s), START + timedelta(seconds=s))
        for trace, mod, tid, level, s in rows
    ]
    return pl.DataFrame(data, schema=TRACE_SCHEMA, orient="row")
