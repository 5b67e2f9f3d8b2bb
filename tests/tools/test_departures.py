"""Where requests first depart from the baseline's paths, and whose that is."""

from __future__ import annotations

from argus.config import DiagnosisSettings
from argus.tools.departures import departures
from argus.tools.signals import signals
from argus.tools.statistics import build_digest
from tests.tools.frames import stats, steady, trace_rows

TEXTS = {1: "GET /order", 2: "order start", 3: "stock query", 4: "stock ok", 5: "order done"}
TEXTS |= {6: "GET /order ok", 7: "order aborted: bad stock answer"}


Row = tuple[str, str, int, str, int]


def _requests(prefix: str, db_stops_early: bool, count: int = 12) -> list[Row]:
    rows: list[Row] = []
    for n in range(count):
        t = 10 * n
        rows += [(f"{prefix}{n}", "web", 1, "INFO", t), (f"{prefix}{n}", "api", 2, "INFO", t + 1)]
        rows.append((f"{prefix}{n}", "db", 3, "INFO", t + 2))
        if db_stops_early:  # db answers after its first line; api then takes another branch
            rows.append((f"{prefix}{n}", "api", 7, "ERROR", t + 4))
        else:
            rows += [
                (f"{prefix}{n}", "db", 4, "INFO", t + 3),
                (f"{prefix}{n}", "api", 5, "INFO", t + 4),
            ]
        rows.append((f"{prefix}{n}", "web", 6, "INFO", t + 5))
    return rows


def test_the_module_that_departs_first_is_blamed_not_its_caller() -> None:
    found = departures(trace_rows(_requests("c", True)), trace_rows(_requests("b", False)))
    judged = 12 - 2  # the requests at either end of the window are left out
    assert found["db"].first == judged and found["db"].requests == judged
    assert found["api"].first == 0 and found["web"].first == 0
    assert found["db"].traces and found["db"].templates == {3: judged}


def test_requests_on_known_paths_do_not_depart() -> None:
    found = departures(trace_rows(_requests("c", False)), trace_rows(_requests("b", False)))
    assert all(d.first == 0 for d in found.values())


def test_the_new_paths_signal_is_judged_against_the_baselines_size() -> None:
    rows = [r for n, m in enumerate(("web", "api", "db")) for r in steady(n + 1, m, 20, 3)]
    base = stats(rows, TEXTS, trace_rows(_requests("b", False)))
    now = stats(rows, TEXTS, trace_rows(_requests("c", True)))
    found = signals(build_digest(now, base), DiagnosisSettings()).signals
    paths = {s.module: s for s in found if s.kind == "new_paths"}
    assert set(paths) == {"db"} and paths["db"].z > 2
    assert "10 of 10 requests departed first in it" in paths["db"].claim
