"""``argus worker``: batch workers only (no API), to scale the pipeline out across processes."""

from __future__ import annotations

import asyncio

from rich.console import Console

from argus.config import Settings
from argus.ingest.worker import BatchWorker
from argus.runtime.services import running_services


async def run_workers(settings: Settings, count: int, console: Console) -> None:
    """Run ``count`` workers of the batch consumer group until interrupted."""
    async with running_services(settings, database=True, kafka=True) as services:
        assert services.database_url is not None and services.kafka_bootstrap is not None
        console.print(f"{count} batch worker(s) consuming argus.batches at "
                      f"{services.kafka_bootstrap}")  # fmt: skip
        workers = [BatchWorker(settings, services.database_url, services.kafka_bootstrap)
                   for _ in range(count)]  # fmt: skip
        await asyncio.gather(*(w.run() for w in workers))
