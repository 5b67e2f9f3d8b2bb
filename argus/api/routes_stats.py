"""Statistics routes: what pass 2 counted in a batch, and the templates it matched.

Both read the statistics stored by the parse stage (a batch is readable once it is parsed);
the statistics are compared with the batch's default baseline, as the diagnosis does.
"""

from __future__ import annotations

import asyncio
import functools
import uuid
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

import polars as pl
from fastapi import APIRouter, HTTPException, Query, Request, status

from argus.api.deps import ConnDep, SettingsDep
from argus.api.routes_batches import existing_batch
from argus.api.schemas import errors
from argus.chat.data import error_minutes, load_current, load_statistics
from argus.chat.views import burst_view, clip, module_view, stamp, template_view
from argus.errors import NotFoundError
from argus.tools.digest import BatchStats

router = APIRouter(prefix="/api/v1/batches", tags=["statistics"], responses=errors(401))
T = TypeVar("T")
Limit = Annotated[int, Query(ge=1, le=500, description="rows per list")]


async def _loaded(request: Request, batch: dict[str, Any], load: Callable[..., T]) -> T:
    """``load(conninfo, batch)`` in a thread; 409 while the batch has no parsed files."""
    conninfo = str(request.app.state.pool.conninfo)
    try:
        return await asyncio.to_thread(load, conninfo, batch)
    except NotFoundError as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, exc.message) from exc


@router.get("/{batch_id}/statistics", responses=errors(404, 409))
async def statistics(
    batch_id: uuid.UUID, request: Request, conn: ConnDep, settings: SettingsDep, limit: Limit = 20
) -> dict[str, Any]:
    """Per module, template and minute: what the batch holds (409 until it is parsed)."""
    load = functools.partial(load_statistics, settings=settings)  # analysed as its diagnosis
    stats = await _loaded(request, await existing_batch(conn, batch_id), load)
    digest = stats.analysis.digest
    return {
        "batch_id": str(batch_id),
        "window_minutes": round(digest.window_minutes, 3),
        "records": digest.lines,
        "baseline_minutes": digest.baseline_minutes,
        "modules": [module_view(m) for m in digest.modules[:limit]],
        "top_templates": [template_view(t) for t in digest.top_templates[:limit]],
        "error_templates": [template_view(t) for t in digest.error_templates[:limit]],
        "error_codes": digest.error_codes[:limit],
        "bursts": [burst_view(b, stats.current.text(b.template_id)) for b in digest.bursts[:limit]],
        "error_minutes": error_minutes(stats, limit),
    }


@router.get("/{batch_id}/templates", responses=errors(404, 409))
async def templates(
    batch_id: uuid.UUID, request: Request, conn: ConnDep, limit: Limit = 100
) -> dict[str, Any]:
    """The templates matched in the batch, most frequent first, with their modules and levels."""
    current = await _loaded(request, await existing_batch(conn, batch_id), load_current)
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
    return {
        "batch_id": str(batch_id),
        "templates": [_template(current, row) for row in counted.iter_rows(named=True)],
    }


def _template(current: BatchStats, row: dict[str, Any]) -> dict[str, Any]:
    text = current.templates.get(int(row["tid"]))
    return {
        "template_id": row["tid"],
        "template": clip(text.template, 2000) if text else None,
        "sample": clip(text.sample, 2000) if text else None,
        "category": text.category if text else None,
        "count": row["count"],
        "modules": [clip(m, 100) for m in row["modules"]],
        "levels": row["levels"],
        "first": stamp(row["first_ts"]),
        "last": stamp(row["last_ts"]),
    }
