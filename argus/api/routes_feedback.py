"""Feedback on a batch's diagnosis, and the knowledge metrics it feeds."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from argus.api.deps import BatchDep, ConnDep, EmbedderDep
from argus.api.schemas import errors
from argus.api.schemas_feedback import (
    FeedbackCreate,
    FeedbackListView,
    FeedbackView,
    KnowledgeStatsView,
)
from argus.knowledge.feedback import record_feedback
from argus.knowledge.stats import knowledge_stats
from argus.store import feedback

router = APIRouter(prefix="/api/v1", tags=["feedback"], responses=errors(401))


@router.post(
    "/batches/{batch_id}/feedback",
    status_code=status.HTTP_201_CREATED,
    responses=errors(400, 404, 409, 413),
)
async def add_feedback(
    batch: BatchDep, body: FeedbackCreate, conn: ConnDep, embedder: EmbedderDep
) -> FeedbackView:
    """Judge the batch's diagnosis (409 until it has one; 400 when the verdict contradicts
    itself or the report). A confirmed or corrected incident becomes (or updates) the knowledge
    entry ``feedback/<batch id>``; a false alarm removes it."""
    row = await record_feedback(conn, batch, body.verdict(), embedder)
    return FeedbackView.of(row)


@router.get("/batches/{batch_id}/feedback", responses=errors(404))
async def list_feedback(batch: BatchDep, conn: ConnDep) -> FeedbackListView:
    """Every feedback on the batch, newest first."""
    rows = await feedback.list_feedback(conn, batch.batch_id)
    return FeedbackListView(batch_id=batch.batch_id, feedback=[FeedbackView.of(r) for r in rows])


@router.get("/knowledge/stats")
async def stats(
    conn: ConnDep,
    top: Annotated[int, Query(ge=0, le=100, description="most cited entries listed")] = 10,
) -> KnowledgeStatsView:
    """Knowledge hit rate, citations per entry, and precision of cited entries where feedback
    gives the truth."""
    return KnowledgeStatsView.of(await knowledge_stats(conn, top=top))
