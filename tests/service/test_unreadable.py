"""A batch with no readable log line fails with that reason and each file's; it is never
reported as "no incident"."""

from __future__ import annotations

import asyncio
import gzip
import os
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
from tests.conftest import EXAMPLES, migrated_database
from tests.service.harness import new_name

pytestmark = pytest.mark.integration

KEY = "unreadable-key"
AUTH = {"Authorization": f"Bearer {KEY}"}

UNREADABLE = {
    "empty.log": b"",
    "binary.log": os.urandom(4096),
    "prose.log": b"Dear operator,\nthe service was fine all day.\n",
    "broken.log.gz": gzip.compress(b"[2024-01-01 00:00:00][INFO][1][a][b] hello\n")[:12]
    + b"\x00not deflate data" * 20,
}


async def _run(client: httpx.AsyncClient, files: dict[str, bytes]) -> dict[str, object]:
    created = await client.post("/api/v1/batches", json={"source": "unreadable"}, headers=AUTH)
    batch_id = created.json()["batch_id"]
    for name, body in files.items():
        put = await client.put(
            f"/api/v1/batches/{batch_id}/files/{name}", content=body, headers=AUTH
        )
        assert put.status_code == 201, put.text
    assert (await client.post(f"/api/v1/batches/{batch_id}/complete", headers=AUTH)).is_success
    for _ in range(240):
        batch: dict[str, object] = (
            await client.get(f"/api/v1/batches/{batch_id}", headers=AUTH)
        ).json()
        if batch["status"] in {"failed", "diagnosed"}:
            return batch
        await asyncio.sleep(0.5)
    raise AssertionError(f"batch {batch_id} still {batch['status']}")


async def test_a_batch_without_a_readable_line_fails_and_says_why(
    pg_url: str, kafka_bootstrap: str, tmp_path: Path
) -> None:
    await ensure_topics(kafka_bootstrap, TOPICS)
    db_url = await migrated_database(pg_url, new_name("unreadable"))
    settings = Settings(
        home=tmp_path / "home",
        api_keys=[SecretStr(KEY)],
        llm="none",
        kafka_group=new_name("unreadable"),
    )
    app = create_app(settings, Services.at(db_url, kafka_bootstrap))
    async with served(app) as url, httpx.AsyncClient(base_url=url, timeout=60) as client:
        bad = await _run(client, UNREADABLE)
        good = await _run(
            client,
            {
                **UNREADABLE,
                "ok.log.gz": (
                    EXAMPLES / "shop" / "baseline" / "payment-normal.log.gz"
                ).read_bytes(),
            },
        )
        report = await client.get(f"/api/v1/batches/{bad['batch_id']}/report", headers=AUTH)
        retried = await client.post(f"/api/v1/batches/{bad['batch_id']}/retry", headers=AUTH)
        not_failed = await client.post(f"/api/v1/batches/{good['batch_id']}/retry", headers=AUTH)
    assert bad["status"] == "failed"
    reason = str(bad["failure_reason"])
    assert reason.startswith("no readable log lines")
    for name in UNREADABLE:
        assert name in reason
    assert "empty" in reason and "log_format" in reason
    assert report.status_code == 404  # no "No incident" report for it
    assert good["status"] == "diagnosed"  # one readable file is enough
    assert retried.status_code == 202 and retried.json()["status"] == "uploaded"
    assert {f["status"] for f in retried.json()["files"]} == {"uploaded"}  # parsed again
    assert not_failed.status_code == 409
