"""Small gz logs for the pass-1 re-run tests: a quiet baseline, and a batch whose new shapes the
library has not learned yet (the batch is counted without being mined)."""

from __future__ import annotations

import gzip
import random
from pathlib import Path

#: (module, level, event) of the quiet baseline; ``{}`` are variables.
QUIET = [
    ("api", "INFO", f"{verb} /{path}/{{}} answered {{}} in {{}} ms")
    for verb in ("GET", "POST", "PUT")
    for path in ("cart", "order", "user", "stock")
] + [("db", "INFO", f"query on {table} returned {{}} rows in {{}} ms") for table in ("a", "b")]

#: (module, level, event) shapes only the batch has: a replica that stopped answering.
FAILING = [
    ("db", "ERROR", f"replica {{}} refused {what} after {{}} retries in zone {zone}")
    for what in ("connection", "handshake", "replication stream")
    for zone in ("north", "south", "east", "west")
]


def write_log(path: Path, lines: int, seed: int, failing_share: float = 0.0) -> Path:
    """A gz file of ``lines`` records in the default format, ``failing_share`` of them from
    FAILING, the rest from QUIET, ten records a second."""
    rng = random.Random(seed)
    with gzip.open(path, "wt") as fh:
        for i in range(lines):
            mod, level, event = rng.choice(FAILING if rng.random() < failing_share else QUIET)
            text = event.format(*(rng.randint(1, 10**5) for _ in range(event.count("{}"))))
            ts = f"2026-01-01 10:{(i // 600) % 60:02d}:{(i // 10) % 60:02d}.000"
            fh.write(f"[{ts}][{level}][T{i % 4}][{mod}][main] {text}\n")
    return path
