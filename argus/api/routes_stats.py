"""Statistics routes: what pass 2 counted in a batch, and the templates it matched.

Both read the statistics stored by the parse stage (a batch is readable once it is parsed:
409 before); the statistics are compared with the batch's default baseline, as the diagnosis
does (:func:`argus.pipeline.stored_analysis.analyse_batch`).
"""

from __future__ import annotations

import asyncio
from typing import Annotated

import polars as pl
from fastapi import APIRouter, Query

from argus.api.deps import BatchDep, SettingsDep, StateDep
from argus.api.schemas import errors
from argus.api.schemas_stats import StatisticsView, TemplateRow, TemplatesView
from argus.pipeline.stored_analysis import analyse_batch, parsed_stats
from argus.tools.views import BurstView, ModuleView, TemplateView, error_minutes

router = APIRouter(prefix="/api/v1/batches", tags=["statistics"], responses=errors(401))
Limit = Annotated[int, Query(ge=1, le=500, description="rows per list")]


@router.get("/{batch_id}/statistics", responses=errors(404, 409), response_model_exclude_unset=True)
async def statistics(
    batch: BatchDep, state: StateDep, settings: SettingsDep, limit: Limit = 20
) -> StatisticsView:
    """Per module, template and minute: what the batch holds (409 until it is parsed). A
    module's baseline rates are present only when the batch has a baseline."""
    conninfo = str(state.pool.conninfo)
    current, analysis = await asyncio.to_thread(analyse_batch, settings, conninfo, batch)
    digest = analysis.digest
    return StatisticsView(
        batch_id=batch["batch_id"],
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


@router.get("/{batch_id}/templates", responses=errors(404, 409))
async def templates(batch: BatchDep, state: StateDep, limit: Limit = 100) -> TemplatesView:
    """The templates matched in the batch, most frequent first, with their modules and levels
    (409 until it is parsed)."""
    current = await asyncio.to_thread(parsed_stats, str(state.pool.conninfo), batch)
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
    return TemplatesView(batch_id=batch["batch_id"], templates=rows)
