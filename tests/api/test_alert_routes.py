"""/api/v1 alert routes over real HTTP: rules CRUD, channels whose URL and secret never come
back, silences with expiry and reason, notifications with their delivery state and /metrics."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from argus.config import AlertSettings
from argus.store import alert_outbox
from argus.store.connection import connect
from argus.workers.notify import Deliverer
from bench.alert_receiver import PATHS, Receiver
from tests.alerts.conftest import diagnosed
from tests.api.conftest import AUTH

pytestmark = pytest.mark.integration


@pytest.fixture
async def client(base_url: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=base_url, headers=AUTH, timeout=60) as api:
        yield api


@pytest.fixture
def tag() -> str:
    return uuid.uuid4().hex[:8]


async def test_a_channel_never_shows_its_url_path_query_or_secret(
    client: httpx.AsyncClient, tag: str
) -> None:
    body = {
        "name": f"dt-{tag}",
        "kind": "dingtalk",
        "url": "https://oapi.example.com/robot/send?access_token=T0KEN",
        "secret": "SECabc123",
    }
    put = await client.put(f"/api/v1/alert-channels/dt-{tag}", json=body)
    assert put.status_code == 200, put.text
    assert put.json()["target"] == "https://oapi.example.com" and put.json()["has_secret"]
    listed = await client.get("/api/v1/alert-channels")
    for answer in (put, listed):
        assert "T0KEN" not in answer.text and "SECabc123" not in answer.text
        assert "/robot/send" not in answer.text
    other = await client.put(f"/api/v1/alert-channels/other-{tag}", json=body)
    assert other.status_code == 200 and other.json()["name"] == f"other-{tag}"  # the path's
    ftp = await client.put(f"/api/v1/alert-channels/dt-{tag}", json={**body, "url": "ftp://x"})
    assert ftp.status_code == 422
    assert (await client.delete(f"/api/v1/alert-channels/dt-{tag}")).status_code == 204
    assert (await client.delete(f"/api/v1/alert-channels/dt-{tag}")).status_code == 404


async def test_rules_are_created_read_replaced_and_deleted(
    client: httpx.AsyncClient, tag: str
) -> None:
    channel = {"name": f"c-{tag}", "kind": "webhook", "url": "http://127.0.0.1:9/hook"}
    assert (await client.put(f"/api/v1/alert-channels/c-{tag}", json=channel)).status_code == 200
    rule = {
        "name": f"r-{tag}",
        "match": {"categories": ["database"], "min_confidence": 0.5},
        "suppress_s": "15m",
        "escalation": {"repeats": 3, "within_s": "1h"},
        "channels": [f"c-{tag}"],
    }
    unknown = await client.post("/api/v1/alert-rules", json={**rule, "channels": ["nope"]})
    assert unknown.status_code == 409 and "nope" in unknown.json()["detail"]
    created = await client.post("/api/v1/alert-rules", json=rule)
    assert created.status_code == 201, created.text
    assert created.json()["suppress_s"] == 900 and created.json()["escalation"]["within_s"] == 3600
    assert (await client.post("/api/v1/alert-rules", json=rule)).status_code == 409
    bad = await client.post("/api/v1/alert-rules", json={**rule, "match": {"categories": ["x"]}})
    assert bad.status_code == 422
    replaced = await client.put(f"/api/v1/alert-rules/r-{tag}", json={**rule, "severity": "info"})
    assert replaced.status_code == 200 and replaced.json()["severity"] == "info"
    assert (await client.get(f"/api/v1/alert-rules/r-{tag}")).json()["severity"] == "info"
    names = [r["name"] for r in (await client.get("/api/v1/alert-rules")).json()]
    assert f"r-{tag}" in names
    assert (await client.delete(f"/api/v1/alert-rules/r-{tag}")).status_code == 204
    assert (await client.get(f"/api/v1/alert-rules/r-{tag}")).status_code == 404


async def test_silences_have_an_expiry_and_a_reason(client: httpx.AsyncClient, tag: str) -> None:
    future = (datetime.now(UTC) + timedelta(hours=2)).isoformat()
    past = (datetime.now(UTC) - timedelta(minutes=1)).isoformat()
    body = {"module": f"m-{tag}", "reason": "planned maintenance", "expires_at": future}
    expired = await client.post("/api/v1/silences", json={**body, "expires_at": past})
    assert expired.status_code == 201 and not expired.json()["active"]  # stored, inactive
    assert (await client.post("/api/v1/silences", json={**body, "reason": ""})).status_code == 422
    made = await client.post("/api/v1/silences", json=body)
    assert made.status_code == 201 and made.json()["active"]
    sid = made.json()["silence_id"]
    active = (await client.get("/api/v1/silences", params={"active": "true"})).json()
    assert any(s["silence_id"] == sid and s["reason"] == "planned maintenance" for s in active)
    assert (await client.delete(f"/api/v1/silences/{sid}")).status_code == 204
    assert (await client.delete(f"/api/v1/silences/{sid}")).status_code == 404


async def test_notifications_show_their_state_and_last_error_and_count_on_metrics(
    client: httpx.AsyncClient, db_url: str, tag: str
) -> None:
    with Receiver(fail_rate=1.0) as rx:
        hook = f"{rx.url}{PATHS['webhook']}?token=Z3CRET"
        channel = {"name": f"h-{tag}", "kind": "webhook", "url": hook, "secret": "k3y-secret"}
        await client.put(f"/api/v1/alert-channels/h-{tag}", json=channel)
        rule = {"name": f"n-{tag}", "match": {"modules": [f"mod-{tag}"]}, "channels": [f"h-{tag}"]}
        assert (await client.post("/api/v1/alert-rules", json=rule)).status_code == 201
        batch = await diagnosed(db_url, module=f"mod-{tag}")
        async with await connect(db_url) as conn:
            facts = await alert_outbox.load_diagnosed(conn, batch)
            assert facts is not None
            await alert_outbox.evaluate(conn, facts, datetime.now(UTC))
        pending = await client.get("/api/v1/notifications", params={"batch_id": str(batch)})
        [shown] = pending.json()
        assert shown["state"] == "pending" and shown["rule"] == f"n-{tag}"
        deliverer = Deliverer(AlertSettings(max_attempts=1), db_url)
        async with httpx.AsyncClient() as http, await connect(db_url) as conn:
            while not await deliverer.deliver_once(conn, http):
                pass
        dead = await client.get(
            "/api/v1/notifications", params={"state": "dead", "batch_id": str(batch)}
        )
        [shown] = dead.json()
        assert shown["attempts"] == 1 and shown["last_error"] == "HTTP 500"
        assert "Z3CRET" not in dead.text and "k3y-secret" not in dead.text
        metrics = await client.get("/metrics")
        assert 'argus_notifications{state="dead"}' in metrics.text
