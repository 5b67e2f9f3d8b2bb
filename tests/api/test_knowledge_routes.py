"""/api/v1/knowledge over real HTTP on embedded PostgreSQL with the real embedding model: add,
read, replace, delete and search entries; the routes and ``argus knowledge seed`` write through
one path; bad input is a 4xx naming what is wrong. Each test scopes its entries to a platform
of its own, so the shared database's other entries never reach its searches."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from argus.config import BUNDLED_EMBEDDING_MODEL
from argus.knowledge.embeddings import local_embedder
from argus.knowledge.entry import KnowledgeEntry
from argus.knowledge.loaded import LoadedEntry
from argus.knowledge.seed import seed_entries
from argus.store.connection import connect
from tests.api.conftest import AUTH

pytestmark = pytest.mark.integration

ROUTE = "/api/v1/knowledge"


@pytest.fixture
async def client(base_url: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=base_url, headers=AUTH, timeout=60) as api:
        yield api


@pytest.fixture
def platform() -> str:
    return f"plat-{uuid.uuid4().hex[:8]}"


async def _add(client: httpx.AsyncClient, **fields: Any) -> dict[str, Any]:
    answer = await client.post(ROUTE, json=fields)
    assert answer.status_code == 201, answer.text
    body: dict[str, Any] = answer.json()
    return body


async def _search(client: httpx.AsyncClient, q: str, **params: Any) -> list[dict[str, Any]]:
    answer = await client.get(f"{ROUTE}/search", params={"q": q, **params})
    assert answer.status_code == 200, answer.text
    hits: list[dict[str, Any]] = answer.json()["hits"]
    return hits


async def test_add_an_entry_and_find_it_by_search(client: httpx.AsyncClient, platform: str) -> None:
    await _add(
        client,
        platform=platform,
        symptom="compressor relay chatter every few seconds",
        solution="replace the relay",
    )
    added = await _add(
        client,
        platform=platform,
        error_code="E-FRIDGE-7",
        module="thermostat",
        category="sensor_timeout",
        symptom="thermostat probe stopped answering; door sensor polled in a tight loop",
        root_cause="the probe's I2C bus hangs after a brown-out",
        solution="  1. power-cycle the controller\n2. update the probe firmware\n",
        tags=["Fridge", "i2c", "fridge"],
    )
    assert added["source_id"].startswith("api-") and added["kb_id"] >= 1
    assert added["solution"] == "1. power-cycle the controller\n2. update the probe firmware"
    assert added["tags"] == ["fridge", "i2c"]
    assert (await client.get(f"{ROUTE}/{added['kb_id']}")).json() == added

    hits = await _search(client, "probe stopped answering on the I2C bus", platform=platform)
    own = await _search(client, "probe stopped answering", platform=platform, generic="false")
    assert [h["kb_id"] for h in own][:1] == [added["kb_id"]] and len(own) == 2
    assert [h["kb_id"] for h in hits][:1] == [added["kb_id"]]
    best = hits[0]
    assert best["source_id"] == added["source_id"] and best["reasons"]
    assert best["vector_similarity"] > 0.3 and best["text_rank"] == 1
    coded = await _search(client, "controller logged E-FRIDGE-7", platform=platform)
    assert coded[0]["kb_id"] == added["kb_id"] and coded[0]["code_match"] is True


async def test_edit_an_entry_and_see_the_change(client: httpx.AsyncClient, platform: str) -> None:
    added = await _add(
        client,
        platform=platform,
        module="spindle",
        symptom="spindle motor stalls under load",
        solution="lower the feed rate",
    )
    kb_id = added["kb_id"]
    edited = await client.put(
        f"{ROUTE}/{kb_id}",
        json={
            "platform": platform,
            "module": "coolant",
            "symptom": "coolant pump cavitates and the flow sensor reads zero",
            "solution": "bleed the coolant loop",
        },
    )
    assert edited.status_code == 200, edited.text
    view = edited.json()
    assert (view["kb_id"], view["source_id"]) == (kb_id, added["source_id"])
    assert view["module"] == "coolant" and view["solution"] == "bleed the coolant loop"
    assert view["updated_at"] > added["updated_at"]
    assert (await client.get(f"{ROUTE}/{kb_id}")).json() == view

    hits = await _search(client, "coolant pump cavitation, flow sensor zero", platform=platform)
    assert hits[0]["kb_id"] == kb_id and hits[0]["module"] == "coolant"
    stale = await _search(
        client, "spindle stalls", platform=platform, module="spindle", generic="false"
    )
    assert stale == []  # the old fields are gone from the filters too


async def test_delete_an_entry_and_get_404(client: httpx.AsyncClient, platform: str) -> None:
    added = await _add(
        client, platform=platform, symptom="gearbox oil overheats", solution="change the oil"
    )
    path = f"{ROUTE}/{added['kb_id']}"
    found = await _search(client, "gearbox oil overheats", platform=platform, generic="false")
    assert [h["kb_id"] for h in found] == [added["kb_id"]]
    assert (await client.delete(path)).status_code == 204
    for answer in (
        await client.get(path),
        await client.delete(path),
        await client.put(path, json={"symptom": "s", "solution": "f"}),
    ):
        assert answer.status_code == 404, answer.text
        assert answer.json() == {"detail": f"no knowledge entry {added['kb_id']}"}
    assert await _search(client, "gearbox oil overheats", platform=platform, generic="false") == []


async def test_a_taken_source_id_is_a_409_and_changes_nothing(
    client: httpx.AsyncClient, platform: str
) -> None:
    source_id = f"runbook/{platform}"
    first = await _add(
        client, source_id=source_id, platform=platform, symptom="fan stuck", solution="oil it"
    )
    assert first["source_id"] == source_id
    again = await client.post(
        ROUTE, json={"source_id": source_id, "symptom": "other", "solution": "other"}
    )
    assert again.status_code == 409, again.text
    assert str(first["kb_id"]) in again.json()["detail"]
    same = await client.post(
        ROUTE,
        json={
            "source_id": source_id,
            "platform": platform,
            "symptom": "fan stuck",
            "solution": "oil it",
        },
    )
    assert same.status_code == 409  # an identical entry is no new entry either
    assert (await client.get(f"{ROUTE}/{first['kb_id']}")).json() == first


async def test_the_routes_and_the_seed_share_one_entry_by_source_id(
    client: httpx.AsyncClient, platform: str, db_url: str
) -> None:
    source_id = f"pack/{platform}"
    seeded = KnowledgeEntry(
        source_id=source_id, platform=platform, symptom="belt slips", solution="tension it"
    )
    embedder = local_embedder(BUNDLED_EMBEDDING_MODEL)
    async with await connect(db_url) as conn:
        await seed_entries(conn, [LoadedEntry(entry=seeded, location="t:1")], embedder)
    hits = await _search(client, "belt slips", platform=platform, generic="false")
    kb_id = hits[0]["kb_id"]
    assert hits[0]["source_id"] == source_id

    edit = {"platform": platform, "symptom": "belt frays at the edge", "solution": "align it"}
    assert (await client.put(f"{ROUTE}/{kb_id}", json=edit)).status_code == 200
    async with await connect(db_url) as conn:
        report = await seed_entries(conn, [LoadedEntry(entry=seeded, location="t:1")], embedder)
    assert (report.inserted, report.updated) == (0, 1)  # the seed's id is the entry's key
    back = (await client.get(f"{ROUTE}/{kb_id}")).json()
    assert (back["symptom"], back["solution"]) == ("belt slips", "tension it")


async def test_search_applies_the_hard_filters(client: httpx.AsyncClient, platform: str) -> None:
    text = "hydraulic pressure drops during lift"
    coded = await _add(
        client, platform=platform, error_code="H-12", symptom=text, solution="a", firmware="2.3"
    )
    moduled = await _add(client, platform=platform, module="pump", symptom=text, solution="b")
    generic = await _add(client, symptom=f"{text} ({platform})", solution="c")

    def ids(hits: list[dict[str, Any]]) -> set[int]:
        return {h["kb_id"] for h in hits}

    assert ids(await _search(client, text, platform=platform, error_code="H-12")) == {
        coded["kb_id"]
    }
    assert ids(await _search(client, text, platform=platform, module="pump")) == {moduled["kb_id"]}
    assert coded["kb_id"] in ids(await _search(client, text, platform=platform, firmware="v2.3.1"))
    assert coded["kb_id"] not in ids(await _search(client, text, platform=platform, firmware="2.4"))
    scoped = await _search(client, text, platform=platform, limit=50)
    assert {coded["kb_id"], moduled["kb_id"], generic["kb_id"]} <= ids(scoped)
    own = await _search(client, text, platform=platform, generic="false", limit=50)
    assert ids(own) == {coded["kb_id"], moduled["kb_id"]}
    answer = await client.get(
        f"{ROUTE}/search", params={"q": text, "platform": platform, "error_code": "H-12"}
    )
    assert answer.json()["filters"] == ["error_code=H-12", f"platform={platform}"]


@pytest.mark.parametrize(
    ("body", "where"),
    [
        ({"symptom": "   ", "solution": "s"}, ["body", "symptom"]),
        ({"symptom": "s"}, ["body", "solution"]),
        ({"symptom": "s", "solution": "f", "category": "gremlins"}, ["body", "category"]),
        ({"symptom": "s", "solution": "f", "colour": "red"}, ["body", "colour"]),
        ({"symptom": "s\x00", "solution": "f"}, ["body", "symptom"]),
        ({"symptom": "s", "solution": "f", "source_id": " "}, ["body", "source_id"]),
        ({"symptom": "s", "solution": "f", "module": "m" * 101}, ["body", "module"]),
        ({"symptom": "s", "solution": "f", "tags": "a,b"}, ["body", "tags"]),
    ],
)
async def test_an_invalid_entry_is_a_422_naming_the_field(
    client: httpx.AsyncClient, body: dict[str, Any], where: list[str]
) -> None:
    answer = await client.post(ROUTE, json=body)
    assert answer.status_code == 422, answer.text
    assert [e["loc"] for e in answer.json()["detail"]] == [where]


async def test_an_edit_cannot_change_the_source_id(client: httpx.AsyncClient) -> None:
    added = await _add(client, symptom="valve sticks", solution="clean it")
    answer = await client.put(
        f"{ROUTE}/{added['kb_id']}", json={"source_id": "x", "symptom": "s", "solution": "f"}
    )
    assert answer.status_code == 422 and answer.json()["detail"][0]["loc"] == ["body", "source_id"]


@pytest.mark.parametrize(
    ("path", "where"),
    [
        (f"{ROUTE}/abc", ["path", "kb_id"]),
        (f"{ROUTE}/0", ["path", "kb_id"]),
        (f"{ROUTE}/{2**63}", ["path", "kb_id"]),
        (f"{ROUTE}/search", ["query", "q"]),
        (f"{ROUTE}/search?q=x&category=gremlins", ["query", "category"]),
        (f"{ROUTE}/search?q=x&limit=0", ["query", "limit"]),
        (f"{ROUTE}/search?q=x&limit=51", ["query", "limit"]),
        (f"{ROUTE}/search?q=%00", ["query", "q"]),
    ],
)
async def test_a_bad_id_or_search_is_a_422_naming_it(
    client: httpx.AsyncClient, path: str, where: list[str]
) -> None:
    answer = await client.get(path)
    assert answer.status_code == 422, answer.text
    assert [e["loc"] for e in answer.json()["detail"]] == [where]


async def test_an_unknown_id_is_a_404(client: httpx.AsyncClient) -> None:
    answer = await client.get(f"{ROUTE}/{2**63 - 1}")
    assert answer.status_code == 404
    assert answer.json() == {"detail": f"no knowledge entry {2**63 - 1}"}


async def test_the_knowledge_routes_need_the_key(base_url: str) -> None:
    async with httpx.AsyncClient(base_url=base_url, timeout=30) as anonymous:
        answers = [
            await anonymous.post(ROUTE, json={"symptom": "s", "solution": "f"}),
            await anonymous.get(f"{ROUTE}/search", params={"q": "x"}),
            await anonymous.get(f"{ROUTE}/1"),
            await anonymous.put(f"{ROUTE}/1", json={"symptom": "s", "solution": "f"}),
            await anonymous.delete(f"{ROUTE}/1"),
        ]
    assert [a.status_code for a in answers] == [401] * 5
