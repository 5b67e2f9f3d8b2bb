"""Repository of ``regex_template`` and ``template_history`` (a TemplateStore for the engine).

Synchronous on purpose: the committee writes from its background thread while the reader goes
on. One connection, guarded by a lock; each write is its own transaction.
"""

from __future__ import annotations

import threading

from argus.mining.index import Template
from argus.mining.library import NewTemplate
from argus.store.connection import connect_sync

_COLUMNS = "template_id, pattern, template, sample_log, version, semantic_info, advise"


#: One row of _COLUMNS.
_Row = tuple[int, str, str, str, int, str | None, str | None]


def _row_to_template(row: _Row) -> Template:
    tid, pattern, template, sample, version, category, advice = row
    return Template(
        template_id=int(tid),
        version=int(version),
        pattern=str(pattern),
        template=str(template),
        sample=str(sample),
        category=category if isinstance(category, str) else None,
        advice=advice if isinstance(advice, str) else None,
    )


class PgTemplateStore:
    """Templates kept in PostgreSQL."""

    def __init__(self, database_url: str) -> None:
        self._conn = connect_sync(database_url, vectors=False)
        self._lock = threading.Lock()

    def close(self) -> None:
        """Close the connection."""
        self._conn.close()

    def load(self) -> list[Template]:
        """Every active template."""
        with self._lock:
            rows = self._conn.execute(
                f"SELECT {_COLUMNS} FROM regex_template WHERE is_active ORDER BY template_id"
            ).fetchall()
        return [_row_to_template(r) for r in rows]

    def add(self, new: NewTemplate) -> Template:
        """Insert a template (or return the one with the same pattern) and its first history row."""
        with self._lock, self._conn.transaction():
            row = self._conn.execute(
                "INSERT INTO regex_template (pattern, template, sample_log, semantic_info, advise,"
                " source) VALUES (%s, %s, %s, %s, %s, %s)"
                " ON CONFLICT (pattern) DO UPDATE SET is_active = true, updated_at = now()"
                f" RETURNING {_COLUMNS}, (xmax = 0)",
                (new.pattern, new.template, new.sample, new.category, new.advice, new.source),
            ).fetchone()
            assert row is not None
            if row[-1]:
                self._history(
                    int(row[0]), new.pattern, new.template, new.sample, 1, new.source, "created"
                )
        return _row_to_template(row[:-1])

    def revise(self, old: Template, pattern: str, template: str, note: str) -> Template:
        """Store a new version of ``old`` with a history row; a pattern clash keeps ``old``."""
        with self._lock, self._conn.transaction():
            clash = self._conn.execute(
                "SELECT 1 FROM regex_template WHERE pattern = %s AND template_id <> %s",
                (pattern, old.template_id),
            ).fetchone()
            if clash:
                return old
            row = self._conn.execute(
                "UPDATE regex_template SET pattern = %s, template = %s, version = version + 1,"
                f" updated_at = now() WHERE template_id = %s RETURNING {_COLUMNS}",
                (pattern, template, old.template_id),
            ).fetchone()
            assert row is not None
            self._history(old.template_id, pattern, template, old.sample, int(row[4]), "rule", note)
        return _row_to_template(row)

    def _history(
        self,
        tid: int,
        pattern: str,
        template: str,
        sample: str,
        version: int,
        source: str,
        note: str,
    ) -> None:
        self._conn.execute(
            "INSERT INTO template_history (template_id, pattern, template, sample_log, version,"
            " source, note) VALUES (%s, %s, %s, %s, %s, %s, %s)"
            " ON CONFLICT (template_id, version) DO NOTHING",
            (tid, pattern, template, sample, version, source, note),
        )
