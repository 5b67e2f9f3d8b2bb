"""One guarded LLM call: the circuit breaker, a timeout within the time budget, retries that
honour Retry-After up to a cap, and every failure turned into a typed error.

Breaker rule, the only one: a call counts as failed when the LLM server failed it
(LLMTransportError: every attempt failed, or the server failed an attempt and the budget left
no room for another). An exhausted budget on its own (UsageLimitExceeded: the call or token
limit, or LLMBudgetSpent: the time budget) and answers that fail validation are not the
server's fault and never count.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from argus.errors import (
    ArgusError,
    LLMBudgetSpent,
    LLMTransportError,
    LLMUnavailable,
    UsageLimitExceeded,
)
from argus.llm.budget import LLMClock
from argus.llm.faults import Fault, classify
from argus.llm.policy import CircuitBreaker, RetryPolicy

T = TypeVar("T")

BREAKER_OPEN = "LLM circuit breaker open after repeated failures"


@dataclass(frozen=True, kw_only=True)
class CallTimes:
    """How long one call may take and how long a Retry-After may ask to wait."""

    timeout_s: float = 30.0  #: per call (ARGUS_LLM_TIMEOUT_S); shortened by the budget
    retry_after_cap_s: float = 10.0  #: a longer Retry-After gives up at once


async def guarded_call(
    fn: Callable[[], Awaitable[T]],
    *,
    retry: RetryPolicy,
    breaker: CircuitBreaker,
    clock: LLMClock,
    times: CallTimes,
) -> T:
    """Await ``fn()`` behind ``breaker``, each attempt within min(per-call timeout, budget left).

    Raises LLMUnavailable when the breaker is open, LLMBudgetSpent when the time budget runs
    out (and UsageLimitExceeded of ``fn`` when a call or token limit is reached) before the
    server failed an attempt, LLMTransportError when the server failed every attempt or the
    budget left no room for another; other ArgusErrors of ``fn`` itself pass through. Nothing
    else escapes.
    """
    if breaker.is_open:
        raise LLMUnavailable(BREAKER_OPEN)
    try:
        result = await _attempts(fn, retry, breaker, clock, times)
    except LLMTransportError:
        breaker.record(False)
        raise
    breaker.record(True)
    return result


async def _attempts(
    fn: Callable[[], Awaitable[T]],
    retry: RetryPolicy,
    breaker: CircuitBreaker,
    clock: LLMClock,
    times: CallTimes,
) -> T:
    attempt = 0
    fault: Fault | None = None  # the last attempt's fault
    while True:
        attempt += 1
        try:
            return await _attempt(fn, clock, times)
        except UsageLimitExceeded as exc:  # the time budget, or the call or token limit
            if fault is None:
                raise
            raise LLMTransportError(f"{fault.reason}; {exc.message}") from None
        except _Failed as failed:
            fault = failed.fault
        await _pause(fault, attempt, retry, breaker, clock, times)


async def _pause(
    fault: Fault,
    attempt: int,
    retry: RetryPolicy,
    breaker: CircuitBreaker,
    clock: LLMClock,
    times: CallTimes,
) -> None:
    """Wait before the next attempt (charged to the clock), or raise LLMTransportError."""
    wait = _wait_before_retry(fault, attempt, retry, clock, times)
    if isinstance(wait, str):
        raise LLMTransportError(wait)
    if breaker.is_open:  # another diagnosis opened it meanwhile
        raise LLMTransportError(fault.reason)
    await asyncio.sleep(wait)
    clock.charge(wait)


class _Failed(Exception):
    """One attempt failed with ``fault``."""

    def __init__(self, fault: Fault) -> None:
        super().__init__(fault.reason)
        self.fault = fault


async def _attempt(fn: Callable[[], Awaitable[T]], clock: LLMClock, times: CallTimes) -> T:
    """One attempt within the time left, charged to the clock; a failure of the client is
    raised as :class:`_Failed` with its classified fault."""
    timeout = clock.timeout_for(times.timeout_s)
    started = time.monotonic()
    try:
        return await _within(fn, timeout, times.timeout_s, clock)
    except ArgusError:
        raise
    except Exception as exc:  # the client's own exception: classify, never let it escape
        raise _Failed(classify(exc, timeout)) from exc
    finally:
        clock.charge(time.monotonic() - started)


async def _within(
    fn: Callable[[], Awaitable[T]], limit_s: float, per_call: float, clock: LLMClock
) -> T:
    """``fn()`` cut off after ``limit_s``: a cut the budget imposed is LLMBudgetSpent, one the
    per-call timeout imposed is the server's timeout (TimeoutError, classified by the caller)."""
    scope = asyncio.timeout(limit_s)
    try:
        async with scope:
            return await fn()
    except TimeoutError:
        if scope.expired() and limit_s < per_call:
            raise LLMBudgetSpent(clock.spent_message()) from None
        raise


def _wait_before_retry(
    fault: Fault, attempt: int, retry: RetryPolicy, clock: LLMClock, times: CallTimes
) -> float | str:
    """Seconds to wait before the next attempt, or the reason to give up now."""
    if not fault.retryable:
        return fault.reason
    if attempt >= retry.attempts:
        return f"{fault.reason} after {attempt} attempts" if attempt > 1 else fault.reason
    if fault.retry_after_s is not None:
        wait, cap = fault.retry_after_s, times.retry_after_cap_s
        if wait > cap:
            return f"{fault.reason} (Retry-After {wait:g} s above the {cap:g} s cap)"
        if wait >= clock.remaining():
            return f"{fault.reason} (Retry-After {wait:g} s beyond the LLM time left)"
        return wait
    wait = retry.backoff_s(attempt)
    return wait if wait < clock.remaining() else f"{fault.reason} (no LLM time left to retry)"
