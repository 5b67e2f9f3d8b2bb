"""Listing batches: filtered by state, source and labels, newest first, one page at a time.

Paging is by keyset: a page ends at a ``(created_at, batch_id)`` position and the next page
starts strictly after it, so batches created while a client pages never shift or repeat rows.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg
from psycopg import sql

from argus.batch_rows import BatchRow, ListedBatch
from argus.batch_status import BatchStatus
from argus.store.batches import BATCH_COLUMNS, row_fields


@dataclass(frozen=True, kw_only=True)
class Position:
    """Where a page ended: the last batch listed (pages run newest first)."""

    created_at: datetime
    batch_id: uuid.UUID


@dataclass(frozen=True, kw_only=True)
class BatchFilter:
    """Which batches to list; empty fields leave that side unconstrained."""

    states: Sequence[BatchStatus] = ()  #: any of these states
    source: str | None = None  #: exactly this source
    labels: Sequence[tuple[str, str]] = ()  #: every (key, value) pair matches


@dataclass(frozen=True, kw_only=True)
class BatchPage:
    """Up to ``limit`` batches, newest first, and whether more follow the last one."""

    rows: list[ListedBatch]  #: the batches, newest first
    more: bool  #: another page follows (starting after the last row)


def _conditions(which: BatchFilter, after: Position | None) -> tuple[sql.Composable, list[Any]]:
    parts: list[sql.Composable] = []
    params: list[Any] = []
    if which.states:
        parts.append(sql.SQL("status = ANY(%s)"))
        params.append([str(s) for s in which.states])
    if which.source is not None:
        parts.append(sql.SQL("source = %s"))
        params.append(which.source)
    for key, value in which.labels:
        parts.append(sql.SQL("labels @> %s::jsonb"))  # each pair on its own: repeats all hold
        params.append(json.dumps({key: value}))
    if after is not None:
        parts.append(sql.SQL("(created_at, batch_id) < (%s, %s)"))
        params.extend([after.created_at, after.batch_id])
    if not parts:
        return sql.SQL("true"), params
    return sql.SQL(" AND ").join(parts), params


async def list_batches(
    conn: psycopg.AsyncConnection[Any],
    which: BatchFilter,
    *,
    limit: int,
    after: Position | None = None,
) -> BatchPage:
    """The page of batches passing ``which`` that follows ``after`` (from the newest when
    None). ``elapsed_s`` runs from creation to the batch's end (diagnosed, or the last change
    of a failed batch), or to now while it is still under way."""
    where, params = _conditions(which, after)
    query = sql.SQL(
        f"SELECT {', '.join(BATCH_COLUMNS)}, extract(epoch FROM CASE status"
        "   WHEN %s THEN coalesce(diagnosed_at, updated_at) WHEN %s THEN updated_at"
        "   ELSE now() END - created_at)::float8"
        " FROM batch WHERE {} ORDER BY created_at DESC, batch_id DESC LIMIT %s"
    ).format(where)
    statuses = [str(BatchStatus.DIAGNOSED), str(BatchStatus.FAILED)]
    cur = await conn.execute(query, [*statuses, *params, limit + 1])
    rows = [_listed(r) for r in await cur.fetchall()]
    return BatchPage(rows=rows[:limit], more=len(rows) > limit)


def _listed(values: Sequence[Any]) -> ListedBatch:
    """The batch of a row selected as BATCH_COLUMNS and then its elapsed seconds."""
    *row, elapsed = values
    return ListedBatch(**row_fields(row), elapsed_s=max(0.0, float(elapsed)))


def position_of(row: BatchRow) -> Position:
    """The position of a listed batch (the next page starts after it)."""
    return Position(created_at=row.created_at, batch_id=row.batch_id)


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


def cursor_of(position: Position) -> str:
    """The cursor text that continues a listing after ``position``: microseconds since the
    epoch of its creation, "-", its id in hex."""
    micros = (position.created_at - _EPOCH) // _MICROSECOND
    return f"{micros}-{position.batch_id.hex}"


def position_of_cursor(cursor: str) -> Position:
    """The position a cursor of :func:`cursor_of` names (the caller checks its shape:
    ``[0-9]{1,16}-[0-9a-f]{32}``)."""
    micros, _, hex_id = cursor.partition("-")
    return Position(created_at=_EPOCH + int(micros) * _MICROSECOND, batch_id=uuid.UUID(hex=hex_id))
