"""Recording an eval run in PostgreSQL (``argus eval --store``): its figures, per-case rows,
the settings it ran with, the code's git revision, the case set and when it started."""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from argus.config import Settings
from argus.evals.report import EvalSummary
from argus.evals.scoring import Outcome
from argus.store import eval_runs
from argus.store.connection import connect
from argus.store.eval_runs import CaseRow, NewRun

#: Where the code runs from: its git revision is the run's.
_CODE_DIR = Path(__file__).resolve().parent


def git_revision(where: Path = _CODE_DIR) -> str:
    """``git rev-parse HEAD`` of the checkout holding ``where``, or ``unknown`` (no git, not
    a checkout, or git failing)."""
    try:
        done = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=where,
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    revision = done.stdout.strip()
    return revision if done.returncode == 0 and revision else "unknown"


def case_row(o: Outcome) -> CaseRow:
    """The stored row of one case's outcome."""
    rank = (
        o.predicted_modules.index(o.expected_module) + 1
        if o.expected_module is not None and o.expected_module in o.predicted_modules
        else None
    )
    return CaseRow(
        case_id=o.case_id,
        expected_module=o.expected_module,
        expected_category=o.expected_category,
        predicted_module=o.predicted_modules[0] if o.predicted_modules else None,
        predicted_category=o.predicted_category,
        ranked_modules=o.predicted_modules[:10],
        rank=rank,
        incident=o.incident,
        module_at_1=o.module_hit(1),
        module_at_3=o.module_hit(3),
        category_correct=o.category_hit,
        correct=o.correct,
        latency_s=round(o.latency_s, 3),
        error=o.error,
    )


def new_run(summary: EvalSummary, settings: Settings, revision: str | None = None) -> NewRun:
    """The run to store for ``summary`` (the figures the eval prints; per-category F1 apart),
    at ``revision`` (default: :func:`git_revision`, which runs git: call it outside an event
    loop)."""
    figures: dict[str, Any] = summary.figures()
    per_category = figures.pop("category_f1")
    started = (
        datetime.fromisoformat(summary.started_at) if summary.started_at else datetime.now(UTC)
    )
    return NewRun(
        name=summary.diagnose,
        cases_dir=summary.cases_dir,
        git_revision=git_revision() if revision is None else revision,
        settings=settings.masked(),
        figures={k: None if v is None else float(v) for k, v in figures.items()},
        category_f1={str(k): float(v) for k, v in per_category.items()},
        started_at=started,
        cases=[case_row(o) for o in summary.outcomes],
    )


async def store_new_run(run: NewRun, database_url: str) -> int:
    """Store ``run`` in the database at ``database_url``; return its id."""
    async with await connect(database_url, vectors=False) as conn:
        return await eval_runs.store_run(conn, run)
