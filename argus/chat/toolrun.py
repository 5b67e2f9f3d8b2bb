"""Running the tool calls of one step: every call gets exactly one answer, never a crash.

Unknown tools, invalid arguments, malformed calls and failing tools are answered with an error
message the model can read (and the run goes on); results are compact JSON, capped in size.
Each call is announced (``tool_start``) and its result reported (``tool_result``) as it runs.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping
from typing import Any

from langchain_core.messages import AIMessage, InvalidToolCall, ToolCall, ToolMessage
from langchain_core.tools import BaseTool
from pydantic import ValidationError

from argus.errors import ArgusError

log = logging.getLogger(__name__)

MAX_CALLS_PER_STEP = 5  #: further calls of the same step are refused
MAX_RESULT_CHARS = 4000  #: a longer result is replaced by a clipped preview

#: Receives (event name, event data) for the client.
Emit = Callable[[str, dict[str, Any]], None]


async def run_tool_calls(
    message: AIMessage, tools: Mapping[str, BaseTool], emit: Emit
) -> list[ToolMessage]:
    """One ToolMessage per call of ``message`` (valid, invalid or refused), in order."""
    answers = []
    for index, call in enumerate(message.tool_calls):
        if index >= MAX_CALLS_PER_STEP:
            emit("tool_start", {"name": call["name"], "args": call.get("args") or {}})
            error = f"refused: at most {MAX_CALLS_PER_STEP} tool calls per step"
            answers.append(_error(call["name"], call.get("id"), error, emit))
        else:
            answers.append(await run_tool_call(call, tools, emit))
    for bad in message.invalid_tool_calls:
        answers.append(_invalid(bad, emit))
    return answers


async def run_tool_call(call: ToolCall, tools: Mapping[str, BaseTool], emit: Emit) -> ToolMessage:
    """Run one call; an unknown tool, bad arguments or a failing tool become an error answer."""
    name, args = call["name"], call.get("args") or {}
    emit("tool_start", {"name": name, "args": args})
    tool = tools.get(name)
    if tool is None:
        known = ", ".join(sorted(tools))
        return _error(name, call.get("id"), f"unknown tool {name!r}; available: {known}", emit)
    try:
        result = await tool.ainvoke(args)
    except ValidationError as exc:
        return _error(name, call.get("id"), f"invalid arguments: {_brief(exc)}", emit)
    except ArgusError as exc:
        return _error(name, call.get("id"), str(exc), emit)
    except Exception:  # a tool bug must not end the conversation
        log.exception("chat tool %s failed", name)
        return _error(name, call.get("id"), "the tool failed unexpectedly", emit)
    content = compact_json(result)
    emit("tool_result", {"name": name, "ok": True, "result": json.loads(content)})
    return ToolMessage(content=content, name=name, tool_call_id=call.get("id") or name)


def compact_json(value: Any) -> str:
    """``value`` as compact JSON, replaced by a clipped preview when it is too long."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)
    if len(text) <= MAX_RESULT_CHARS:
        return text
    return json.dumps({"truncated": True, "preview": text[: MAX_RESULT_CHARS - 100]})


def _invalid(bad: InvalidToolCall, emit: Emit) -> ToolMessage:
    name = bad.get("name") or "unknown"
    emit("tool_start", {"name": name, "args": {}})
    reason = f"the call could not be parsed: {bad.get('error') or 'arguments are not JSON'!s}"
    return _error(name, bad.get("id"), reason[:300], emit)


def _error(name: str, call_id: str | None, message: str, emit: Emit) -> ToolMessage:
    emit("tool_result", {"name": name, "ok": False, "result": {"error": message}})
    return ToolMessage(
        content=json.dumps({"error": message}),
        name=name,
        tool_call_id=call_id or name,
        status="error",
    )


def _brief(exc: ValidationError) -> str:
    """The validation errors as one short line (field: problem)."""
    parts = [f"{'.'.join(str(p) for p in e['loc']) or 'args'}: {e['msg']}" for e in exc.errors()]
    return "; ".join(parts)[:300]
