"""The LLM drafter: its answers are validated, the arbiter has the last word, and any failure of
the LLM (through the one call path, argus.llm.runtime, whose retries, breaker and budget are
tested in tests/llm) leaves the rule drafts."""

from __future__ import annotations

import importlib.util
import json

import httpx
import pytest

from argus.config import Settings
from argus.llm.policy import CircuitBreaker, RetryPolicy
from argus.llm.runtime import LLMRuntime
from argus.llm.usage import Usage, UsageLimits
from argus.mining import arbiter
from argus.mining.committee import Committee, RuleDrafter
from argus.mining.library import MemoryTemplateStore
from argus.mining.llm_drafter import LLMDrafter, anchor, pattern_to_template
from tests.llm.scripted import ScriptedModel

SAMPLES = [
    "Disk /dev/sda1 usage at 91 percent",
    "Disk /dev/sdb2 usage at 97 percent",
    "Disk /dev/sdc1 usage at 88 percent",
    "Connection to db-7 refused after 3 retries",
    "Connection to db-2 refused after 5 retries",
]


def _answer(*items: dict[str, object]) -> str:
    return "```json\n" + json.dumps(list(items)) + "\n```"  # the message is one fenced block


RULE = RuleDrafter()


def _cluster_of(text: str) -> int:
    for i, proposal in enumerate(RULE.propose(SAMPLES)):
        if SAMPLES.index(text) in proposal.draft.members:
            return i
    raise AssertionError(text)


def _rule_patterns() -> set[str]:
    return {p.draft.pattern for p in RULE.propose(SAMPLES)}


def _committee(
    *script: str | Exception, runtime: LLMRuntime | None = None
) -> tuple[Committee, LLMDrafter, MemoryTemplateStore]:
    runtime = runtime or LLMRuntime(
        model=ScriptedModel(replies=list(script)),
        limits=UsageLimits(max_llm_calls=50, max_tokens=10**6),
        retry=RetryPolicy(attempts=1),
    )
    drafter = LLMDrafter(runtime=runtime, ambiguous_only=False)  # every cluster is asked
    store = MemoryTemplateStore()
    return Committee(drafter, store), drafter, store


def _model(drafter: LLMDrafter) -> ScriptedModel:
    assert isinstance(drafter.runtime.model, ScriptedModel)
    return drafter.runtime.model


DISK = _cluster_of(SAMPLES[0])
CONN = _cluster_of(SAMPLES[3])


def test_valid_answer_becomes_an_llm_template_with_its_category() -> None:
    committee, drafter, store = _committee(
        _answer(
            {
                "cluster": DISK,
                "category": "Resource",
                "advice": "Free space or grow the volume.",
                "pattern": r"Disk [^ ]+ usage at [0-9]+ percent",
                "sample": SAMPLES[0],
                "mod": "storage",
                "smod": "",
                "occurrences": 3,
            }
        )
    )
    report = committee.run(SAMPLES, [])
    by_pattern = {t.pattern: t for t in store.load()}
    llm = by_pattern[r"^(?:Disk [^ ]+ usage at [0-9]+ percent)$"]
    assert llm.category == "resource" and llm.advice == "Free space or grow the volume."
    assert len(report.added) == 2  # the other cluster kept its rule draft
    assert drafter.runtime.usage.llm_calls == 1 and drafter.runtime.usage.tokens == 60
    assert "Disk /dev/sda1 usage at 91 percent" in str(_model(drafter).prompts[0][-1].content)


@pytest.mark.parametrize(
    ("pattern", "why"),
    [
        (r".*", "too general"),
        (r"Disk .* usage at 9[0-9] percent", "does not match"),
        (r"Disk (unclosed", "does not compile"),
        (r"Disk (?=/dev).* percent", "does not compile"),
        (r"(Disk|Connection) .*", "also matches another template"),
        (r"^Disk [^ ]+ usage at \d+ percent$|^Connection.*$", "also matches another template"),
    ],
)
def test_bad_patterns_are_rejected_and_the_rule_draft_is_used(pattern: str, why: str) -> None:
    committee, _, store = _committee(
        _answer(
            {
                "cluster": CONN,
                "category": "network",
                "pattern": r"Connection to \S+ refused after \d+ retries",
            },
            {"cluster": DISK, "category": "resource", "pattern": pattern},
        )
    )
    report = committee.run(SAMPLES, [])
    rejected = dict(report.rejected)
    assert why in rejected[anchor(pattern)]
    templates = store.load()
    assert len(templates) == 2 and not report.unplaced
    for template in templates:  # whatever was kept passed the arbiter
        members = [s for s in SAMPLES if s.split()[0] == template.sample.split()[0]]
        assert arbiter.review(template.pattern, members).accepted


def test_unparseable_answers_twice_fall_back_to_rule_drafts() -> None:
    committee, drafter, store = _committee("I think these are disk logs.", '[{"cluster": "x"}]')
    report = committee.run(SAMPLES, [])
    assert drafter.runtime.usage.llm_calls == 2 and drafter.failures == 2
    assert len(report.added) == 2
    assert {t.pattern for t in store.load()} == _rule_patterns()


def test_an_answer_naming_no_cluster_is_asked_again_once() -> None:
    good = _answer(
        {"cluster": DISK, "category": "resource", "pattern": r"Disk [^ ]+ usage at [0-9]+ percent"}
    )
    committee, drafter, store = _committee(_answer({"cluster": 99, "pattern": "x"}), good)
    committee.run(SAMPLES, [])
    assert drafter.runtime.usage.llm_calls == 2 and drafter.failures == 1
    assert r"^(?:Disk [^ ]+ usage at [0-9]+ percent)$" in {t.pattern for t in store.load()}


def test_json_quoted_inside_prose_is_never_taken_for_the_answer() -> None:
    quoted = "Here you go:\n" + _answer(
        {"cluster": DISK, "category": "resource", "pattern": r"Disk [^ ]+ usage at [0-9]+ percent"}
    )
    committee, drafter, store = _committee(quoted)
    committee.run(SAMPLES, [])
    assert drafter.runtime.usage.llm_calls == 2 and drafter.failures == 2
    assert {t.pattern for t in store.load()} == _rule_patterns()  # the rule drafts were kept


@pytest.mark.parametrize(
    "failure",
    [httpx.ConnectError("refused"), TypeError("Received response with null value for `choices`")],
    ids=["unreachable", "malformed"],
)
def test_a_failing_llm_leaves_the_rule_drafts(failure: Exception) -> None:
    committee, drafter, store = _committee(failure)
    report = committee.run(SAMPLES, [])
    assert len(report.added) == 2 and not report.rejected
    assert {t.pattern for t in store.load()} == _rule_patterns()
    assert drafter.runtime.breaker.failures == 1  # the call path counted one failed call


@pytest.mark.parametrize(
    "runtime",
    [
        LLMRuntime(
            model=ScriptedModel(replies=["unused"]),
            limits=UsageLimits(max_llm_calls=1),
            usage=Usage(llm_calls=1),
        ),
        LLMRuntime(
            model=ScriptedModel(replies=["unused"]),
            breaker=CircuitBreaker(
                threshold=1, cooldown_s=3600, failures=1, opened_at=float("inf")
            ),
        ),
    ],
    ids=["budget spent", "breaker open"],
)
def test_no_llm_call_when_the_runtime_allows_none_and_the_rule_drafts_are_kept(
    runtime: LLMRuntime,
) -> None:
    committee, drafter, store = _committee(runtime=runtime)
    committee.run(SAMPLES, [])
    assert _model(drafter).prompts == []
    assert {t.pattern for t in store.load()} == _rule_patterns()


@pytest.mark.parametrize(
    ("pattern", "anchored"),
    [
        (r"Disk \d+", r"^(?:Disk \d+)$"),
        (r"^Disk \d+$", r"^Disk \d+$"),
        (r"^Disk \d+", r"^(?:Disk \d+)$"),
        (r"^a|b$", r"^(?:a|b)$"),  # each branch anchored on one side only
        (r"^(a|b) [|] c\|d$", r"^(a|b) [|] c\|d$"),  # no top-level alternation
        (r"price \$", r"^(?:price \$)$"),  # an escaped dollar is no anchor
    ],
)
def test_anchor_makes_every_pattern_match_whole_texts(pattern: str, anchored: str) -> None:
    assert anchor(pattern) == anchored


def test_pattern_to_template_reads_like_logpai() -> None:
    assert (
        pattern_to_template(r"^Disk [^ ]+ usage at \d+ percent$") == "Disk <*> usage at <*> percent"
    )
    assert pattern_to_template(r"^(?:took (.*?) ms)$") == "took <*> ms"


needs_extra = pytest.mark.skipif(
    importlib.util.find_spec("llama_cpp") is None,
    reason="the local-llm extra is not installed (pip install 'argus[local-llm]')",
)


@pytest.mark.integration
@pytest.mark.llm
@needs_extra
def test_local_llm_drafts_are_arbitrated(tmp_path: object) -> None:
    from argus.llm.budget import LLMClock
    from argus.llm.client import chat_model
    from argus.llm.guard import CallTimes
    from argus.runtime.llm import local_llm

    # a loaded 2-core machine may take long for one answer: the test is about arbitration
    settings = Settings(llm="local", home=tmp_path, llm_timeout_s=180)  # type: ignore[arg-type]
    with local_llm(settings) as base_url:
        runtime = LLMRuntime(
            model=chat_model(settings, base_url),
            retry=RetryPolicy(attempts=2),
            times=CallTimes(timeout_s=180),
            clock=LLMClock(budget_s=600),
        )
        drafter = LLMDrafter(runtime=runtime, ambiguous_only=False)
        store = MemoryTemplateStore()
        report = Committee(drafter, store).run(SAMPLES, [])
    assert drafter.runtime.usage.llm_calls >= 1
    kept = store.load()
    assert kept, "every cluster gets a template, from the model or from the rule fallback"
    for template in kept:
        assert arbiter.review(template.pattern, [template.sample]).accepted
    covered = [s for s in SAMPLES if any(__import__("re2").search(t.pattern, s) for t in kept)]
    assert covered == SAMPLES or report.unplaced
