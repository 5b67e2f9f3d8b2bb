"""``python -m bench alerts``: diagnoses through alert rules to a receiver that fails often.

N diagnoses (default 1,000) of random sources, modules and categories are stored and announced
on ``argus.diagnosed`` (embedded PostgreSQL and Kafka of a private ARGUS_HOME); the service's own
alert evaluator and deliverers (``argus.workers``) decide three rules about them and deliver to
a loopback receiver that answers 500 to a share of requests (default 30%). Reported: every
notification the rules and windows call for (the stored decisions, replayed through the pure
decision functions in the order they were taken) against what arrived (0 lost), idempotency keys
present, raw duplicates at the receiver, and the latency from decision to delivery (p50/p95).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import random
import statistics
import tempfile
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from aiokafka import AIOKafkaProducer
from pydantic import SecretStr

from argus import events
from argus.alerts.decide import AlertState, decide, fingerprint, matches
from argus.alerts.rules import ChannelSpec, RuleSpec
from argus.batch_status import BatchStatus
from argus.config import AlertSettings, Settings
from argus.events import BatchEvent
from argus.report import Report, RootCause
from argus.runtime.services import Services, running_services
from argus.store import alert_outbox, alerts, batches
from argus.store.connection import connect
from argus.workers.alerts import AlertEvaluator
from argus.workers.notify import Deliverer
from bench.alert_receiver import PATHS, Receiver
from bench.machine import exit_cleanly_on_signals, print_machine

MODULES = [f"svc-{n}" for n in range(12)] + ["payment", "gateway"]
CATEGORIES = ["database", "timeout", "network_latency", "resource_cpu", "config"]
SOURCES = [f"car-{n}" for n in range(8)]


def rules() -> list[RuleSpec]:
    """The three rules: every database incident (10 min window), payment at high confidence
    (every one), and the x9 fleet with an escalation (5 repeats within an hour)."""
    return [
        RuleSpec.model_validate(
            {
                "name": "db",
                "match": {"categories": ["database"]},
                "suppress_s": "10m",
                "channels": ["hook"],
            }
        ),
        RuleSpec.model_validate(
            {
                "name": "payment",
                "match": {"modules": ["payment"], "min_confidence": 0.7},
                "suppress_s": 0,
                "severity": "critical",
                "channels": ["hook", "slack"],
            }
        ),
        RuleSpec.model_validate(
            {
                "name": "fleet-x9",
                "match": {"labels": {"platform": ["x9"]}},
                "fingerprint": ["module", "category"],
                "suppress_s": "1h",
                "escalation": {"repeats": 5, "within_s": "1h"},
                "channels": ["dingtalk"],
            }
        ),
    ]


async def store_diagnoses(url: str, n: int, seed: int) -> list[uuid.UUID]:
    """N random diagnosed batches."""
    rng = random.Random(seed)
    ids = []
    async with await connect(url) as conn:
        for _ in range(n):
            labels = {"platform": rng.choice(["x9", "x8"])}
            batch_id = await batches.create_batch(
                conn, rng.choice(SOURCES), labels, BatchStatus.DIAGNOSED
            )
            report = Report(
                summary="bench diagnosis",
                incident=rng.random() < 0.9,
                root_cause=RootCause(
                    module=rng.choice(MODULES),
                    category=rng.choice(CATEGORIES),  # type: ignore[arg-type]
                ),
                confidence=round(rng.random(), 2),
            )
            await batches.save_diagnosis(conn, batch_id, report)
            ids.append(batch_id)
    return ids


async def announce(bootstrap: str, ids: list[uuid.UUID]) -> None:
    """Publish the diagnosed events."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=5)
    await producer.start()
    try:
        sent = [
            await producer.send(
                events.DIAGNOSED, BatchEvent(batch_id=b).encode(), key=str(b).encode()
            )
            for b in ids
        ]
        await asyncio.gather(*sent)
    finally:
        await producer.stop()


@contextlib.asynccontextmanager
async def alert_workers(
    settings: Settings, services: Services, deliverers: int
) -> AsyncIterator[None]:
    """The evaluator and the deliverers, as ``argus serve`` runs them."""
    tasks = [asyncio.create_task(AlertEvaluator(settings, services).run())]
    tasks += [
        asyncio.create_task(Deliverer(settings.alerts, services.database_url).run())
        for _ in range(deliverers)
    ]
    try:
        yield
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


async def expected_decisions(url: str, ids: list[uuid.UUID], specs: list[RuleSpec]) -> int:
    """How many (rule, diagnosis) pairs match: the decisions the evaluator must take."""
    async with await connect(url) as conn:
        found = [await alert_outbox.load_diagnosed(conn, b) for b in ids]
    return sum(matches(s, f) for f in found if f is not None for s in specs)


async def wait_settled(url: str, decisions: int, timeout_s: float) -> None:
    """Until every matching (rule, diagnosis) is decided and no notification is pending."""
    deadline = time.monotonic() + timeout_s
    async with await connect(url) as conn:
        while time.monotonic() < deadline:
            cur = await conn.execute("SELECT count(*) FROM alert_decision")
            row = await cur.fetchone()
            states = await alert_outbox.count_by_state(conn)
            if row and row[0] >= decisions and states["pending"] == 0:
                return
            await asyncio.sleep(0.2)
    raise SystemExit("timed out before the notifications settled")


async def replayed(url: str, specs: dict[str, RuleSpec]) -> tuple[int, int]:
    """(decisions whose outcome the pure functions confirm, decisions) in the order taken."""
    async with await connect(url) as conn:
        cur = await conn.execute(
            "SELECT r.name, d.batch_id, d.outcome, d.decided_at FROM alert_decision d"
            " JOIN alert_rule r USING (rule_id) ORDER BY d.decided_at, d.batch_id"
        )
        rows = await cur.fetchall()
        states: dict[tuple[str, str], AlertState] = {}
        agree = 0
        for name, batch_id, outcome, at in rows:
            facts = await alert_outbox.load_diagnosed(conn, batch_id)
            assert facts is not None
            key = (name, fingerprint(specs[name], facts))
            d = decide(specs[name], states.get(key, AlertState()), at)
            states[key] = d.state
            agree += d.outcome == outcome
    return agree, len(rows)


async def run(args: argparse.Namespace, home: Path) -> dict[str, Any]:
    """One run; the figures."""
    fast = AlertSettings(
        deliverers=args.deliverers,
        timeout_s=5.0,
        backoff_first_s=0.1,
        backoff_max_s=2.0,
        max_attempts=args.max_attempts,
        poll_s=0.05,
    )
    settings = Settings(home=home, kafka_group="bench-alerts", alerts=fast)
    specs = {r.name: r for r in rules()}
    with Receiver(secret="bench-secret", fail_rate=args.fail_rate, seed=args.seed) as rx:
        async with running_services(settings) as services:
            url = services.database_url
            async with await connect(url) as conn:
                for kind in ("webhook", "slack", "dingtalk"):
                    name = "hook" if kind == "webhook" else kind
                    await alerts.put_channel(
                        conn,
                        ChannelSpec(
                            name=name,
                            kind=kind,
                            url=SecretStr(rx.url + PATHS[kind]),  # type: ignore[arg-type]
                            secret=SecretStr("bench-secret"),
                        ),
                    )
                for spec in specs.values():
                    await alerts.put_rule(conn, spec)
            ids = await store_diagnoses(url, args.diagnoses, args.seed)
            expected = await expected_decisions(url, ids, list(specs.values()))
            t0 = time.monotonic()
            async with alert_workers(settings, services, args.deliverers):
                await announce(services.kafka_bootstrap, ids)
                await wait_settled(url, expected, args.timeout)
            elapsed = time.monotonic() - t0
            async with await connect(url) as conn:
                sent = await alert_outbox.list_notifications(conn, limit=100_000)
                cur = await conn.execute(
                    "SELECT outcome, count(*) FROM alert_decision GROUP BY outcome"
                )
                outcomes = dict(await cur.fetchall())
            agree, decided = await replayed(url, specs)
    delivered = rx.delivered()
    first_at: dict[str, float] = {}
    for r in delivered:
        if r.key is not None:
            first_at.setdefault(r.key, r.wall)
    called_for = {n.idempotency_key for n in sent}
    latencies = [
        first_at[n.idempotency_key] - n.created_at.timestamp()
        for n in sent
        if n.idempotency_key in first_at
    ]
    q = statistics.quantiles(latencies, n=20) if len(latencies) >= 2 else [0.0] * 19
    return {
        "diagnoses": len(ids),
        "decisions": decided,
        "decisions confirmed by replay": agree,
        "outcomes": outcomes,
        "notifications called for": len(called_for),
        "arrived (distinct keys)": len(called_for & set(first_at)),
        "lost": len(called_for - set(first_at)),
        "dead": sum(n.state == "dead" for n in sent),
        "requests": len(rx.requests),
        "answered 500": sum(r.status == 500 for r in rx.requests),
        "without idempotency key": sum(r.key is None for r in rx.requests),
        "bad signatures": sum(r.signature_ok is False for r in rx.requests),
        "raw duplicates at receiver": rx.duplicates(),
        "latency p50 s": round(statistics.median(latencies), 3) if latencies else None,
        "latency p95 s": round(q[18], 3),
        "wall s": round(elapsed, 1),
    }


def main(argv: list[str]) -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(prog="python -m bench alerts")
    parser.add_argument("--diagnoses", type=int, default=1000)
    parser.add_argument("--fail-rate", type=float, default=0.3)
    parser.add_argument("--deliverers", type=int, default=4)
    parser.add_argument("--max-attempts", type=int, default=12)
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds to settle")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    exit_cleanly_on_signals()
    print_machine("start")
    with tempfile.TemporaryDirectory(prefix="argus-bench-alerts-") as tmp:
        figures = asyncio.run(run(args, Path(tmp)))
    print_machine("end")
    print("| figure | value |\n|---|---|")
    for name, value in figures.items():
        print(f"| {name} | {value} |")
