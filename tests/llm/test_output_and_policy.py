"""Untrusted model output and the circuit breaker's counting (what counts as a failure is
argus.llm.guard's rule, tested in test_guard and test_runtime)."""

from __future__ import annotations

import time

import pytest

from argus.errors import LLMOutputInvalid
from argus.llm.output import json_answer
from argus.llm.policy import CircuitBreaker


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


def test_circuit_breaker_opens_and_probes_after_cooldown() -> None:
    breaker = CircuitBreaker(threshold=2, cooldown_s=0.05)
    for _ in range(2):
        assert not breaker.is_open
        breaker.record(False)
    assert breaker.is_open
    time.sleep(0.06)
    assert not breaker.is_open  # half-open: one probe may go
    breaker.record(False)
    assert breaker.is_open  # the probe failed: open again at once
    time.sleep(0.06)
    breaker.record(True)
    assert not breaker.is_open and breaker.failures == 0
