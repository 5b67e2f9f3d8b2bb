"""Repository of run sessions, modules and the pass-2 statistics tables.

Re-processing a file *replaces* its statistics: the old rows of the file are deleted and the new
ones written in one transaction, so a file is never counted twice and readers never see half.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import polars as pl
import psycopg

from argus.mining.pass2 import Pass2Result


def start_run(
    conn: psycopg.Connection, file_id: str, pass_type: str, config: dict[str, Any]
) -> int:
    """Open a run_session row; return its id."""
    row = conn.execute(
        "INSERT INTO run_session (file_id, pass_type, config) VALUES (%s, %s, %s) RETURNING run_id",
        (file_id, pass_type, json.dumps(config)),
    ).fetchone()
    assert row is not None
    return int(row[0])


def finish_run(
    conn: psycopg.Connection,
    run_id: int,
    *,
    total_lines: int,
    records: int,
    unmatched: int,
    error: str | None = None,
) -> None:
    """Close a run_session row with its counts and outcome."""
    conn.execute(
        "UPDATE run_session SET ended_at = now(), total_lines = %s, preprocessed_lines = %s,"
        " unmatched_lines = %s, status = %s, error = %s WHERE run_id = %s",
        (total_lines, records, unmatched, "failed" if error else "succeeded", error, run_id),
    )


def upsert_modules(conn: psycopg.Connection, pairs: Iterable[tuple[str, str | None]]) -> None:
    """Record the modules and submodules seen (descriptions are filled later)."""
    pairs = sorted(set(pairs), key=lambda p: (p[0], p[1] or ""))
    with conn.cursor() as cur:
        cur.executemany(
            "INSERT INTO module (mod) VALUES (%s) ON CONFLICT DO NOTHING",
            [(m,) for m in sorted({m for m, _ in pairs})],
        )
        cur.executemany(
            "INSERT INTO submodule (mod, smod) VALUES (%s, %s) ON CONFLICT DO NOTHING",
            [(m, s) for m, s in pairs if s],
        )


def replace_statistics(
    conn: psycopg.Connection,
    file_id: str,
    run_id: int,
    result: Pass2Result,
    categories: dict[int, str | None],
) -> None:
    """Replace the file's summary, minute buckets and unmatched lines with ``result``."""
    with conn.transaction():
        for table in ("log_match_summary", "key_time_bucket", "unmatched_log"):
            conn.execute(f"DELETE FROM {table} WHERE file_id = %s", (file_id,))
        _copy_summary(conn, file_id, run_id, result.summary(), categories)
        _copy_buckets(conn, file_id, run_id, result.buckets, categories)
        with (
            conn.cursor() as cur,
            cur.copy("COPY unmatched_log (run_id, file_id, key_text, raw_log) FROM STDIN") as copy,
        ):
            for key, raw in result.unmatched.items():
                copy.write_row((run_id, file_id, key, raw))


def _copy_summary(
    conn: psycopg.Connection,
    file_id: str,
    run_id: int,
    summary: pl.DataFrame,
    categories: dict[int, str | None],
) -> None:
    sql = (
        "COPY log_match_summary (run_id, file_id, template_id, mod, smod, classification, level,"
        " thread_id, first_ts, last_ts, line_count) FROM STDIN"
    )
    with conn.cursor() as cur, cur.copy(sql) as copy:
        for row in summary.iter_rows(named=True):
            keys = _keys(run_id, file_id, row, categories)
            copy.write_row((*keys, row["first_ts"], row["last_ts"], row["count"]))


def _copy_buckets(
    conn: psycopg.Connection,
    file_id: str,
    run_id: int,
    buckets: pl.DataFrame,
    categories: dict[int, str | None],
) -> None:
    sql = (
        "COPY key_time_bucket (run_id, file_id, template_id, mod, smod, classification, level,"
        " thread_id, bucket_start, count_in_bucket) FROM STDIN"
    )
    with conn.cursor() as cur, cur.copy(sql) as copy:
        for row in buckets.filter(pl.col("minute").is_not_null()).iter_rows(named=True):
            keys = _keys(run_id, file_id, row, categories)
            copy.write_row((*keys, row["minute"], row["count"]))


def _keys(
    run_id: int, file_id: str, row: dict[str, Any], categories: dict[int, str | None]
) -> tuple[object, ...]:
    """The key columns both statistics tables start with (run_id ... thread_id)."""
    tid = row["tid"]
    return (
        run_id,
        file_id,
        tid,
        row["mod"],
        row["smod"],
        categories.get(tid),
        row["level"],
        row["thread"],
    )
