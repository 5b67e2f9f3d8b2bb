"""Versioned schema migrations, applied at start; re-running them is a no-op.

Migrations are the numbered ``migrations/NNNN_name.sql`` files of this package. Each is applied
once, in its own transaction, under an advisory lock so that two processes starting together do
not race. The checksum of every applied file is recorded: editing an applied migration is refused.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from importlib import resources

import psycopg

from argus.errors import MigrationError
from argus.store.connection import connect

#: Arbitrary constant naming Argus's advisory lock.
_LOCK_KEY = 0x4152_4755_5300

_FILE_RE = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")


@dataclass(frozen=True, kw_only=True)
class Migration:
    """One numbered SQL file."""

    version: int  #: the file's number, applied in ascending order
    name: str  #: the rest of the file name, for humans
    sql: str  #: the statements, run in one transaction

    @property
    def checksum(self) -> str:
        """sha256 of the SQL, to detect edits of applied migrations."""
        return hashlib.sha256(self.sql.encode()).hexdigest()


def bundled_migrations() -> list[Migration]:
    """The migrations shipped with this package, in version order."""
    folder = resources.files("argus.store") / "migrations"
    found = []
    for entry in folder.iterdir():
        match = _FILE_RE.match(entry.name)
        if match:
            found.append(
                Migration(
                    version=int(match[1]), name=match[2], sql=entry.read_text(encoding="utf-8")
                )
            )
    return sorted(found, key=lambda m: m.version)


async def apply_migrations(url: str, migrations: list[Migration] | None = None) -> list[int]:
    """Apply the pending migrations to the database at ``url``; return the versions applied."""
    todo = bundled_migrations() if migrations is None else migrations
    conn = await connect(url, vectors=False)  # the migrations create the extension
    async with conn:
        await conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            " version integer PRIMARY KEY, name text NOT NULL, checksum text NOT NULL,"
            " applied_at timestamptz NOT NULL DEFAULT now())"
        )
        async with conn.transaction():
            await conn.execute("SELECT pg_advisory_xact_lock(%s)", (_LOCK_KEY,))
            applied = await _applied(conn)
            return [m.version for m in todo if await _apply_one(conn, m, applied)]


async def _applied(conn: psycopg.AsyncConnection) -> dict[int, str]:
    cur = await conn.execute("SELECT version, checksum FROM schema_migrations")
    return {int(v): str(c) for v, c in await cur.fetchall()}


async def _apply_one(conn: psycopg.AsyncConnection, m: Migration, applied: dict[int, str]) -> bool:
    if m.version in applied:
        if applied[m.version] != m.checksum:
            raise MigrationError(f"migration {m.version:04d}_{m.name} changed after it was applied")
        return False
    try:
        async with conn.transaction():
            await conn.execute(m.sql)  # type: ignore[arg-type]
            await conn.execute(
                "INSERT INTO schema_migrations (version, name, checksum) VALUES (%s, %s, %s)",
                (m.version, m.name, m.checksum),
            )
    except psycopg.Error as exc:
        raise MigrationError(
            f"migration {m.version:04d}_{m.name} failed: {exc}",
            hint="the database is unchanged by this migration; fix the cause and start again",
        ) from exc
    return True
