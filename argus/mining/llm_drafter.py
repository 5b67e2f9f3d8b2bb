"""The LLM drafter: the seed's JSON contract, validated; the rule drafter is always the fallback.

Clustering stays deterministic (the rule drafter's clusters); the model is asked, for each
cluster, for a regex, a category and (for errors) advice. The samples are log text: they are
sent fenced as untrusted data. The answer is untrusted too: only the whole message (or one
fenced block) is read as JSON, it is parsed with a schema, unknown categories are dropped,
texts are clamped, patterns are anchored, and the arbiter still has the last word. A cluster
the model did not answer well keeps its rule draft.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import BaseMessage, HumanMessage, SystemMessage
from pydantic import BaseModel, Field, TypeAdapter, ValidationError, field_validator

from argus.errors import ArgusError, LLMOutputInvalid
from argus.llm.output import json_answer
from argus.llm.policy import CircuitBreaker, RetryPolicy
from argus.llm.prompts import DATA_RULE, data_block
from argus.mining.committee import Proposal, RuleDrafter
from argus.mining.drafting import Draft
from argus.mining.library import Source

log = logging.getLogger(__name__)

#: Closed vocabulary of template categories.
CATEGORIES = (
    "info", "state", "performance", "resource", "network", "timeout", "auth",
    "config", "hardware", "data", "exception", "error",
)  # fmt: skip
#: Categories for which advice is kept (the seed: advice for errors only).
ERROR_CATEGORIES = frozenset(CATEGORIES) - {"info", "state"}

MAX_CLUSTERS_PER_CALL = 20
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


@dataclass
class LLMDrafter:
    """Drafts with a chat model; any failure falls back to the rule drafter's drafts."""

    model: BaseChatModel
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    breaker: CircuitBreaker = field(default_factory=CircuitBreaker)
    fallback: RuleDrafter = field(default_factory=RuleDrafter)
    source: Source = "llm"
    calls: int = 0  #: LLM calls made
    tokens: int = 0  #: tokens used (prompt + completion) as reported by the server
    failures: int = 0  #: calls whose answer could not be used

    def propose(self, samples: Sequence[str]) -> list[Proposal]:
        """Rule clusters, each with the model's pattern where the model gave a usable one."""
        rule = self.fallback.propose(samples)
        head = rule[:MAX_CLUSTERS_PER_CALL]
        try:
            answer = self.breaker.guard(lambda: self._ask(head, samples))
        except ArgusError as exc:
            log.info("LLM drafter falls back to rule drafts: %s", exc)
            return rule
        except Exception as exc:  # the transport failed after its retries
            log.info("LLM drafter falls back to rule drafts: %r", exc)
            return rule
        return [self._merge(i, p, answer.get(i), samples) for i, p in enumerate(rule)]

    def _ask(self, clusters: list[Proposal], samples: Sequence[str]) -> dict[int, LLMTemplate]:
        messages = [SystemMessage(SYSTEM_PROMPT), HumanMessage(_cluster_prompt(clusters, samples))]
        last: LLMOutputInvalid | None = None

        def invoke() -> BaseMessage:  # every attempt, retries included, is a call made
            self.calls += 1
            return self.model.invoke(messages)

        for _ in range(2):  # output that fails validation twice means: use the rule drafts
            reply = self.retry.call(invoke)
            self.tokens += _tokens(reply)
            try:
                return _parse(str(reply.content), len(clusters))
            except LLMOutputInvalid as exc:
                self.failures += 1
                last = exc
        assert last is not None
        raise last

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
        return Proposal(draft, item.category, advice, source="llm", fallback=rule.draft)


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


def _tokens(reply: object) -> int:
    usage = getattr(reply, "usage_metadata", None) or {}
    return int(usage.get("total_tokens", 0)) if isinstance(usage, dict) else 0


def anchor(pattern: str) -> str:
    """Make a pattern match whole key texts only (``^(?:...)$``) unless it already does."""
    body = pattern.strip()
    if body.startswith("^") and body.endswith("$") and not body.endswith("\\$"):
        return body
    return f"^(?:{body})$"


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
