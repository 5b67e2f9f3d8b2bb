"""Repository of ``batch``, ``batch_file`` and ``diagnosis`` (one diagnosis per batch)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum, unique
from typing import Any

import psycopg

from argus import events
from argus.batch_rows import BatchFile, BatchRecord
from argus.batch_status import IN_FLIGHT, UNFINISHED_FILES, BatchStatus, FileStatus
from argus.report import Report
from argus.store import outbox


async def create_batch(
    conn: psycopg.AsyncConnection[Any], source: str, labels: dict[str, str], status: BatchStatus
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
    files: Sequence[tuple[str, str | None, FileStatus, str | None]],
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


#: The columns of a batch row that its views show, in the order the queries select them.
BATCH_COLUMNS = (
    "batch_id",
    "source",
    "labels",
    "status",
    "failure_reason",
    "file_count",
    "created_at",
    "updated_at",
    "diagnosed_at",
)
#: The columns of a file row, in the order the queries select them.
FILE_COLUMNS = ("name", "file_id", "path", "size_bytes", "status", "error", "records")


def row_fields(values: Sequence[Any]) -> dict[str, Any]:
    """The fields of a :class:`BatchRow` from a row selected as BATCH_COLUMNS, in order."""
    fields = dict(zip(BATCH_COLUMNS, values, strict=True))
    return fields | {"status": BatchStatus(fields["status"])}


def _file(values: Sequence[Any]) -> BatchFile:
    """The file of a row selected as FILE_COLUMNS, in order."""
    fields = dict(zip(FILE_COLUMNS, values, strict=True))
    return BatchFile(**(fields | {"status": FileStatus(fields["status"])}))


#: The time stamp a state sets when a batch reaches it.
_STAMPS = {
    BatchStatus.PARSED: ", parsed_at = now()",
    BatchStatus.DIAGNOSED: ", diagnosed_at = now()",
}


async def set_status(
    conn: psycopg.AsyncConnection[Any],
    batch_id: uuid.UUID,
    status: BatchStatus,
    reason: str | None = None,
) -> None:
    """Move a batch to ``status`` (keeping the failure reason, if any)."""
    stamp = _STAMPS.get(status, "")
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
        (
            batch_id,
            report.model_dump_json(),
            report.summary,
            report.confidence,
            report.mode,
            report.model,
            report.tokens,
        ),
    )


async def count_by_state(conn: psycopg.AsyncConnection[Any]) -> dict[BatchStatus, int]:
    """How many batches are in each state (every state, 0 when none is in it)."""
    cur = await conn.execute("SELECT status, count(*) FROM batch GROUP BY status")
    counts = {BatchStatus(status): int(n) for status, n in await cur.fetchall()}
    return {state: counts.get(state, 0) for state in BatchStatus}


async def register_upload(
    conn: psycopg.AsyncConnection[Any],
    batch_id: uuid.UUID,
    name: str,
    path: str,
    size: int,
    *,
    place: Callable[[], None] | None = None,
) -> BatchStatus | None:
    """Record an uploaded file of a batch (replacing an earlier upload of the same name), but
    only while the batch is "pending"; return the batch's status as seen (None: no batch).

    The batch row is locked (FOR UPDATE) until the commit, so a concurrent status change (the
    batch completed) either waits for this registration or is seen here and refuses it. ``place``
    (putting the file under its name) runs under that lock, before the commit: a batch never
    leaves "pending" between its file being put in place and being recorded."""
    async with conn.transaction():
        cur = await conn.execute(
            "SELECT status FROM batch WHERE batch_id = %s FOR UPDATE", (batch_id,)
        )
        row = await cur.fetchone()
        if row is None:
            return None
        if (seen := BatchStatus(row[0])) is not BatchStatus.PENDING:
            return seen
        await conn.execute(
            "INSERT INTO batch_file (batch_id, name, path, size_bytes, status)"
            " VALUES (%s, %s, %s, %s, %s) ON CONFLICT (batch_id, name) DO UPDATE"
            " SET path = EXCLUDED.path, size_bytes = EXCLUDED.size_bytes,"
            " status = EXCLUDED.status, error = NULL, updated_at = now()",
            (batch_id, name, path, size, FileStatus.UPLOADED),
        )
        await conn.execute(
            "UPDATE batch SET file_count = (SELECT count(*) FROM batch_file WHERE batch_id = %s),"
            " updated_at = now() WHERE batch_id = %s",
            (batch_id, batch_id),
        )
        if place is not None:
            place()
    return BatchStatus.PENDING


async def get_batch(conn: psycopg.AsyncConnection[Any], batch_id: uuid.UUID) -> BatchRecord | None:
    """The batch with its files (by name), or None."""
    cur = await conn.execute(
        f"SELECT {', '.join(BATCH_COLUMNS)} FROM batch WHERE batch_id = %s", (batch_id,)
    )
    row = await cur.fetchone()
    if row is None:
        return None
    cur = await conn.execute(
        f"SELECT {', '.join(FILE_COLUMNS)} FROM batch_file WHERE batch_id = %s ORDER BY name",
        (batch_id,),
    )
    return BatchRecord(**row_fields(row), files=tuple(_file(r) for r in await cur.fetchall()))


async def get_report(conn: psycopg.AsyncConnection[Any], batch_id: uuid.UUID) -> Any | None:
    """The stored report of a batch, or None when it has no completed diagnosis."""
    cur = await conn.execute(
        "SELECT report FROM diagnosis WHERE batch_id = %s AND status = 'completed'", (batch_id,)
    )
    row = await cur.fetchone()
    return row[0] if row else None


@dataclass(frozen=True, kw_only=True)
class _Stage:
    """A stage's claim rule: the states a batch may be claimed from, the state a claim moves it
    to, and the states that mean the stage is already done. A failed batch is claimed again
    only after an explicit retry (``retry``), never by a stray event."""

    sources: tuple[BatchStatus, ...]
    working: BatchStatus
    done: frozenset[BatchStatus]


_STAGES = {
    "parse": _Stage(
        sources=(BatchStatus.UPLOADED,),
        working=BatchStatus.PARSING,
        done=frozenset({BatchStatus.PARSED, BatchStatus.DIAGNOSING, BatchStatus.DIAGNOSED}),
    ),
    "diagnose": _Stage(
        sources=(BatchStatus.PARSED,),
        working=BatchStatus.DIAGNOSING,
        done=frozenset({BatchStatus.DIAGNOSED}),
    ),
}
#: Where a batch waiting in each state is announced: the topic its next stage consumes.
NEXT_TOPIC = {
    BatchStatus.UPLOADED: events.BATCHES,
    BatchStatus.PARSING: events.BATCHES,
    BatchStatus.PARSED: events.PARSED,
    BatchStatus.DIAGNOSING: events.PARSED,
}
#: The state a stage's claim is given back to when its holder is gone.
_RELEASED = {BatchStatus.PARSING: BatchStatus.UPLOADED, BatchStatus.DIAGNOSING: BatchStatus.PARSED}
#: The states a live claim holds a batch in.
_CLAIMED = sorted(_RELEASED)


@unique
class ClaimOutcome(StrEnum):
    """What came of a stage's claim on a batch (``claim``)."""

    CLAIMED = "claimed"  #: the caller holds the batch now: do the stage
    DONE = "done"  #: the stage is done already (a redelivered event)
    HELD = "held"  #: another live worker holds the stage's claim (its lease is renewed)
    NOT_READY = "not_ready"  #: an earlier stage has not finished (or the upload is still open)
    FAILED = "failed"  #: the batch failed; only an explicit retry sends it on
    MISSING = "missing"  #: no such batch


async def claim(
    conn: psycopg.AsyncConnection[Any],
    batch_id: uuid.UUID,
    lease_s: float,
    stage: str = "parse",
    owner: str | None = None,
    *,
    reclaim_own: bool = False,
) -> ClaimOutcome:
    """Take a batch for a stage ("parse" or "diagnose") on behalf of ``owner`` (an instance id)
    and say what came of it (see ``ClaimOutcome``). A claim whose holder stopped renewing it
    for ``lease_s`` seconds (a dead worker) can be taken over; with ``reclaim_own`` the owner
    takes back its own claim at once (the caller knows none of its workers still holds it)."""
    rule = _STAGES[stage]
    cur = await conn.execute(
        "UPDATE batch SET status = %(working)s, claimed_by = %(owner)s, updated_at = now()"
        " WHERE batch_id = %(id)s AND (status = ANY(%(sources)s) OR (status = %(working)s"
        " AND (updated_at < now() - make_interval(secs => %(lease)s)"
        "      OR (%(reclaim)s AND claimed_by = %(owner)s)))) RETURNING batch_id",
        {
            "working": rule.working,
            "owner": owner,
            "id": batch_id,
            "sources": list(rule.sources),
            "lease": lease_s,
            "reclaim": reclaim_own and owner is not None,
        },
    )
    if await cur.fetchone():
        return ClaimOutcome.CLAIMED
    cur = await conn.execute("SELECT status FROM batch WHERE batch_id = %s", (batch_id,))
    row = await cur.fetchone()
    if row is None:
        return ClaimOutcome.MISSING
    seen = BatchStatus(row[0])
    if seen in rule.done:
        return ClaimOutcome.DONE
    if seen is rule.working:
        return ClaimOutcome.HELD
    if seen is BatchStatus.FAILED:
        return ClaimOutcome.FAILED
    return ClaimOutcome.NOT_READY


@unique
class CompleteOutcome(StrEnum):
    """What came of closing a batch's upload (``complete``)."""

    QUEUED = "queued"  #: now "uploaded", its parse event in the outbox
    ALREADY = "already"  #: no longer pending: left as it is
    NO_FILES = "no_files"  #: pending but without a file: left pending
    MISSING = "missing"  #: no such batch


async def complete(conn: psycopg.AsyncConnection[Any], batch_id: uuid.UUID) -> CompleteOutcome:
    """Close a pending batch's upload: it becomes "uploaded" and its parse event is written to
    the outbox in the same transaction ("queued"); a batch no longer pending is left as it is
    ("already"). The row lock serialises this with uploads registering files."""
    async with conn.transaction():
        cur = await conn.execute(
            "SELECT status, (SELECT count(*) FROM batch_file f WHERE f.batch_id = b.batch_id)"
            " FROM batch b WHERE batch_id = %s FOR UPDATE",
            (batch_id,),
        )
        row = await cur.fetchone()
        if row is None:
            return CompleteOutcome.MISSING
        if BatchStatus(row[0]) is not BatchStatus.PENDING:
            return CompleteOutcome.ALREADY
        if not row[1]:
            return CompleteOutcome.NO_FILES
        await _move_and_announce(conn, batch_id, BatchStatus.UPLOADED)
    return CompleteOutcome.QUEUED


@unique
class RetryOutcome(StrEnum):
    """What came of retrying a batch (``retry``)."""

    QUEUED = "queued"  #: back to "uploaded", its parse event in the outbox
    NOT_FAILED = "not_failed"  #: the batch has not failed: left as it is
    MISSING = "missing"  #: no such batch


async def retry(conn: psycopg.AsyncConnection[Any], batch_id: uuid.UUID) -> RetryOutcome:
    """Send a failed batch through the pipeline again: its failed files are parsed again (those
    with an upload on record) and its parse event is written to the outbox."""
    async with conn.transaction():
        cur = await conn.execute(
            "SELECT status FROM batch WHERE batch_id = %s FOR UPDATE", (batch_id,)
        )
        row = await cur.fetchone()
        if row is None:
            return RetryOutcome.MISSING
        if BatchStatus(row[0]) is not BatchStatus.FAILED:
            return RetryOutcome.NOT_FAILED
        await conn.execute(
            "UPDATE batch_file SET status = %(uploaded)s, error = NULL, updated_at = now()"
            " WHERE batch_id = %(id)s AND status = %(failed)s AND path IS NOT NULL",
            {"id": batch_id, "uploaded": FileStatus.UPLOADED, "failed": FileStatus.FAILED},
        )
        await _move_and_announce(conn, batch_id, BatchStatus.UPLOADED)
    return RetryOutcome.QUEUED


async def _move_and_announce(
    conn: psycopg.AsyncConnection[Any], batch_id: uuid.UUID, status: BatchStatus
) -> None:
    """Set the state (clearing claim and failure reason) and enqueue its next stage's event."""
    await conn.execute(
        "UPDATE batch SET status = %s, failure_reason = NULL, claimed_by = NULL,"
        " announced_at = now(), updated_at = now() WHERE batch_id = %s",
        (status, batch_id),
    )
    await outbox.enqueue(conn, NEXT_TOPIC[status], events.BatchEvent(batch_id=batch_id))


async def release_own(conn: psycopg.AsyncConnection[Any], owner: str) -> list[uuid.UUID]:
    """Give back every claim ``owner`` holds (call only when none of its workers runs, i.e. at
    start): each batch returns to the state before its stage and is announced again."""
    async with conn.transaction():
        cur = await conn.execute(
            "SELECT batch_id, status FROM batch WHERE claimed_by = %s"
            " AND status = ANY(%s) FOR UPDATE",
            (owner, _CLAIMED),
        )
        rows = await cur.fetchall()
        for batch_id, status in rows:
            await _move_and_announce(conn, batch_id, _RELEASED[BatchStatus(status)])
    return [row[0] for row in rows]


async def sweep_stale(conn: psycopg.AsyncConnection[Any], lease_s: float) -> list[uuid.UUID]:
    """Announce again every batch left mid-way: waiting in a state or holding a claim not renewed
    for ``lease_s``, with no event of its own still pending in the outbox and not announced in
    the last ``lease_s`` (so a batch is re-announced at most once a lease)."""
    cur = await conn.execute(
        "WITH stale AS (UPDATE batch SET announced_at = now()"
        "  WHERE status = ANY(%(waiting)s)"
        "  AND updated_at < now() - make_interval(secs => %(lease)s)"
        "  AND (announced_at IS NULL OR announced_at < now() - make_interval(secs => %(lease)s))"
        "  AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.batch_id = batch.batch_id"
        "                  AND o.published_at IS NULL)"
        "  RETURNING batch_id, status)"
        " INSERT INTO outbox (topic, key, payload, batch_id)"
        " SELECT CASE WHEN status = ANY(%(to_parse)s) THEN %(parse)s ELSE %(diagnose)s END,"
        "  batch_id::text, jsonb_build_object('batch_id', batch_id::text), batch_id FROM stale"
        " RETURNING batch_id",
        {
            "lease": lease_s,
            "parse": events.BATCHES,
            "diagnose": events.PARSED,
            "waiting": sorted(IN_FLIGHT),
            "to_parse": sorted(s for s in IN_FLIGHT if NEXT_TOPIC[s] == events.BATCHES),
        },
    )
    return [row[0] for row in await cur.fetchall()]


async def finish_diagnosis(
    conn: psycopg.AsyncConnection[Any], batch_id: uuid.UUID, event: events.BatchEvent | None
) -> bool:
    """Move a diagnosing batch to "diagnosed" and, in the same transaction, enqueue ``event``;
    False (nothing enqueued) when another worker finished it first."""
    async with conn.transaction():
        cur = await conn.execute(
            "UPDATE batch SET status = %(diagnosed)s, diagnosed_at = now(), updated_at = now(),"
            " failure_reason = NULL WHERE batch_id = %(id)s AND status <> %(diagnosed)s"
            " RETURNING batch_id",
            {"id": batch_id, "diagnosed": BatchStatus.DIAGNOSED},
        )
        moved = await cur.fetchone() is not None
        if moved and event is not None:
            await outbox.enqueue(conn, events.DIAGNOSED, event)
    return moved


async def file_done(
    conn: psycopg.AsyncConnection[Any],
    batch_id: uuid.UUID,
    name: str,
    file_id: str | None,
    error: str | None,
    records: int = 0,
) -> None:
    """Record one parsed file (idempotent): "parsed", or "failed" with its reason; ``records``
    counts the readable records it gave (a damaged file may give some before its damage)."""
    status = FileStatus.FAILED if error else FileStatus.PARSED
    await conn.execute(
        "UPDATE batch_file SET file_id = %s, status = %s, error = %s, records = %s,"
        " updated_at = now() WHERE batch_id = %s AND name = %s",
        (file_id, status, error, records, batch_id, name),
    )


async def close_parse_barrier(
    conn: psycopg.AsyncConnection[Any], batch_id: uuid.UUID
) -> BatchStatus | None:
    """The per-file barrier: when no file of the batch is left unparsed, move the batch to
    "parsed" (some file gave readable records) and enqueue its diagnose event in the same
    transaction, or to "failed" with every file's reason (none did). Returns the state the
    batch reached, None while the barrier stays open (files left, or closed already); only one
    caller ever sees the transition, so the next stage is announced once."""
    async with conn.transaction():
        cur = await conn.execute(
            "UPDATE batch SET status = CASE WHEN EXISTS (SELECT 1 FROM batch_file f"
            "   WHERE f.batch_id = batch.batch_id AND f.file_id IS NOT NULL AND f.records > 0)"
            "   THEN %(parsed)s ELSE %(failed)s END,"
            " parsed_at = now(), updated_at = now(), claimed_by = NULL, announced_at = now()"
            " WHERE batch_id = %(id)s AND status = %(parsing)s AND NOT EXISTS (SELECT 1"
            "   FROM batch_file f WHERE f.batch_id = batch.batch_id"
            "   AND f.status = ANY(%(unfinished)s))"
            " RETURNING status",
            {
                "id": batch_id,
                "parsed": BatchStatus.PARSED,
                "failed": BatchStatus.FAILED,
                "parsing": BatchStatus.PARSING,
                "unfinished": sorted(UNFINISHED_FILES),
            },
        )
        row = await cur.fetchone()
        if row is None:
            return None
        state = BatchStatus(row[0])
        if state is BatchStatus.PARSED:
            await outbox.enqueue(conn, events.PARSED, events.BatchEvent(batch_id=batch_id))
        else:
            await conn.execute(
                "UPDATE batch SET failure_reason = 'no readable log lines: ' || coalesce(("
                " SELECT string_agg(name || ' (' || coalesce(error, 'no reason') || ')', '; '"
                " ORDER BY name) FROM batch_file WHERE batch_id = %(id)s), 'no file')"
                " WHERE batch_id = %(id)s",
                {"id": batch_id},
            )
    return state


async def renew(conn: psycopg.AsyncConnection[Any], batch_id: uuid.UUID) -> None:
    """Keep a claim alive (its holder is still working)."""
    await conn.execute(
        "UPDATE batch SET updated_at = now() WHERE batch_id = %s AND status = ANY(%s)",
        (batch_id, _CLAIMED),
    )
