"""The one LLM call path (LLMRuntime): its one rule for an exhausted budget, tested here once."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass

import httpx
import pytest
from langchain_core.language_models.fake_chat_models import FakeListChatModel

from argus.errors import LLMBudgetSpent, LLMTransportError, UsageLimitExceeded
from argus.llm.budget import LLMClock
from argus.llm.guard import CallTimes
from argus.llm.policy import CircuitBreaker, RetryPolicy
from argus.llm.runtime import LLMRuntime
from argus.llm.usage import Usage, UsageLimits

FAST = RetryPolicy(attempts=3, initial_wait_s=0.0, max_wait_s=0.0)


@dataclass(kw_only=True)
class Server:
    """What each request does: answer, fail (an exception) or hang; records the requests."""

    script: list[str | Exception | float]  #: a float hangs that many seconds
    requests: int = 0

    async def __call__(self) -> str:
        step = self.script[min(self.requests, len(self.script) - 1)]
        self.requests += 1
        if isinstance(step, Exception):
            raise step
        if isinstance(step, float):
            await asyncio.sleep(step)
            return "late"
        return step


def _runtime(*, limits: UsageLimits, usage: Usage, clock: LLMClock) -> LLMRuntime:
    return LLMRuntime(
        model=FakeListChatModel(responses=["unused"]),
        limits=limits,
        usage=usage,
        retry=FAST,
        breaker=CircuitBreaker(threshold=1),
        times=CallTimes(timeout_s=5.0),
        clock=clock,
    )


Case = tuple[UsageLimits, Usage, LLMClock, list[str | Exception | float]]
REFUSED = httpx.ConnectError("refused")
CASES: dict[str, Callable[[], Case]] = {
    "call limit reached": lambda: (
        UsageLimits(max_llm_calls=2),
        Usage(llm_calls=2),
        LLMClock(),
        ["ok"],
    ),
    "token limit reached": lambda: (
        UsageLimits(max_tokens=100),
        Usage(tokens=100),
        LLMClock(),
        ["ok"],
    ),
    "time budget spent": lambda: (
        UsageLimits(),
        Usage(),
        LLMClock(budget_s=5.0, spent_s=5.0),
        ["ok"],
    ),
    "time budget cuts a slow call": lambda: (
        UsageLimits(),
        Usage(),
        LLMClock(budget_s=0.2),
        [10.0],
    ),
}


@pytest.mark.parametrize("case", CASES)
async def test_an_exhausted_budget_raises_its_typed_error_and_never_trips_the_breaker(
    case: str,
) -> None:
    limits, usage, clock, script = CASES[case]()
    llm, server = _runtime(limits=limits, usage=usage, clock=clock), Server(script=script)
    with pytest.raises(UsageLimitExceeded) as raised:  # LLMBudgetSpent is one
        await llm.call(server)
    assert isinstance(raised.value, LLMBudgetSpent) == case.startswith("time")
    assert server.requests == (1 if case.endswith("slow call") else 0)
    assert llm.breaker.failures == 0 and not llm.breaker.is_open
    assert llm.blocker() is not None  # and no further call may start


@pytest.mark.parametrize(
    ("limits", "clock", "script"),
    [
        (UsageLimits(max_llm_calls=1), LLMClock(), [REFUSED, "ok"]),  # no call left to retry
        (UsageLimits(), LLMClock(budget_s=0.3), [REFUSED, 10.0]),  # no time left in the retry
    ],
    ids=["call limit", "time budget"],
)
async def test_a_server_failure_the_budget_leaves_no_room_to_retry_is_the_servers(
    limits: UsageLimits, clock: LLMClock, script: list[str | Exception | float]
) -> None:
    llm, server = _runtime(limits=limits, usage=Usage(), clock=clock), Server(script=script)
    with pytest.raises(LLMTransportError, match="unreachable"):
        await llm.call(server)
    assert llm.breaker.failures == 1 and llm.breaker.is_open
