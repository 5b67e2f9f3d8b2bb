"""The events a chat streams to its client, and the chunking of an answer into tokens."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from typing import Any, Literal

EventName = Literal["thread", "tool_start", "tool_result", "token", "final", "error"]
CHUNK_CHARS = 80  #: longest token chunk of an answer


@dataclass(frozen=True, kw_only=True)
class ChatEvent:
    """One server-sent event: its name and JSON-ready data."""

    event: EventName  #: thread, tool_start, tool_result, token, final or error
    data: dict[str, Any]  #: the event's payload


def chunks(text: str) -> list[str]:
    """``text`` in pieces of at most CHUNK_CHARS that join back to it exactly."""
    pieces: list[str] = []
    for line in text.splitlines(keepends=True):
        body = line.rstrip("\n")
        parts = textwrap.wrap(
            body,
            CHUNK_CHARS,
            drop_whitespace=False,
            replace_whitespace=False,
            break_long_words=True,
            break_on_hyphens=False,
            expand_tabs=False,
        ) or [""]
        parts[-1] += line[len(body) :]
        pieces += [p for p in parts if p]
    return pieces
