"""Web console benchmark (issue #15): how fast the pages a person opens most are served.

    python -m bench console [-- --lines 100000 --batches 1000 --requests 200]

``argus serve`` runs as a child process (its own embedded PostgreSQL and Kafka, a temporary
ARGUS_HOME removed at the end, one API key). Set-up: a fault-free batch and then a faulty one of
``--lines`` generated lines each (``bench/gen_logs.py``; the first is the second's baseline), both
diagnosed; then more batches of other sources until ``--batches`` exist (created through the API,
left pending: the list shows them as they are). Measured, one request after another from a
signed-in client (the session cookie): the batch page of the diagnosed ``--lines`` batch (timeline,
files, report, similar incidents), its charts fragment (which the page loads next: statistics of
the batch and its baseline), the batches page (first page of ``--batches``) and its table fragment
(what the live refresh polls), each ``--requests`` times after 5 warm-up requests; p50 and p95.
Exits with status 1 when the batch page or the batches page is over 300 ms at p95.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import shutil
import sys
import tempfile
import time
from pathlib import Path

import httpx

from bench.bench_load import AUTH, KEY, batch_file, pct, running_service, service_env, upload
from bench.machine import exit_cleanly_on_signals, print_machine

SOURCE = "bench-console"
TARGET_MS = 300.0
DIAGNOSE_TIMEOUT_S = 900.0


async def _diagnosed(client: httpx.AsyncClient, path: Path) -> str:
    batch_id = await upload(client, path, SOURCE)
    deadline = time.monotonic() + DIAGNOSE_TIMEOUT_S
    while time.monotonic() < deadline:
        status = (await client.get(f"/api/v1/batches/{batch_id}", headers=AUTH)).json()["status"]
        if status in ("diagnosed", "failed"):
            if status == "failed":
                raise SystemExit(f"batch {batch_id} failed")
            return batch_id
        await asyncio.sleep(1.0)
    raise SystemExit(f"batch {batch_id} not diagnosed in {DIAGNOSE_TIMEOUT_S:.0f} s")


async def _fill(client: httpx.AsyncClient, total: int) -> None:
    """Create batches until ``total`` exist (ten sources, two platforms)."""
    have = 2
    semaphore = asyncio.Semaphore(8)

    async def one(i: int) -> None:
        body = {"source": f"device-{i % 10}", "labels": {"platform": f"p{i % 2}"}}
        async with semaphore:
            (await client.post("/api/v1/batches", json=body, headers=AUTH)).raise_for_status()

    await asyncio.gather(*(one(i) for i in range(total - have)))


def _timed(client: httpx.Client, path: str, requests: int) -> list[float]:
    for _ in range(5):
        client.get(path).raise_for_status()
    times = []
    for _ in range(requests):
        started = time.perf_counter()
        answer = client.get(path)
        times.append((time.perf_counter() - started) * 1000)
        answer.raise_for_status()
    return times


def measure(url: str, args: argparse.Namespace) -> bool:
    """Set up the batches, time the pages, print the table; False when a target is missed."""

    async def setup() -> str:
        async with httpx.AsyncClient(base_url=url, timeout=120, trust_env=False) as client:
            await _diagnosed(client, batch_file(args.lines, args.seed, None))
            batch_id = await _diagnosed(client, batch_file(args.lines, args.seed + 1, "db-pool"))
            await _fill(client, args.batches)
            return batch_id

    batch_id = asyncio.run(setup())
    with httpx.Client(base_url=url, timeout=60, trust_env=False) as client:
        signed = client.post("/signin", data={"key": KEY, "next": "/"})
        assert signed.status_code == 303, signed.text
        pages = {
            f"batch page ({args.lines:,}-line diagnosed batch)": f"/batches/{batch_id}",
            "its charts fragment (loaded by the page)": f"/batches/{batch_id}/fragments/charts",
            f"batches page ({args.batches:,} batches, first page)": "/",
            "batches table fragment (the live refresh)": "/fragments/batches",
        }
        results = {name: _timed(client, path, args.requests) for name, path in pages.items()}
    print("\n| page | requests | p50 ms | p95 ms | target p95 |\n|---|---|---|---|---|")
    ok = True
    for i, (name, times) in enumerate(results.items()):
        target = i in (0, 2)
        p95 = pct(times, 95)
        ok = ok and (not target or p95 < TARGET_MS)
        mark = f"< {TARGET_MS:.0f} ms" if target else "—"
        print(f"| {name} | {len(times)} | {pct(times, 50):.1f} | {p95:.1f} | {mark} |")
    return ok


def parse_args(argv: list[str]) -> argparse.Namespace:
    """The bench's options."""
    ap = argparse.ArgumentParser(prog="python -m bench console")
    ap.add_argument("--lines", type=int, default=100_000, help="lines of the diagnosed batch")
    ap.add_argument("--batches", type=int, default=1000, help="batches in the list")
    ap.add_argument("--requests", type=int, default=200, help="timed requests per page")
    ap.add_argument("--seed", type=int, default=1500)
    return ap.parse_args(argv)


def main(argv: list[str]) -> None:
    """Run the benchmark in a temporary ARGUS_HOME and print the Markdown table."""
    args = parse_args(argv)
    exit_cleanly_on_signals()
    print_machine(f"start {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC")
    home = Path(tempfile.mkdtemp(prefix="argus-bench-console-"))
    try:
        with running_service(home, 1, service_env(home, 2, None)) as service:
            ok = measure(service.url, args)
    except KeyboardInterrupt:
        raise SystemExit("interrupted: service stopped, temporary ARGUS_HOME removed") from None
    finally:
        shutil.rmtree(home, ignore_errors=True)
    if not ok:
        raise SystemExit(1)


if __name__ == "__main__":
    main(sys.argv[1:])
