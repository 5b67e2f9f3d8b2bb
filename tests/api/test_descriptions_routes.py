"""/api/v1/descriptions over real HTTP on embedded PostgreSQL: list by state, draft (from the
templates: no LLM is configured), approve, reject and edit one by one or in bulk, with who and
when kept; unknown ids are 404, decisions that do not fit the state 409, bad bodies 422."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import psycopg
import pytest

from argus.store.connection import connect_sync
from argus.store.stats import upsert_modules
from tests.api.conftest import AUTH

pytestmark = pytest.mark.integration

ROUTE = "/api/v1/descriptions"


@pytest.fixture
async def client(base_url: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=base_url, headers=AUTH, timeout=60) as api:
        yield api


@pytest.fixture
def mod(db_url: str) -> str:
    """A module of its own with one submodule, as pass 1 records them."""
    name = f"svc-{uuid.uuid4().hex[:8]}"
    with connect_sync(db_url, vectors=False) as conn:
        upsert_modules(conn, [(name, "worker"), (name, None)])
    return name


async def _ok(answer: httpx.Response) -> Any:
    assert answer.status_code == 200, answer.text
    return answer.json()


async def _listed(client: httpx.AsyncClient, mod: str, *states: str) -> list[dict[str, Any]]:
    params: dict[str, Any] = {"module": mod, "state": list(states)}
    body = await _ok(await client.get(ROUTE, params=params))
    rows: list[dict[str, Any]] = body["descriptions"]
    return rows


async def _drafted(client: httpx.AsyncClient, mod: str) -> list[dict[str, Any]]:
    body = await _ok(await client.post(f"{ROUTE}/draft", json={"module": mod}))
    assert body["by_templates"] == len(body["drafted"]) and body["by_llm"] == 0
    rows: list[dict[str, Any]] = body["drafted"]
    return rows


async def test_missing_descriptions_are_drafted_then_approved_with_who_and_when(
    client: httpx.AsyncClient, mod: str, db_url: str
) -> None:
    missing = await _listed(client, mod, "missing")
    assert [(d["mod"], d["smod"], d["text"]) for d in missing] == [
        (mod, None, None),
        (mod, "worker", None),
    ]
    drafted = await _drafted(client, mod)
    assert [d["smod"] for d in drafted] == [None, "worker"]
    assert all(d["state"] == "draft" and d["drafted_by"] == "templates" for d in drafted)
    assert drafted[0]["text"].startswith(f"The module {mod} appears in the logs")
    assert await _listed(client, mod, "missing") == []

    module_id = drafted[0]["description_id"]
    approved = await _ok(await client.post(f"{ROUTE}/{module_id}/approve", json={"by": "ana"}))
    assert approved["state"] == "approved" and approved["decided_by"] == "ana"
    assert approved["decided_at"] is not None
    again = await client.post(f"{ROUTE}/{module_id}/approve", json={"by": "ana"})
    assert again.status_code == 409 and "approved" in again.json()["detail"]
    detail = await _ok(await client.get(f"{ROUTE}/{module_id}"))
    assert [(e["action"], e["actor"]) for e in detail["history"]] == [
        ("drafted", "templates"),
        ("approved", "ana"),
    ]
    with psycopg.connect(db_url) as conn:
        row = conn.execute("SELECT description FROM module WHERE mod = %s", (mod,)).fetchone()
    assert row == (drafted[0]["text"],)
    redraft = await client.post(f"{ROUTE}/{module_id}/draft")
    assert redraft.status_code == 409


async def test_reject_and_edit_one(client: httpx.AsyncClient, mod: str) -> None:
    drafted = await _drafted(client, mod)
    worker = drafted[1]["description_id"]
    rejected = await _ok(await client.post(f"{ROUTE}/{worker}/reject", json={"by": "bob"}))
    assert rejected["state"] == "rejected" and rejected["decided_by"] == "bob"
    assert (await client.post(f"{ROUTE}/{worker}/reject", json={"by": "bob"})).status_code == 409
    one = await _ok(await client.post(f"{ROUTE}/{worker}/draft"))
    assert [d["state"] for d in one["drafted"]] == ["draft"]
    edited = await _ok(
        await client.put(f"{ROUTE}/{worker}", json={"text": " Runs jobs. ", "by": "cy"})
    )
    assert edited["text"] == "Runs jobs." and edited["state"] == "approved"
    assert edited["drafted_by"] == "person" and edited["decided_by"] == "cy"
    approved = await _listed(client, mod, "approved")
    assert [d["description_id"] for d in approved] == [worker]


async def test_bulk_decisions_report_each_description(client: httpx.AsyncClient, mod: str) -> None:
    drafted = await _drafted(client, mod)
    ids = [d["description_id"] for d in drafted]
    body = await _ok(
        await client.post(f"{ROUTE}/approve", json={"ids": [*ids, 2**40, ids[0]], "by": "dee"})
    )
    assert [(r["description_id"], r["outcome"]) for r in body["results"]] == [
        (ids[0], "done"),
        (ids[1], "done"),
        (2**40, "not_found"),
    ]
    assert body["done"] == 2 and body["results"][0]["description"]["decided_by"] == "dee"
    rejected = await _ok(await client.post(f"{ROUTE}/reject", json={"ids": ids, "by": "dee"}))
    assert [r["outcome"] for r in rejected["results"]] == ["conflict", "conflict"]
    assert rejected["done"] == 0


async def test_paging_and_refusals(client: httpx.AsyncClient, mod: str) -> None:
    first = await _ok(await client.get(ROUTE, params={"module": mod, "limit": 1}))
    second = await _ok(await client.get(ROUTE, params={"module": mod, "limit": 1, "offset": 1}))
    assert first["total"] == second["total"] == 2
    assert [first["descriptions"][0]["smod"], second["descriptions"][0]["smod"]] == [
        None,
        "worker",
    ]
    assert (await client.get(f"{ROUTE}/{2**62}")).status_code == 404
    assert (await client.post(f"{ROUTE}/{2**62}/approve", json={"by": "a"})).status_code == 404
    assert (await client.put(f"{ROUTE}/{2**62}", json={"text": "t", "by": "a"})).status_code == 404
    bad = [
        client.get(ROUTE, params={"state": "pending"}),
        client.post(f"{ROUTE}/1/approve", json={}),
        client.post(f"{ROUTE}/1/approve", json={"by": "   "}),
        client.put(f"{ROUTE}/1", json={"text": "", "by": "a"}),
        client.post(f"{ROUTE}/approve", json={"ids": [], "by": "a"}),
        client.post(f"{ROUTE}/draft", json={"scope": "everything"}),
    ]
    for request in bad:
        answer = await request
        assert answer.status_code == 422, answer.text
    unauthenticated = await client.get(ROUTE, headers={"Authorization": "Bearer wrong"})
    assert unauthenticated.status_code == 401
