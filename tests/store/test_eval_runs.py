"""Stored eval runs: stored and read back whole, listed newest first, two runs compared."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from argus.errors import NotFoundError
from argus.store import eval_runs
from argus.store.connection import connect
from argus.store.eval_runs import CaseRow, NewRun

pytestmark = pytest.mark.integration


def case(
    cid: str, *, rank: int | None, category: bool = True, module: str | None = "db"
) -> CaseRow:
    """A case expecting ``module`` whose expected module came ``rank``."""
    at1 = rank == 1 if module else True
    return CaseRow(
        case_id=cid,
        expected_module=module,
        expected_category="database" if module else "none",
        predicted_module="db" if rank == 1 else "api",
        predicted_category="database" if category else "network",
        ranked_modules=["db", "api"] if rank == 1 else ["api", "db"],
        rank=rank,
        incident=module is not None,
        module_at_1=at1,
        module_at_3=rank is not None and rank <= 3 if module else True,
        category_correct=category,
        correct=at1 and category,
        latency_s=1.5,
        error=None,
    )


def run(name: str, accuracy: float, cases: list[CaseRow]) -> NewRun:
    """A run of ``cases`` with one figure and one category F1."""
    return NewRun(
        name=name,
        cases_dir="cases/",
        git_revision="abc123",
        settings={"llm_mode": "none", "limits": {"max_steps": 12}},
        figures={"module_accuracy_at_1": accuracy, "retrieval_precision": None},
        category_f1={"database": accuracy},
        started_at=datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
        cases=cases,
    )


async def test_a_run_is_stored_whole_and_listed_newest_first(db_url: str) -> None:
    cases = [case("b", rank=2), case("a", rank=1)]
    async with await connect(db_url) as conn:
        first = await eval_runs.store_run(conn, run("first", 0.5, cases))
        second = await eval_runs.store_run(conn, run("second", 1.0, cases))
        stored = await eval_runs.get_run(conn, first)
        page = await eval_runs.list_runs(conn, limit=2)
        with pytest.raises(NotFoundError):
            await eval_runs.get_run(conn, 2**62)
    assert [c.case_id for c in stored.cases] == ["a", "b"]
    assert stored.cases[1] == cases[0] and stored.head.case_count == 2
    assert stored.head.figures == {"module_accuracy_at_1": 0.5, "retrieval_precision": None}
    assert stored.settings["limits"] == {"max_steps": 12}
    assert stored.head.started_at == datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert [r.eval_run_id for r in page.runs] == [second, first] and page.total >= 2


async def test_compare_gives_deltas_and_the_cases_that_changed(db_url: str) -> None:
    base_cases = [
        case("same", rank=1),
        case("better", rank=2),
        case("worse", rank=1),
        case("gone", rank=1),
    ]
    other_cases = [
        case("same", rank=1),
        case("better", rank=1),
        case("worse", rank=1, category=False),
        case("new", rank=None),
    ]
    async with await connect(db_url) as conn:
        base = await eval_runs.store_run(conn, run("base", 0.5, base_cases))
        other = await eval_runs.store_run(conn, run("other", 0.75, other_cases))
        compared = await eval_runs.compare_runs(conn, base, other)
        with pytest.raises(NotFoundError):
            await eval_runs.compare_runs(conn, base, 2**62)
    figures = {f.name: (f.base, f.other, f.delta) for f in compared.figures}
    assert figures == {
        "module_accuracy_at_1": (0.5, 0.75, 0.25),
        "retrieval_precision": (None, None, None),
    }
    assert [(f.name, f.delta) for f in compared.category_f1] == [("database", 0.25)]
    assert [(c.case_id, c.change) for c in compared.changed] == [
        ("better", "improved"),
        ("gone", "removed"),
        ("new", "added"),
        ("worse", "regressed"),
    ]
    assert compared.unchanged == 1
    assert compared.base.eval_run_id == base and compared.other.eval_run_id == other
