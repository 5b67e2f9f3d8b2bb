"""Hostile input at the API's edge is refused with a 4xx, never a 500: lone surrogates in JSON,
non-ASCII credentials, oversize bodies (declared or chunked), log formats that do not compile.
The auth scheme is case-insensitive and the API's documentation needs the key."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from argus.config import LimitSettings, Settings
from argus.runtime.services import Services
from argus.service.app import create_app
from tests.api.conftest import served

pytestmark = pytest.mark.integration

KEY = "k3y"
AUTH = {"Authorization": f"Bearer {KEY}"}
AS_JSON = {**AUTH, "Content-Type": "application/json"}
JSON_CAP = 16 * 1024
UPLOAD_CAP = 64 * 1024


@pytest.fixture(scope="module")
async def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("guards-home")


@pytest.fixture(scope="module")
async def api(home: Path, db_url: str, kafka_bootstrap: str) -> AsyncIterator[httpx.AsyncClient]:
    """The API with small body caps and one key."""
    limits = LimitSettings(max_json_bytes=JSON_CAP, max_upload_bytes=UPLOAD_CAP)
    configured = Settings(home=home, api_keys=[SecretStr(KEY)], llm="none", limits=limits)
    app = create_app(configured, Services.at(db_url, kafka_bootstrap), workers=0)
    async with served(app) as url, httpx.AsyncClient(base_url=url, timeout=30) as client:
        yield client


async def _post_json(client: httpx.AsyncClient, path: str, body: Any) -> httpx.Response:
    """POST ``body`` as JSON text with \\u escapes (a lone surrogate survives as ``\\ud800``)."""
    return await client.post(path, content=json.dumps(body).encode(), headers=AS_JSON)


async def _new_batch(client: httpx.AsyncClient) -> str:
    created = await client.post("/api/v1/batches", json={"source": "guards"}, headers=AUTH)
    assert created.status_code == 201, created.text
    batch_id: str = created.json()["batch_id"]
    return batch_id


@pytest.mark.parametrize(
    "body",
    [
        {"source": "gate-\ud800"},
        {"source": "gate", "labels": {"platform": "\udfff"}},
        {"source": "gate", "labels": {"\ud800key": "v"}},
        {"source": "gate", "log_format": "<Date> \ud83d<Content>"},
    ],
)
async def test_lone_surrogates_in_a_new_batch_are_refused(
    api: httpx.AsyncClient, body: dict[str, Any]
) -> None:
    answer = await _post_json(api, "/api/v1/batches", body)
    assert answer.status_code == 422, answer.text
    errors = answer.json()["detail"]
    assert errors and all("input" not in error for error in errors)  # the input is not echoed


@pytest.mark.parametrize(
    "body", [{"question": "why \ud800 now?"}, {"question": "why?", "thread_id": "t\udc00"}]
)
async def test_lone_surrogates_in_a_chat_question_are_refused(
    api: httpx.AsyncClient, body: dict[str, Any]
) -> None:
    batch_id = await _new_batch(api)
    answer = await _post_json(api, f"/api/v1/batches/{batch_id}/chat", body)
    assert answer.status_code == 422, answer.text


@pytest.mark.parametrize(
    "authorization",
    ["Bearer ключ".encode(), "Bearer clé".encode("latin-1"), b"Bearer \xff\xfe", b"\xe9\xe9"],
)
async def test_a_non_ascii_bearer_token_is_a_plain_401(
    api: httpx.AsyncClient, authorization: bytes
) -> None:
    batch_id = await _new_batch(api)
    answer = await api.get(f"/api/v1/batches/{batch_id}", headers={"Authorization": authorization})
    assert answer.status_code == 401, answer.text
    assert answer.headers["WWW-Authenticate"] == "Bearer"


@pytest.mark.parametrize("scheme", ["bearer", "BEARER", "bEaReR"])
async def test_the_auth_scheme_is_case_insensitive(api: httpx.AsyncClient, scheme: str) -> None:
    batch_id = await _new_batch(api)
    answer = await api.get(
        f"/api/v1/batches/{batch_id}", headers={"Authorization": f"{scheme} {KEY}"}
    )
    assert answer.status_code == 200, answer.text


async def test_another_scheme_or_a_wrong_key_is_refused(api: httpx.AsyncClient) -> None:
    batch_id = await _new_batch(api)
    for value in (f"Basic {KEY}", f"Bearer {KEY}x", KEY, "Bearer"):
        answer = await api.get(f"/api/v1/batches/{batch_id}", headers={"Authorization": value})
        assert answer.status_code == 401, (value, answer.text)


def _padded_batch(size: int) -> bytes:
    """A valid batch body of exactly ``size`` bytes (JSON whitespace as padding)."""
    head, tail = b'{"source": "padded"', b"}"
    return head + b" " * (size - len(head) - len(tail)) + tail


async def test_a_json_body_at_the_cap_is_accepted(api: httpx.AsyncClient) -> None:
    answer = await api.post("/api/v1/batches", content=_padded_batch(JSON_CAP), headers=AS_JSON)
    assert answer.status_code == 201, answer.text


async def test_a_declared_json_body_over_the_cap_is_refused(api: httpx.AsyncClient) -> None:
    answer = await api.post("/api/v1/batches", content=_padded_batch(JSON_CAP + 1), headers=AS_JSON)
    assert answer.status_code == 413, answer.text


async def test_a_chunked_json_body_over_the_cap_is_refused(api: httpx.AsyncClient) -> None:
    body = _padded_batch(4 * JSON_CAP)

    async def chunks() -> AsyncIterator[bytes]:  # no Content-Length: sent chunked
        for start in range(0, len(body), 1000):
            yield body[start : start + 1000]

    answer = await api.post("/api/v1/batches", content=chunks(), headers=AS_JSON)
    assert "content-length" not in answer.request.headers
    assert answer.status_code == 413, answer.text


async def test_a_chunked_chat_body_over_the_cap_is_refused(api: httpx.AsyncClient) -> None:
    batch_id = await _new_batch(api)
    question = json.dumps({"question": "x" * (2 * JSON_CAP)}).encode()

    async def chunks() -> AsyncIterator[bytes]:
        yield question

    answer = await api.post(f"/api/v1/batches/{batch_id}/chat", content=chunks(), headers=AS_JSON)
    assert answer.status_code == 413, answer.text


async def test_an_upload_declared_over_its_cap_is_refused_unread(
    api: httpx.AsyncClient, home: Path
) -> None:
    """Headers announce 10 GB and no byte of the body is sent: only a server that answers
    without reading the body can reply."""
    batch_id = await _new_batch(api)
    url = httpx.URL(str(api.base_url))
    reader, writer = await asyncio.open_connection(url.host, url.port)
    request = (
        f"PUT /api/v1/batches/{batch_id}/files/huge.log HTTP/1.1\r\nHost: {url.host}\r\n"
        f"Authorization: Bearer {KEY}\r\nContent-Length: {10 * 1024**3}\r\n\r\n"
    )
    writer.write(request.encode())
    await writer.drain()
    status_line = await asyncio.wait_for(reader.readline(), timeout=20)
    writer.close()
    assert status_line.split()[1] == b"413", status_line
    assert not (home / "uploads" / batch_id / "huge.log").exists()


async def test_an_upload_over_its_cap_is_cut_off_and_leaves_nothing(
    api: httpx.AsyncClient, home: Path
) -> None:
    batch_id = await _new_batch(api)

    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(2 * UPLOAD_CAP // 4096 + 1):
            yield b"y" * 4096

    answer = await api.put(
        f"/api/v1/batches/{batch_id}/files/big.log", content=chunks(), headers=AUTH
    )
    assert answer.status_code == 413, answer.text
    batch_dir = home / "uploads" / batch_id
    assert not (batch_dir / "big.log").exists()
    assert not any((batch_dir / ".tmp").iterdir())
    view = (await api.get(f"/api/v1/batches/{batch_id}", headers=AUTH)).json()
    assert view["files"] == []


async def test_an_upload_under_its_cap_is_accepted_past_the_json_cap(
    api: httpx.AsyncClient, home: Path
) -> None:
    batch_id = await _new_batch(api)
    body = b"z" * (JSON_CAP * 2)  # bigger than any JSON body, smaller than the upload cap
    answer = await api.put(f"/api/v1/batches/{batch_id}/files/ok.log", content=body, headers=AUTH)
    assert answer.status_code == 201, answer.text
    assert (home / "uploads" / batch_id / "ok.log").read_bytes() == body


@pytest.mark.parametrize(
    ("log_format", "reason"),
    [
        ("<Date> <Level>", "no <Content> field"),
        ("<Date> <Date> <Content>", "not a unique plain name"),
        ("<Date> (<Content>", "not a valid pattern"),
        ("(?=x)<Date> <Content>", "look-around"),  # Python's re takes it, polars does not
    ],
)
async def test_a_log_format_that_does_not_compile_is_refused_at_creation(
    api: httpx.AsyncClient, log_format: str, reason: str
) -> None:
    body = {"source": "fmt", "log_format": log_format}
    answer = await api.post("/api/v1/batches", json=body, headers=AUTH)
    assert answer.status_code == 422, answer.text
    assert reason in answer.text


@pytest.mark.parametrize("log_format", ["<Date> <Time> <Level> <Content>", "raw", "bracket"])
async def test_a_log_format_that_compiles_is_kept(api: httpx.AsyncClient, log_format: str) -> None:
    body = {"source": "fmt", "log_format": log_format}
    answer = await api.post("/api/v1/batches", json=body, headers=AUTH)
    assert answer.status_code == 201, answer.text
    assert answer.json()["labels"]["log_format"] == log_format


@pytest.mark.parametrize("path", ["/docs", "/redoc", "/openapi.json"])
async def test_the_documentation_needs_the_key(api: httpx.AsyncClient, path: str) -> None:
    assert (await api.get(path)).status_code == 401
    assert (await api.get(path, headers={"Authorization": "Bearer nope"})).status_code == 401
    answer = await api.get(path, headers=AUTH)
    assert answer.status_code == 200, answer.text


async def test_health_stays_open(api: httpx.AsyncClient) -> None:
    assert (await api.get("/healthz")).status_code == 200
