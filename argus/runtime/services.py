"""Resolve the services a command needs: configured ones as they are, embedded ones started.

When ARGUS_DATABASE_URL or ARGUS_KAFKA_BOOTSTRAP is set, the embedded counterpart is never
started. Embedded services started here are released when the context exits. While the context
is open, a watchdog starts the embedded PostgreSQL again if its postmaster dies (same URL).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field

from argus.config import Settings
from argus.events import TOPICS
from argus.runtime.kafka import EmbeddedKafka, ensure_topics
from argus.runtime.postgres import EmbeddedPostgres
from argus.store.migrate import apply_migrations

#: Seconds between two checks of the embedded PostgreSQL's postmaster.
WATCH_PERIOD_S = 1.0

#: Called with the service's name ("postgres") after a watchdog started it again.
OnRestart = Callable[[str], None]


@dataclass
class Services:
    """Addresses of the running services and what was done to get them."""

    database_url: str | None = None  #: libpq URL of PostgreSQL, None when not requested
    kafka_bootstrap: str | None = None  #: host:port of Kafka, None when not requested
    started: list[str] = field(default_factory=list)  #: human-readable notes, in order
    #: True when this process has just started the in-memory embedded broker: every event
    #: published before is gone, so waiting batches are to be announced again at once.
    empty_broker: bool = False
    migrations_applied: list[int] = field(default_factory=list)  #: versions applied now


@contextlib.asynccontextmanager
async def running_services(
    settings: Settings,
    *,
    database: bool = True,
    kafka: bool = False,
    on_restart: OnRestart | None = None,
) -> AsyncIterator[Services]:
    """Yield the services asked for, migrated and with the pipeline's topics created.

    The embedded PostgreSQL (only when ARGUS_DATABASE_URL is unset) is watched while the context
    is open; ``on_restart`` hears of each restart. On exit the watchdog stops before the handle
    is released.
    """
    services = Services()
    with contextlib.ExitStack() as stack:
        if database:
            services.database_url = _database(settings, services, stack, on_restart)
            services.migrations_applied = await apply_migrations(services.database_url)
        if kafka:
            services.kafka_bootstrap = _kafka(settings, services, stack)
            await ensure_topics(services.kafka_bootstrap, TOPICS)
        yield services


def _database(
    settings: Settings,
    services: Services,
    stack: contextlib.ExitStack,
    on_restart: OnRestart | None,
) -> str:
    if settings.database_url is not None:
        services.started.append("PostgreSQL: using ARGUS_DATABASE_URL")
        return settings.database_url.get_secret_value()
    pg = EmbeddedPostgres(settings.pgdata_dir)
    url = pg.start()
    stack.callback(pg.stop)
    notify = (lambda: on_restart("postgres")) if on_restart is not None else None
    watchdog = asyncio.create_task(pg.watch(WATCH_PERIOD_S, notify), name="postgres-watchdog")
    stack.callback(watchdog.cancel)  # runs first; pg.stop waits for a restart under way
    services.started.append(f"PostgreSQL: embedded, data in {settings.pgdata_dir}")
    return url


def _kafka(settings: Settings, services: Services, stack: contextlib.ExitStack) -> str:
    if settings.kafka_bootstrap:
        services.started.append(f"Kafka: using ARGUS_KAFKA_BOOTSTRAP={settings.kafka_bootstrap}")
        return settings.kafka_bootstrap
    broker = EmbeddedKafka(settings.kafka_dir)
    bootstrap = broker.start()
    stack.callback(broker.stop)
    services.empty_broker = broker.owned
    how = "started" if broker.owned else "attached"
    services.started.append(f"Kafka: embedded tansu broker {how} at {bootstrap}")
    return bootstrap
