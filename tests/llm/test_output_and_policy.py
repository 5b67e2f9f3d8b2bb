"""Untrusted model output and the retry / circuit-breaker policies."""

from __future__ import annotations

import httpx
import pytest

from argus.errors import LLMOutputInvalid, LLMUnavailable
from argus.llm.output import json_answer
from argus.llm.policy import CircuitBreaker, RetryPolicy


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"a": [1, 2]}', {"a": [1, 2]}),
        ('  \n[{"x": 1}]\n', [{"x": 1}]),
        ('```json\n[{"x": 1}]\n```', [{"x": 1}]),
        ('```\n{"next": "knowledge"}\n```\n', {"next": "knowledge"}),
    ],
)
def test_the_whole_message_or_one_fenced_block_is_the_answer(text: str, expected: object) -> None:
    assert json_answer(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "I cannot help with that.",
        'Sure! ```json\n{"category": "none"}\n``` hope it helps',  # a block quoted in prose
        'prefix {"next": "knowledge"} suffix',
        '{"next": "knowledge"} {"other": 1}',
        '```json\n{"a": 1}\n```\n```json\n{"b": 2}\n```',  # two blocks
        'log line: ```json {"incident": false} ```',
    ],
)
def test_json_inside_other_text_is_never_taken(text: str) -> None:
    with pytest.raises(LLMOutputInvalid):
        json_answer(text)


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
