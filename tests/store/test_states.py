"""The named states are the states PostgreSQL holds: every status the SQL writes, compares or
allows is a member of ``BatchStatus`` (or ``FileStatus``), and the state machine run on a real
database reaches every batch state and no other."""

from __future__ import annotations

import ast
import re
import uuid
from pathlib import Path
from typing import Any

import psycopg
import pytest

from argus import events
from argus.batch_status import BatchStatus, FileStatus
from argus.store import batches
from argus.store.batches import ClaimOutcome, CompleteOutcome
from tests.conftest import migrated_database

ARGUS = Path(__file__).resolve().parents[2] / "argus"
Conn = psycopg.AsyncConnection[Any]

#: A status named in SQL text: ``status = 'x'``, ``status <> 'x'``, ``status IN ('x', ...)``,
#: ``THEN 'x'``/``ELSE 'x'`` of a CASE, ``DEFAULT 'x'``.
_NAMED = re.compile(
    r"status\s*(?:=|<>|!=)\s*'(?P<one>\w+)'"
    r"|status\s+(?:NOT\s+)?IN\s*\((?P<many>[^)]*)\)"
    r"|(?:THEN|ELSE|DEFAULT)\s+'(?P<case>\w+)'",
    re.IGNORECASE,
)


@pytest.fixture(scope="module")
async def db_url(pg_url: str) -> str:
    """A database of this module's own (its half-done batches stay away from other tests)."""
    return await migrated_database(pg_url, "named_states")


def _named_in(sql: str) -> set[str]:
    """Every status literal ``sql`` names (see ``_NAMED``)."""
    found: set[str] = set()
    for match in _NAMED.finditer(sql):
        if match["many"] is not None:
            found.update(re.findall(r"'(\w+)'", match["many"]))
        else:
            found.add(match["one"] or match["case"])
    return found


def _python_sql() -> dict[str, set[str]]:
    """Status literals in the SQL of the package's Python code, by file."""
    named: dict[str, set[str]] = {}
    for path in sorted(ARGUS.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Constant) and isinstance(node.value, str)):
                continue
            if found := _named_in(node.value):
                named.setdefault(str(path.relative_to(ARGUS)), set()).update(found)
    return named


async def _allowed(conn: Conn) -> dict[str, set[str]]:
    """Per table, the values the ``CHECK`` constraint on its ``status`` (or ``state``) column
    allows."""
    cur = await conn.execute(
        "SELECT c.conrelid::regclass::text, a.attname, pg_get_constraintdef(c.oid)"
        " FROM pg_constraint c"
        " JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY(c.conkey)"
        " WHERE c.contype = 'c' AND a.attname IN ('status', 'state')"
    )
    allowed: dict[str, set[str]] = {}
    for table, column, definition in await cur.fetchall():
        values = set(re.findall(r"'(\w+)'::text", str(definition)))
        if column == "status":
            assert str(table) not in allowed, f"two status checks on {table}"
            allowed[str(table)] = values
        else:  # a ``state`` column may be named by several checks (with other columns)
            allowed.setdefault(f"{table}.{column}", set()).update(values)
    return allowed


async def test_the_check_constraints_allow_exactly_the_enums(db_url: str) -> None:
    async with await psycopg.AsyncConnection.connect(db_url, autocommit=True) as conn:
        allowed = await _allowed(conn)
    assert allowed["batch"] == set(BatchStatus)
    assert allowed["batch_file"] == set(FileStatus)


async def test_every_status_named_in_sql_is_a_member(db_url: str) -> None:
    async with await psycopg.AsyncConnection.connect(db_url, autocommit=True) as conn:
        allowed = await _allowed(conn)
    # the batch's and its files' states (the enums, by the test above), and the other tables'
    # own (a diagnosis is "completed", a registered file "processed", ...)
    known = set(BatchStatus) | set(FileStatus) | set().union(*allowed.values())
    named = _python_sql()
    strays = {path: found - known for path, found in named.items() if found - known}
    assert strays == {}
    # the pattern finds what it looks for: the diagnosis' own state is named in the store
    assert "completed" in named.get("store/batches.py", set())
    assert _named_in("WHERE status IN ('parsed', 'diagnosed') AND x = 1") == {"parsed", "diagnosed"}


def test_the_states_parse_and_diagnose_claim_from_are_states() -> None:
    """Each stage's claim rule and the topic table speak only of batch states."""
    for rule in batches._STAGES.values():
        assert {*rule.sources, rule.working, *rule.done} <= set(BatchStatus)
    assert set(batches.NEXT_TOPIC) <= set(BatchStatus)
    assert set(batches.NEXT_TOPIC.values()) <= set(events.TOPICS)


async def _uploaded(conn: Conn, names: tuple[str, ...]) -> uuid.UUID:
    batch_id = await batches.create_batch(conn, "states-test", {}, BatchStatus.PENDING)
    for name in names:
        await batches.register_upload(conn, batch_id, name, f"/nowhere/{name}", 1)
    assert await batches.complete(conn, batch_id) is CompleteOutcome.QUEUED
    return batch_id


async def _known_file(conn: Conn) -> str:
    file_id = uuid.uuid4().hex * 2  # a sha256-shaped id
    await conn.execute(
        "INSERT INTO file_registry (file_id, path, size_bytes) VALUES (%s, '/nowhere/a', 1)",
        (file_id,),
    )
    return file_id


async def test_the_state_machine_writes_every_state_and_only_those(db_url: str) -> None:
    """One batch left in each state by the store's own transitions; the database then holds
    exactly the enum's states (and file states among FileStatus)."""
    async with await psycopg.AsyncConnection.connect(db_url, autocommit=True) as conn:
        await batches.create_batch(conn, "states-test", {}, BatchStatus.PENDING)  # pending
        await _uploaded(conn, ("a.log",))  # uploaded
        parsing = await _uploaded(conn, ("a.log", "b.log"))
        assert await batches.claim(conn, parsing, 20, "parse", "me") is ClaimOutcome.CLAIMED
        file_id = await _known_file(conn)
        await batches.file_done(conn, parsing, "a.log", file_id, None, 5)  # b.log left: parsing
        for _ in range(2):  # parsed, then diagnosing
            batch_id = await _uploaded(conn, ("a.log",))
            assert await batches.claim(conn, batch_id, 20, "parse") is ClaimOutcome.CLAIMED
            await batches.file_done(conn, batch_id, "a.log", file_id, None, 5)
            assert await batches.close_parse_barrier(conn, batch_id) is BatchStatus.PARSED
        diagnosing, diagnosed = batch_id, await _uploaded(conn, ("a.log",))
        assert await batches.claim(conn, diagnosing, 20, "diagnose") is ClaimOutcome.CLAIMED
        assert await batches.claim(conn, diagnosed, 20, "parse") is ClaimOutcome.CLAIMED
        await batches.file_done(conn, diagnosed, "a.log", file_id, None, 5)
        assert await batches.close_parse_barrier(conn, diagnosed) is BatchStatus.PARSED
        assert await batches.claim(conn, diagnosed, 20, "diagnose") is ClaimOutcome.CLAIMED
        assert await batches.finish_diagnosis(conn, diagnosed, None) is True
        failed = await _uploaded(conn, ("x.log",))
        assert await batches.claim(conn, failed, 20, "parse") is ClaimOutcome.CLAIMED
        await batches.file_done(conn, failed, "x.log", None, "not a log file")
        assert await batches.close_parse_barrier(conn, failed) is BatchStatus.FAILED
        cur = await conn.execute("SELECT DISTINCT status FROM batch")
        states = {str(row[0]) for row in await cur.fetchall()}
        cur = await conn.execute("SELECT DISTINCT status FROM batch_file")
        file_states = {str(row[0]) for row in await cur.fetchall()}
        counts = await batches.count_by_state(conn)
    assert states == set(BatchStatus)
    assert file_states <= set(FileStatus)
    assert set(counts) == set(BatchStatus) and all(n > 0 for n in counts.values())
