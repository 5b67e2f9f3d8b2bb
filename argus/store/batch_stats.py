"""Load :class:`~argus.tools.digest.BatchStats` for a list of files from PostgreSQL.

Minute buckets come from ``key_time_bucket``; each bucket's first and last time are the minute's
bounds clipped to the (template, module, level, thread) row of ``log_match_summary``, so the
window of a batch is exact. Template texts come from ``regex_template``. Times are returned in
UTC without a zone, like the pass-2 frames. Trace lines are not stored, so ``traces`` is None;
:func:`earlier_batch_files` says where the files can still be read to extract them.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import polars as pl
import psycopg

from argus.batch_status import BatchStatus, FileStatus
from argus.mining.pass2 import empty_buckets
from argus.tools.digest import BatchStats, TemplateText

_BUCKETS = """
SELECT b.template_id AS tid, b.mod, b.smod, b.level, b.thread_id AS thread,
       (b.bucket_start AT TIME ZONE 'UTC') AS minute,
       sum(b.count_in_bucket)::bigint AS count,
       (greatest(b.bucket_start, min(s.first_ts)) AT TIME ZONE 'UTC') AS first_ts,
       (least(b.bucket_start + interval '1 minute' - interval '1 microsecond', max(s.last_ts))
        AT TIME ZONE 'UTC') AS last_ts
  FROM key_time_bucket b
  LEFT JOIN log_match_summary s
    ON s.file_id = b.file_id AND s.run_id = b.run_id AND s.template_id = b.template_id
   AND s.mod IS NOT DISTINCT FROM b.mod AND s.smod IS NOT DISTINCT FROM b.smod
   AND s.level IS NOT DISTINCT FROM b.level AND s.thread_id IS NOT DISTINCT FROM b.thread_id
 WHERE b.file_id = ANY(%s)
 GROUP BY b.template_id, b.mod, b.smod, b.level, b.thread_id, b.bucket_start
"""

_TEMPLATES = """
SELECT template_id, template, sample_log, semantic_info
  FROM regex_template WHERE template_id = ANY(%s)
"""


def load_batch_stats(conn: psycopg.Connection, file_ids: Sequence[str]) -> BatchStats:
    """The merged statistics of ``file_ids`` with the texts of their templates."""
    rows = conn.execute(_BUCKETS, (list(file_ids),)).fetchall()
    empty = empty_buckets()
    buckets = pl.DataFrame(rows, schema=empty.schema, orient="row") if rows else empty
    tids = buckets["tid"].unique().to_list()
    texts = conn.execute(_TEMPLATES, (tids,)).fetchall() if tids else []
    templates = {
        int(tid): TemplateText(
            template_id=int(tid), template=str(text), sample=str(sample or ""), category=category
        )
        for tid, text, sample, category in texts
    }
    return BatchStats(buckets=buckets, templates=templates, traces=None)


_EARLIER = """
SELECT DISTINCT ON (bf.file_id) bf.file_id, COALESCE(bf.path, fr.path), fr.size_bytes
  FROM batch_file bf JOIN file_registry fr USING (file_id)
 WHERE bf.status = %(parsed)s AND NOT (bf.file_id = ANY(%(exclude)s))
   AND bf.batch_id IN (
       SELECT batch_id FROM batch
        WHERE source = %(source)s AND status = %(diagnosed)s
          AND (%(before)s::uuid IS NULL
               OR created_at < (SELECT created_at FROM batch WHERE batch_id = %(before)s::uuid))
        ORDER BY created_at DESC LIMIT %(n)s)
 ORDER BY bf.file_id
"""


@dataclass(frozen=True, kw_only=True)
class StoredFile:
    """A file of an earlier batch: its statistics are stored; its lines may still be readable."""

    file_id: str  #: sha256 of its content
    path: Path | None  #: where it can still be read; None when it is gone or has changed


def earlier_batch_files(
    conn: psycopg.Connection,
    source: str,
    exclude: Sequence[str],
    batches: int = 3,
    before: uuid.UUID | str | None = None,
) -> list[StoredFile]:
    """Files of the last ``batches`` diagnosed batches of ``source`` (the default baseline),
    only batches created before the batch ``before`` when it is given."""
    rows = conn.execute(
        _EARLIER,
        {
            "source": source,
            "exclude": list(exclude),
            "n": batches,
            "before": str(before) if before is not None else None,
            "parsed": FileStatus.PARSED,
            "diagnosed": BatchStatus.DIAGNOSED,
        },
    ).fetchall()
    return [StoredFile(file_id=str(fid), path=_readable(path, size)) for fid, path, size in rows]


def stored_files(conn: psycopg.Connection, file_ids: Sequence[str]) -> list[StoredFile]:
    """The registered files ``file_ids``, each with its path when it can still be read."""
    rows = conn.execute(
        "SELECT file_id, path, size_bytes FROM file_registry WHERE file_id = ANY(%s)"
        " ORDER BY file_id",
        (list(file_ids),),
    ).fetchall()
    return [StoredFile(file_id=str(fid), path=_readable(path, size)) for fid, path, size in rows]


def _readable(path: str | None, size: int) -> Path | None:
    """The path when it still holds a file of the registered size (the same content, cheaply)."""
    if not path:
        return None
    found = Path(path)
    try:
        return found if found.stat().st_size == size else None
    except OSError:
        return None
