"""The chat graph: the rule path, the LLM agent loop, its limits and its fallbacks."""

from __future__ import annotations

import httpx
from langchain_core.messages import AIMessage, HumanMessage

from argus.chat.events import ChatEvent
from argus.chat.turn import thread_config, turns_of
from argus.llm.usage import UsageLimits
from tests.chat.fakes import ask, call, context, graph
from tests.llm.scripted import ScriptedModel


def kinds(events: list[ChatEvent]) -> list[str]:
    """Event names with repeated tokens collapsed."""
    out: list[str] = []
    for event in events:
        if not (event.event == "token" and out and out[-1] == "token"):
            out.append(event.event)
    return out


def final(events: list[ChatEvent]) -> dict[str, object]:
    assert events[-1].event == "final"
    return events[-1].data


async def test_rule_path_streams_tools_then_the_answer() -> None:
    events = await ask(graph(), context(), "Which module is failing?")
    assert kinds(events) == ["tool_start", "tool_result"] * 3 + ["token", "final"]
    done = final(events)
    assert done["mode"] == "rule" and done["tools"] == [
        "suspect_modules",
        "module_counts",
        "error_templates",
    ]
    text = "".join(str(e.data["text"]) for e in events if e.event == "token")
    assert text == done["answer"] and "Answered without an LLM" in text
    assert "the most suspect module is db" in text


async def test_history_is_kept_across_turns_on_the_rule_path() -> None:
    chat = graph()
    await ask(chat, context(), "Which module is failing?", "t1")
    events = await ask(chat, context(), "tell me more", "t1")
    assert final(events)["tools"] == ["suspect_modules", "module_counts", "error_templates"]
    assert "Following up on your earlier question" in str(final(events)["answer"])
    turns = await turns_of(chat, thread_config("t1"))
    assert [t["question"] for t in turns] == ["Which module is failing?", "tell me more"]
    assert await turns_of(chat, thread_config("other")) == []


async def test_llm_calls_a_tool_then_answers() -> None:
    model = ScriptedModel(replies=[call("suspect_modules"), AIMessage("db is failing.")])
    ctx = context(model)
    events = await ask(graph(), ctx, "Which module is failing?")
    assert kinds(events) == ["tool_start", "tool_result", "token", "final"]
    assert events[0].data == {"name": "suspect_modules", "args": {}}
    assert events[1].data["result"]["suspects"][0]["module"] == "db"  # type: ignore[index]
    done = final(events)
    assert (done["mode"], done["answer"], done["tools"]) == (
        "llm",
        "db is failing.",
        ["suspect_modules"],
    )
    assert done["model"] == "scripted" and done["llm_calls"] == 2 and done["tokens"] == 120


async def test_a_follow_up_shows_the_earlier_turn_to_the_llm() -> None:
    chat = graph()
    first = ScriptedModel(replies=[call("suspect_modules"), AIMessage("db is failing.")])
    await ask(chat, context(first), "Which module is failing?", "t")
    second = ScriptedModel(replies=[AIMessage("Since 12:00.")])
    done = final(await ask(chat, context(second), "Since when?", "t"))
    assert (done["mode"], done["answer"]) == ("llm", "Since 12:00.")  # the thread holds data
    texts = [str(m.content) for m in second.prompts[0][1:]]
    assert texts == ["Which module is failing?", "db is failing.", "Since when?"]
    assert isinstance(second.prompts[0][-1], HumanMessage)


async def test_an_invalid_tool_call_is_answered_and_the_run_goes_on() -> None:
    model = ScriptedModel(
        replies=[
            call("rm_rf", {"path": "/"}),
            call("top_templates", {"limit": -3}, "c2"),
            call("top_templates", {"limit": 3}, "c3"),
            AIMessage("Here is what I found."),
        ]
    )
    events = await ask(graph(), context(model), "top templates?")
    results = [e.data for e in events if e.event == "tool_result"]
    assert [r["ok"] for r in results] == [False, False, True]
    assert "unknown tool 'rm_rf'" in str(results[0]["result"])
    assert "invalid arguments: limit" in str(results[1]["result"])
    assert final(events)["mode"] == "llm"
    tool_messages = [m for m in model.prompts[2] if m.type == "tool"]
    assert len(tool_messages) == 2 and all("error" in str(m.content) for m in tool_messages)


async def test_an_answer_from_memory_is_refused_once_with_a_reminder() -> None:
    model = ScriptedModel(
        replies=[
            AIMessage("The gateway module, surely."),
            call("suspect_modules"),
            AIMessage("db."),
        ]
    )
    done = final(await ask(graph(), context(model), "which module?"))
    assert (done["mode"], done["answer"], done["tools"]) == ("llm", "db.", ["suspect_modules"])
    assert "call a tool" in str(model.prompts[1][-1].content)
    assert "gateway" not in str(model.prompts[2])  # the invented answer was not kept


async def test_a_model_that_never_reads_the_data_is_replaced_by_the_rules() -> None:
    model = ScriptedModel(replies=[AIMessage("The gateway module, surely.")])
    done = final(await ask(graph(), context(model), "which module?"))
    assert len(model.prompts) == 2 and done["mode"] == "rule"
    assert "without consulting the batch's data" in str(done["note"])


async def test_limits_stop_a_looping_model_and_the_rules_answer() -> None:
    model = ScriptedModel(replies=[call("module_counts")])  # calls a tool for ever
    ctx = context(model, UsageLimits(max_steps=12, max_llm_calls=3, max_tokens=10_000))
    events = await ask(graph(), ctx, "which module?")
    done = final(events)
    assert len(model.prompts) == 3 and ctx.usage.llm_calls == 3
    assert done["mode"] == "rule" and "LLM budget" in str(done["note"])
    assert "Answered without an LLM (the LLM budget" in str(done["answer"])


async def test_the_step_limit_stops_a_looping_model() -> None:
    model = ScriptedModel(replies=[call("module_counts")])
    ctx = context(model, UsageLimits(max_steps=2, max_llm_calls=50, max_tokens=100_000))
    done = final(await ask(graph(), ctx, "which module?"))
    assert len(model.prompts) == 2 and "step limit" in str(done["note"])


async def test_a_failing_llm_falls_back_to_the_rules() -> None:
    model = ScriptedModel(replies=[AIMessage("unused")], failure=httpx.ConnectError("refused"))
    ctx = context(model)
    done = final(await ask(graph(), ctx, "errors?"))
    assert len(model.prompts) == 2  # the transient error was retried once (RetryPolicy)
    assert done["mode"] == "rule" and "ConnectError" in str(done["note"])
    assert ctx.llm is not None and ctx.llm.breaker.failures == 1


async def test_a_malformed_answer_is_asked_again_once() -> None:
    garbled = AIMessage('{"name": "module_counts", "arguments": {}}')
    model = ScriptedModel(replies=[call("module_counts"), garbled, AIMessage("db fails.")])
    done = final(await ask(graph(), context(model), "which module?"))
    assert (done["mode"], done["answer"]) == ("llm", "db fails.")
    assert "in plain text" in str(model.prompts[2][-1].content)
    assert model.choices == ["auto", "auto", "none"]  # asked again with the tools disabled


async def test_a_malformed_answer_twice_falls_back_to_the_rules() -> None:
    garbled = AIMessage('{"name": "module_counts", "arguments": {}}')
    model = ScriptedModel(replies=[call("module_counts"), garbled])
    done = final(await ask(graph(), context(model), "which module?"))
    assert len(model.prompts) == 3
    assert done["mode"] == "rule" and "malformed twice" in str(done["note"])
