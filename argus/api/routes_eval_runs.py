"""Eval-run routes: the runs ``argus eval --store`` recorded, one run, and two compared."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from argus.api.deps import ConnDep
from argus.api.schemas import errors
from argus.api.schemas_eval_runs import (
    EvalCaseView,
    EvalCompareQuery,
    EvalComparisonView,
    EvalRunListQuery,
    EvalRunPageView,
    EvalRunSummary,
    EvalRunView,
)
from argus.store import eval_runs

router = APIRouter(prefix="/api/v1/eval-runs", tags=["eval runs"], responses=errors(401))
#: The id of a stored run (a PostgreSQL bigint).
RunId = Annotated[int, Path(ge=1, le=2**63 - 1, description="the run's id")]


@router.get("")
async def list_runs(query: Annotated[EvalRunListQuery, Query()], conn: ConnDep) -> EvalRunPageView:
    """Stored runs, newest first, one page at a time (``offset``)."""
    page = await eval_runs.list_runs(conn, limit=query.limit, offset=query.offset)
    return EvalRunPageView(
        runs=[EvalRunSummary.model_validate(r) for r in page.runs],
        total=page.total,
        limit=query.limit,
        offset=query.offset,
    )


@router.get("/compare", responses=errors(404))
async def compare(query: Annotated[EvalCompareQuery, Query()], conn: ConnDep) -> EvalComparisonView:
    """Runs ``base`` and ``other`` side by side: each figure with its delta (other - base),
    F1 per category, and every case whose outcome changed (improved, regressed, changed) or
    that only one run has (added, removed)."""
    found = await eval_runs.compare_runs(conn, query.base, query.other)
    return EvalComparisonView.model_validate(found)


@router.get("/{eval_run_id}", responses=errors(404))
async def get_run(eval_run_id: RunId, conn: ConnDep) -> EvalRunView:
    """One run: its figures, the settings it ran with, and its cases by id."""
    stored = await eval_runs.get_run(conn, eval_run_id)
    head = EvalRunSummary.model_validate(stored.head)
    return EvalRunView(
        **head.model_dump(),
        settings=stored.settings,
        cases=[EvalCaseView.model_validate(c) for c in stored.cases],
    )
