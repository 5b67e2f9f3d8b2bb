"""Resolve the services a command needs: configured ones as they are, embedded ones started.

When ARGUS_DATABASE_URL or ARGUS_KAFKA_BOOTSTRAP is set, the embedded counterpart is never
started. Embedded services started here are released when the context exits. While the context
is open, a watchdog starts the embedded PostgreSQL again if its postmaster dies (same URL).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

from argus.config import Settings
from argus.events import TOPICS
from argus.runtime.kafka import EmbeddedKafka, ensure_topics
from argus.runtime.postgres import EmbeddedPostgres
from argus.store.migrate import apply_migrations

#: Seconds between two checks of the embedded PostgreSQL's postmaster.
WATCH_PERIOD_S = 1.0

#: Called with the service's name ("postgres") after a watchdog started it again.
OnRestart = Callable[[str], None]


@dataclass(frozen=True, kw_only=True)
class Database:
    """A reachable, migrated PostgreSQL (with pgvector)."""

    url: str  #: libpq URL
    started: tuple[str, ...] = ()  #: human-readable notes on how it was reached, in order
    migrations_applied: tuple[int, ...] = ()  #: migration versions applied now


@dataclass(frozen=True, kw_only=True)
class Broker:
    """A reachable Kafka-protocol broker with the pipeline's topics created."""

    bootstrap: str  #: host:port
    started: tuple[str, ...] = ()  #: human-readable notes on how it was reached
    #: True when this process has just started the in-memory embedded broker: every event
    #: published before is gone, so waiting batches are to be announced again at once.
    empty: bool = False


@dataclass(frozen=True, kw_only=True)
class Services:
    """Both services a long-running process needs, resolved."""

    database: Database
    broker: Broker

    @classmethod
    def at(cls, database_url: str, bootstrap: str) -> Services:
        """Services already running at these addresses (nothing started, nothing migrated)."""
        return cls(database=Database(url=database_url), broker=Broker(bootstrap=bootstrap))

    @property
    def database_url(self) -> str:
        """The database's libpq URL."""
        return self.database.url

    @property
    def kafka_bootstrap(self) -> str:
        """The broker's host:port."""
        return self.broker.bootstrap

    @property
    def empty_broker(self) -> bool:
        """The broker has just started empty (see :attr:`Broker.empty`)."""
        return self.broker.empty

    @property
    def started(self) -> tuple[str, ...]:
        """How each service was reached, database first."""
        return self.database.started + self.broker.started


@contextlib.asynccontextmanager
async def running_database(
    settings: Settings, *, on_restart: OnRestart | None = None
) -> AsyncIterator[Database]:
    """Yield PostgreSQL, migrated: ARGUS_DATABASE_URL, or the embedded one started and watched
    while the context is open (``on_restart`` hears of each restart; on exit the watchdog stops
    before the handle is released)."""
    with contextlib.ExitStack() as stack:
        notes: list[str] = []
        url = _database(settings, notes, stack, on_restart)
        applied = await apply_migrations(url)
        yield Database(url=url, started=tuple(notes), migrations_applied=tuple(applied))


@contextlib.asynccontextmanager
async def running_broker(settings: Settings) -> AsyncIterator[Broker]:
    """Yield Kafka with the pipeline's topics: ARGUS_KAFKA_BOOTSTRAP, or the embedded broker
    (started, or attached to when another process of this home runs it)."""
    with contextlib.ExitStack() as stack:
        broker = _kafka(settings, stack)
        await ensure_topics(broker.bootstrap, TOPICS)
        yield broker


@contextlib.asynccontextmanager
async def running_services(
    settings: Settings, *, on_restart: OnRestart | None = None
) -> AsyncIterator[Services]:
    """Yield both services (see :func:`running_database` and :func:`running_broker`)."""
    async with (
        running_database(settings, on_restart=on_restart) as database,
        running_broker(settings) as broker,
    ):
        yield Services(database=database, broker=broker)


def _database(
    settings: Settings,
    notes: list[str],
    stack: contextlib.ExitStack,
    on_restart: OnRestart | None,
) -> str:
    if settings.database_url is not None:
        notes.append("PostgreSQL: using ARGUS_DATABASE_URL")
        return settings.database_url.get_secret_value()
    pg = EmbeddedPostgres(settings.pgdata_dir)
    url = pg.start()
    stack.callback(pg.stop)
    notify = (lambda: on_restart("postgres")) if on_restart is not None else None
    watchdog = asyncio.create_task(pg.watch(WATCH_PERIOD_S, notify), name="postgres-watchdog")
    stack.callback(watchdog.cancel)  # runs first; pg.stop waits for a restart under way
    notes.append(f"PostgreSQL: embedded, data in {settings.pgdata_dir}")
    return url


def _kafka(settings: Settings, stack: contextlib.ExitStack) -> Broker:
    if settings.kafka_bootstrap:
        note = f"Kafka: using ARGUS_KAFKA_BOOTSTRAP={settings.kafka_bootstrap}"
        return Broker(bootstrap=settings.kafka_bootstrap, started=(note,))
    embedded = EmbeddedKafka(settings.kafka_dir)
    bootstrap = embedded.start()
    stack.callback(embedded.stop)
    how = "started" if embedded.owned else "attached"
    note = f"Kafka: embedded tansu broker {how} at {bootstrap}"
    return Broker(bootstrap=bootstrap, started=(note,), empty=embedded.owned)
