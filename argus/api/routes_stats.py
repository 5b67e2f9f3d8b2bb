"""Statistics routes: what pass 2 counted in a batch, and the templates it matched.

Both read the statistics stored by the parse stage (a batch is readable once it is parsed:
409 before); the statistics are compared with the batch's default baseline, as the diagnosis
does (:mod:`argus.pipeline.batch_views`).
"""

from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import APIRouter, Query

from argus.api.deps import BatchDep, SettingsDep, StateDep
from argus.api.schemas import errors
from argus.pipeline.batch_views import (
    StatisticsView,
    TemplatesView,
    batch_statistics,
    batch_templates,
)

router = APIRouter(prefix="/api/v1/batches", tags=["statistics"], responses=errors(401))
Limit = Annotated[int, Query(ge=1, le=500, description="rows per list")]


@router.get("/{batch_id}/statistics", responses=errors(404, 409), response_model_exclude_unset=True)
async def statistics(
    batch: BatchDep, state: StateDep, settings: SettingsDep, limit: Limit = 20
) -> StatisticsView:
    """Per module, template and minute: what the batch holds (409 until it is parsed). A
    module's baseline rates are present only when the batch has a baseline."""
    conninfo = str(state.pool.conninfo)
    return await asyncio.to_thread(batch_statistics, settings, conninfo, batch, limit)


@router.get("/{batch_id}/templates", responses=errors(404, 409))
async def templates(batch: BatchDep, state: StateDep, limit: Limit = 100) -> TemplatesView:
    """The templates matched in the batch, most frequent first, with their modules and levels
    (409 until it is parsed)."""
    return await asyncio.to_thread(batch_templates, str(state.pool.conninfo), batch, limit)
