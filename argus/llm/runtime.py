"""One validated LLM call for an agent: limits, time budget, retries, breaker, schema, one re-ask.

The model's answer is untrusted. The whole message must be one JSON value (or exactly one fenced
block) that validates against the agent's pydantic schema; an answer that fails twice raises
LLMOutputInvalid and the agent takes its rule-based path. Every transport or protocol failure
of the server becomes a typed error (argus.llm.guard), so agents only ever see ArgusErrors.
Every attempt counts against the diagnosis's usage limits and its LLM time budget.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from functools import partial
from typing import TypeVar

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import BaseMessage, HumanMessage, SystemMessage
from pydantic import BaseModel, ValidationError

from argus.errors import LLMOutputInvalid
from argus.llm.budget import LLMClock
from argus.llm.guard import BREAKER_OPEN, CallTimes, guarded_call
from argus.llm.output import json_answer
from argus.llm.policy import CircuitBreaker, RetryPolicy
from argus.llm.usage import Usage, UsageLimits

log = logging.getLogger(__name__)

M = TypeVar("M", bound=BaseModel)
T = TypeVar("T")

REASK = (
    "That answer was not valid JSON for the requested fields. "
    "Answer again with only the JSON object."
)


@dataclass(kw_only=True)
class LLMRuntime:
    """The chat model of a diagnosis (or of one chat question) and the policies around it."""

    model: BaseChatModel  #: any LangChain chat model (ChatOpenAI, or a fake in tests)
    limits: UsageLimits = field(default_factory=UsageLimits)  #: per-diagnosis budget
    usage: Usage = field(default_factory=Usage)  #: what this diagnosis has used
    retry: RetryPolicy = field(default_factory=RetryPolicy)  #: transient-error retries
    breaker: CircuitBreaker = field(default_factory=CircuitBreaker)  #: shared per endpoint
    model_name: str = "unknown"  #: reported in the diagnosis
    times: CallTimes = field(default_factory=CallTimes)  #: per-call timeout, Retry-After cap
    clock: LLMClock = field(default_factory=LLMClock)  #: LLM time budget of this diagnosis

    def blocker(self) -> str | None:
        """Why no call may start now (limits, time budget, open breaker); None when one may."""
        if not self.usage.llm_allowed(self.limits):
            return (
                f"the LLM budget of this run was spent (at most {self.limits.max_llm_calls} calls, "
                f"{self.limits.max_tokens} tokens)"
            )
        if self.clock.spent():
            return self.clock.spent_message()
        if self.breaker.is_open:
            return BREAKER_OPEN
        return None

    async def ask(self, schema: type[M], system: str, prompt: str) -> M:
        """Ask for JSON matching ``schema``; re-ask once when the answer is invalid.

        Raises LLMOutputInvalid after two invalid answers, and the typed errors of
        :meth:`call` when the server fails.
        """
        return await self.ask_read(
            partial(_validated, schema), system, prompt, what=schema.__name__
        )

    async def ask_read(self, read: Callable[[str], T], system: str, prompt: str, *, what: str) -> T:
        """Ask, and read the answer's text with ``read``; re-ask once when it is invalid.

        ``read`` raises LLMOutputInvalid (or a pydantic ValidationError) for an answer it cannot
        use. Raises LLMOutputInvalid after two invalid answers (``what`` names the answer in
        the message), and the typed errors of :meth:`call` when the server fails.
        """
        messages: list[BaseMessage] = [SystemMessage(system), HumanMessage(prompt)]
        for _ in range(2):
            text = await self.call(partial(self._invoke, messages))
            try:
                return read(text)
            except (LLMOutputInvalid, ValidationError) as exc:
                log.info("invalid %s from the LLM: %s", what, str(exc)[:300])
                messages = [*messages, HumanMessage(REASK)]
        raise LLMOutputInvalid(f"LLM answer invalid twice ({what})")

    async def call(self, fn: Callable[[], Awaitable[T]]) -> T:
        """``fn()`` (one request to the model) behind the breaker, within the per-call timeout
        and the time budget, retried per policy; only ArgusErrors escape (argus.llm.guard)."""

        async def attempt() -> T:  # every attempt, retries included, counts
            self.usage.check_llm(self.limits)
            self.usage.llm_calls += 1
            return await fn()

        return await guarded_call(
            attempt, retry=self.retry, breaker=self.breaker, clock=self.clock, times=self.times
        )

    async def _invoke(self, messages: list[BaseMessage]) -> str:
        reply = await self.model.ainvoke(messages)
        self.count_tokens(reply)
        return str(reply.content)

    def count_tokens(self, reply: object) -> None:
        """Add the tokens the server reports for ``reply`` to the usage."""
        usage = getattr(reply, "usage_metadata", None) or {}
        self.usage.tokens += int(usage.get("total_tokens", 0)) if isinstance(usage, dict) else 0


def _validated(schema: type[M], text: str) -> M:
    """The answer ``text`` as JSON validated against ``schema``."""
    return schema.model_validate(json_answer(text))
