"""Uploads racing each other and the batch's completion: 201 only for a file that will be
parsed, 409 for a batch no longer pending or a name already being uploaded, and the file on
disk is always exactly one whole body (temporary files live where no client name can reach)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr

from argus.config import Settings
from argus.events import TOPICS
from argus.runtime.kafka import ensure_topics
from argus.runtime.services import Services
from argus.service.app import create_app
from tests.api.conftest import served

pytestmark = pytest.mark.integration

KEY = "race"
AUTH = {"Authorization": f"Bearer {KEY}"}


@pytest.fixture(scope="module")
async def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("race-home")


@pytest.fixture(scope="module")
async def api(home: Path, db_url: str, kafka_bootstrap: str) -> AsyncIterator[httpx.AsyncClient]:
    await ensure_topics(kafka_bootstrap, TOPICS)
    configured = Settings(home=home, api_keys=[SecretStr(KEY)], llm="none")
    app = create_app(configured, Services.at(db_url, kafka_bootstrap), workers=0)
    async with served(app) as url, httpx.AsyncClient(base_url=url, timeout=60) as client:
        yield client


async def _new_batch(client: httpx.AsyncClient) -> str:
    created = await client.post("/api/v1/batches", json={"source": "races"}, headers=AUTH)
    assert created.status_code == 201, created.text
    batch_id: str = created.json()["batch_id"]
    return batch_id


async def _put(
    client: httpx.AsyncClient, batch_id: str, name: str, body: bytes | AsyncIterator[bytes]
) -> httpx.Response:
    return await client.put(f"/api/v1/batches/{batch_id}/files/{name}", content=body, headers=AUTH)


async def _files(client: httpx.AsyncClient, batch_id: str) -> dict[str, int]:
    view = (await client.get(f"/api/v1/batches/{batch_id}", headers=AUTH)).json()
    return {f["name"]: f["size_bytes"] for f in view["files"]}


class SlowBody:
    """A chunked request body that sends its first part, then waits for ``release``."""

    def __init__(self, first: bytes, rest: bytes) -> None:
        self.first, self.rest = first, rest
        self.release = asyncio.Event()

    async def __aiter__(self) -> AsyncIterator[bytes]:
        yield self.first
        await self.release.wait()
        yield self.rest


async def _streaming(
    client: httpx.AsyncClient, home: Path, batch_id: str, name: str, body: SlowBody
) -> asyncio.Task[httpx.Response]:
    """Start a PUT with ``body``; return once the server is writing it (its temporary file
    exists, so it holds the name)."""
    task = asyncio.create_task(_put(client, batch_id, name, body.__aiter__()))
    temps = home / "uploads" / batch_id / ".tmp"
    for _ in range(400):
        if temps.is_dir() and any(p.stat().st_size for p in temps.iterdir()):
            return task
        assert not task.done(), task.result().text
        await asyncio.sleep(0.05)
    raise AssertionError("the upload never started streaming")


async def test_an_upload_after_complete_is_refused(api: httpx.AsyncClient, home: Path) -> None:
    batch_id = await _new_batch(api)
    assert (await _put(api, batch_id, "a.log", b"first\n")).status_code == 201
    assert (await api.post(f"/api/v1/batches/{batch_id}/complete", headers=AUTH)).status_code == 202
    late = await _put(api, batch_id, "b.log", b"late\n")
    assert late.status_code == 409, late.text
    again = await _put(api, batch_id, "a.log", b"replaced\n")
    assert again.status_code == 409, again.text
    assert (home / "uploads" / batch_id / "a.log").read_bytes() == b"first\n"
    assert not (home / "uploads" / batch_id / "b.log").exists()
    assert await _files(api, batch_id) == {"a.log": 6}


async def test_a_put_streaming_when_complete_lands_ends_409(
    api: httpx.AsyncClient, home: Path
) -> None:
    batch_id = await _new_batch(api)
    assert (await _put(api, batch_id, "a.log", b"first\n")).status_code == 201
    body = SlowBody(b"x" * 10_000, b"y" * 10_000)
    upload = await _streaming(api, home, batch_id, "b.log", body)
    done = await api.post(f"/api/v1/batches/{batch_id}/complete", headers=AUTH)
    assert done.status_code == 202 and done.json()["status"] == "uploaded", done.text
    body.release.set()
    answer = await upload
    assert answer.status_code == 409, answer.text
    assert await _files(api, batch_id) == {"a.log": 6}  # what the parse stage will read
    batch_dir = home / "uploads" / batch_id
    assert sorted(p.name for p in batch_dir.iterdir()) == [".tmp", "a.log"]
    assert not any((batch_dir / ".tmp").iterdir())


async def test_a_second_put_of_a_name_being_uploaded_is_409(
    api: httpx.AsyncClient, home: Path
) -> None:
    batch_id = await _new_batch(api)
    body = SlowBody(b"A" * 50_000, b"A" * 50_000)
    first = await _streaming(api, home, batch_id, "x.log", body)
    second = await _put(api, batch_id, "x.log", b"B" * 100_000)
    assert second.status_code == 409, second.text
    body.release.set()
    assert (await first).status_code == 201
    assert (home / "uploads" / batch_id / "x.log").read_bytes() == b"A" * 100_000
    assert await _files(api, batch_id) == {"x.log": 100_000}
    third = await _put(api, batch_id, "x.log", b"C" * 10)  # the name is free again
    assert third.status_code == 201, third.text
    assert (home / "uploads" / batch_id / "x.log").read_bytes() == b"C" * 10


async def test_racing_puts_of_one_name_leave_exactly_one_body(
    api: httpx.AsyncClient, home: Path
) -> None:
    batch_id = await _new_batch(api)
    bodies = [bytes([65 + k]) * 300_000 for k in range(6)]
    answers = await asyncio.gather(*(_put(api, batch_id, "same.log", b) for b in bodies))
    codes = [a.status_code for a in answers]
    assert set(codes) <= {201, 409} and 201 in codes, codes
    stored = (home / "uploads" / batch_id / "same.log").read_bytes()
    accepted = [b for b, a in zip(bodies, answers, strict=True) if a.status_code == 201]
    assert stored in accepted  # one whole body, never a mix
    assert await _files(api, batch_id) == {"same.log": len(stored)}
    assert not any((home / "uploads" / batch_id / ".tmp").iterdir())


async def test_uploading_x_keeps_an_accepted_x_part(api: httpx.AsyncClient, home: Path) -> None:
    batch_id = await _new_batch(api)
    assert (await _put(api, batch_id, "X.part", b"part file\n")).status_code == 201
    assert (await _put(api, batch_id, "X", b"plain file\n")).status_code == 201
    batch_dir = home / "uploads" / batch_id
    assert (batch_dir / "X.part").read_bytes() == b"part file\n"
    assert (batch_dir / "X").read_bytes() == b"plain file\n"
    assert await _files(api, batch_id) == {"X": 11, "X.part": 10}


@pytest.mark.parametrize("name", [".tmp", ".hidden", "a..b"])
async def test_names_that_could_reach_temporaries_are_refused(
    api: httpx.AsyncClient, name: str
) -> None:
    batch_id = await _new_batch(api)
    answer = await _put(api, batch_id, name, b"sneaky\n")
    assert answer.status_code == 400, answer.text
