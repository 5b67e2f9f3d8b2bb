"""A batch with no baseline: errors that start partway through it, and who they speak for."""

from __future__ import annotations

from pathlib import Path

from argus.agents.log_analysis import analyse
from argus.config import Settings
from argus.evals.offline import engine_for, mine_all, stats_of
from argus.tools.statistics import build_digest
from argus.tools.suspects import assess
from tests.tools.frames import stats, steady

TEXTS = {1: "GET /pay ok", 2: "charge ok", 3: "pool exhausted: no connection", 4: "retrying"}
TEXTS |= {5: "POST /pay failed upstream=payment", 6: "cache warning: slow lookup"}


def _quiet() -> list[tuple[int, str, str, int, int]]:
    return steady(1, "gateway", 30, 6) + steady(2, "payment", 30, 6)


def test_errors_that_start_partway_name_their_module_and_the_report_has_no_baseline() -> None:
    rows = _quiet() + [(3, "payment", "ERROR", m, 20) for m in range(3, 6)]
    rows += [(5, "gateway", "ERROR", m, 25) for m in range(3, 6)]  # names payment
    found = assess(build_digest(stats(rows, TEXTS)))
    assert found.incident and found.suspects[0].module == "payment"
    assert found.category == "database"
    kinds = {c.signal for c in found.suspects[0].evidence}
    # onsets, and the same errors against the batch's own minutes before they began
    assert kinds <= {"errors_unbaselined", "named", "errors"} and kinds & {
        "errors_unbaselined",
        "errors",
    }


def test_errors_that_run_through_the_whole_window_are_no_incident() -> None:
    rows = _quiet() + steady(6, "cache", 10, 6, "WARN")
    found = assess(build_digest(stats(rows, TEXTS)))
    assert not found.incident and found.category == "none"


def test_the_shop_example_alone_names_payment() -> None:
    """Uploaded alone, the bundled example is diagnosed payment (its pool is exhausted), not the
    gateway whose errors name payment."""
    example = Path(__file__).parents[2] / "examples" / "shop" / "payment-db-pool.log.gz"
    engine = engine_for(Settings(llm="none"), None)
    mine_all(engine, [example])
    found = analyse(stats_of(engine, [example]), None)
    assert found.incident and found.suspects[0].module == "payment"
    assert found.category == "database"
    assert found.digest.baseline_minutes is None
