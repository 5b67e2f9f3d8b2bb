"""The state of one chat thread (checkpointed in PostgreSQL after every step)."""

from __future__ import annotations

import operator
from typing import Annotated, Literal, TypedDict

from langchain_core.messages import AnyMessage, HumanMessage, ToolMessage
from langgraph.graph.message import add_messages

ChatMode = Literal["llm", "rule"]


class Turn(TypedDict):
    """One answered question of a thread."""

    question: str  #: what the user asked
    answer: str  #: the final answer
    mode: ChatMode  #: which path answered
    tools: list[str]  #: tools called for this answer, in order
    note: str  #: why the rule path answered ("" on the LLM path)


class ChatState(TypedDict, total=False):
    """Messages and answered turns of a thread; ``mode`` and ``note`` describe the current turn."""

    batch_id: str  #: the batch under investigation
    messages: Annotated[list[AnyMessage], add_messages]  #: the whole conversation, tools included
    turns: Annotated[list[Turn], operator.add]  #: answered questions, oldest first
    mode: ChatMode  #: path of the current turn (switches to "rule" when the LLM gives up)
    note: str  #: why the current turn is on the rule path


def current_turn(messages: list[AnyMessage]) -> list[AnyMessage]:
    """The messages since the last question (the question included)."""
    for index in range(len(messages) - 1, -1, -1):
        if isinstance(messages[index], HumanMessage):
            return messages[index:]
    return list(messages)


def question_of(messages: list[AnyMessage]) -> str:
    """The text of the last question."""
    turn = current_turn(messages)
    return str(turn[0].content) if turn and isinstance(turn[0], HumanMessage) else ""


def tools_of(messages: list[AnyMessage]) -> list[str]:
    """Names of the tools called in the current turn, in order."""
    return [str(m.name) for m in current_turn(messages) if isinstance(m, ToolMessage) and m.name]
