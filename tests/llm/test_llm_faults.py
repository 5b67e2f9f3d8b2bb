"""Every LLM fault degrades to the rule path: a whole diagnosis against a fake OpenAI-compatible
server over real HTTP (ChatOpenAI as ``llm_runtime`` builds it) returns the rule report, names
the agents that fell back and why, and stays within the configured LLM time budget."""

from __future__ import annotations

import itertools
import json
import time
import uuid
from collections.abc import Callable

import pytest

from argus.chat.llm import open_chat_llm
from argus.config import Settings
from argus.graph.run import run_diagnosis
from argus.llm.usage import Usage, UsageLimits
from argus.report import Report
from argus.runtime.kafka import free_port
from tests.llm.cases import LLM_SUMMARY, context, good_answer, remote_llm, rule_report
from tests.llm.fake_llm import FakeLLM, Reply, Request

PER_CALL_S, BUDGET_S = 2.0, 6.0
MARGIN_S = 15.0  #: a slow, shared machine: only the order of magnitude matters
BODY = "upstream secret body"  #: must never reach a report

FAULTS: dict[str, tuple[Callable[[Request], Reply], str]] = {
    "429 with Retry-After 30": (
        lambda r: Reply(
            status=429,
            body=json.dumps({"error": {"message": BODY}}).encode(),
            headers={"Retry-After": "30"},
        ),
        "LLM HTTP 429 (Retry-After 30 s above the 10 s cap)",
    ),
    "500": (
        lambda r: Reply(status=500, body=json.dumps({"error": {"message": BODY}}).encode()),
        "LLM HTTP 500 after 3 attempts",
    ),
    "hang": (lambda r: Reply(hang_s=60), "LLM timed out after 2 s"),
    "non-JSON body": (
        lambda r: Reply(body=f"<html>{BODY}</html>".encode(), content_type="text/html"),
        "LLM reply malformed (not a JSON body)",
    ),
    "broken JSON body": (
        lambda r: Reply(body=b'{"choices": [{"mess'),
        "LLM reply malformed (invalid JSON body)",
    ),
    "JSON body without choices": (
        lambda r: Reply(body=json.dumps({"id": "x", "object": "chat.completion"}).encode()),
        "LLM reply malformed (no choices)",
    ),
}


def _configured(settings: Settings, **more: object) -> Settings:
    return settings.model_copy(
        update={
            "llm_timeout_s": PER_CALL_S,
            "llm_budget_s": BUDGET_S,
            "llm_retry_after_cap_s": 10.0,
            **more,
        }
    )


def _assert_rule_path(report: Report, expected: Report, reason: str, took: float) -> None:
    assert report.mode == "rule-based"
    assert (report.incident, report.root_cause) == (expected.incident, expected.root_cause)
    assert report.summary == expected.summary
    assert report.fallbacks, "the report names the agents that fell back"
    first = report.fallbacks[0]
    assert first.agent == "log_analysis" and reason in first.reason, report.fallbacks
    assert all(BODY not in f.reason for f in report.fallbacks)
    assert took < BUDGET_S + MARGIN_S


@pytest.mark.parametrize("fault", FAULTS)
async def test_an_llm_fault_gives_the_rule_report_within_the_budget(
    fault: str, settings: Settings
) -> None:
    respond, reason = FAULTS[fault]
    expected = await rule_report()
    with FakeLLM(respond) as server, remote_llm(_configured(settings), server.url) as llm:
        started = time.monotonic()
        report, _ = await run_diagnosis(context(llm))
        took = time.monotonic() - started
    assert server.requests, "the LLM was asked"
    _assert_rule_path(report, expected, reason, took)
    assert llm.clock.spent_s <= BUDGET_S + 1.0  # LLM time charged stays within the budget


async def test_a_refused_connection_gives_the_rule_report(settings: Settings) -> None:
    closed = f"http://127.0.0.1:{free_port()}/{uuid.uuid4().hex[:12]}/v1"  # nothing listens
    expected = await rule_report()
    with remote_llm(_configured(settings), closed) as llm:
        started = time.monotonic()
        report, _ = await run_diagnosis(context(llm))
        took = time.monotonic() - started
    _assert_rule_path(report, expected, "LLM unreachable (ConnectError)", took)


async def test_a_hang_spends_the_budget_then_every_agent_skips_the_llm(settings: Settings) -> None:
    with (
        FakeLLM(lambda r: Reply(hang_s=60)) as server,
        remote_llm(_configured(settings), server.url) as llm,
    ):
        report, _ = await run_diagnosis(context(llm))
    reasons = {f.agent: f.reason for f in report.fallbacks}
    assert "LLM time budget of 6 s spent" in reasons["log_analysis"]  # timed out, then no time
    assert reasons["diagnosis"] == "LLM time budget of 6 s spent"
    assert len(server.requests) <= 3  # only log_analysis's attempts reached the server


async def test_a_short_retry_after_is_honoured_and_the_answer_used(settings: Settings) -> None:
    seen = itertools.count()

    def respond(request: Request) -> Reply:
        if next(seen) == 0:
            return Reply(status=429, headers={"Retry-After": "1"}, body=b"{}")
        return good_answer(request)

    with FakeLLM(respond) as server, remote_llm(_configured(settings), server.url) as llm:
        report, _ = await run_diagnosis(context(llm))
    first, retry = server.requests[0], server.requests[1]
    assert retry.body["messages"] == first.body["messages"]  # the same call, retried
    assert retry.at - first.at >= 1.0
    assert report.mode == "llm" and report.summary == LLM_SUMMARY
    assert report.fallbacks == []


async def test_the_breaker_opens_per_endpoint_and_later_diagnoses_make_no_call(
    settings: Settings,
) -> None:
    failing = _configured(settings, llm_breaker_failures=2, llm_breaker_cooldown_s=600.0)
    with FakeLLM(lambda r: Reply(status=500, body=b"{}")) as server:
        with remote_llm(failing, server.url) as llm:
            first, _ = await run_diagnosis(context(llm))
        asked = len(server.requests)
        with remote_llm(failing, server.url) as llm:
            second, _ = await run_diagnosis(context(llm))
        remote = failing.model_copy(update={"llm": "auto", "llm_base_url": server.url})
        async with open_chat_llm(remote, UsageLimits(), Usage()) as (chat_llm, note):
            assert chat_llm is None and "circuit breaker" in note  # the chat shares it
    assert asked == 2 * 3  # two failed calls of three attempts each opened it
    assert len(server.requests) == asked  # the second diagnosis never reached the server
    assert first.mode == second.mode == "rule-based"
    assert any("circuit breaker open" in f.reason for f in first.fallbacks)
    assert second.fallbacks and all("circuit breaker open" in f.reason for f in second.fallbacks)
