"""Repository of ``batch``, ``batch_file`` and ``diagnosis`` (one diagnosis per batch)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from typing import Any

import psycopg

from argus.agents.report import Report


async def create_batch(
    conn: psycopg.AsyncConnection[Any], source: str, labels: dict[str, str], status: str
) -> uuid.UUID:
    """A new batch row; returns its id."""
    batch_id = uuid.uuid4()
    await conn.execute(
        "INSERT INTO batch (batch_id, source, labels, status) VALUES (%s, %s, %s, %s)",
        (batch_id, source, json.dumps(labels), status),
    )
    return batch_id


async def add_files(
    conn: psycopg.AsyncConnection[Any],
    batch_id: uuid.UUID,
    files: Sequence[tuple[str, str | None, str, str | None]],
) -> None:
    """Attach files: (name, file_id, status, error) each; counts go to the batch row."""
    async with conn.cursor() as cur:
        await cur.executemany(
            "INSERT INTO batch_file (batch_id, name, file_id, status, error)"
            " VALUES (%s, %s, %s, %s, %s) ON CONFLICT (batch_id, name) DO UPDATE"
            " SET file_id = EXCLUDED.file_id, status = EXCLUDED.status, error = EXCLUDED.error,"
            " updated_at = now()",
            [(batch_id, *f) for f in files],
        )
    await conn.execute(
        "UPDATE batch SET file_count = (SELECT count(*) FROM batch_file WHERE batch_id = %s),"
        " updated_at = now() WHERE batch_id = %s",
        (batch_id, batch_id),
    )


async def set_status(
    conn: psycopg.AsyncConnection[Any], batch_id: uuid.UUID, status: str, reason: str | None = None
) -> None:
    """Move a batch to ``status`` (keeping the failure reason, if any)."""
    stamp = {"parsed": ", parsed_at = now()", "diagnosed": ", diagnosed_at = now()"}.get(status, "")
    await conn.execute(
        f"UPDATE batch SET status = %s, failure_reason = %s, updated_at = now(){stamp}"
        " WHERE batch_id = %s",
        (status, reason, batch_id),
    )


async def save_diagnosis(
    conn: psycopg.AsyncConnection[Any],
    batch_id: uuid.UUID,
    report: Report,
) -> None:
    """Store (or replace) the batch's one diagnosis (its embedding is set by the knowledge
    package's ``index_diagnosis``)."""
    await conn.execute(
        "INSERT INTO diagnosis (batch_id, status, report, summary, confidence, mode, model,"
        " prompt_tokens) VALUES (%s, 'completed', %s, %s, %s, %s, %s, %s)"
        " ON CONFLICT (batch_id) DO UPDATE SET status = 'completed', report = EXCLUDED.report,"
        " summary = EXCLUDED.summary, confidence = EXCLUDED.confidence, mode = EXCLUDED.mode,"
        " model = EXCLUDED.model, prompt_tokens = EXCLUDED.prompt_tokens, updated_at = now()",
        (batch_id, report.model_dump_json(), report.summary, report.confidence, report.mode,
         report.model, report.tokens),
    )  # fmt: skip


async def count_by_state(conn: psycopg.AsyncConnection[Any]) -> dict[str, int]:
    """How many batches are in each state."""
    cur = await conn.execute("SELECT status, count(*) FROM batch GROUP BY status")
    return {str(status): int(n) for status, n in await cur.fetchall()}


async def register_upload(
    conn: psycopg.AsyncConnection[Any], batch_id: uuid.UUID, name: str, path: str, size: int
) -> None:
    """Record an uploaded file of a batch (replacing an earlier upload of the same name)."""
    await conn.execute(
        "INSERT INTO batch_file (batch_id, name, path, size_bytes, status)"
        " VALUES (%s, %s, %s, %s, 'uploaded') ON CONFLICT (batch_id, name) DO UPDATE"
        " SET path = EXCLUDED.path, size_bytes = EXCLUDED.size_bytes, status = 'uploaded',"
        " error = NULL, updated_at = now()",
        (batch_id, name, path, size),
    )
    await conn.execute(
        "UPDATE batch SET file_count = (SELECT count(*) FROM batch_file WHERE batch_id = %s),"
        " updated_at = now() WHERE batch_id = %s",
        (batch_id, batch_id),
    )


async def get_batch(
    conn: psycopg.AsyncConnection[Any], batch_id: uuid.UUID
) -> dict[str, Any] | None:
    """The batch row with its files, or None."""
    cur = await conn.execute(
        "SELECT batch_id, source, labels, status, failure_reason, file_count, created_at,"
        " updated_at, diagnosed_at FROM batch WHERE batch_id = %s",
        (batch_id,),
    )
    row = await cur.fetchone()
    if row is None:
        return None
    keys = ["batch_id", "source", "labels", "status", "failure_reason", "file_count",
            "created_at", "updated_at", "diagnosed_at"]  # fmt: skip
    batch = dict(zip(keys, row, strict=True))
    cur = await conn.execute(
        "SELECT name, file_id, path, size_bytes, status, error FROM batch_file"
        " WHERE batch_id = %s ORDER BY name",
        (batch_id,),
    )
    names = ["name", "file_id", "path", "size_bytes", "status", "error"]
    batch["files"] = [dict(zip(names, r, strict=True)) for r in await cur.fetchall()]
    return batch


async def get_report(conn: psycopg.AsyncConnection[Any], batch_id: uuid.UUID) -> Any | None:
    """The stored report of a batch, or None when it has no completed diagnosis."""
    cur = await conn.execute(
        "SELECT report FROM diagnosis WHERE batch_id = %s AND status = 'completed'", (batch_id,)
    )
    row = await cur.fetchone()
    return row[0] if row else None


#: Per stage: the states a batch may be claimed from, the state a claim moves it to, and the
#: states that mean the stage is already done.
_STAGES = {
    "parse": (("uploaded", "failed"), "parsing", ("parsed", "diagnosing", "diagnosed")),
    "diagnose": (("parsed",), "diagnosing", ("diagnosed",)),
}


async def claim(
    conn: psycopg.AsyncConnection[Any], batch_id: uuid.UUID, lease_s: float, stage: str = "parse"
) -> str:
    """Take a batch for a stage ("parse" or "diagnose"): "claimed", "done" (the stage is done
    already), "busy" (another live worker holds it, or an earlier stage is running) or
    "missing". A claim whose holder stopped renewing it for ``lease_s`` seconds (a dead
    worker) can be taken over."""
    sources, working, done = _STAGES[stage]
    cur = await conn.execute(
        "UPDATE batch SET status = %s, updated_at = now() WHERE batch_id = %s"
        " AND (status = ANY(%s) OR (status = %s"
        " AND updated_at < now() - make_interval(secs => %s))) RETURNING batch_id",
        (working, batch_id, list(sources), working, lease_s),
    )
    if await cur.fetchone():
        return "claimed"
    cur = await conn.execute("SELECT status FROM batch WHERE batch_id = %s", (batch_id,))
    row = await cur.fetchone()
    if row is None:
        return "missing"
    return "done" if row[0] in done else "busy"


async def file_done(
    conn: psycopg.AsyncConnection[Any],
    batch_id: uuid.UUID,
    name: str,
    file_id: str | None,
    error: str | None,
) -> None:
    """Record one parsed file (idempotent): "parsed", or "failed" with its reason."""
    await conn.execute(
        "UPDATE batch_file SET file_id = %s, status = %s, error = %s, updated_at = now()"
        " WHERE batch_id = %s AND name = %s",
        (file_id, "failed" if error else "parsed", error, batch_id, name),
    )


async def close_parse_barrier(conn: psycopg.AsyncConnection[Any], batch_id: uuid.UUID) -> str:
    """The per-file barrier: when no file of the batch is left unparsed, move the batch to
    "parsed" (some file has statistics) or "failed" (none has). Returns the batch's state;
    only one caller ever sees the transition, so the next stage is announced once."""
    cur = await conn.execute(
        "UPDATE batch SET status = CASE WHEN EXISTS (SELECT 1 FROM batch_file f"
        "   WHERE f.batch_id = batch.batch_id AND f.file_id IS NOT NULL)"
        "   THEN 'parsed' ELSE 'failed' END,"
        " failure_reason = CASE WHEN EXISTS (SELECT 1 FROM batch_file f"
        "   WHERE f.batch_id = batch.batch_id AND f.file_id IS NOT NULL)"
        "   THEN NULL ELSE 'no file of the batch could be read' END,"
        " parsed_at = now(), updated_at = now()"
        " WHERE batch_id = %s AND status = 'parsing' AND NOT EXISTS (SELECT 1 FROM batch_file f"
        "   WHERE f.batch_id = batch.batch_id AND f.status IN ('uploaded', 'parsing'))"
        " RETURNING status",
        (batch_id,),
    )
    row = await cur.fetchone()
    return str(row[0]) if row else "open"


async def renew(conn: psycopg.AsyncConnection[Any], batch_id: uuid.UUID) -> None:
    """Keep a claim alive (its holder is still working)."""
    await conn.execute(
        "UPDATE batch SET updated_at = now() WHERE batch_id = %s"
        " AND status IN ('parsing', 'diagnosing')",
        (batch_id,),
    )


async def stale_batches(
    conn: psycopg.AsyncConnection[Any], lease_s: float
) -> list[tuple[uuid.UUID, str]]:
    """Batches left mid-way, with their state: uploaded or parsed but not announced onward in
    ``lease_s``, or in progress with an expired claim."""
    cur = await conn.execute(
        "SELECT batch_id, status FROM batch"
        " WHERE status IN ('uploaded', 'parsing', 'parsed', 'diagnosing')"
        " AND updated_at < now() - make_interval(secs => %s) ORDER BY created_at",
        (lease_s,),
    )
    return [(row[0], str(row[1])) for row in await cur.fetchall()]
