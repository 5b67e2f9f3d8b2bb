"""The LLM drafter: its answers are validated, and the arbiter has the last word."""

from __future__ import annotations

import importlib.util
import json

import pytest
from langchain_core.language_models.fake_chat_models import FakeListChatModel

from argus.config import Settings
from argus.llm.policy import CircuitBreaker, RetryPolicy
from argus.mining import arbiter
from argus.mining.committee import Committee
from argus.mining.library import MemoryTemplateStore
from argus.mining.llm_drafter import LLMDrafter, anchor, pattern_to_template

SAMPLES = [
    "Disk /dev/sda1 usage at 91 percent",
    "Disk /dev/sdb2 usage at 97 percent",
    "Disk /dev/sdc1 usage at 88 percent",
    "Connection to db-7 refused after 3 retries",
    "Connection to db-2 refused after 5 retries",
]


def _answer(*items: dict[str, object]) -> str:
    return "```json\n" + json.dumps(list(items)) + "\n```"  # the message is one fenced block


def _cluster_of(drafter: LLMDrafter, text: str) -> int:
    for i, proposal in enumerate(drafter.fallback.propose(SAMPLES)):
        if SAMPLES.index(text) in proposal.draft.members:
            return i
    raise AssertionError(text)


def _committee(*responses: str) -> tuple[Committee, LLMDrafter, MemoryTemplateStore]:
    model = FakeListChatModel(responses=list(responses))
    drafter = LLMDrafter(model, retry=RetryPolicy(attempts=1))
    store = MemoryTemplateStore()
    return Committee(drafter, store), drafter, store


def test_valid_answer_becomes_an_llm_template_with_its_category() -> None:
    committee, drafter, store = _committee("")
    disk = _cluster_of(drafter, SAMPLES[0])
    drafter.model = FakeListChatModel(responses=[_answer({
        "cluster": disk, "category": "Resource", "advice": "Free space or grow the volume.",
        "pattern": r"Disk [^ ]+ usage at [0-9]+ percent", "sample": SAMPLES[0],
        "mod": "storage", "smod": "", "occurrences": 3,
    })])  # fmt: skip
    report = committee.run(SAMPLES, [])
    by_pattern = {t.pattern: t for t in store.load()}
    llm = by_pattern[r"^(?:Disk [^ ]+ usage at [0-9]+ percent)$"]
    assert llm.category == "resource" and llm.advice == "Free space or grow the volume."
    assert len(report.added) == 2  # the other cluster kept its rule draft
    assert drafter.calls == 1


@pytest.mark.parametrize(
    ("pattern", "why"),
    [
        (r".*", "too general"),
        (r"Disk .* usage at 9[0-9] percent", "does not match"),
        (r"Disk (unclosed", "does not compile"),
        (r"Disk (?=/dev).* percent", "does not compile"),
        (r"(Disk|Connection) .*", "also matches another template"),
    ],
)
def test_bad_patterns_are_rejected_and_the_rule_draft_is_used(pattern: str, why: str) -> None:
    committee, drafter, store = _committee("")
    conn = _cluster_of(drafter, SAMPLES[3])
    disk = _cluster_of(drafter, SAMPLES[0])
    drafter.model = FakeListChatModel(responses=[_answer(
        {"cluster": conn, "category": "network",
         "pattern": r"Connection to \S+ refused after \d+ retries"},
        {"cluster": disk, "category": "resource", "pattern": pattern},
    )])  # fmt: skip
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
    assert drafter.calls == 2 and drafter.failures == 2
    assert len(report.added) == 2
    assert {t.pattern for t in store.load()} == {
        p.draft.pattern for p in drafter.fallback.propose(SAMPLES)
    }


def test_json_quoted_inside_prose_is_never_taken_for_the_answer() -> None:
    committee, drafter, store = _committee("")
    disk = _cluster_of(drafter, SAMPLES[0])
    quoted = "Here you go:\n" + _answer(
        {"cluster": disk, "category": "resource", "pattern": r"Disk [^ ]+ usage at [0-9]+ percent"}
    )
    drafter.model = FakeListChatModel(responses=[quoted, quoted])
    committee.run(SAMPLES, [])
    assert drafter.calls == 2 and drafter.failures == 2
    rule = {p.draft.pattern for p in drafter.fallback.propose(SAMPLES)}
    assert {t.pattern for t in store.load()} == rule  # the rule drafts were kept


def test_circuit_breaker_stops_calling_a_failing_model() -> None:
    committee, drafter, _ = _committee(*["nonsense"] * 20)
    drafter.breaker = CircuitBreaker(threshold=2, cooldown_s=3600)
    for _ in range(4):
        committee.run(SAMPLES, [])
    assert drafter.calls == 4  # two runs of two calls each, then the circuit stays open
    assert drafter.breaker.is_open


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
    from argus.llm.client import chat_model
    from argus.runtime.llm import local_llm

    # a loaded 2-core machine may take long for one answer: the test is about arbitration
    settings = Settings(llm="local", home=tmp_path, llm_timeout_s=180)  # type: ignore[arg-type]
    with local_llm(settings) as base_url:
        drafter = LLMDrafter(chat_model(settings, base_url), retry=RetryPolicy(attempts=2))
        store = MemoryTemplateStore()
        report = Committee(drafter, store).run(SAMPLES, [])
    assert drafter.calls >= 1
    kept = store.load()
    assert kept, "every cluster gets a template, from the model or from the rule fallback"
    for template in kept:
        assert arbiter.review(template.pattern, [template.sample]).accepted
    covered = [s for s in SAMPLES if any(__import__("re2").search(t.pattern, s) for t in kept)]
    assert covered == SAMPLES or report.unplaced
