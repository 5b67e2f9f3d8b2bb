"""Keep a long-running task alive: restart it whenever it ends, with a capped back-off."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from argus.metrics import WORKER_RESTARTS

log = logging.getLogger(__name__)


@dataclass(frozen=True, kw_only=True)
class Backoff:
    """Waits between restarts: ``first_s`` doubling up to ``max_s``; a run that lasted
    ``healthy_s`` resets it (a task that fails at once does not spin)."""

    first_s: float = 0.5
    max_s: float = 5.0
    healthy_s: float = 60.0

    def delay(self, failures: int) -> float:
        """The wait after ``failures`` quick failures in a row (1 or more)."""
        wait: float = self.first_s * float(2 ** max(0, failures - 1))
        return min(self.max_s, wait)


async def supervise(
    name: str, run: Callable[[], Awaitable[None]], backoff: Backoff = Backoff()
) -> None:
    """Run ``run()`` until cancelled, restarting it after it returns or raises; every restart
    is logged with the reason and counted in ``argus_worker_restarts_total``."""
    failures = 0
    while True:
        started = time.monotonic()
        try:
            await run()
            reason = "it stopped"
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            reason = f"{type(exc).__name__}: {str(exc)[:300]}"
        failures = 1 if time.monotonic() - started >= backoff.healthy_s else failures + 1
        wait = backoff.delay(failures)
        log.warning("%s ended (%s); restarting in %.1f s", name, reason, wait)
        WORKER_RESTARTS.labels(name.split("#")[0]).inc()
        await asyncio.sleep(wait)
