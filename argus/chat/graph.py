"""The chat graph: an LLM agent loop over the tools, and the rule path beside it.

LLM path: ``agent`` asks the model; tool calls go to ``tools`` and back to ``agent``; a valid
text answer ends the turn. Rule path: ``plan`` picks tools from the question's keywords, ``tools``
runs them, ``answer`` composes the reply. The agent switches the turn to the rule path when there
is no LLM, when the model fails or answers invalidly, or when the question's limits are spent;
so no model can keep the graph looping. Both paths leave their messages in the checkpointed
state, so later turns see the earlier ones either way.
"""

from __future__ import annotations

import json
import logging
import uuid
from typing import Any

from langchain_core.messages import AIMessage, AnyMessage, BaseMessage, HumanMessage, ToolMessage
from langchain_core.tools import BaseTool
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph
from langgraph.runtime import Runtime

from argus.chat.answer import compose
from argus.chat.context import ChatContext
from argus.chat.intent import intents_of, plan_tools
from argus.chat.llm import ToolChoice, answer_of, ask_with_tools, prompt, text_of, with_call_ids
from argus.chat.state import ChatState, Turn, current_turn, question_of, tools_of
from argus.chat.toolrun import run_tool_calls
from argus.errors import ArgusError
from argus.llm.runtime import LLMRuntime

log = logging.getLogger(__name__)

RULE_CALL = "rule-"  #: prefix of the ids of the rule path's tool calls
#: What the model is told when its reply is unusable, and what the rule path's answer says
#: when it is unusable twice.
REASK = {
    "memory": "Do not answer from memory: call a tool to read this batch's data first.",
    "malformed": "Now answer the question in plain text, from the tool results above.",
}
NOTES = {
    "memory": "the LLM answered without consulting the batch's data",
    "malformed": "the LLM's answer was empty or malformed twice",
}

#: The compiled chat graph (state in and out, the question's context at run time).
ChatGraph = CompiledStateGraph[ChatState, ChatContext, ChatState, ChatState]


def build_chat_graph(checkpointer: BaseCheckpointSaver[Any] | None = None) -> ChatGraph:
    """Compile the chat graph (nodes read the question's ChatContext from the runtime)."""
    graph = StateGraph(ChatState, context_schema=ChatContext)
    graph.add_node("agent", agent)
    graph.add_node("tools", tools)
    graph.add_node("plan", plan)
    graph.add_node("answer", answer)
    graph.add_conditional_edges(
        START, lambda s: "agent" if s.get("mode") == "llm" else "plan", ["agent", "plan"]
    )
    graph.add_conditional_edges("agent", _after_agent, ["tools", "plan", END])
    graph.add_conditional_edges(
        "tools", lambda s: "agent" if s.get("mode") == "llm" else "answer", ["agent", "answer"]
    )
    graph.add_edge("plan", "tools")
    graph.add_edge("answer", END)
    return graph.compile(checkpointer=checkpointer)


async def agent(state: ChatState, runtime: Runtime[ChatContext]) -> dict[str, Any]:
    """One LLM step: tool calls, a final answer, or a switch to the rule path."""
    ctx = runtime.context
    blocked = ctx.llm_blocked()
    if blocked is not None or ctx.llm is None:
        return _to_rules(blocked or ctx.note)
    ctx.usage.steps += 1
    messages = state.get("messages", [])
    base = prompt(ctx.data, state.get("turns", []), current_turn(messages))
    try:
        reply, problem = await _usable_reply(ctx.llm, ctx.tools, base, _has_data(state))
    except Exception as exc:  # any failure of the model or its server sends the turn to the rules
        return _to_rules(_failure(exc))
    if reply is None:
        return _to_rules(NOTES[problem])
    if _calls(reply):
        return {"messages": [with_call_ids(reply)]}
    final = AIMessage(answer_of(reply) or "")
    return {"messages": [final], "turns": [_turn([*messages, final], final.text, "llm", "")]}


async def _usable_reply(
    llm: LLMRuntime, tools: list[BaseTool], base: list[BaseMessage], has_data: bool
) -> tuple[AIMessage | None, str]:
    """The model's reply, asked again once when it is unusable (see _problem); after two
    unusable replies, None and the last problem. A malformed reply is asked again with the tools
    disabled: some servers (llama.cpp) constrain a tool-enabled reply to tool calls only."""
    messages, problem = base, ""
    choice: ToolChoice = "auto"
    for _ in range(2):
        reply = await ask_with_tools(llm, tools, messages, choice)
        problem = _problem(reply, has_data)
        if not problem:
            return reply, ""
        said = text_of(reply)[:500].strip()
        messages = [*base, *([AIMessage(said)] if said else []), HumanMessage(REASK[problem])]
        choice = "none" if problem == "malformed" else "auto"
    return None, problem


def _problem(reply: AIMessage, has_data: bool) -> str:
    """What makes a reply unusable: "malformed" (no tool call, and no plain-text answer) or
    "memory" (an answer before any data of the batch was read: small models invent one)."""
    if _calls(reply):
        return ""
    if answer_of(reply) is None:
        return "malformed"
    return "" if has_data else "memory"


def _calls(reply: AIMessage) -> bool:
    return bool(reply.tool_calls or reply.invalid_tool_calls)


def _has_data(state: ChatState) -> bool:
    """True when the thread already holds tool results an answer can rest on."""
    return any(isinstance(m, ToolMessage) and m.status == "success" for m in state["messages"])


def _to_rules(note: str) -> dict[str, Any]:
    return {"mode": "rule", "note": note}


def _failure(exc: Exception) -> str:
    if isinstance(exc, ArgusError):
        return f"the LLM could not answer ({exc.message[:200]})"
    log.warning("chat LLM call failed: %r", exc)
    return f"the LLM call failed ({type(exc).__name__})"


async def tools(state: ChatState, runtime: Runtime[ChatContext]) -> dict[str, Any]:
    """Run the tool calls of the last AI message (each answered, errors included)."""
    last = next(m for m in reversed(state["messages"]) if isinstance(m, AIMessage))
    answers = await run_tool_calls(last, runtime.context.tool_map, _emitter(runtime))
    return {"messages": answers}


async def plan(state: ChatState, runtime: Runtime[ChatContext]) -> dict[str, Any]:
    """The rule path's tool calls for the question (by keyword intent)."""
    earlier = state.get("turns", [])
    previous = earlier[-1]["tools"] if earlier else None
    calls = [
        {
            "name": name,
            "args": args,
            "id": f"{RULE_CALL}{uuid.uuid4().hex[:16]}",
            "type": "tool_call",
        }
        for name, args in plan_tools(question_of(state["messages"]), previous)
    ]
    return {"messages": [AIMessage(content="", tool_calls=calls)], "mode": "rule"}


async def answer(state: ChatState, runtime: Runtime[ChatContext]) -> dict[str, Any]:
    """Compose the rule path's answer from its tool results."""
    messages = state["messages"]
    results = [
        (str(m.name), _parsed(m))
        for m in current_turn(messages)
        if isinstance(m, ToolMessage) and m.tool_call_id.startswith(RULE_CALL)
    ]
    note = state.get("note") or runtime.context.note
    earlier = state.get("turns", [])
    vague = earlier and not intents_of(question_of(messages))
    text = compose(results, note, earlier[-1]["question"] if vague else None)
    final = AIMessage(text)
    return {"messages": [final], "turns": [_turn([*messages, final], text, "rule", note)]}


def _after_agent(state: ChatState) -> str:
    if state.get("mode") != "llm":
        return "plan"
    last = state["messages"][-1]
    return "tools" if isinstance(last, AIMessage) and _calls(last) else END


def _turn(messages: list[AnyMessage], text: str, mode: str, note: str) -> Turn:
    return Turn(
        question=question_of(messages),
        answer=text,
        mode="llm" if mode == "llm" else "rule",
        tools=tools_of(messages),
        note=note,
    )


def _parsed(message: ToolMessage) -> dict[str, Any]:
    try:
        value = json.loads(str(message.content))
    except json.JSONDecodeError:
        return {"error": "unreadable tool result"}
    return value if isinstance(value, dict) else {"value": value}


def _emitter(runtime: Runtime[ChatContext]) -> Any:
    writer = runtime.stream_writer

    def emit(event: str, data: dict[str, Any]) -> None:
        writer({"event": event, "data": data})

    return emit
