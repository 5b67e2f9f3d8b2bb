"""One validated LLM call for an agent: limits, retries, circuit breaker, schema, one re-ask.

The model's answer is untrusted. It must parse as JSON and validate against the agent's pydantic
schema; an answer that fails twice raises LLMOutputInvalid and the agent takes its rule-based
path. Every attempt counts against the diagnosis's usage limits.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TypeVar

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import BaseMessage, HumanMessage, SystemMessage
from pydantic import BaseModel, ValidationError

from argus.errors import LLMOutputInvalid
from argus.graph.limits import Usage, UsageLimits
from argus.llm.output import extract_json
from argus.llm.policy import CircuitBreaker, RetryPolicy

M = TypeVar("M", bound=BaseModel)


@dataclass
class LLMRuntime:
    """The chat model of a diagnosis and the policies around it."""

    model: BaseChatModel  #: any LangChain chat model (ChatOpenAI, or a fake in tests)
    limits: UsageLimits = field(default_factory=UsageLimits)  #: per-diagnosis budget
    usage: Usage = field(default_factory=Usage)  #: what this diagnosis has used
    retry: RetryPolicy = field(default_factory=RetryPolicy)  #: transient-error retries
    breaker: CircuitBreaker = field(default_factory=CircuitBreaker)  #: shared across calls
    model_name: str = "unknown"  #: reported in the diagnosis

    async def ask(self, schema: type[M], system: str, prompt: str) -> M:
        """Ask for JSON matching ``schema``; re-ask once when the answer is invalid."""
        messages: list[BaseMessage] = [SystemMessage(system), HumanMessage(prompt)]
        error: LLMOutputInvalid | None = None
        for _ in range(2):
            text = await self._call(messages)
            try:
                return schema.model_validate(extract_json(text))
            except (LLMOutputInvalid, ValidationError) as exc:
                error = LLMOutputInvalid(f"{schema.__name__}: {str(exc)[:300]}")
                messages = [*messages, HumanMessage(
                    "That answer was not valid JSON for the requested fields. "
                    "Answer again with only the JSON object."
                )]  # fmt: skip
        assert error is not None
        raise error

    async def _call(self, messages: list[BaseMessage]) -> str:
        async def invoke() -> str:  # every attempt, retries included, counts
            self.usage.check_llm(self.limits)
            self.usage.llm_calls += 1
            reply = await self.model.ainvoke(messages)
            usage = getattr(reply, "usage_metadata", None) or {}
            self.usage.tokens += int(usage.get("total_tokens", 0)) if isinstance(usage, dict) else 0
            return str(reply.content)

        if self.breaker.is_open:
            from argus.errors import LLMUnavailable

            raise LLMUnavailable("the LLM circuit breaker is open after repeated failures")
        try:
            text = await self.retry.acall(invoke)
        except Exception:
            self.breaker.record(False)
            raise
        self.breaker.record(True)
        return text
