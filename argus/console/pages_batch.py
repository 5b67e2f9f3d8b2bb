"""A batch's page: its state timeline, its files with their outcome, its report (root cause,
suspects with their explain cards, anomalies, error codes, recommendations, knowledge hits,
similar past incidents) and its charts (loaded as a fragment, so the page itself is quick)."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from argus.batch_rows import BatchRecord
from argus.batch_status import BatchStatus, FileStatus
from argus.console.deps import ConnDep, SettingsDep, StateDep, require_session
from argus.console.render import page, settled
from argus.errors import NotFoundError, NotReadyError
from argus.knowledge.incidents import IncidentHit, similar_incidents
from argus.pipeline.stored_analysis import stats_and_baseline
from argus.report import Report
from argus.store import batches, timeline
from argus.store import knowledge as knowledge_store
from argus.tools.series import batch_charts

router = APIRouter(dependencies=[Depends(require_session)])
#: Similar past incidents listed on a report.
SIMILAR = 5


async def _batch(conn: ConnDep, batch_id: uuid.UUID) -> BatchRecord:
    found = await batches.get_batch(conn, batch_id)
    if found is None:
        raise NotFoundError(f"no batch {batch_id}")
    return found


async def _similar(conn: ConnDep, batch_id: uuid.UUID) -> list[IncidentHit]:
    vector = await knowledge_store.diagnosis_vector(conn, batch_id)
    if vector is None:
        return []
    return await similar_incidents(conn, vector=vector, limit=SIMILAR, exclude_batch=batch_id)


async def _state_context(conn: ConnDep, batch: BatchRecord) -> dict[str, Any]:
    return {
        "batch": batch,
        "steps": await timeline.batch_timeline(conn, batch.batch_id),
        "failed_files": sum(f.status is FileStatus.FAILED for f in batch.files),
    }


@router.get("/batches/{batch_id}", response_class=HTMLResponse)
async def batch_page(
    request: Request, batch_id: uuid.UUID, conn: ConnDep, settings: SettingsDep
) -> HTMLResponse:
    """The batch page (404 page for an unknown batch)."""
    batch = await _batch(conn, batch_id)
    context = await _state_context(conn, batch)
    stored = await batches.get_report(conn, batch_id)
    report = Report.model_validate(stored) if stored is not None else None
    context |= {
        "report": report,
        "similar": await _similar(conn, batch_id) if report is not None else [],
        "poll_s": settings.console.poll_s,
        "charts_ready": batch.status
        in (BatchStatus.PARSED, BatchStatus.DIAGNOSING, BatchStatus.DIAGNOSED)
        or any(f.status is FileStatus.PARSED for f in batch.files),
    }
    return page(request, "batch.html", context)


@router.get("/batches/{batch_id}/fragments/state", response_class=HTMLResponse)
async def batch_state(
    request: Request, batch_id: uuid.UUID, conn: ConnDep, settings: SettingsDep
) -> HTMLResponse:
    """The timeline and files alone (polled while the batch is under way); once it has
    settled, the whole page is reloaded (``HX-Refresh``) to show its report and charts."""
    batch = await _batch(conn, batch_id)
    context = await _state_context(conn, batch)
    answer = page(request, "_batch_state.html", {**context, "poll_s": settings.console.poll_s})
    if settled(batch.status):
        answer.headers["HX-Refresh"] = "true"
    return answer


@router.get("/batches/{batch_id}/fragments/charts", response_class=HTMLResponse)
async def batch_charts_fragment(
    request: Request, batch_id: uuid.UUID, conn: ConnDep, state: StateDep
) -> HTMLResponse:
    """The batch's charts: lines per minute per module against its baseline, error templates
    per minute, top templates (a note instead while no file is parsed)."""
    batch = await _batch(conn, batch_id)
    conninfo = str(state.pool.conninfo)
    try:
        current, baseline = await asyncio.to_thread(stats_and_baseline, conninfo, batch)
    except NotReadyError as exc:
        return page(request, "_charts.html", {"charts": [], "note": exc.message})
    charts = batch_charts(current, baseline)
    return page(request, "_charts.html", {"charts": charts, "note": ""})
