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
        """Why the LLM may not take another step now, or None when it may: the question's step
        limit, then the runtime's one rule (usage limits, time budget, breaker)."""
        if self.llm is None:
            return self.note
        if not self.usage.steps_left(self.limits):
            return f"the step limit of a question ({self.limits.max_steps}) was reached"
        return self.llm.blocker()
