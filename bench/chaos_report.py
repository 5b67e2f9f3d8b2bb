"""What became of the chaos bench's batches, read from PostgreSQL, and the figures printed.

lost: submitted (complete answered 202) but neither ``diagnosed`` nor ``failed`` at the end.
diagnosed twice: more than one ``argus.diagnosed`` outbox row for the batch (one is written in
the transaction of each move to ``diagnosed``). Time to report: from the 202 of complete to the
batch's ``diagnosed_at`` (both clocks of this machine).
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

import numpy as np
import psycopg

from argus import events
from bench.chaos_client import Submission
from bench.chaos_faults import Fault

TERMINAL = ("diagnosed", "failed")


@dataclass(kw_only=True)
class Outcome:
    """One batch as PostgreSQL has it."""

    status: str
    failure_reason: str | None
    parsed_at: float | None  #: epoch seconds
    diagnosed_at: float | None  #: epoch seconds
    diagnosed_events: int  #: argus.diagnosed outbox rows
    has_report: bool  #: a completed diagnosis row with a report


async def outcomes(database_url: str, ids: list[str]) -> dict[str, Outcome]:
    """The batches ``ids`` (those PostgreSQL does not know are left out)."""
    async with await psycopg.AsyncConnection.connect(database_url, connect_timeout=5) as conn:
        cur = await conn.execute(
            "SELECT b.batch_id::text, b.status, b.failure_reason,"
            " extract(epoch FROM b.parsed_at)::float8, extract(epoch FROM b.diagnosed_at)::float8,"
            " (SELECT count(*) FROM outbox o WHERE o.batch_id = b.batch_id"
            "  AND o.topic = %s),"
            " EXISTS (SELECT 1 FROM diagnosis d WHERE d.batch_id = b.batch_id"
            "  AND d.status = 'completed' AND d.report IS NOT NULL)"
            " FROM batch b WHERE b.batch_id = ANY(%s::uuid[])",
            (events.DIAGNOSED, ids),
        )
        return {
            str(bid): Outcome(
                status=str(st),
                failure_reason=reason,
                parsed_at=parsed,
                diagnosed_at=at,
                diagnosed_events=int(n),
                has_report=bool(rep),
            )
            for bid, st, reason, parsed, at, n, rep in await cur.fetchall()
        }


async def orphans(database_url: str, ids: list[str]) -> int:
    """Batches the client never heard of (a create retried after its answer was lost)."""
    async with await psycopg.AsyncConnection.connect(database_url, connect_timeout=5) as conn:
        cur = await conn.execute(
            "SELECT count(*) FROM batch WHERE NOT batch_id = ANY(%s::uuid[])", (ids,)
        )
        row = await cur.fetchone()
    return int(row[0]) if row else 0


async def wait_terminal(database_url: str, ids: list[str], timeout_s: float) -> dict[str, Outcome]:
    """Poll until every batch is diagnosed or failed, or ``timeout_s`` passes; the last view.

    A database that does not answer for a while (a fault still being repaired) is polled again."""
    deadline = time.monotonic() + timeout_s
    seen: dict[str, Outcome] = {}
    last_print = 0.0
    while time.monotonic() < deadline:
        try:
            seen = await outcomes(database_url, ids)
        except psycopg.OperationalError:
            await asyncio.sleep(1)
            continue
        done = sum(o.status in TERMINAL for o in seen.values())
        if done == len(ids):
            break
        if time.monotonic() - last_print > 15:
            last_print = time.monotonic()
            print(f"  waiting: {done}/{len(ids)} diagnosed or failed", flush=True)
        await asyncio.sleep(1)
    return seen


def pct(values: list[float], q: float) -> float:
    """The q-th percentile (0..100), linear interpolation; NaN for no values."""
    return float(np.percentile(np.asarray(values), q)) if values else float("nan")


def in_flight(sub: Submission, outcome: Outcome | None, fault: Fault, t0_epoch: float) -> bool:
    """True when the batch's life (first request to diagnosed_at, or the end when it has none)
    overlaps the fault (struck to back)."""
    if fault.at is None:
        return False
    start, end = fault.at + t0_epoch, (fault.back_at or fault.at) + t0_epoch
    finished = outcome.diagnosed_at if outcome and outcome.diagnosed_at else float("inf")
    return sub.started_at <= end and finished >= start


@dataclass(kw_only=True)
class Figures:
    """The bench's verdict."""

    submitted: int
    not_submitted: list[Submission]
    diagnosed: int
    failed: dict[str, str]  #: batch id -> reason
    lost: dict[str, str]  #: batch id -> state at the end
    doubled: dict[str, int]  #: batch id -> argus.diagnosed rows
    no_report: list[str]  #: diagnosed without a completed diagnosis row
    latency_all: list[float]
    latency_fault: list[float]  #: batches in flight during some fault
    latency_calm: list[float]  #: the others
    orphans: int

    @property
    def ok(self) -> bool:
        """Nothing lost, nothing diagnosed twice."""
        return not self.lost and not self.doubled


def figures(
    subs: list[Submission],
    seen: dict[str, Outcome],
    faults: list[Fault],
    t0_epoch: float,
    orphan_count: int,
) -> Figures:
    """Count the outcomes of the submitted batches."""
    accepted = [s for s in subs if s.accepted_at is not None and s.batch_id]
    fig = Figures(
        submitted=len(accepted),
        diagnosed=0,
        failed={},
        lost={},
        doubled={},
        no_report=[],
        latency_all=[],
        latency_fault=[],
        latency_calm=[],
        orphans=orphan_count,
        not_submitted=[s for s in subs if s.accepted_at is None],
    )
    for sub in accepted:
        assert sub.batch_id is not None and sub.accepted_at is not None
        out = seen.get(sub.batch_id)
        if out is None or out.status not in TERMINAL:
            fig.lost[sub.batch_id] = out.status if out else "unknown to PostgreSQL"
        elif out.status == "failed":
            fig.failed[sub.batch_id] = out.failure_reason or "(no reason)"
        else:
            fig.diagnosed += 1
            if not out.has_report:
                fig.no_report.append(sub.batch_id)
        if out and out.diagnosed_events > 1:
            fig.doubled[sub.batch_id] = out.diagnosed_events
        if out and out.diagnosed_at is not None:
            latency = out.diagnosed_at - sub.accepted_at
            fig.latency_all.append(latency)
            hit = any(in_flight(sub, out, f, t0_epoch) for f in faults)
            (fig.latency_fault if hit else fig.latency_calm).append(latency)
    return fig


def _latency_row(label: str, values: list[float]) -> str:
    return (
        f"| {label} | {len(values)} | {pct(values, 50):.1f} | {pct(values, 95):.1f} | "
        f"{max(values, default=float('nan')):.1f} |"
    )


def print_figures(fig: Figures, faults: list[Fault], subs: list[Submission], wall_s: float) -> None:
    """The verdict, the fault schedule and the time to report, as Markdown."""
    print(
        "\n| submitted | diagnosed | failed | lost | diagnosed twice | not submitted | "
        "orphans (create retried) | wall time s |\n|---:|---:|---:|---:|---:|---:|---:|---:|"
    )
    print(
        f"| {fig.submitted} | {fig.diagnosed} | {len(fig.failed)} | {len(fig.lost)} | "
        f"{len(fig.doubled)} | {len(fig.not_submitted)} | {fig.orphans} | {wall_s:.0f} |"
    )
    print(
        "\n| fault | planned at s | struck at s | down s | back at s | note |"
        "\n|---|---:|---:|---:|---:|---|"
    )
    for f in faults:
        at = f"{f.at:.1f}" if f.at is not None else "not struck"
        back = f"{f.back_at:.1f}" if f.back_at is not None else "-"
        print(f"| {f.kind} | {f.planned_at:.1f} | {at} | {f.outage_s:.1f} | {back} | {f.note} |")
    print(
        "\n| time to report (complete 202 -> diagnosed_at) | batches | p50 s | p95 s | max s |"
        "\n|---|---:|---:|---:|---:|"
    )
    print(_latency_row("all batches", fig.latency_all))
    print(_latency_row("in flight during a fault", fig.latency_fault))
    print(_latency_row("no fault while in flight", fig.latency_calm))
    retries: dict[str, int] = {}
    for sub in subs:
        for kind, n in sub.retries.items():
            retries[kind] = retries.get(kind, 0) + n
    print(f"\nclient retries by answer: {dict(sorted(retries.items())) or 'none'}")
    for label, items in (("FAILED", fig.failed), ("LOST", fig.lost), ("DOUBLED", fig.doubled)):
        for batch_id, what in items.items():
            print(f"{label}: {batch_id} {what}")
    for batch_id in fig.no_report:
        print(f"DIAGNOSED WITHOUT REPORT: {batch_id}")
    for sub in fig.not_submitted:
        print(f"NOT SUBMITTED: batch {sub.index} ({sub.batch_id}): {sub.error}")
