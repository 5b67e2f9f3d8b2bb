"""Untrusted model output and the retry / circuit-breaker policies."""

from __future__ import annotations

import httpx
import pytest

from argus.errors import LLMOutputInvalid, LLMUnavailable
from argus.llm.output import extract_json
from argus.llm.policy import CircuitBreaker, RetryPolicy


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"a": [1, 2]}', {"a": [1, 2]}),
        ('Sure! ```json\n[{"x": 1}]\n``` hope it helps', [{"x": 1}]),
        ('prefix {"next": "knowledge"} suffix {"other": 1}', {"next": "knowledge"}),
        ('broken { "a": ] then [1, 2]', [1, 2]),
    ],
)
def test_extract_json_takes_the_first_complete_value(text: str, expected: object) -> None:
    assert extract_json(text) == expected


def test_no_json_is_an_invalid_output() -> None:
    with pytest.raises(LLMOutputInvalid):
        extract_json("I cannot help with that.")


def test_retry_policy_retries_transient_errors_only() -> None:
    calls = {"n": 0}

    def flaky() -> str:
        calls["n"] += 1
        if calls["n"] < 3:
            raise httpx.ConnectError("refused")
        return "ok"

    assert RetryPolicy(attempts=3, initial_wait_s=0.001).call(flaky) == "ok"
    calls["n"] = 0

    def broken() -> str:
        calls["n"] += 1
        raise ValueError("not transient")

    with pytest.raises(ValueError):
        RetryPolicy(attempts=3, initial_wait_s=0.001).call(broken)
    assert calls["n"] == 1


def test_circuit_breaker_opens_and_probes_after_cooldown() -> None:
    breaker = CircuitBreaker(threshold=2, cooldown_s=0.05)

    def fail() -> None:
        raise RuntimeError("down")

    for _ in range(2):
        with pytest.raises(RuntimeError):
            breaker.guard(fail)
    with pytest.raises(LLMUnavailable):
        breaker.guard(lambda: None)
    import time

    time.sleep(0.06)
    assert breaker.guard(lambda: "probe") == "probe"
    assert not breaker.is_open
