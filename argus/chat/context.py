"""What the chat graph's nodes use for one question (run-scoped, never checkpointed)."""

from __future__ import annotations

from dataclasses import dataclass, field

from langchain_core.tools import BaseTool

from argus.chat.data import BatchData
from argus.llm.runtime import LLMRuntime
from argus.llm.usage import Usage, UsageLimits


@dataclass(kw_only=True)
class ChatContext:
    """The batch's tools, the LLM (None: rule path) and the question's budget."""

    data: BatchData  #: the batch under investigation
    tools: list[BaseTool]  #: the tools the agent may call
    llm: LLMRuntime | None = None  #: None: the rule path answers
    limits: UsageLimits = field(default_factory=UsageLimits)  #: budget of one question
    usage: Usage = field(default_factory=Usage)  #: what this question used so far
    note: str = "no LLM is configured"  #: why there is no LLM, when there is none

    @property
    def tool_map(self) -> dict[str, BaseTool]:
        """The tools by name."""
        return {tool.name: tool for tool in self.tools}

    def llm_blocked(self) -> str | None:
        """Why the LLM may not take another step now, or None when it may."""
        if self.llm is None:
            return self.note
        if not self.usage.steps_left(self.limits):
            return f"the step limit of a question ({self.limits.max_steps}) was reached"
        if not self.usage.llm_allowed(self.limits):
            return (
                f"the LLM budget of a question was spent ({self.usage.llm_calls} calls, "
                f"{self.usage.tokens} tokens)"
            )
        if self.llm.breaker.is_open:
            return "the LLM failed repeatedly and is paused (circuit breaker open)"
        return None
