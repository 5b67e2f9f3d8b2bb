"""Synthetic requests through a small service graph, as trace-lines frames (for timing tests).

Every request enters ``web``, which calls ``api``; ``api`` writes two lines of its own, then
calls each of ``db``, ``cache``, ``auth`` and ``search`` in turn (each writes two lines, and
``api`` one line after each answer) and answers ``web``. Step durations are a few
milliseconds with log-normal jitter; a *fault* can stretch chosen steps in a share of the
requests after an onset.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import polars as pl

from argus.tools.traces import TRACE_SCHEMA

START = datetime(2024, 1, 1, 12, 0)
CALLEES = ("db", "cache", "auth", "search")

#: (sender module, receiver module) -> extra seconds for that step of one faulty request
Stretch = Callable[[str, str], float]


@dataclass(kw_only=True)
class Fault:
    """Stretch the steps ``stretch`` picks in ``share`` of the requests after ``onset_s``."""

    stretch: Stretch
    share: float = 0.5
    onset_s: float = 30.0


@dataclass(kw_only=True)
class _Request:
    trace: str
    at: datetime
    rows: list[tuple[str, str, int, str, int, datetime, datetime]] = field(default_factory=list)

    def line(self, mod: str, tid: int) -> None:
        self.rows.append((self.trace, mod, tid, "INFO", 1, self.at, self.at))


def requests(
    count: int, seconds: float, seed: int, fault: Fault | None = None, start: datetime = START
) -> pl.DataFrame:
    """``count`` requests spread over ``seconds`` (one trace each) as a trace-lines frame."""
    rng = random.Random(seed)
    rows: list[tuple[str, str, int, str, int, datetime, datetime]] = []
    for n in range(count):
        offset = seconds * n / count
        faulty = fault is not None and offset >= fault.onset_s and rng.random() < fault.share
        request = _Request(trace=f"{seed:04d}{n:06d}", at=start + timedelta(seconds=offset))
        _walk(request, rng, fault.stretch if (fault is not None and faulty) else None)
        rows += request.rows
    return pl.DataFrame(rows, schema=TRACE_SCHEMA, orient="row")


def _walk(request: _Request, rng: random.Random, stretch: Stretch | None) -> None:
    def step(sender: str, receiver: str) -> None:
        _step(request, rng, sender, receiver, stretch)

    request.line("web", 1)
    step("web", "api")
    request.line("api", 2)
    step("api", "api")
    request.line("api", 3)
    for i, callee in enumerate(CALLEES):
        step("api", callee)
        request.line(callee, 10 + 2 * i)
        step(callee, callee)
        request.line(callee, 11 + 2 * i)
        step(callee, "api")
        request.line("api", 20 + i)
    step("api", "web")
    request.line("web", 9)


def _step(
    request: _Request, rng: random.Random, sender: str, receiver: str, stretch: Stretch | None
) -> None:
    base = 0.004 if sender != receiver else 0.001
    extra = stretch(sender, receiver) if stretch is not None else 0.0
    request.at += timedelta(seconds=base * rng.lognormvariate(0.0, 0.2) + extra)
