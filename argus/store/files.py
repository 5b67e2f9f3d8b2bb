"""Repository of ``file_registry``: files known by the sha256 of their content."""

from __future__ import annotations

import psycopg

from argus.ingest.reader import FileFacts


def register_file(conn: psycopg.Connection, facts: FileFacts) -> bool:
    """Record a file; return True when its content was not known before (idempotent)."""
    row = conn.execute(
        "INSERT INTO file_registry (file_id, path, size_bytes) VALUES (%s, %s, %s)"
        " ON CONFLICT (file_id) DO UPDATE SET path = EXCLUDED.path, updated_at = now()"
        " RETURNING (xmax = 0)",
        (facts.file_id, str(facts.path.absolute()), facts.size_bytes),  # readable from anywhere
    ).fetchone()
    return bool(row and row[0])


def mark_file(
    conn: psycopg.Connection,
    file_id: str,
    status: str,
    *,
    line_count: int | None = None,
    error: str | None = None,
) -> None:
    """Set a file's processing status, its line count and the error that stopped it, if any."""
    conn.execute(
        "UPDATE file_registry SET status = %s, line_count = coalesce(%s, line_count),"
        " error = %s, updated_at = now() WHERE file_id = %s",
        (status, line_count, error, file_id),
    )
