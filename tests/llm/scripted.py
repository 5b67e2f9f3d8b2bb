"""A chat model that answers from a script, in process: for unit tests of what the LLM's callers
do with its answers (the real HTTP path is tested against a fake server and llama.cpp)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from pydantic import Field, SkipValidation

#: Token usage every scripted answer reports.
USAGE = {"input_tokens": 50, "output_tokens": 10, "total_tokens": 60}


class ScriptedModel(BaseChatModel):
    """Answers each request with the next step of ``replies`` (the last one repeats): a message,
    a text, or an exception the client raised; records the prompts and each tool binding."""

    #: not validated: a message model would try to parse the texts and exceptions
    replies: SkipValidation[list[str | AIMessage | Exception]]
    prompts: list[list[BaseMessage]] = Field(default_factory=list)
    failure: Exception | None = None  #: raised by every call when set
    choices: list[str | None] = Field(default_factory=list)  #: tool_choice of each binding

    @property
    def _llm_type(self) -> str:
        return "scripted"

    def bind_tools(self, tools: Sequence[Any], **kwargs: Any) -> ScriptedModel:  # type: ignore[override]
        """Record the binding's tool_choice; the script decides what is answered."""
        self.choices.append(kwargs.get("tool_choice"))
        return self

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        self.prompts.append(list(messages))
        if self.failure is not None:
            raise self.failure
        step = self.replies[min(len(self.prompts), len(self.replies)) - 1]
        if isinstance(step, Exception):
            raise step
        reply = AIMessage(step) if isinstance(step, str) else step
        message = reply.model_copy(update={"usage_metadata": USAGE})
        return ChatResult(generations=[ChatGeneration(message=message)])
