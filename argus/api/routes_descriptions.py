"""Module-description routes: list, read with history, draft, approve, reject, edit; approve
and reject in bulk. Drafting takes the LLM when one is configured (falling back to the
templates per description); decisions name who took them (``by``)."""

from __future__ import annotations

from typing import Annotated, Any

import psycopg
from fastapi import APIRouter, Path, Query

from argus.api.deps import ConnDep, SettingsDep
from argus.api.schemas import errors
from argus.api.schemas_descriptions import (
    BulkDecision,
    BulkOutcome,
    BulkView,
    Decision,
    DescriptionDetail,
    DescriptionEventView,
    DescriptionListQuery,
    DescriptionPageView,
    DescriptionView,
    DraftRequest,
    DraftView,
    Edit,
)
from argus.describe.decisions import Decide, decide_many
from argus.describe.drafting import DraftSummary, draft_all, draftable, opened_drafter, targets
from argus.errors import ConflictError
from argus.store import descriptions

router = APIRouter(prefix="/api/v1/descriptions", tags=["descriptions"], responses=errors(401))
#: The id of a description (a PostgreSQL bigint).
DescId = Annotated[int, Path(ge=1, le=2**63 - 1, description="the description's id")]


@router.get("")
async def list_descriptions(
    query: Annotated[DescriptionListQuery, Query()], conn: ConnDep
) -> DescriptionPageView:
    """Descriptions of every module and submodule seen in the logs, filtered by state (any
    of) and module, by module then submodule; one page at a time (``offset``)."""
    page = await descriptions.list_descriptions(
        conn, states=query.state, mod=query.module, limit=query.limit, offset=query.offset
    )
    return DescriptionPageView(
        descriptions=[DescriptionView.model_validate(d) for d in page.rows],
        total=page.total,
        limit=query.limit,
        offset=query.offset,
    )


@router.post("/draft")
async def draft_missing(body: DraftRequest, conn: ConnDep, settings: SettingsDep) -> DraftView:
    """Draft the descriptions of ``scope`` (at most ``limit``, in module order) and store
    them as drafts; the LLM when configured, else from each one's templates and levels."""
    todo = await targets(conn, scope=body.scope, mod=body.module)
    async with opened_drafter(settings) as drafter:
        summary = await draft_all(conn, todo[: body.limit], drafter)
    return _draft_view(summary, remaining=max(0, len(todo) - body.limit))


@router.post("/approve")
async def approve_many(body: BulkDecision, conn: ConnDep) -> BulkView:
    """Approve each draft of ``ids``; the others are reported (not found, or not a draft)."""
    return await _bulk(conn, body, descriptions.approve)


@router.post("/reject")
async def reject_many(body: BulkDecision, conn: ConnDep) -> BulkView:
    """Reject each draft of ``ids``; the others are reported (not found, or not a draft)."""
    return await _bulk(conn, body, descriptions.reject)


@router.get("/{description_id}", responses=errors(404))
async def get_description(description_id: DescId, conn: ConnDep) -> DescriptionDetail:
    """One description with every draft and decision, oldest first."""
    found = await descriptions.get_description(conn, description_id)
    events = await descriptions.history(conn, description_id)
    return DescriptionDetail(
        **DescriptionView.model_validate(found).model_dump(),
        history=[DescriptionEventView.model_validate(e) for e in events],
    )


@router.post("/{description_id}/draft", responses=errors(404, 409))
async def draft_one(description_id: DescId, conn: ConnDep, settings: SettingsDep) -> DraftView:
    """Draft this description again (409 when it is approved: edit it instead)."""
    target = draftable(await descriptions.get_description(conn, description_id))
    async with opened_drafter(settings) as drafter:
        summary = await draft_all(conn, [target], drafter)
    if not summary.drafted:
        raise ConflictError(f"module description {description_id} was approved meanwhile")
    return _draft_view(summary, remaining=0)


@router.post("/{description_id}/approve", responses=errors(404, 409))
async def approve(description_id: DescId, body: Decision, conn: ConnDep) -> DescriptionView:
    """Approve the draft as it stands (409 unless it is a draft)."""
    return DescriptionView.model_validate(await descriptions.approve(conn, description_id, body.by))


@router.post("/{description_id}/reject", responses=errors(404, 409))
async def reject(description_id: DescId, body: Decision, conn: ConnDep) -> DescriptionView:
    """Reject the draft (409 unless it is a draft); the next draft request redrafts it."""
    return DescriptionView.model_validate(await descriptions.reject(conn, description_id, body.by))


@router.put("/{description_id}", responses=errors(404))
async def edit(description_id: DescId, body: Edit, conn: ConnDep) -> DescriptionView:
    """Replace the text by ``text``, approved at once by ``by`` (whatever the state was)."""
    return DescriptionView.model_validate(
        await descriptions.edit(conn, description_id, body.by, body.text)
    )


def _draft_view(summary: DraftSummary, *, remaining: int) -> DraftView:
    return DraftView(
        drafted=[DescriptionView.model_validate(d) for d in summary.drafted],
        by_llm=summary.by_llm,
        by_templates=summary.by_templates,
        skipped=summary.skipped,
        fallbacks=summary.fallbacks,
        remaining=remaining,
    )


async def _bulk(conn: psycopg.AsyncConnection[Any], body: BulkDecision, decide: Decide) -> BulkView:
    results = [
        BulkOutcome(
            description_id=r.description_id,
            outcome=r.outcome,
            detail=r.detail,
            description=DescriptionView.model_validate(r.description) if r.description else None,
        )
        for r in await decide_many(conn, body.ids, body.by, decide)
    ]
    return BulkView(results=results, done=sum(r.outcome == "done" for r in results))
