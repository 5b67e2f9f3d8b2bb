"""A batch with synthetic statistics and a chat around a scripted model, for the chat tests."""

from __future__ import annotations

from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage
from langgraph.checkpoint.memory import InMemorySaver

from argus.agents.log_analysis import analyse
from argus.chat.context import ChatContext
from argus.chat.data import BatchData, Statistics
from argus.chat.events import ChatEvent
from argus.chat.graph import ChatGraph, build_chat_graph
from argus.chat.tools import chat_tools
from argus.chat.turn import run_turn
from argus.llm.policy import RetryPolicy
from argus.llm.runtime import LLMRuntime
from argus.llm.usage import Usage, UsageLimits
from argus.report import Report
from tests.batch_rows import batch_record
from tests.tools.frames import stats, steady

TEXTS = {1: "GET /cart ok", 2: "db query ok", 3: "db query failed: connection refused"}


def call(name: str, args: dict[str, Any] | None = None, call_id: str = "c1") -> AIMessage:
    """A reply that calls one tool."""
    return AIMessage("", tool_calls=[{"name": name, "args": args or {}, "id": call_id}])


def batch_data(report: Report | None = None) -> BatchData:
    """A batch whose db module starts failing against a clean baseline."""
    base = steady(1, "api", 30, 3) + steady(2, "db", 20, 3)
    current = stats(base + steady(3, "db", 10, 3, "ERROR"), TEXTS)
    analysis = analyse(current, stats(base, TEXTS))
    return BatchData(
        batch=batch_record(),
        report=report,
        conninfo="",
        loaded=Statistics(current=current, analysis=analysis),
    )


def context(model: BaseChatModel | None = None, limits: UsageLimits | None = None) -> ChatContext:
    """A context on batch_data(): the rule path without ``model``, else the LLM path."""
    data = batch_data()
    limits = limits or UsageLimits()
    usage = Usage()
    llm = None
    if model is not None:
        retry = RetryPolicy(attempts=2, initial_wait_s=0.0, max_wait_s=0.0)
        llm = LLMRuntime(
            model=model, limits=limits, usage=usage, retry=retry, model_name="scripted"
        )
    return ChatContext(
        data=data,
        tools=chat_tools(data),
        llm=llm,
        limits=limits,
        usage=usage,
        note="no LLM is configured",
    )


def graph() -> ChatGraph:
    """The chat graph on an in-memory checkpointer."""
    return build_chat_graph(InMemorySaver())


async def ask(
    chat: ChatGraph, ctx: ChatContext, question: str, thread: str = "t"
) -> list[ChatEvent]:
    """Every event of one turn."""
    return [event async for event in run_turn(chat, ctx, question, thread)]
