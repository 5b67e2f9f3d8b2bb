"""Reading the template library for people: templates with their source, version and the lines
they matched, searched by text; one template's history of versions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import psycopg

from argus.store.knowledge import like_escape


@dataclass(frozen=True, kw_only=True)
class LibraryRow:
    """A template of the library with the lines it has matched in every stored file."""

    template_id: int
    template: str  #: logpai notation
    pattern: str  #: the RE2 pattern
    sample: str
    source: str  #: rule, llm, manual or import
    version: int
    active: bool
    category: str | None
    lines: int  #: lines matched, over every stored file
    updated_at: datetime


@dataclass(frozen=True, kw_only=True)
class Revision:
    """One earlier (or the current) version of a template."""

    version: int
    template: str | None
    pattern: str
    source: str
    note: str | None
    created_at: datetime


_LIST = """
SELECT t.template_id, t.template, t.pattern, t.sample_log, t.source, t.version, t.is_active,
       t.semantic_info, coalesce(c.lines, 0), t.updated_at
  FROM regex_template t
  LEFT JOIN (SELECT template_id, sum(line_count)::bigint AS lines FROM log_match_summary
              GROUP BY template_id) c USING (template_id)
 WHERE (%(q)s = '' OR t.template ILIKE %(like)s OR t.sample_log ILIKE %(like)s
        OR t.template_id::text = %(q)s)
   AND (%(source)s = '' OR t.source = %(source)s)
 ORDER BY coalesce(c.lines, 0) DESC, t.template_id
 LIMIT %(limit)s
"""


async def library(
    conn: psycopg.AsyncConnection[Any], *, query: str = "", source: str = "", limit: int = 100
) -> list[LibraryRow]:
    """Templates whose text or sample holds ``query`` (or whose id it is), of ``source`` when
    given, the most matched first."""
    params = {"q": query, "like": f"%{like_escape(query)}%", "source": source, "limit": limit}
    cur = await conn.execute(_LIST, params)
    return [
        LibraryRow(
            template_id=int(r[0]),
            template=str(r[1]),
            pattern=str(r[2]),
            sample=str(r[3]),
            source=str(r[4]),
            version=int(r[5]),
            active=bool(r[6]),
            category=r[7],
            lines=int(r[8]),
            updated_at=r[9],
        )
        for r in await cur.fetchall()
    ]


async def history(conn: psycopg.AsyncConnection[Any], template_id: int) -> list[Revision]:
    """The versions of a template recorded in ``template_history``, newest first."""
    cur = await conn.execute(
        "SELECT version, template, pattern, source, note, created_at FROM template_history"
        " WHERE template_id = %s ORDER BY version DESC",
        (template_id,),
    )
    return [
        Revision(version=v, template=t, pattern=p, source=s, note=n, created_at=at)
        for v, t, p, s, n, at in await cur.fetchall()
    ]
