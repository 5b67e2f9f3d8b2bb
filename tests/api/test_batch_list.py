"""GET /api/v1/batches over real HTTP on embedded PostgreSQL: filters by state, source and
labels, newest-first pages joined by a cursor, 422 naming a bad filter, and the key."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

import httpx
import pytest

from argus.batch_status import BatchStatus
from argus.store import batches
from argus.store.connection import connect
from tests.api.conftest import AUTH

pytestmark = pytest.mark.integration


@pytest.fixture
async def client(base_url: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=base_url, headers=AUTH, timeout=30) as api:
        yield api


async def _create(client: httpx.AsyncClient, source: str, **labels: str) -> str:
    answer = await client.post("/api/v1/batches", json={"source": source, "labels": labels})
    assert answer.status_code == 201, answer.text
    batch_id: str = answer.json()["batch_id"]
    return batch_id


async def _list(client: httpx.AsyncClient, **params: Any) -> dict[str, Any]:
    answer = await client.get("/api/v1/batches", params=params)
    assert answer.status_code == 200, answer.text
    page: dict[str, Any] = answer.json()
    return page


def _ids(page: dict[str, Any]) -> list[str]:
    return [b["batch_id"] for b in page["batches"]]


async def test_pages_run_newest_first_and_the_cursor_joins_them(
    client: httpx.AsyncClient,
) -> None:
    source = f"paging-{uuid.uuid4().hex[:8]}"
    created = [await _create(client, source) for _ in range(5)]
    first = await _list(client, source=source, limit=2)
    assert _ids(first) == created[::-1][:2]
    assert first["limit"] == 2 and first["next_cursor"]
    created.append(await _create(client, source))  # a newer batch never shifts later pages
    second = await _list(client, source=source, limit=2, cursor=first["next_cursor"])
    assert _ids(second) == created[:5][::-1][2:4]
    third = await _list(client, source=source, limit=2, cursor=second["next_cursor"])
    assert _ids(third) == [created[0]]
    assert third["next_cursor"] is None
    whole = await _list(client, source=source)
    assert _ids(whole) == created[::-1] and whole["next_cursor"] is None


async def test_a_page_that_ends_on_the_last_batch_has_no_next_cursor(
    client: httpx.AsyncClient,
) -> None:
    source = f"exact-{uuid.uuid4().hex[:8]}"
    created = [await _create(client, source) for _ in range(2)]
    page = await _list(client, source=source, limit=2)
    assert _ids(page) == created[::-1] and page["next_cursor"] is None


async def test_filters_by_state_source_and_every_label(client: httpx.AsyncClient) -> None:
    source = f"filters-{uuid.uuid4().hex[:8]}"
    plain = await _create(client, source, platform="p1", firmware="2.3")
    other_fw = await _create(client, source, platform="p1", firmware="2.4")
    uploaded = await _create(client, source, platform="p2")
    put = await client.put(f"/api/v1/batches/{uploaded}/files/a.log", content=b"line\n")
    assert put.status_code == 201, put.text
    done = await client.post(f"/api/v1/batches/{uploaded}/complete")
    assert done.status_code == 202, done.text

    assert _ids(await _list(client, source=source, label="platform=p1")) == [other_fw, plain]
    both = await _list(client, source=source, label=["platform=p1", "firmware=2.3"])
    assert _ids(both) == [plain]
    assert _ids(await _list(client, source=source, label="platform=nowhere")) == []
    assert _ids(await _list(client, source=source, state="uploaded")) == [uploaded]
    assert _ids(await _list(client, source=source, state="pending")) == [other_fw, plain]
    any_of = await _list(client, source=source, state=["pending", "uploaded"])
    assert _ids(any_of) == [uploaded, other_fw, plain]
    assert _ids(await _list(client, source=f"{source}-none")) == []
    row = (await _list(client, source=source, state="uploaded"))["batches"][0]
    assert row["status"] == "uploaded" and row["file_count"] == 1
    assert row["labels"] == {"platform": "p2"} and "files" not in row


async def test_a_label_value_may_hold_an_equals_sign(client: httpx.AsyncClient) -> None:
    source = f"equals-{uuid.uuid4().hex[:8]}"
    batch = await _create(client, source, query="a=b")
    assert _ids(await _list(client, source=source, label="query=a=b")) == [batch]
    assert _ids(await _list(client, source=source, label="query=a")) == []


async def test_elapsed_time_runs_until_the_batch_ends(
    client: httpx.AsyncClient, db_url: str
) -> None:
    source = f"elapsed-{uuid.uuid4().hex[:8]}"
    running = await _create(client, source)
    failed = await _create(client, source)
    async with await connect(db_url) as conn:
        await batches.set_status(conn, uuid.UUID(failed), BatchStatus.FAILED, "broken")
    before = {b["batch_id"]: b for b in (await _list(client, source=source))["batches"]}
    await asyncio.sleep(0.3)
    after = {b["batch_id"]: b for b in (await _list(client, source=source))["batches"]}
    assert after[running]["elapsed_s"] >= before[running]["elapsed_s"] + 0.25
    ended = after[failed]
    assert ended["status"] == "failed" and ended["failure_reason"] == "broken"
    assert ended["elapsed_s"] == before[failed]["elapsed_s"]
    span = datetime.fromisoformat(ended["updated_at"]) - datetime.fromisoformat(ended["created_at"])
    assert ended["elapsed_s"] == pytest.approx(span.total_seconds(), abs=1e-3)


@pytest.mark.parametrize(
    ("params", "where"),
    [
        ({"state": "bogus"}, ["query", "state", 0]),
        ({"label": "platform"}, ["query", "label", 0]),
        ({"label": "=value"}, ["query", "label", 0]),
        ({"limit": "0"}, ["query", "limit"]),
        ({"limit": "501"}, ["query", "limit"]),
        ({"cursor": "not-a-cursor"}, ["query", "cursor"]),
        ({"source": ""}, ["query", "source"]),
    ],
)
async def test_an_invalid_filter_is_a_422_naming_it(
    client: httpx.AsyncClient, params: dict[str, str], where: list[Any]
) -> None:
    answer = await client.get("/api/v1/batches", params=params)
    assert answer.status_code == 422, answer.text
    assert [error["loc"] for error in answer.json()["detail"]] == [where]


async def test_listing_needs_the_key(base_url: str) -> None:
    async with httpx.AsyncClient(base_url=base_url, timeout=30) as anonymous:
        missing = await anonymous.get("/api/v1/batches")
        wrong = await anonymous.get(
            "/api/v1/batches", headers={"Authorization": "Bearer not-the-key"}
        )
    for answer in (missing, wrong):
        assert answer.status_code == 401, answer.text
        assert answer.headers["WWW-Authenticate"] == "Bearer"
