"""The eval-runs pages: the runs ``argus eval --store`` recorded (figures, git revision, when),
and two runs side by side: every figure with its delta, F1 per category, the settings that
differ, and the cases whose outcome changed; what a team lead reads before changing a prompt,
a model or a threshold. The pages read the same store functions as ``/api/v1/eval-runs``."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import HTMLResponse

from argus.console.deps import ConnDep, require_session
from argus.console.render import page
from argus.store import eval_runs
from argus.store.eval_runs import FigureDelta

router = APIRouter(dependencies=[Depends(require_session)])
#: Runs per page of the list.
PAGE_SIZE = 50
#: The figures of a run the list shows as columns (all of them are on the compare page).
LISTED = (
    ("module_accuracy_at_1", "Module @1"),
    ("module_accuracy_at_3", "Module @3"),
    ("category_macro_f1", "Category macro-F1"),
    ("false_alarms", "False alarms"),
    ("latency_p95_s", "Latency p95 (s)"),
)
#: The order figures are read in (as ``argus eval`` prints them); others follow by name.
FIGURE_ORDER = (
    "module_accuracy_at_1",
    "module_accuracy_at_3",
    "strict_accuracy_at_1",
    "strict_accuracy_at_3",
    "detection_rate",
    "category_accuracy",
    "category_macro_f1",
    "false_alarms",
    "retrieval_precision",
    "retrieval_recall",
    "latency_p50_s",
    "latency_p95_s",
    "llm_calls_per_case",
    "tokens_per_case",
    "cases_total",
    "cases_failed",
    "none_cases",
)
#: Figures where less is better (every other figure but the counts: more is better).
LOWER_IS_BETTER = frozenset(
    {
        "cases_failed",
        "false_alarms",
        "latency_p50_s",
        "latency_p95_s",
        "llm_calls_per_case",
        "tokens_per_case",
    }
)
#: Figures that count cases, better or worse in neither direction.
NEUTRAL = frozenset({"cases_total", "none_cases"})
RunId = Annotated[int, Query(ge=1, le=2**63 - 1)]
RunPath = Annotated[int, Path(ge=1, le=2**63 - 1)]


@dataclass(frozen=True, kw_only=True)
class FigureRow:
    """One figure of two runs as the compare page shows it."""

    name: str
    base: str
    other: str
    delta: str  #: signed, "" when either run lacks the figure
    trend: str  #: better, worse or "" (no change, no direction, or not comparable)


@dataclass(frozen=True, kw_only=True)
class SettingRow:
    """One setting (a dotted path) whose value differs between the runs."""

    name: str
    base: str
    other: str


def number(value: float | None) -> str:
    """A figure for reading: integers as such, others to 4 significant digits; "—" for none."""
    if value is None:
        return "—"
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.4g}"


def in_order(rows: list[FigureDelta]) -> list[FigureDelta]:
    """``rows`` in :data:`FIGURE_ORDER`, then the figures it does not name, by name."""
    rank = {name: i for i, name in enumerate(FIGURE_ORDER)}
    return sorted(rows, key=lambda r: (rank.get(r.name, len(rank)), r.name))


def figure_row(found: FigureDelta) -> FigureRow:
    """``found`` formatted, with whether the change is for the better."""
    trend = ""
    if found.delta and found.name not in NEUTRAL:
        up = found.delta > 0
        trend = "worse" if up == (found.name in LOWER_IS_BETTER) else "better"
    delta = "" if found.delta is None else f"{'+' if found.delta > 0 else ''}{number(found.delta)}"
    return FigureRow(
        name=found.name,
        base=number(found.base),
        other=number(found.other),
        delta=delta,
        trend=trend,
    )


def flatten(settings: Mapping[str, Any], prefix: str = "") -> dict[str, str]:
    """Nested settings as dotted paths to their values (JSON text)."""
    flat: dict[str, str] = {}
    for key, value in settings.items():
        path = f"{prefix}{key}"
        if isinstance(value, Mapping) and value:
            flat.update(flatten(value, f"{path}."))
        else:
            flat[path] = json.dumps(value, sort_keys=True, default=str)
    return flat


def setting_changes(base: Mapping[str, Any], other: Mapping[str, Any]) -> list[SettingRow]:
    """The settings whose values differ (absent on one side shown as "—"), by name."""
    mine, theirs = flatten(base), flatten(other)
    return [
        SettingRow(name=k, base=mine.get(k, "—"), other=theirs.get(k, "—"))
        for k in sorted(mine.keys() | theirs.keys())
        if mine.get(k) != theirs.get(k)
    ]


@router.get("/evals", response_class=HTMLResponse)
async def evals_page(
    request: Request,
    conn: ConnDep,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> HTMLResponse:
    """The stored runs, newest first, with the form choosing two to compare (by default the
    newest against the one before it)."""
    found = await eval_runs.list_runs(conn, limit=PAGE_SIZE, offset=offset)
    runs = found.runs
    context = {
        "runs": runs,
        "total": found.total,
        "offset": offset,
        "page_size": PAGE_SIZE,
        "listed": LISTED,
        "number": number,
        "default_other": runs[0].eval_run_id if runs else None,
        "default_base": runs[1].eval_run_id if len(runs) > 1 else None,
    }
    return page(request, "evals.html", context)


@router.get("/evals/compare", response_class=HTMLResponse)
async def compare_page(request: Request, conn: ConnDep, base: RunId, other: RunId) -> HTMLResponse:
    """Runs ``base`` and ``other`` side by side (deltas are other - base)."""
    first = await eval_runs.get_run(conn, base)
    second = await eval_runs.get_run(conn, other)
    found = eval_runs.compare(first, second)
    context = {
        "cmp": found,
        "figures": [figure_row(f) for f in in_order(found.figures)],
        "category_f1": [figure_row(f) for f in sorted(found.category_f1, key=lambda f: f.name)],
        "settings": setting_changes(first.settings, second.settings),
        "same_settings": first.settings == second.settings,
    }
    return page(request, "eval_compare.html", context)


@router.get("/evals/{eval_run_id}", response_class=HTMLResponse)
async def run_page(request: Request, conn: ConnDep, eval_run_id: RunPath) -> HTMLResponse:
    """One run: its facts, every figure, F1 per category, the settings it ran with and its
    cases."""
    stored = await eval_runs.get_run(conn, eval_run_id)
    head = stored.head
    figures = [FigureDelta(name=k, base=v, other=None, delta=None) for k, v in head.figures.items()]
    context = {
        "run": head,
        "figures": [(f.name, number(f.base)) for f in in_order(figures)],
        "category_f1": sorted((k, number(v)) for k, v in head.category_f1.items()),
        "settings": sorted(flatten(stored.settings).items()),
        "cases": stored.cases,
        "number_of": number,
    }
    return page(request, "eval_run.html", context)
