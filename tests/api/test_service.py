"""The service over real HTTP on embedded PostgreSQL and Kafka: upload a batch, get its report."""

from __future__ import annotations

import asyncio
import gzip
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from argus.config import Settings
from argus.events import TOPICS
from argus.runtime.kafka import ensure_topics
from argus.runtime.services import Services
from argus.service.app import create_app
from tests.api.conftest import served
from tests.conftest import EXAMPLES

pytestmark = pytest.mark.integration

KEY = "test-key-123"
AUTH = {"Authorization": f"Bearer {KEY}"}


@pytest.fixture
async def service(
    settings: Settings, db_url: str, kafka_bootstrap: str
) -> AsyncIterator[httpx.AsyncClient]:
    await ensure_topics(kafka_bootstrap, TOPICS)
    group = f"service-{uuid.uuid4().hex[:8]}"  # no other test's members in its groups
    configured = settings.model_copy(
        update={"api_keys": [SecretStr(KEY)], "llm": "none", "kafka_group": group}
    )
    app = create_app(configured, Services.at(db_url, kafka_bootstrap))
    async with served(app) as url, httpx.AsyncClient(base_url=url, timeout=60) as client:
        yield client


async def _report(client: httpx.AsyncClient, batch_id: str, wait_s: float = 120) -> Any:
    for _ in range(int(wait_s / 0.5)):
        answer = await client.get(f"/api/v1/batches/{batch_id}/report", headers=AUTH)
        if answer.status_code == 200:
            return answer.json()
        state = (await client.get(f"/api/v1/batches/{batch_id}", headers=AUTH)).json()
        assert state["status"] != "failed", state
        await asyncio.sleep(0.5)
    raise AssertionError("no report in time")


async def _submit(client: httpx.AsyncClient, files: dict[str, bytes]) -> str:
    created = await client.post(
        "/api/v1/batches", json={"source": "till-9", "labels": {"platform": "shop"}}, headers=AUTH
    )
    assert created.status_code == 201, created.text
    batch_id: str = created.json()["batch_id"]
    for name, body in files.items():
        put = await client.put(
            f"/api/v1/batches/{batch_id}/files/{name}", content=body, headers=AUTH
        )
        assert put.status_code == 201, put.text
    done = await client.post(f"/api/v1/batches/{batch_id}/complete", headers=AUTH)
    assert done.status_code == 202 and done.json()["status"] == "uploaded"
    return batch_id


async def test_upload_a_batch_and_receive_its_report(
    service: httpx.AsyncClient, tmp_path: Path
) -> None:
    normal = (EXAMPLES / "shop" / "baseline" / "payment-normal.log.gz").read_bytes()
    await _report(service, await _submit(service, {"payment.log.gz": normal}))
    faulty = (EXAMPLES / "shop" / "payment-db-pool.log.gz").read_bytes()
    payload = gzip.compress(b"[2026-01-01 10:00:00.000][INFO][T1][m][s] line\n" * 40_000)
    batch_id = await _submit(
        service, {"payment.log.gz": faulty, "broken.log.gz": payload[: len(payload) // 3]}
    )
    report = await _report(service, batch_id)  # the earlier batch of till-9 is the baseline
    assert report["incident"] and report["root_cause"]["module"] == "payment"
    files = {
        f["name"]: f
        for f in (await service.get(f"/api/v1/batches/{batch_id}", headers=AUTH)).json()["files"]
    }
    assert files["payment.log.gz"]["status"] == "parsed"
    assert files["broken.log.gz"]["status"] == "failed"
    assert "corrupt or truncated" in files["broken.log.gz"]["error"]
    await _statistics_and_templates(service, batch_id)
    metrics = (await service.get("/metrics", headers=AUTH)).text
    for family in (
        "argus_queue_lag{",
        "argus_parse_seconds_count",
        "argus_diagnosis_seconds_count",
        'argus_batches_by_state{state="diagnosed"}',
    ):
        assert family in metrics, family


async def _statistics_and_templates(client: httpx.AsyncClient, batch_id: str) -> None:
    stats = (await client.get(f"/api/v1/batches/{batch_id}/statistics", headers=AUTH)).json()
    modules = {m["module"]: m for m in stats["modules"]}
    assert modules["payment"]["errors"] > 0 and modules["payment"]["baseline_per_min"] > 0
    assert any("DB-POOL-EXHAUSTED" in t["template"] for t in stats["error_templates"])
    assert "DB-POOL-EXHAUSTED" in stats["error_codes"]
    answer = await client.get(f"/api/v1/batches/{batch_id}/templates?limit=500", headers=AUTH)
    rows = answer.json()["templates"]
    assert sum(t["count"] for t in rows) == stats["records"]  # every record, once
    assert [t["count"] for t in rows] == sorted((t["count"] for t in rows), reverse=True)
    pool = next(t for t in rows if "DB-POOL-EXHAUSTED" in t["template"])
    assert pool["modules"] == ["payment"] and pool["levels"] == ["ERROR"]


async def test_api_keys_and_health(service: httpx.AsyncClient) -> None:
    assert (await service.get("/healthz")).status_code == 200
    ready = await service.get("/readyz")
    for _ in range(120):  # ready once each stage's consumer has joined its group
        if ready.status_code == 200:
            break
        assert "workers: DOWN" in ready.text, ready.text
        await asyncio.sleep(0.5)
        ready = await service.get("/readyz")
    assert ready.status_code == 200 and "pgvector" in ready.text
    assert "workers: ok" in ready.text
    assert (await service.post("/api/v1/batches", json={"source": "x"})).status_code == 401
    wrong = {"Authorization": "Bearer nope"}
    assert (await service.get("/metrics", headers=wrong)).status_code == 401
    assert (await service.post("/api/v1/batches", json={"source": "x"}, headers=AUTH)).is_success
    metrics = await service.get("/metrics", headers=AUTH)
    assert "argus_batches_total" in metrics.text
    assert 'argus_batches_by_state{state="pending"}' in metrics.text


async def test_statistics_wait_for_the_parse(service: httpx.AsyncClient) -> None:
    created = await service.post("/api/v1/batches", json={"source": "x"}, headers=AUTH)
    batch_id = created.json()["batch_id"]
    early = await service.get(f"/api/v1/batches/{batch_id}/statistics", headers=AUTH)
    assert early.status_code == 409 and "no parsed files" in early.json()["detail"]
    missing = await service.get(f"/api/v1/batches/{uuid.uuid4()}/templates", headers=AUTH)
    assert missing.status_code == 404


@pytest.mark.parametrize("name", ["../etc/passwd", ".hidden", "a b.log", "x" * 300])
async def test_unsafe_file_names_are_refused(service: httpx.AsyncClient, name: str) -> None:
    created = await service.post("/api/v1/batches", json={"source": "x"}, headers=AUTH)
    batch_id = created.json()["batch_id"]
    put = await service.put(f"/api/v1/batches/{batch_id}/files/{name}", content=b"x", headers=AUTH)
    assert put.status_code in {400, 404}
