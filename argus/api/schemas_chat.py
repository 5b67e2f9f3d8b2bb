"""Request and response bodies of the chat routes."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints

#: Thread ids: letters, digits, dot, dash and underscore (they are chosen by clients).
THREAD_ID = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$"
#: Not blank, and no NUL characters; stated in the schema, so clients know.
_QUESTION = r"^[^\x00]*[^\x00\s][^\x00]*$"
QuestionText = Annotated[str, StringConstraints(min_length=1, max_length=4000, pattern=_QUESTION)]


class ChatRequest(BaseModel):
    """A question about a batch; without ``thread_id`` a new thread is started."""

    question: QuestionText = Field(description="what to ask")
    thread_id: str | None = Field(None, pattern=THREAD_ID, description="conversation to continue")


class ChatTurnView(BaseModel):
    """One answered question of a thread."""

    question: str
    answer: str
    mode: Literal["llm", "rule"] = Field(description="llm, or rule when no LLM answered")
    tools: list[str] = Field(default_factory=list, description="tools called, in order")
    note: str = Field("", description="why the rule path answered")


class ChatHistory(BaseModel):
    """The turns of a thread, oldest first."""

    batch_id: uuid.UUID
    thread_id: str
    turns: list[ChatTurnView]
