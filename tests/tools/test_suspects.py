"""Suspects, the caller-versus-callee correction, trace graphs and the category guess."""

from __future__ import annotations

from argus.config import DiagnosisSettings
from argus.tools.digest import Digest
from argus.tools.signals import line_clumping, signals
from argus.tools.statistics import build_digest
from argus.tools.suspects import assess
from argus.tools.traces import call_graph, trace_lines
from tests.tools.frames import stats, steady, trace_rows

TEXTS = {
    1: "GET /checkout ok",
    2: "reserve stock ok",
    3: "upstream call failed: status 500",
    4: "stock lookup returned wrong value for item <*>",
    5: "NullPointerException in StockDao.find",
    6: "request took <*> ms",
}


def _traces(caller_errors: bool) -> list[tuple[str, str, int, str, int]]:
    rows = []
    for n in range(6):
        rows += [
            (f"t{n}", "checkout", 1, "INFO", 10 * n),
            (f"t{n}", "inventory", 2, "INFO", 10 * n + 1),
        ]
        if caller_errors:
            rows.append((f"t{n}", "checkout", 3, "ERROR", 10 * n + 2))
    return rows


def test_call_graph_orders_modules_by_first_line_of_each_trace() -> None:
    graph = call_graph(trace_rows(_traces(False)))
    assert graph == {"checkout": {"inventory"}}


def test_trace_lines_extracts_ids_from_records() -> None:
    import polars as pl

    records = pl.DataFrame(
        {
            "ts": ["2024-01-01 12:00:00.100", "2024-01-01 12:00:00.300", "2024-01-01 12:00:01.000"],
            "mod": ["a", "b", "a"],
            "level": ["INFO", "INFO", "INFO"],
            "content": ["TraceID: 0af7651916cd43dd x", "trace_id=0af7651916cd43dd y", "no id here"],
            "tid": [1, 2, 1],
        }
    )
    lines = trace_lines(records)
    assert sorted(lines["mod"].to_list()) == ["a", "b"]
    assert set(lines["trace"].to_list()) == {"0af7651916cd43dd"}


def _batch(caller_level: str, with_traces: bool) -> tuple[object, object]:
    base_rows = steady(1, "checkout", 20, 3) + steady(2, "inventory", 20, 3)
    rows = (
        base_rows
        + steady(3, "checkout", 6, 3, caller_level)
        + steady(4, "inventory", 5, 3, "ERROR")
    )
    traces = trace_rows(_traces(True)) if with_traces else None
    return stats(rows, TEXTS, traces), stats(
        base_rows, TEXTS, trace_rows(_traces(False)) if with_traces else None
    )


def test_a_caller_reporting_a_downstream_failure_is_not_the_cause() -> None:
    current, baseline = _batch("ERROR", with_traces=True)
    suspects = assess(build_digest(current, baseline)).suspects  # type: ignore[arg-type]
    assert suspects[0].module == "inventory"
    caller = next(s for s in suspects if s.module == "checkout")
    assert any("calls a module that fails by itself" in r for r in caller.reasons)


def test_without_traces_the_louder_caller_leads() -> None:
    """The correction comes from the trace ids: without them the louder caller ranks first."""
    current, baseline = _batch("ERROR", with_traces=False)
    assert assess(build_digest(current, baseline)).suspects[0].module == "checkout"  # type: ignore[arg-type]


def test_scores_are_in_unit_interval_and_ranked() -> None:
    current, baseline = _batch("ERROR", with_traces=True)
    scores = [s.score for s in assess(build_digest(current, baseline)).suspects]  # type: ignore[arg-type]
    assert scores == sorted(scores, reverse=True) and all(0 < s <= 1 for s in scores)


def test_nothing_anomalous_is_no_incident_and_category_none() -> None:
    base = stats(steady(1, "checkout", 20, 3) + steady(2, "inventory", 20, 3), TEXTS)
    again = stats(steady(1, "checkout", 20, 3) + steady(2, "inventory", 21, 3), TEXTS)
    digest = build_digest(again, base)
    assert not assess(digest).incident and assess(digest).category == "none"


def test_category_from_the_words_of_new_error_templates() -> None:
    base_rows = steady(1, "api", 20, 3)
    for tid, expected in (
        (5, "code_exception"),
        (4, "code_wrong_return_value"),
        (3, "code_wrong_return_value"),
    ):
        current = stats(base_rows + steady(tid, "api", 8, 3, "ERROR"), TEXTS)
        assert assess(build_digest(current, stats(base_rows, TEXTS))).category == expected


def test_an_error_naming_another_module_hands_it_weight() -> None:
    texts = {**TEXTS, 7: "call to inventory failed: status 500"}
    base_rows = steady(1, "checkout", 20, 3) + steady(2, "inventory", 20, 3)
    current = stats(base_rows + steady(7, "checkout", 6, 3, "ERROR"), texts)
    suspects = assess(build_digest(current, stats(base_rows, texts))).suspects
    inventory = next(s for s in suspects if s.module == "inventory")
    assert any("error lines of checkout naming it" in r for r in inventory.reasons)


def test_throughput_drop_is_judged_against_the_callers_traffic() -> None:
    """Traffic doubles, except for `job`, which its fixed-pace caller `cron` drives."""

    texts = {t: f"line {t}" for t in range(1, 8)}
    doubling = [(1, "web"), (2, "api"), (6, "auth"), (7, "search")]
    base = [r for t, m in doubling for r in steady(t, m, 20, 3)]
    now = [r for t, m in doubling for r in steady(t, m, 40, 3)]
    base += steady(3, "db", 20, 3) + steady(4, "cron", 30, 3) + steady(5, "job", 30, 3)
    now += steady(3, "db", 5, 3) + steady(4, "cron", 30, 3) + steady(5, "job", 30, 3)
    spans = [(f"w{n}", "web", 1, "INFO", 10 * n) for n in range(4)]
    spans += [(f"w{n}", "db", 3, "INFO", 10 * n + 1) for n in range(4)]
    spans += [(f"c{n}", "cron", 4, "INFO", 10 * n) for n in range(4)]
    spans += [(f"c{n}", "job", 5, "INFO", 10 * n + 1) for n in range(4)]
    graph = trace_rows(spans)
    with_graph = _silent(build_digest(stats(now, texts, graph), stats(base, texts, graph)))
    without = _silent(build_digest(stats(now, texts), stats(base, texts)))
    assert "db" in with_graph and "job" not in with_graph
    assert {"db", "job"} <= set(without)


def _silent(digest: Digest) -> set[str]:
    """Modules whose silence clears the bar of one test at 1%."""
    found = signals(digest, DiagnosisSettings()).signals
    return {s.module for s in found if s.kind == "silence" and s.z > 2.33}


def test_category_follows_the_weight_of_evidence_not_any_single_word() -> None:
    """Many new 'wrong value' lines outvote two lines of an exception template."""
    base_rows = steady(1, "api", 20, 3)
    rows = base_rows + steady(4, "api", 20, 3, "ERROR") + [(5, "api", "ERROR", 0, 1)]
    digest = build_digest(stats(rows, TEXTS), stats(base_rows, TEXTS))
    assert assess(digest).category == "code_wrong_return_value"
    rows = base_rows + steady(5, "api", 20, 3, "ERROR") + [(4, "api", "ERROR", 0, 1)]
    digest = build_digest(stats(rows, TEXTS), stats(base_rows, TEXTS))
    assert assess(digest).category == "code_exception"


def test_line_clumping_is_the_spread_of_lines_per_request() -> None:
    spans = [(f"a{n}", "api", 1, "INFO", n) for n in range(6)]  # one line a request
    spans += [(f"b{n}", "db", 3, "INFO", n) for n in range(5) for _ in range(4)]  # four each
    spans += [("c0", "job", 5, "INFO", 0)] + [("c1", "job", 5, "INFO", 1)] * 3  # one, three
    assert line_clumping(trace_rows(spans)) == {"api": 1.0, "db": 4.0, "job": 2.5}
    assert line_clumping(None) == {}


def test_a_dip_of_lines_written_in_clumps_is_weaker_evidence() -> None:
    """600 lines expected, 450 written: clear for independent lines, not when each request
    writes ten of them (the count then varies ten times as much)."""
    texts = {1: "request in", 3: "query done"}
    base = steady(1, "web", 200, 3) + steady(3, "db", 200, 3)
    now = steady(1, "web", 200, 3) + steady(3, "db", 150, 3)
    clumped = trace_rows([(f"r{n}", "db", 3, "INFO", n) for n in range(30) for _ in range(10)])
    single = trace_rows([(f"r{n}", "db", 3, "INFO", n) for n in range(30)])
    assert "db" in _silent(build_digest(stats(now, texts, single), stats(base, texts)))
    assert "db" not in _silent(build_digest(stats(now, texts, clumped), stats(base, texts)))
