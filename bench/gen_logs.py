"""Generate synthetic bracket-format service logs: ``[ts][level][thread][mod][smod] content``.

Deterministic for a given seed. Used for the bundled example and the throughput benchmarks.

    python bench/gen_logs.py OUT.log.gz --lines 2000000 [--fault db-pool] [--seed 7]
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import random
from collections.abc import Callable, Iterator
from pathlib import Path

# (level, module, submodule, content with {placeholders} filled from FILLERS)
Event = tuple[str, str, str, str]

FILLERS: dict[str, Callable[[random.Random], object]] = {
    "n": lambda r: r.randint(1, 99_999),
    "ms": lambda r: r.randint(2, 300),
    "slow": lambda r: r.randint(500, 900),
    "small": lambda r: r.randint(0, 20),
    "tx": lambda r: f"{r.getrandbits(32):08x}",
    "amount": lambda r: f"{r.randint(1, 5000)}.{r.randint(0, 99):02d}",
    "ip": lambda r: f"10.{r.randint(0, 255)}.{r.randint(0, 255)}.{r.randint(1, 254)}",
    "ratio": lambda r: f"{r.random():.3f}",
    "sku": lambda r: r.randint(100_000, 999_999),
    "try": lambda r: r.randint(1, 3),
}

NORMAL: list[Event] = [
    ("INFO", "gateway", "http", "GET /api/v1/orders/{n} 200 in {ms} ms"),
    ("INFO", "gateway", "http", "POST /api/v1/payments 201 in {ms} ms user={n}"),
    ("INFO", "payment", "ledger", "Committed transaction tx-{tx} amount={amount} EUR"),
    ("DEBUG", "payment", "pool", "Acquired connection conn-{small} in {small} ms (idle={small})"),
    ("INFO", "inventory", "stock", "Reserved {small} items of sku-{sku} for order {n}"),
    ("INFO", "auth", "token", "Issued token for client app-{small} expires_in=3600"),
    ("WARN", "gateway", "http", "Slow upstream inventory took {slow} ms for /api/v1/stock/{n}"),
    ("INFO", "scheduler", "cron", "Job cleanup-sessions finished: removed {n} sessions"),
    ("DEBUG", "inventory", "cache", "Cache hit ratio {ratio} over {n} lookups"),
    ("INFO", "auth", "login", "User u{n} logged in from {ip}"),
]

FAULTS: dict[str, list[Event]] = {
    "db-pool": [
        (
            "ERROR",
            "payment",
            "pool",
            "Timeout waiting for connection from pool after 30000 ms (active=20, idle=0, "
            "waiting={small}) code=DB-POOL-EXHAUSTED",
        ),
        ("ERROR", "gateway", "http", "POST /api/v1/payments 503 in {slow}00 ms upstream=payment"),
        ("WARN", "payment", "ledger", "Retrying transaction tx-{tx} attempt {try}/3"),
    ],
    "disk-full": [
        (
            "ERROR",
            "scheduler",
            "export",
            "Write failed for /var/lib/export/part-{n}.csv: No space left on device (errno=28)",
        ),
        ("WARN", "scheduler", "cron", "Job export-daily retry {try} after failure"),
    ],
}


def render(content: str, rng: random.Random) -> str:
    """Fill the placeholders of one event's content."""
    return content.format_map(
        {k: fill(rng) for k, fill in FILLERS.items() if f"{{{k}}}" in content}
    )


def lines(n: int, seed: int, fault: str | None, start: dt.datetime) -> Iterator[str]:
    """Yield ``n`` log lines over one hour; a fault (if any) fills part of the last third."""
    rng = random.Random(seed)
    fault_events = FAULTS.get(fault or "", [])
    step = dt.timedelta(milliseconds=max(1, 3_600_000 // max(n, 1)))
    ts = start
    for i in range(n):
        ts += step
        in_fault = bool(fault_events) and i > (2 * n) // 3 and rng.random() < 0.25
        level, mod, smod, content = rng.choice(fault_events if in_fault else NORMAL)
        stamp = ts.strftime("%Y-%m-%d %H:%M:%S.") + f"{ts.microsecond // 1000:03d}"
        yield f"[{stamp}][{level}][T{rng.randint(1, 16)}][{mod}][{smod}] {render(content, rng)}\n"


def main() -> None:
    """Command-line entry point."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("out", type=Path)
    ap.add_argument("--lines", type=int, default=10_000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--fault", choices=sorted(FAULTS), default=None)
    ap.add_argument("--start", default="2026-11-20T10:00:00")
    args = ap.parse_args()
    start = dt.datetime.fromisoformat(args.start)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with (
        gzip.open(args.out, "wt", encoding="utf-8")
        if args.out.suffix == ".gz"
        else open(args.out, "w", encoding="utf-8") as fh
    ):
        fh.writelines(lines(args.lines, args.seed, args.fault, start))


if __name__ == "__main__":
    main()
