"""The alert worker, a real ``argus worker --kind alerts`` process, SIGKILLed mid-delivery and
started again: no notification lost, at most the in-flight one repeated (same idempotency key),
no suppressed alert sent."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from argus.store import alert_outbox
from argus.store.connection import connect
from bench.alert_receiver import PATHS, Receiver
from tests.alerts.conftest import add_channel, add_rule, diagnosed
from tests.alerts.test_end_to_end import decisions, publish

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]


def start_worker(url: str, bootstrap: str, home: Path, group: str) -> subprocess.Popen[bytes]:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("ARGUS_")},
        "ARGUS_DATABASE_URL": url,
        "ARGUS_KAFKA_BOOTSTRAP": bootstrap,
        "ARGUS_HOME": str(home),
        "ARGUS_KAFKA_GROUP": group,
        "ARGUS_LLM": "none",
        "ARGUS_ALERTS__DELIVERERS": "1",
        "ARGUS_ALERTS__TIMEOUT_S": "20",
        "ARGUS_ALERTS__BACKOFF_FIRST_S": "0.1",
        "ARGUS_ALERTS__BACKOFF_MAX_S": "0.5",
        "ARGUS_ALERTS__POLL_S": "0.05",
        "PYTHONPATH": str(ROOT),
    }
    return subprocess.Popen(
        [sys.executable, "-m", "argus", "worker", "--kind", "alerts", "--count", "1"],
        env=env,
        cwd=home,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


async def test_sigkill_mid_delivery_loses_nothing_and_repeats_only_the_in_flight_one(
    alerts_db: str, kafka_bootstrap: str, tmp_path: Path
) -> None:
    # the 4th request hangs: the worker is killed while it waits for that answer
    with Receiver(secret="s", script=["200", "500", "200", "hang:30"], fail_rate=0.3) as rx:
        await add_channel(alerts_db, "ops", "webhook", rx.url + PATHS["webhook"], "s")
        await add_rule(alerts_db, name="all", channels=["ops"], suppress_s="1h")
        alerting = [await diagnosed(alerts_db, module=f"m{n}") for n in range(6)]
        repeats = [await diagnosed(alerts_db, module=f"m{n}") for n in range(3)]
        group = f"kill-{uuid.uuid4().hex[:8]}"
        worker = start_worker(alerts_db, kafka_bootstrap, tmp_path, group)
        try:
            await publish(kafka_bootstrap, *alerting)
            await decisions(alerts_db, len(alerting))
            await publish(kafka_bootstrap, *repeats)  # repeats inside the window: held back
            assert await asyncio.to_thread(rx.wait_for, 4, 120), "the worker sent too little"
            worker.send_signal(signal.SIGKILL)
            worker.wait(timeout=30)
            assert rx.requests[3].status == 0  # it was waiting for this answer when killed
            in_flight = rx.requests[3].key
            worker = start_worker(alerts_db, kafka_bootstrap, tmp_path, group)
            sent = await settled_all(alerts_db, len(alerting))
        finally:
            worker.send_signal(signal.SIGTERM)
            try:
                worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                worker.kill()
        assert {n.state for n in sent} == {"delivered"}
        assert {n.batch_id for n in sent} == set(alerting)  # none for the held-back repeats
        delivered = [r.key for r in rx.delivered()]
        assert set(delivered) == {n.idempotency_key for n in sent}  # 0 lost
        repeated = {k for k in delivered if delivered.count(k) > 1}
        assert repeated <= {in_flight}  # at most the in-flight one, with its own key
        received_batches = {r.body.decode() for r in rx.requests}
        assert not any(str(b) in body for b in repeats for body in received_batches)


async def settled_all(url: str, count: int) -> list[alert_outbox.NotificationRecord]:
    for _ in range(1200):
        async with await connect(url) as conn:
            sent = await alert_outbox.list_notifications(conn)
        if len(sent) >= count and all(n.state != "pending" for n in sent):
            return sent
        await asyncio.sleep(0.1)
    raise AssertionError("notifications did not settle")
