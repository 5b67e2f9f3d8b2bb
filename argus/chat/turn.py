"""One turn of a thread through the chat graph, as the events the client receives."""

from __future__ import annotations

from collections.abc import AsyncIterator

from langchain_core.messages import HumanMessage
from langchain_core.runnables import RunnableConfig

from argus.chat.context import ChatContext
from argus.chat.events import ChatEvent, chunks
from argus.chat.graph import ChatGraph
from argus.chat.state import ChatState, Turn
from argus.errors import StoreError


def thread_config(key: str, max_steps: int = 12) -> RunnableConfig:
    """The run configuration of a thread (``key`` is the checkpointer's thread id)."""
    # The agent's own limits end every turn; the recursion limit only guards against a bug.
    return {"configurable": {"thread_id": key}, "recursion_limit": 4 * max_steps + 10}


async def turns_of(graph: ChatGraph, config: RunnableConfig) -> list[Turn]:
    """The answered turns of the thread of ``config``, oldest first."""
    state = await graph.aget_state(config)
    return list(state.values.get("turns", []))


async def run_turn(
    graph: ChatGraph, ctx: ChatContext, question: str, key: str
) -> AsyncIterator[ChatEvent]:
    """Tool events as they happen, then the answer as token events and the final event."""
    config = thread_config(key, ctx.limits.max_steps)
    earlier = len(await turns_of(graph, config))
    start: ChatState = {
        "messages": [HumanMessage(question)],
        "batch_id": ctx.data.batch_id,
        "mode": "llm" if ctx.llm is not None else "rule",
        "note": "" if ctx.llm is not None else ctx.note,
    }
    async for part in graph.astream(start, config, context=ctx, stream_mode="custom"):
        yield ChatEvent(event=part["event"], data=part["data"])
    turns = await turns_of(graph, config)
    if len(turns) <= earlier:
        raise StoreError("the answer was not recorded in the thread's history")
    turn = turns[-1]
    for piece in chunks(turn["answer"]):
        yield ChatEvent(event="token", data={"text": piece})
    model = ctx.llm.model_name if ctx.llm is not None and turn["mode"] == "llm" else None
    usage = {"model": model, "llm_calls": ctx.usage.llm_calls, "tokens": ctx.usage.tokens}
    yield ChatEvent(event="final", data={**turn, **usage})
