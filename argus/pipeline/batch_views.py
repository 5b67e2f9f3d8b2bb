"""What a batch's stored statistics show: its statistics against its default baseline, and the
templates it matched. The API's statistics routes and the MCP server's tools answer with these
(the row views are :mod:`argus.tools.views`); both functions block (run them in a thread).
"""

from __future__ import annotations

import uuid
from typing import Any

import polars as pl
from pydantic import BaseModel, Field

from argus.batch_rows import BatchRecord
from argus.config import Settings
from argus.pipeline.stored_analysis import analyse_batch, parsed_stats
from argus.tools.digest import BatchStats
from argus.tools.views import (
    BurstView,
    ErrorMinute,
    ModuleView,
    TemplateView,
    clip,
    error_minutes,
    stamp,
)


class StatisticsView(BaseModel):
    """What pass 2 counted in a batch, compared with its default baseline (lists capped at the
    request's ``limit``)."""

    batch_id: uuid.UUID
    window_minutes: float = Field(description="length of the batch's window, to 0.001")
    records: int = Field(description="records counted")
    baseline_minutes: float | None = Field(description="length of the baseline's window")
    modules: list[ModuleView]
    top_templates: list[TemplateView]
    error_templates: list[TemplateView]
    error_codes: list[str]
    bursts: list[BurstView]
    error_minutes: list[ErrorMinute]


class TemplateRow(BaseModel):
    """A template matched in the batch, with its volume, modules and levels."""

    template_id: int
    template: str | None = Field(description="None when its text is not stored")
    sample: str | None
    category: str | None
    count: int
    modules: list[str] = Field(description="up to 20, sorted")
    levels: list[str]
    first: str | None = Field(description="ISO time to the second")
    last: str | None = Field(description="ISO time to the second")

    @classmethod
    def of(cls, current: BatchStats, row: dict[str, Any]) -> TemplateRow:
        """The row of a ``(tid, count, modules, levels, first_ts, last_ts)`` aggregate, with the
        template's text, sample and category from ``current`` (texts clipped to 2000)."""
        text = current.templates.get(int(row["tid"]))
        return cls(
            template_id=row["tid"],
            template=clip(text.template, 2000) if text else None,
            sample=clip(text.sample, 2000) if text else None,
            category=text.category if text else None,
            count=row["count"],
            modules=[clip(m, 100) or "" for m in row["modules"]],
            levels=row["levels"],
            first=stamp(row["first_ts"]),
            last=stamp(row["last_ts"]),
        )


class TemplatesView(BaseModel):
    """The templates matched in a batch, most frequent first."""

    batch_id: uuid.UUID
    templates: list[TemplateRow]


def batch_statistics(
    settings: Settings, database_url: str, batch: BatchRecord, limit: int
) -> StatisticsView:
    """Per module, template and minute: what the batch (a row with its files) holds, against
    its default baseline, each list capped at ``limit``. NotReadyError until it is parsed."""
    current, analysis = analyse_batch(settings, database_url, batch)
    digest = analysis.digest
    return StatisticsView(
        batch_id=batch.batch_id,
        window_minutes=round(digest.window_minutes, 3),
        records=digest.lines,
        baseline_minutes=digest.baseline_minutes,
        modules=[ModuleView.of(m) for m in digest.modules[:limit]],
        top_templates=[TemplateView.of(t) for t in digest.top_templates[:limit]],
        error_templates=[TemplateView.of(t) for t in digest.error_templates[:limit]],
        error_codes=digest.error_codes[:limit],
        bursts=[BurstView.of(b, current.text(b.template_id)) for b in digest.bursts[:limit]],
        error_minutes=error_minutes(current, limit),
    )


def batch_templates(database_url: str, batch: BatchRecord, limit: int) -> TemplatesView:
    """The ``limit`` templates matched most in the batch (a row with its files), with their
    modules and levels. NotReadyError until it is parsed."""
    current = parsed_stats(database_url, batch)
    counted = (
        current.buckets.group_by("tid")
        .agg(
            pl.col("count").sum(),
            pl.col("mod").drop_nulls().unique().sort().head(20).alias("modules"),
            pl.col("level").drop_nulls().unique().sort().alias("levels"),
            pl.col("first_ts").min(),
            pl.col("last_ts").max(),
        )
        .sort(["count", "tid"], descending=[True, False])
        .head(limit)
    )
    rows = [TemplateRow.of(current, row) for row in counted.iter_rows(named=True)]
    return TemplatesView(batch_id=batch.batch_id, templates=rows)
