"""``argus worker``: stage workers only (no API), to scale the pipeline out across processes."""

from __future__ import annotations

from collections.abc import Callable

from argus.config import Settings
from argus.runtime.processes import sigterm_as_interrupt
from argus.service.serve import service_dependencies
from argus.workers.pool import WorkerPool


async def run_workers(
    settings: Settings, count: int, kinds: tuple[str, ...], say: Callable[[str], None]
) -> None:
    """Run ``count`` consumers of each kind until SIGINT or SIGTERM (both cancel the run)."""
    with sigterm_as_interrupt():
        await _run(settings, count, kinds, say)


async def _run(
    settings: Settings, count: int, kinds: tuple[str, ...], say: Callable[[str], None]
) -> None:
    async with service_dependencies(settings) as services:
        say(
            f"{count} x {' + '.join(kinds)} worker(s), groups "
            f"{settings.kafka_group}-*, at {services.kafka_bootstrap}"
        )
        await WorkerPool(settings, services, count, kinds).run()
