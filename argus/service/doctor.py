"""``argus doctor``: bring up (or reach) each service and check it."""

from __future__ import annotations

from argus.config import Settings
from argus.console.assets import missing_vendor, node_modules
from argus.errors import ArgusError
from argus.runtime.health import Check, check_database, check_embeddings, check_kafka, check_llm
from argus.runtime.llm import local_llm
from argus.runtime.services import running_broker, running_database


async def run_doctor(settings: Settings, *, embeddings: bool = True) -> list[Check]:
    """Check the database, Kafka, the embedding model and the LLM; never raise for a down one."""
    checks = [await _database(settings), await _kafka(settings)]
    if embeddings:
        checks.append(await check_embeddings(settings))
    checks.append(await _llm(settings))
    checks.append(_console(settings))
    return checks


def _console(settings: Settings) -> Check:
    """The console's npm files are installed (htmx, Chart.js; ``npm ci`` in ``make install``)."""
    missing = missing_vendor(settings)
    if missing:
        where = node_modules(settings)
        detail = f"missing {', '.join(missing)} under {where}: run npm ci (make install)"
        return Check(name="console", ok=False, detail=detail)
    return Check(name="console", ok=True, detail=f"assets in {node_modules(settings)}")


async def _database(settings: Settings) -> Check:
    try:
        async with running_database(settings) as database:
            return await check_database(database.url)
    except ArgusError as exc:
        return Check(name="database", ok=False, detail=f"down: {exc}")


async def _kafka(settings: Settings) -> Check:
    if settings.kafka_bootstrap:
        return await check_kafka(settings.kafka_bootstrap)
    try:
        async with running_broker(settings) as broker:
            return await check_kafka(broker.bootstrap)
    except ArgusError as exc:
        return Check(name="kafka", ok=False, detail=f"down: {exc}")


async def _llm(settings: Settings) -> Check:
    if settings.llm_mode != "local":
        return await check_llm(settings)
    try:
        with local_llm(settings) as base_url:
            return await check_llm(settings, base_url)
    except ArgusError as exc:
        return Check(name="llm", ok=False, detail=f"down: {exc}")
