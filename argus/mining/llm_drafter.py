"""The LLM drafter: the seed's JSON contract, validated; the rule drafter is always the fallback.

Clustering stays deterministic (the rule drafter's clusters); the model is asked, for each
cluster, for a regex, a category and (for errors) advice. The samples are log text: they are
sent fenced as untrusted data. The answer is untrusted too: only the whole message (or one
fenced block) is read as JSON, it is parsed with a schema, unknown categories are dropped,
texts are clamped, patterns are anchored, and the arbiter still has the last word (RE2 and
polars compile it, it matches every sample of its cluster, it is no catch-all and spares the
other templates' samples). A cluster the model did not answer well keeps its rule draft.

The model is called only through :class:`argus.llm.runtime.LLMRuntime`, the one LLM call path
of the agents and the chat: its retries, circuit breaker, time budget, usage limits and token
counts apply, and every failure there is a typed error that sends the drafter to its fallback.
"""

from __future__ import annotations

import asyncio
import logging
import re
import threading
from collections.abc import Coroutine, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import TypeVar

from pydantic import BaseModel, Field, TypeAdapter, ValidationError, field_validator

from argus.config import Settings
from argus.errors import ArgusError, LLMOutputInvalid
from argus.llm.budget import LLMClock
from argus.llm.client import chat_model, endpoint_breaker
from argus.llm.guard import CallTimes
from argus.llm.output import json_answer
from argus.llm.prompts import DATA_RULE, data_block
from argus.llm.runtime import LLMRuntime
from argus.llm.usage import UsageLimits
from argus.mining import arbiter
from argus.mining.committee import Drafter, Proposal, RuleDrafter
from argus.mining.drafting import Draft
from argus.mining.library import Source
from argus.mining.patterns import VAR

log = logging.getLogger(__name__)

T = TypeVar("T")

#: Closed vocabulary of template categories.
CATEGORIES = (
    "info",
    "state",
    "performance",
    "resource",
    "network",
    "timeout",
    "auth",
    "config",
    "hardware",
    "data",
    "exception",
    "error",
)
#: Categories for which advice is kept (the seed: advice for errors only).
ERROR_CATEGORIES = frozenset(CATEGORIES) - {"info", "state"}

MAX_CLUSTERS_PER_CALL = 20

#: A rule template is ambiguous when at least this share of its words are variables (``<*>``).
#: There the rule drafter's line between constant and variable rests on the least evidence:
#: the event keeps few literal words to be recognised by, and a word it made a variable only
#: from its characters (or a constant only because the first samples agreed) decides the
#: template. Below it, most words are literal and agree across the cluster, and the rule draft
#: is kept without asking. Chosen, not tuned: half, the point where the template is more
#: variable than literal.
AMBIGUOUS_VARIABLE_SHARE = 0.5

#: The LLM limits of one mining run (every committee run of one engine): the agents' per-diagnosis
#: limits (ARGUS_LIMITS__*) are for a handful of calls; drafting asks once per committee run with
#: an ambiguous cluster.
MINING_MAX_LLM_CALLS = 1_000
MINING_MAX_TOKENS = 10_000_000
MINING_LLM_BUDGET_S = 3_600.0
SAMPLES_PER_CLUSTER = 3
SAMPLE_CHARS = 300

SYSTEM_PROMPT = """You write regular expressions for log messages.
For each numbered cluster of log messages, answer with one JSON object:
{"cluster": <number>, "category": one of CATEGORIES,
 "advice": "<one sentence, only for errors, else empty>",
 "pattern": "<RE2 regex that matches the WHOLE message of every sample; literal words stay
literal, variable parts (numbers, ids, names, paths) become .*? or [^ ]+>",
 "sample": "<one sample>", "mod": "", "smod": "", "occurrences": <samples in the cluster>}
Answer with a JSON array of these objects and nothing else. RULE""".replace(
    "CATEGORIES", ", ".join(CATEGORIES)
).replace("RULE", DATA_RULE)


class LLMTemplate(BaseModel):
    """One element of the model's answer (the seed's contract)."""

    cluster: int = Field(ge=0)
    category: str | None = None
    advice: str | None = Field(None, max_length=2000)
    pattern: str = Field(min_length=1, max_length=4000)
    sample: str | None = None
    mod: str | None = None
    smod: str | None = None
    occurrences: int | None = None

    @field_validator("category", mode="before")
    @classmethod
    def _known_category(cls, value: object) -> str | None:
        text = str(value or "").strip().lower()
        return text if text in CATEGORIES else None

    @field_validator("advice", mode="before")
    @classmethod
    def _clamp_advice(cls, value: object) -> str | None:
        text = str(value or "").strip()
        return text[:500] or None


_ANSWER = TypeAdapter(list[LLMTemplate])


@dataclass(kw_only=True)
class LLMDrafter:
    """Drafts with a chat model; any failure falls back to the rule drafter's drafts.

    The model is only ever called through ``runtime`` (argus.llm.runtime: retries, breaker,
    time budget, usage limits and token counts). Its limits, clock and usage are the drafter's
    own for as long as it lives (a mining run), unless the caller shares them.
    """

    runtime: LLMRuntime  #: the one LLM call path
    fallback: RuleDrafter = field(default_factory=RuleDrafter)
    source: Source = "llm"
    #: ask only about the clusters :func:`ambiguous` picks (False: about every cluster)
    ambiguous_only: bool = True
    failures: int = 0  #: answers that could not be used (each one is asked again once)
    asked: int = 0  #: clusters the model was asked about
    errors: int = 0  #: requests that ended in an error (the rule drafts were kept)
    _loop: _LoopThread = field(
        default_factory=lambda: _LoopThread(), init=False, repr=False, compare=False
    )

    def propose(self, samples: Sequence[str]) -> list[Proposal]:
        """Rule clusters, each with the model's pattern where the model gave a usable one."""
        rule = self.fallback.propose(samples)
        chosen = [
            i
            for i, proposal in enumerate(rule)
            if not self.ambiguous_only or ambiguous(proposal, samples)
        ][:MAX_CLUSTERS_PER_CALL]
        if not chosen:
            return rule
        head = [rule[i] for i in chosen]
        prompt = _cluster_prompt(head, samples)
        ask = self.runtime.ask_read(
            partial(self._read, len(head)), SYSTEM_PROMPT, prompt, what="template drafts"
        )
        self.asked += len(head)
        try:  # the runtime lets only ArgusErrors escape
            answer = self._loop.run(ask)
        except ArgusError as exc:
            self.errors += 1
            log.info("LLM drafter falls back to rule drafts: %s", exc)
            return rule
        by_rule = {chosen[k]: item for k, item in answer.items()}
        return [self._merge(i, p, by_rule.get(i), samples) for i, p in enumerate(rule)]

    @property
    def calls(self) -> int:
        """Requests made to the model so far (re-asks and retries included)."""
        return self.runtime.usage.llm_calls

    def _read(self, clusters: int, text: str) -> dict[int, LLMTemplate]:
        try:
            return _parse(text, clusters)
        except LLMOutputInvalid:
            self.failures += 1
            raise

    def _merge(
        self, i: int, rule: Proposal, item: LLMTemplate | None, samples: Sequence[str]
    ) -> Proposal:
        if item is None:
            return rule
        pattern = anchor(item.pattern)
        draft = Draft(
            template=pattern_to_template(pattern),
            pattern=pattern,
            sample=rule.draft.sample,
            members=rule.draft.members,
        )
        advice = item.advice if item.category in ERROR_CATEGORIES else None
        return Proposal(
            draft=draft, category=item.category, advice=advice, source="llm", fallback=rule.draft
        )


def ambiguous(proposal: Proposal, samples: Sequence[str]) -> bool:
    """Whether the rule draft of a cluster is worth asking the model about.

    Ambiguous are a draft the arbiter refuses against the cluster's own samples and the other
    samples of the run (the committee would refuse it too: no template, or a worse last
    resort), and a template whose words are at least :data:`AMBIGUOUS_VARIABLE_SHARE`
    variables. Every other cluster keeps its rule draft without a call.
    """
    draft = proposal.draft
    words = draft.template.split()
    if words and sum(VAR in w for w in words) / len(words) >= AMBIGUOUS_VARIABLE_SHARE:
        return True
    mine = set(draft.members)
    members = [samples[i] for i in sorted(mine)]
    peers = [s for i, s in enumerate(samples) if i not in mine]
    return not arbiter.review(draft.pattern, members, peers).accepted


def mining_drafter(settings: Settings, base_url: str | None = None) -> Drafter:
    """The drafter ``settings.mining.drafter`` names, for one mining run.

    ``llm`` drafts with the chat model at ``base_url`` (the local server) or ARGUS_LLM_BASE_URL
    through the one call path (:class:`LLMRuntime`, with the mining run's own limits); with no
    LLM configured it logs why and drafts with the rules.
    """
    if settings.mining.drafter == "rule":
        return RuleDrafter()
    if settings.llm == "none" or not (base_url or settings.llm_base_url):
        # with ARGUS_LLM=local the caller starts llama.cpp (argus.pipeline.drafter.run_drafter)
        log.warning(
            "ARGUS_MINING__DRAFTER=llm but no LLM server is configured for mining "
            "(ARGUS_LLM=%s, ARGUS_LLM_BASE_URL %s): templates are drafted by the rules",
            settings.llm,
            "unset" if not settings.llm_base_url else "ignored",
        )
        return RuleDrafter()
    try:
        model = chat_model(settings, base_url)
    except ArgusError as exc:
        log.warning("ARGUS_MINING__DRAFTER=llm but %s: templates are drafted by the rules", exc)
        return RuleDrafter()
    runtime = LLMRuntime(
        model=model,
        limits=UsageLimits(max_llm_calls=MINING_MAX_LLM_CALLS, max_tokens=MINING_MAX_TOKENS),
        breaker=endpoint_breaker(settings),
        model_name=settings.llm_model,
        times=CallTimes(
            timeout_s=settings.llm_timeout_s, retry_after_cap_s=settings.llm_retry_after_cap_s
        ),
        clock=LLMClock(budget_s=MINING_LLM_BUDGET_S),
    )
    return LLMDrafter(runtime=runtime)


class _LoopThread:
    """One event loop in a daemon thread, on which the drafter's synchronous callers (the
    committee's thread) run the runtime's async call: the chat model's async HTTP client stays
    on the one loop it was first used on."""

    def __init__(self) -> None:
        self._loop: asyncio.AbstractEventLoop | None = None
        self._lock = threading.Lock()

    def run(self, coro: Coroutine[object, object, T]) -> T:
        """Run ``coro`` on the loop (started on first use) and wait for its result."""
        with self._lock:
            if self._loop is None:
                self._loop = asyncio.new_event_loop()
                threading.Thread(
                    target=self._loop.run_forever, name="argus-llm-drafter", daemon=True
                ).start()
            loop = self._loop
        return asyncio.run_coroutine_threadsafe(coro, loop).result()


def _cluster_prompt(clusters: list[Proposal], samples: Sequence[str]) -> str:
    lines = []
    for i, proposal in enumerate(clusters):
        members = proposal.draft.members[:SAMPLES_PER_CLUSTER]
        shown = "\n".join(f"  - {samples[m][:SAMPLE_CHARS]}" for m in members)
        lines.append(f"Cluster {i} ({len(proposal.draft.members)} samples):\n{shown}")
    return data_block("\n".join(lines))


def _parse(text: str, clusters: int) -> dict[int, LLMTemplate]:
    value = json_answer(text)
    if isinstance(value, dict):
        value = [value]
    try:
        items = _ANSWER.validate_python(value)
    except ValidationError as exc:
        raise LLMOutputInvalid(f"the model's JSON does not follow the contract: {exc}") from exc
    usable = {it.cluster: it for it in items if it.cluster < clusters}
    if not usable:
        raise LLMOutputInvalid("the model's answer names none of the clusters")
    return usable


def anchor(pattern: str) -> str:
    """Make a pattern match whole key texts only: ``^(?:...)$`` around it, unless it is
    anchored already and has no top-level ``|`` (``^a|b$`` anchors only one branch each)."""
    body = pattern.strip()
    anchored = body.startswith("^") and body.endswith("$") and not body.endswith("\\$")
    if anchored and not _top_level_alternation(body):
        return body
    if body.startswith("^"):
        body = body[1:]
    if body.endswith("$") and not body.endswith("\\$"):
        body = body[:-1]
    return f"^(?:{body})$"


def _top_level_alternation(pattern: str) -> bool:
    """True when ``pattern`` has a ``|`` outside every group and character class."""
    depth, in_class, escaped = 0, False, False
    for ch in pattern:
        if escaped:
            escaped = False
        elif ch == "\\":
            escaped = True
        elif in_class:
            in_class = ch != "]"
        elif ch == "[":
            in_class = True
        elif ch in "()":
            depth += 1 if ch == "(" else -1
        elif ch == "|" and depth == 0:
            return True
    return False


_REGEX_PART = re.compile(
    r"\\[dDsSwW][+*?]?|\[[^\]]*\][+*?]?(?:\{\d+(?:,\d*)?\})?|\.[+*]\??|\([^()]*\)[+*?]?"
)


def pattern_to_template(pattern: str) -> str:
    """A readable logpai template for a pattern: regex constructs become ``<*>``."""
    body = pattern.removeprefix("^").removesuffix("$")
    if body.startswith("(?:") and body.endswith(")"):
        body = body[3:-1]
    text = _REGEX_PART.sub("<*>", body)
    text = re.sub(r"\\(.)", r"\1", text)
    return re.sub(r"\s+", " ", text).strip()
