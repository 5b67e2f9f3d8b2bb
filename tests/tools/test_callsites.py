"""Call sites: requests that reach the line calling a module but never the module."""

from __future__ import annotations

from argus.tools.callsites import unanswered_calls
from argus.tools.digest import Digest
from argus.tools.statistics import build_digest
from argus.tools.suspects import assess
from argus.tools.traces import empty_traces
from tests.tools.frames import stats, steady, trace_rows

TraceRows = list[tuple[str, str, int, str, int]]
MODULES = {"web", "prices", "users"}


def _requests(prefix: str, count: int, silent_from: int | None = None) -> TraceRows:
    """``web`` calls ``prices`` (after line 1) then ``users`` (after line 3), every 15 s.

    From request ``silent_from`` on, ``prices`` writes nothing (it throws before logging),
    while ``web`` goes on as if nothing happened.
    """
    rows: TraceRows = []
    for n in range(count):
        t, trace = 15 * n, f"{prefix}{n}"
        rows += [
            (trace, "web", 1, "INFO", t),
            (trace, "web", 3, "INFO", t + 2),
            (trace, "users", 4, "INFO", t + 3),
        ]
        if silent_from is None or n < silent_from:
            rows.append((trace, "prices", 2, "INFO", t + 1))
    return rows


def test_a_module_that_stops_answering_its_callers_is_found() -> None:
    found = unanswered_calls(
        trace_rows(_requests("c", 12, silent_from=6)), trace_rows(_requests("b", 12)), MODULES
    )
    prices, users = found["prices"], found["users"]
    assert (prices.calls, prices.missing) == (11, 5)  # the last request lies at the edge
    assert prices.z > 3
    assert users.missing == 0 and users.z < 0


def test_the_batchs_last_seconds_are_not_judged() -> None:
    """A request cut by the end of the batch may have its answer beyond it."""
    rows = [*_requests("c", 6), ("late", "web", 1, "INFO", 15 * 6)]
    found = unanswered_calls(trace_rows(rows), trace_rows(_requests("b", 12)), MODULES)
    assert found["prices"].missing == 0


def test_a_module_without_lines_in_the_batch_is_not_judged() -> None:
    """No lines at all may mean its file was not collected, not that it failed to answer."""
    found = unanswered_calls(
        trace_rows(_requests("c", 12, silent_from=0)),
        trace_rows(_requests("b", 12)),
        {"web", "users"},
    )
    assert "prices" not in found


def test_a_call_site_that_only_sometimes_leads_to_the_module_is_not_judged() -> None:
    """A branch: in the baseline, half of the requests after line 1 never call `prices`."""
    branching = _requests("b", 6) + _requests("x", 6, silent_from=0)
    found = unanswered_calls(
        trace_rows(_requests("c", 12, silent_from=6)), trace_rows(branching), MODULES
    )
    assert "prices" not in found


def _digest(current: TraceRows, baseline: TraceRows) -> Digest:
    texts = {1: "calling prices", 2: "price for item <*>", 3: "order ready", 4: "user <*>"}
    rows = [
        r
        for t, m in ((1, "web"), (2, "prices"), (3, "web"), (4, "users"))
        for r in steady(t, m, 4, 3)
    ]
    return build_digest(
        stats(rows, texts, trace_rows(current)), stats(rows, texts, trace_rows(baseline))
    )


def test_unanswered_calls_make_the_silent_callee_the_suspect_of_an_exception() -> None:
    digest = _digest(_requests("c", 12, silent_from=3), _requests("b", 12))
    top = assess(digest).suspects[0]
    assert top.module == "prices"
    assert "never reached it" in top.reasons[0]
    assert assess(digest).category == "code_exception"


def test_requests_answered_as_in_the_baseline_blame_nobody() -> None:
    digest = _digest(_requests("c", 12), _requests("b", 12))
    assert assess(digest).category == "none"


def test_batches_without_trace_lines_have_no_unanswered_calls() -> None:
    base = trace_rows(_requests("b", 12))
    assert unanswered_calls(empty_traces(), base, MODULES) == {}
    assert unanswered_calls(base, empty_traces(), MODULES) == {}
