"""Shared fixtures: one embedded PostgreSQL and one embedded Kafka broker per test session."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import psycopg
import pytest

from argus.config import Settings
from argus.runtime.kafka import EmbeddedKafka
from argus.runtime.postgres import EmbeddedPostgres
from argus.store.migrate import apply_migrations

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


@pytest.fixture(scope="session")
def argus_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An ARGUS_HOME private to this test session."""
    return tmp_path_factory.mktemp("argus-home")


@pytest.fixture(scope="session")
def pg_url(argus_home: Path) -> Iterator[str]:
    """URL of an embedded PostgreSQL (pgvector) private to this session, schema not applied."""
    server = EmbeddedPostgres(argus_home / "pgdata")
    url = server.start()
    yield url
    server.stop()


async def migrated_database(pg_url: str, name: str) -> str:
    """A new database ``name`` on the session's server with every migration applied."""
    async with await psycopg.AsyncConnection.connect(pg_url, autocommit=True) as conn:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        await conn.execute(f'CREATE DATABASE "{name}"')
    url = _with_database(pg_url, name)
    await apply_migrations(url)
    return url


@pytest.fixture(scope="session")
async def db_url(pg_url: str) -> str:
    """A database on the session's server with every migration applied."""
    return await migrated_database(pg_url, "argus_test")


def _with_database(url: str, name: str) -> str:
    """Replace the database name of a pgserver URL (``postgresql://u:@/db?host=...``)."""
    head, _, query = url.partition("?")
    base = head.rsplit("/", 1)[0]
    return f"{base}/{name}?{query}" if query else f"{base}/{name}"


@pytest.fixture
async def fresh_db(pg_url: str, request: pytest.FixtureRequest) -> AsyncIterator[str]:
    """An empty database of its own for one test (no migration applied)."""
    name = "t_" + request.node.name.lower().replace("[", "_").replace("]", "")[:40]
    async with await psycopg.AsyncConnection.connect(pg_url, autocommit=True) as conn:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        await conn.execute(f'CREATE DATABASE "{name}"')
    yield _with_database(pg_url, name)
    async with await psycopg.AsyncConnection.connect(pg_url, autocommit=True) as conn:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def kafka_bootstrap(argus_home: Path) -> Iterator[str]:
    """Bootstrap address of an embedded tansu broker private to this session."""
    broker = EmbeddedKafka(argus_home / "kafka")
    bootstrap = broker.start()
    yield bootstrap
    broker.stop()


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """Settings isolated from the developer's environment and .env file."""
    for key in list(__import__("os").environ):
        if key.startswith("ARGUS_"):
            monkeypatch.delenv(key)
    monkeypatch.chdir(tmp_path)
    return Settings(home=tmp_path / "home")


@pytest.fixture
def cli_env(settings: Settings, db_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """Environment for CLI tests: the session database, a private ARGUS_HOME, no LLM."""
    from argus.config import get_settings

    get_settings.cache_clear()
    monkeypatch.setenv("ARGUS_DATABASE_URL", db_url)
    monkeypatch.setenv("ARGUS_HOME", str(settings.home))
    monkeypatch.setenv("ARGUS_LLM", "none")
    return db_url
