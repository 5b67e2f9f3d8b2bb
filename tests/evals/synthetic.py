"""Tiny eval cases written by the tests: gzip logs of three services in the Nezha line format."""

from __future__ import annotations

import gzip
import random
from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path

import yaml

LOG_FORMAT = "<Timestamp> <Module> <Time> <Level> <Component> <Content>"
SERVICES = ("ts-alpha-service", "ts-beta-service", "ts-gamma-service")
NORMAL = (
    "INFO  c.c.Controller#31 TraceID: {trace} SpanID: {span} [Query][id: {uid}] found {n} rows",
    "INFO  c.s.ServiceImpl#54 TraceID: {trace} SpanID: {span} [Verify] login success for {uid}",
    "INFO  c.s.ServiceImpl#77 TraceID: {trace} SpanID: {span} [Cache] refreshed {n} entries",
)
FAULT = (
    "ERROR c.s.ServiceImpl#90 TraceID: {trace} SpanID: {span} [Save] failed to write order "
    "{uid}: connection refused after {n} ms"
)


def log_line(at: datetime, module: str, text: str) -> str:
    """One line: ``<Timestamp> <Module> <Time> <Level> <Component> <Content>``."""
    return f"{at.isoformat()}.000000000Z {module} {at:%H:%M:%S}.000 {text}"


def window_lines(
    start: datetime,
    minutes: int,
    *,
    fault_in: str | None = None,
    seed: int = 0,
    fault_from_s: int = 0,
) -> dict[str, list[str]]:
    """Lines per service over ``minutes`` from ``start``; ``fault_in`` also logs the fault,
    from ``fault_from_s`` seconds into the window on."""
    rng = random.Random(seed)
    lines: dict[str, list[str]] = {s: [] for s in SERVICES}
    for second in range(0, minutes * 60, 2):
        at = start + timedelta(seconds=second)
        for service in SERVICES:
            pattern = NORMAL[rng.randrange(len(NORMAL))]
            if service == fault_in and second % 4 == 0 and second >= fault_from_s:
                pattern = FAULT
            fields = {
                "trace": f"{rng.getrandbits(64):016x}",
                "span": f"{rng.getrandbits(32):08x}",
                "uid": f"{rng.getrandbits(32):08x}",
                "n": rng.randrange(1, 500),
            }
            lines[service].append(log_line(at, service, pattern.format(**fields)))
    return lines


def write_gz(path: Path, lines: Sequence[str]) -> None:
    """A gzip file of ``lines``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(path, "wt", encoding="utf-8") as fh:
        fh.writelines(line + "\n" for line in lines)


def write_case(
    root: Path,
    case_id: str,
    start: datetime,
    *,
    fault_in: str | None,
    seed: int = 0,
    fault_from_s: int = 0,
    notes: str = "",
) -> Path:
    """A case folder: a three-minute batch from ``start`` and a one-minute fault-free baseline
    ending ten minutes before it. ``fault_in=None`` makes a fault-free case; the fault begins
    ``fault_from_s`` seconds into the batch."""
    folder = root / case_id
    batch = window_lines(start, 3, fault_in=fault_in, seed=seed, fault_from_s=fault_from_s)
    baseline = window_lines(start - timedelta(minutes=11), 1, seed=seed + 1)
    for service in SERVICES:
        write_gz(folder / "logs" / f"{service}.log.gz", batch[service])
        write_gz(folder / "baseline" / f"{service}.log.gz", baseline[service])
    expected = {
        "root_cause_module": fault_in,
        "category": "code_exception" if fault_in else "none",
    }
    meta = {
        "id": case_id,
        "system": "synthetic",
        "log_format": LOG_FORMAT,
        "expected": expected,
        "notes": notes,
    }
    (folder / "case.yaml").write_text(yaml.safe_dump(meta), encoding="utf-8")
    return folder
