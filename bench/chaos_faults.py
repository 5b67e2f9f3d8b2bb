"""The chaos bench's faults: a seeded schedule, and striking each fault at its moment.

Four kinds: ``worker`` (the ``argus worker`` process SIGKILLed, started again at once with the
same ARGUS_HOME), ``serve`` (``argus serve`` likewise), ``postgres`` (the postmaster SIGKILLed,
started again after the outage) and ``broker`` (SIGKILLed, started again on the same port after
the outage, empty). Faults never overlap: each strikes at its planned moment or, when the one
before is not over yet, one second after it is.
"""

from __future__ import annotations

import asyncio
import random
import time
from dataclasses import dataclass

from bench.chaos_procs import ArgusProcess, Infra, wait_ready

KINDS = ("worker", "serve", "postgres", "broker")
OUTAGE_S = (2.0, 8.0)  #: PostgreSQL and broker outages last this long (uniform)
GAP_S = 1.0  #: least time between the end of a fault and the next one
READY_S = 180.0
#: What ``argus worker`` prints once its services are reached and its consumers start.
WORKER_UP = "worker(s), groups"


@dataclass(kw_only=True)
class Fault:
    """One planned fault and, once struck, what happened (times in seconds from the start)."""

    kind: str
    planned_at: float
    outage_s: float  #: planned time down before the restart (0: restarted at once)
    at: float | None = None  #: when it struck
    back_at: float | None = None  #: the killed part was back (serve: /readyz 200; worker: up)
    note: str = ""


@dataclass(kw_only=True)
class Targets:
    """What the faults strike."""

    infra: Infra
    serve: ArgusProcess
    worker: ArgusProcess
    serve_url: str


def plan(rng: random.Random, count: int, window_s: float) -> list[Fault]:
    """``count`` faults at sorted random moments of ``window_s``, kinds balanced (each kind
    about ``count / 4`` times, in a random order)."""
    kinds = [KINDS[i % len(KINDS)] for i in range(count)]
    rng.shuffle(kinds)
    moments = sorted(rng.uniform(0.05 * window_s, 0.95 * window_s) for _ in range(count))
    return [
        Fault(
            kind=kind,
            planned_at=round(at, 1),
            outage_s=round(rng.uniform(*OUTAGE_S), 1) if kind in ("postgres", "broker") else 0.0,
        )
        for kind, at in zip(kinds, moments, strict=True)
    ]


async def strike(fault: Fault, targets: Targets, t0: float) -> None:
    """Kill the part ``fault`` names, wait its outage, bring it back; record the times."""
    fault.at = time.monotonic() - t0
    if fault.kind in ("worker", "serve"):
        proc = targets.worker if fault.kind == "worker" else targets.serve
        proc.kill()
        proc.start()
        back = (
            await wait_ready(targets.serve_url, READY_S)
            if fault.kind == "serve"
            else await proc.wait_output(WORKER_UP, READY_S)
        )
        if not back:
            fault.note = f"not back within {READY_S:.0f} s"
    elif fault.kind == "postgres":
        pid = targets.infra.kill_postgres()
        await asyncio.sleep(fault.outage_s)
        await targets.infra.restart_postgres()
        fault.note = f"postmaster {pid} killed"
    else:
        targets.infra.kill_broker()
        await asyncio.sleep(fault.outage_s)
        await targets.infra.restart_broker()
    fault.back_at = time.monotonic() - t0


async def run_schedule(faults: list[Fault], targets: Targets, t0: float) -> None:
    """Strike every fault in order, none before its moment nor before the last one is over."""
    for fault in faults:
        wait = t0 + fault.planned_at - time.monotonic()
        if wait > 0:
            await asyncio.sleep(wait)
        down = f" (down {fault.outage_s:.1f} s)" if fault.outage_s else ""
        print(f"  t={time.monotonic() - t0:6.1f} s  fault: {fault.kind}{down}", flush=True)
        await strike(fault, targets, t0)
        await asyncio.sleep(GAP_S)
