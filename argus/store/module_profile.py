"""What the pass-2 statistics say of one module or submodule: its lines per level and its most
frequent templates, over every file counted (the material a description is drafted from)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import psycopg

#: Templates a profile keeps, most frequent first.
TOP_TEMPLATES = 5

_LEVELS = """
SELECT coalesce(level, ''), sum(line_count)::bigint, count(DISTINCT file_id)
  FROM log_match_summary
 WHERE mod = %s AND (%s::text IS NULL OR smod = %s)
 GROUP BY 1 ORDER BY 2 DESC, 1
"""

_TOP = """
SELECT s.template_id, t.template, t.semantic_info, sum(s.line_count)::bigint AS n,
       (array_agg(coalesce(s.level, '') ORDER BY s.line_count DESC))[1]
  FROM log_match_summary s JOIN regex_template t USING (template_id)
 WHERE s.mod = %s AND (%s::text IS NULL OR s.smod = %s)
 GROUP BY s.template_id, t.template, t.semantic_info
 ORDER BY n DESC, s.template_id LIMIT %s
"""

_SUBMODULES = "SELECT smod FROM submodule WHERE mod = %s ORDER BY smod"


@dataclass(frozen=True, kw_only=True)
class TemplateCount:
    """One template of a module and its lines there."""

    template_id: int
    template: str  #: logpai form, ``<*>`` per variable (log content: untrusted)
    category: str | None  #: the template's classification, when it has one
    level: str  #: the level most of its lines carry ('' when the format has none)
    lines: int


@dataclass(frozen=True, kw_only=True)
class ModuleProfile:
    """A module's (``smod`` None) or submodule's statistics, all files together."""

    mod: str
    smod: str | None
    lines: int  #: matched lines in all
    files: int  #: files it appears in (the most of any level)
    levels: dict[str, int]  #: lines per level, most frequent first ('' = no level)
    top: list[TemplateCount]  #: most frequent templates first
    submodules: list[str]  #: a module's submodules (empty for a submodule)


async def module_profile(
    conn: psycopg.AsyncConnection[Any], mod: str, smod: str | None, *, top: int = TOP_TEMPLATES
) -> ModuleProfile:
    """The profile of ``mod`` (all its submodules together) or of ``mod``/``smod``."""
    cur = await conn.execute(_LEVELS, (mod, smod, smod))
    level_rows = await cur.fetchall()
    cur = await conn.execute(_TOP, (mod, smod, smod, top))
    top_rows = await cur.fetchall()
    subs: list[str] = []
    if smod is None:
        cur = await conn.execute(_SUBMODULES, (mod,))
        subs = [str(r[0]) for r in await cur.fetchall()]
    return ModuleProfile(
        mod=mod,
        smod=smod,
        lines=sum(int(n) for _, n, _ in level_rows),
        files=max((int(f) for _, _, f in level_rows), default=0),
        levels={str(level): int(n) for level, n, _ in level_rows},
        top=[
            TemplateCount(
                template_id=int(tid),
                template=str(text),
                category=category,
                level=str(level),
                lines=int(n),
            )
            for tid, text, category, n, level in top_rows
        ],
        submodules=subs,
    )
