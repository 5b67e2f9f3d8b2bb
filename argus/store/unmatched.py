"""What pass 2 left unmatched in stored files: counts from their runs, key texts for pass 1.

Each file's latest finished pass-2 run (``run_session``) holds how many of its records no
template matched; ``unmatched_log`` holds their distinct key texts (capped per file), which is
what pass 1 is re-fed when it runs again on them (DESIGN.md §5).
"""

from __future__ import annotations

from collections.abc import Sequence

import psycopg

_UNMATCHED = """
SELECT DISTINCT ON (file_id) file_id, unmatched_lines
  FROM run_session
 WHERE file_id = ANY(%s) AND pass_type = 'pass2' AND ended_at IS NOT NULL
 ORDER BY file_id, run_id DESC
"""

_KEY_TEXTS = """
SELECT key_text FROM unmatched_log WHERE file_id = ANY(%s)
 GROUP BY key_text ORDER BY min(um_id)
"""


def unmatched_by_file(conn: psycopg.Connection, file_ids: Sequence[str]) -> dict[str, int]:
    """Per file, the records its latest finished pass-2 run matched to no template (files
    never counted are left out)."""
    rows = conn.execute(_UNMATCHED, (list(file_ids),)).fetchall()
    return {str(file_id): int(count) for file_id, count in rows}


def unmatched_key_texts(conn: psycopg.Connection, file_ids: Sequence[str]) -> list[str]:
    """The distinct key texts of the files' stored misses, in the order they were stored."""
    rows = conn.execute(_KEY_TEXTS, (list(file_ids),)).fetchall()
    return [str(text) for (text,) in rows]
