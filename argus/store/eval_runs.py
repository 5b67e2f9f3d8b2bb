"""Repository of stored eval runs (``argus eval --store``): a run's figures, settings, code
revision and per-case rows; listing, reading, and comparing two runs.

The eval harness (argus.evals) writes runs and the API reads them; both go through here.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import psycopg

from argus.errors import NotFoundError

#: A run's scalar figures: accuracy@1/@3, macro-F1, false alarms, latency... (None: not scored).
Figures = dict[str, float | None]


@dataclass(frozen=True, kw_only=True)
class CaseRow:
    """One case of a stored run."""

    case_id: str
    expected_module: str | None  #: None: a fault-free case
    expected_category: str
    predicted_module: str | None
    predicted_category: str
    ranked_modules: list[str]
    rank: int | None  #: 1-based rank of the expected module among the ranked; None: absent
    incident: bool  #: the report claimed an incident
    module_at_1: bool
    module_at_3: bool
    category_correct: bool
    correct: bool  #: module at rank 1 and category right
    latency_s: float
    error: str | None  #: why the case failed, when its diagnosis raised


@dataclass(frozen=True, kw_only=True)
class NewRun:
    """An eval run to store."""

    name: str  #: which diagnose ran (rule-based, LLM, no baseline ...)
    cases_dir: str
    git_revision: str  #: ``git rev-parse HEAD`` of the code, or "unknown"
    settings: Mapping[str, Any]  #: the effective settings, secrets masked
    figures: Figures
    category_f1: dict[str, float]
    started_at: datetime
    cases: Sequence[CaseRow]


@dataclass(frozen=True, kw_only=True)
class RunHead:
    """A stored run without its cases."""

    eval_run_id: int
    name: str
    cases_dir: str
    git_revision: str
    figures: Figures
    category_f1: dict[str, float]
    started_at: datetime
    recorded_at: datetime
    case_count: int


@dataclass(frozen=True, kw_only=True)
class StoredRun:
    """A stored run with its settings and cases (ordered by case id)."""

    head: RunHead
    settings: dict[str, Any]  #: the effective settings as recorded (free-form by nature)
    cases: list[CaseRow]


@dataclass(frozen=True, kw_only=True)
class RunPage:
    """Runs, newest first, and how many are stored in all."""

    runs: list[RunHead]
    total: int


@dataclass(frozen=True, kw_only=True)
class FigureDelta:
    """One figure of two runs side by side; ``delta`` = other - base (None if either lacks it)."""

    name: str
    base: float | None
    other: float | None
    delta: float | None


@dataclass(frozen=True, kw_only=True)
class CaseChange:
    """A case whose outcome differs between two runs, or that only one of them has."""

    case_id: str
    change: str  #: improved, regressed, changed, added (other only) or removed (base only)
    base: CaseRow | None
    other: CaseRow | None


@dataclass(frozen=True, kw_only=True)
class Comparison:
    """Two runs side by side."""

    base: RunHead
    other: RunHead
    figures: list[FigureDelta] = field(default_factory=list)
    category_f1: list[FigureDelta] = field(default_factory=list)
    changed: list[CaseChange] = field(default_factory=list)  #: ordered by case id
    unchanged: int = 0  #: cases in both runs with the same outcome


_HEAD = (
    "r.eval_run_id, r.name, r.cases_dir, r.git_revision, r.figures, r.category_f1,"
    " r.started_at, r.recorded_at,"
    " (SELECT count(*) FROM eval_case_result c WHERE c.eval_run_id = r.eval_run_id)"
)
_CASE = (
    "case_id, expected_module, expected_category, predicted_module, predicted_category,"
    " ranked_modules, rank, incident, module_at_1, module_at_3, category_correct, correct,"
    " latency_s, error"
)


async def store_run(conn: psycopg.AsyncConnection[Any], run: NewRun) -> int:
    """Store ``run`` and its cases in one transaction; return its id."""
    async with conn.transaction():
        cur = await conn.execute(
            "INSERT INTO eval_run (name, cases_dir, git_revision, settings, figures,"
            " category_f1, started_at) VALUES (%s, %s, %s, %s, %s, %s, %s)"
            " RETURNING eval_run_id",
            (
                run.name,
                run.cases_dir,
                run.git_revision,
                json.dumps(run.settings, default=str),
                json.dumps(run.figures),
                json.dumps(run.category_f1),
                run.started_at,
            ),
        )
        row = await cur.fetchone()
        assert row is not None
        run_id = int(row[0])
        async with conn.cursor() as many:
            await many.executemany(
                f"INSERT INTO eval_case_result (eval_run_id, {_CASE})"
                " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                [(run_id, *_case_values(c)) for c in run.cases],
            )
    return run_id


def _case_values(c: CaseRow) -> tuple[Any, ...]:
    return (
        c.case_id,
        c.expected_module,
        c.expected_category,
        c.predicted_module,
        c.predicted_category,
        c.ranked_modules,
        c.rank,
        c.incident,
        c.module_at_1,
        c.module_at_3,
        c.category_correct,
        c.correct,
        c.latency_s,
        c.error,
    )


def _head(values: Sequence[Any]) -> RunHead:
    rid, name, cases_dir, rev, figures, per_category, started, recorded, n = values
    return RunHead(
        eval_run_id=int(rid),
        name=name,
        cases_dir=cases_dir,
        git_revision=rev,
        figures=dict(figures),
        category_f1=dict(per_category),
        started_at=started,
        recorded_at=recorded,
        case_count=int(n),
    )


def _case(values: Sequence[Any]) -> CaseRow:
    (cid, em, ec, pm, pc, ranked, rank, incident, at1, at3, cat, correct, latency, error) = values
    return CaseRow(
        case_id=cid,
        expected_module=em,
        expected_category=ec,
        predicted_module=pm,
        predicted_category=pc,
        ranked_modules=list(ranked),
        rank=rank,
        incident=incident,
        module_at_1=at1,
        module_at_3=at3,
        category_correct=cat,
        correct=correct,
        latency_s=float(latency),
        error=error,
    )


async def list_runs(
    conn: psycopg.AsyncConnection[Any], *, limit: int = 50, offset: int = 0
) -> RunPage:
    """Stored runs, newest first."""
    cur = await conn.execute(
        f"SELECT {_HEAD} FROM eval_run r ORDER BY r.recorded_at DESC, r.eval_run_id DESC"
        " LIMIT %s OFFSET %s",
        (limit, offset),
    )
    runs = [_head(r) for r in await cur.fetchall()]
    cur = await conn.execute("SELECT count(*) FROM eval_run")
    total = await cur.fetchone()
    return RunPage(runs=runs, total=int(total[0]) if total else 0)


async def get_run(conn: psycopg.AsyncConnection[Any], eval_run_id: int) -> StoredRun:
    """One run with its settings and cases; NotFoundError when there is none."""
    cur = await conn.execute(
        f"SELECT {_HEAD}, r.settings FROM eval_run r WHERE r.eval_run_id = %s", (eval_run_id,)
    )
    row = await cur.fetchone()
    if row is None:
        raise NotFoundError(f"no eval run {eval_run_id}")
    cur = await conn.execute(
        f"SELECT {_CASE} FROM eval_case_result WHERE eval_run_id = %s ORDER BY case_id",
        (eval_run_id,),
    )
    cases = [_case(r) for r in await cur.fetchall()]
    return StoredRun(head=_head(row[:-1]), settings=dict(row[-1]), cases=cases)


async def compare_runs(
    conn: psycopg.AsyncConnection[Any], base_id: int, other_id: int
) -> Comparison:
    """Runs ``base_id`` and ``other_id`` side by side (NotFoundError naming a missing one)."""
    base = await get_run(conn, base_id)
    other = await get_run(conn, other_id)
    return compare(base, other)


def compare(base: StoredRun, other: StoredRun) -> Comparison:
    """Every figure and per-category F1 of either run with its delta, and the cases whose
    outcome (module rank, @1, @3, category, incident claimed, failure) differs."""
    mine = {c.case_id: c for c in base.cases}
    theirs = {c.case_id: c for c in other.cases}
    changed: list[CaseChange] = []
    unchanged = 0
    for cid in sorted(mine.keys() | theirs.keys()):
        b, o = mine.get(cid), theirs.get(cid)
        kind = _change(b, o)
        if kind is None:
            unchanged += 1
        else:
            changed.append(CaseChange(case_id=cid, change=kind, base=b, other=o))
    return Comparison(
        base=base.head,
        other=other.head,
        figures=_deltas(base.head.figures, other.head.figures),
        category_f1=_deltas(base.head.category_f1, other.head.category_f1),
        changed=changed,
        unchanged=unchanged,
    )


def _deltas(
    base: Mapping[str, float | None], other: Mapping[str, float | None]
) -> list[FigureDelta]:
    names = [*base, *(k for k in other if k not in base)]
    rows = []
    for name in names:
        b, o = base.get(name), other.get(name)
        delta = None if b is None or o is None else round(o - b, 4)
        rows.append(FigureDelta(name=name, base=b, other=o, delta=delta))
    return rows


def _outcome(c: CaseRow) -> tuple[object, ...]:
    return (c.rank, c.module_at_1, c.module_at_3, c.category_correct, c.incident, c.error is None)


def _score(c: CaseRow) -> int:
    """Hits of a case: fully correct, module @1, module @3, category."""
    return sum((c.correct, c.module_at_1, c.module_at_3, c.category_correct))


def _change(b: CaseRow | None, o: CaseRow | None) -> str | None:
    if b is None:
        return "added"
    if o is None:
        return "removed"
    if _outcome(b) == _outcome(o):
        return None
    if _score(o) > _score(b):
        return "improved"
    if _score(o) < _score(b):
        return "regressed"
    return "changed"
