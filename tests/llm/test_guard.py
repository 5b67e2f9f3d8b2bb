"""The one guarded LLM call: typed errors only, Retry-After, a server failure for the breaker
(the rule for an exhausted budget is tested once, through the runtime: test_runtime)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest

from argus.errors import LLMTransportError, LLMUnavailable
from argus.llm.budget import LLMClock
from argus.llm.faults import retry_after
from argus.llm.guard import CallTimes, guarded_call
from argus.llm.policy import CircuitBreaker, RetryPolicy, shared_breaker

FAST = RetryPolicy(attempts=3, initial_wait_s=0.0, max_wait_s=0.0)


async def _call(fn: object, breaker: CircuitBreaker, budget_s: float = 30.0) -> object:
    return await guarded_call(
        fn,  # type: ignore[arg-type]
        retry=FAST,
        breaker=breaker,
        clock=LLMClock(budget_s=budget_s),
        times=CallTimes(timeout_s=5.0, retry_after_cap_s=1.0),
    )


async def test_a_failing_server_is_one_failed_call_for_the_breaker() -> None:
    calls = []

    async def refused() -> str:
        calls.append(1)
        raise httpx.ConnectError("refused")

    breaker = CircuitBreaker(threshold=2)
    with pytest.raises(LLMTransportError, match=r"unreachable \(ConnectError\) after 3 attempts"):
        await _call(refused, breaker)
    assert len(calls) == 3 and breaker.failures == 1


async def test_an_unknown_client_error_is_a_malformed_reply_not_retried() -> None:
    calls = []

    async def broken() -> str:
        calls.append(1)
        raise TypeError("Received response with null value for `choices`")

    with pytest.raises(LLMTransportError, match=r"malformed \(no choices\)"):
        await _call(broken, CircuitBreaker())
    assert len(calls) == 1


async def test_an_open_breaker_makes_no_call() -> None:
    breaker = CircuitBreaker(threshold=1, cooldown_s=600)
    breaker.record(False)

    async def never() -> str:
        raise AssertionError("called")

    with pytest.raises(LLMUnavailable, match="circuit breaker open"):
        await _call(never, breaker)


def test_retry_after_reads_seconds_dates_and_milliseconds() -> None:
    assert retry_after(httpx.Headers({"Retry-After": "30"})) == 30.0
    assert retry_after(httpx.Headers({"retry-after-ms": "1500"})) == 1.5
    later = format_datetime(datetime.now(UTC) + timedelta(seconds=20), usegmt=True)
    assert 15.0 < (retry_after(httpx.Headers({"Retry-After": later})) or 0.0) <= 20.0
    assert retry_after(httpx.Headers({"Retry-After": "soon"})) is None
    assert retry_after(httpx.Headers()) is None


def test_breakers_are_shared_per_endpoint() -> None:
    one = shared_breaker("http://llm-a.test/v1", 3, 60.0)
    assert shared_breaker("http://llm-a.test/v1", 3, 60.0) is one
    assert shared_breaker("http://llm-b.test/v1", 3, 60.0) is not one
