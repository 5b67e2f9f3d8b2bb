"""Repository of module and submodule descriptions: their state, drafts, decisions, history.

Every module and submodule has one ``module_description`` row from the moment pass 1 records
it (migration 0005's triggers). States: ``missing`` (no text yet) -> ``draft`` (drafted by the
LLM or from the templates) -> ``approved`` or ``rejected`` by a person; an edit by a person is
approved at once. An approved description is never overwritten by a draft. Each draft and
decision appends a ``description_event`` (who, what, when): the history, never rewritten. The
approved text is also written to ``module.description`` / ``submodule.description``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

import psycopg
from psycopg import sql

from argus.errors import ConflictError, NotFoundError


class DescriptionState(StrEnum):
    """Where a description stands."""

    MISSING = "missing"
    DRAFT = "draft"
    APPROVED = "approved"
    REJECTED = "rejected"


class Drafter(StrEnum):
    """Who wrote a description's text."""

    LLM = "llm"
    TEMPLATES = "templates"
    PERSON = "person"


#: States a new draft may replace: ``missing`` only draws what has none or was rejected;
#: ``all`` also redrafts pending drafts. Approved descriptions are never redrafted.
REDRAFTABLE = {
    "missing": (DescriptionState.MISSING, DescriptionState.REJECTED),
    "all": (DescriptionState.MISSING, DescriptionState.REJECTED, DescriptionState.DRAFT),
}


@dataclass(frozen=True, kw_only=True)
class Description:
    """One module's (``smod`` None) or submodule's description as stored."""

    description_id: int
    mod: str
    smod: str | None
    text: str | None
    state: DescriptionState
    drafted_by: Drafter | None
    model: str | None
    drafted_at: datetime | None
    decided_by: str | None
    decided_at: datetime | None
    updated_at: datetime


@dataclass(frozen=True, kw_only=True)
class DescriptionEvent:
    """One draft or decision of a description's history."""

    action: str  #: drafted, approved, edited or rejected
    text: str  #: the text it concerned
    actor: str  #: a person's name, or ``llm`` / ``templates`` for drafts
    at: datetime


@dataclass(frozen=True, kw_only=True)
class DescriptionPage:
    """One page of descriptions ordered by module then submodule, and the count of all."""

    rows: list[Description]
    total: int  #: descriptions passing the filter, over all pages


@dataclass(frozen=True, kw_only=True)
class NewDraft:
    """A drafted text for one description."""

    description_id: int
    text: str
    drafted_by: Drafter
    model: str | None = None  #: the LLM's name for an LLM draft


_COLUMNS = (
    "description_id, mod, smod, text, state, drafted_by, model, drafted_at, decided_by,"
    " decided_at, updated_at"
)


def _row(values: Sequence[Any]) -> Description:
    did, mod, smod, text, state, drafted_by, model, drafted_at, by, at, updated = values
    return Description(
        description_id=int(did),
        mod=mod,
        smod=smod,
        text=text,
        state=DescriptionState(state),
        drafted_by=Drafter(drafted_by) if drafted_by else None,
        model=model,
        drafted_at=drafted_at,
        decided_by=by,
        decided_at=at,
        updated_at=updated,
    )


def _where(states: Sequence[DescriptionState], mod: str | None) -> tuple[sql.Composable, list[Any]]:
    parts: list[sql.Composable] = [sql.SQL("true")]
    params: list[Any] = []
    if states:
        parts.append(sql.SQL("state = ANY(%s)"))
        params.append([str(s) for s in states])
    if mod is not None:
        parts.append(sql.SQL("mod = %s"))
        params.append(mod)
    return sql.SQL(" AND ").join(parts), params


async def list_descriptions(
    conn: psycopg.AsyncConnection[Any],
    *,
    states: Sequence[DescriptionState] = (),
    mod: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> DescriptionPage:
    """The descriptions in any of ``states`` (all when empty), of module ``mod`` and its
    submodules when given; ordered by module, the module's own first, then its submodules."""
    where, params = _where(states, mod)
    query = sql.SQL(
        "SELECT {}, count(*) OVER () FROM module_description WHERE {}"
        " ORDER BY mod, smod NULLS FIRST LIMIT %s OFFSET %s"
    ).format(sql.SQL(_COLUMNS), where)
    cur = await conn.execute(query, [*params, limit, offset])
    rows = await cur.fetchall()
    if rows:
        return DescriptionPage(rows=[_row(r[:-1]) for r in rows], total=int(rows[0][-1]))
    count = await conn.execute(
        sql.SQL("SELECT count(*) FROM module_description WHERE {}").format(where), params
    )
    found = await count.fetchone()
    return DescriptionPage(rows=[], total=int(found[0]) if found else 0)


async def get_description(conn: psycopg.AsyncConnection[Any], description_id: int) -> Description:
    """One description; NotFoundError when there is none with this id."""
    cur = await conn.execute(
        f"SELECT {_COLUMNS} FROM module_description WHERE description_id = %s",
        (description_id,),
    )
    row = await cur.fetchone()
    if row is None:
        raise NotFoundError(f"no module description {description_id}")
    return _row(row)


async def find_description(
    conn: psycopg.AsyncConnection[Any], mod: str, smod: str | None
) -> Description:
    """The description of module ``mod`` (``smod`` None) or of its submodule ``smod``;
    NotFoundError when no such module or submodule was ever seen in a log."""
    cur = await conn.execute(
        f"SELECT {_COLUMNS} FROM module_description WHERE mod = %s"
        " AND smod IS NOT DISTINCT FROM %s",
        (mod, smod),
    )
    row = await cur.fetchone()
    if row is None:
        where = f"module {mod!r}" + (f" submodule {smod!r}" if smod is not None else "")
        raise NotFoundError(f"no {where} has been seen in a log")
    return _row(row)


async def to_draft(
    conn: psycopg.AsyncConnection[Any], scope: str, *, mod: str | None = None
) -> list[Description]:
    """The descriptions that ``scope`` (``missing`` or ``all``, see REDRAFTABLE) lets a
    drafter write, of module ``mod`` only when given; ordered by module and submodule."""
    where, params = _where(REDRAFTABLE[scope], mod)
    cur = await conn.execute(
        sql.SQL("SELECT {} FROM module_description WHERE {} ORDER BY mod, smod NULLS FIRST").format(
            sql.SQL(_COLUMNS), where
        ),
        params,
    )
    return [_row(r) for r in await cur.fetchall()]


async def save_draft(conn: psycopg.AsyncConnection[Any], draft: NewDraft) -> Description | None:
    """Store ``draft`` as the description's text (state ``draft``) with a history event;
    None, and nothing written, when the description was approved meanwhile."""
    async with conn.transaction():
        cur = await conn.execute(
            "UPDATE module_description SET text = %s, state = 'draft', drafted_by = %s,"
            " model = %s, drafted_at = now(), decided_by = NULL, decided_at = NULL,"
            " updated_at = now() WHERE description_id = %s AND state <> 'approved'"
            f" RETURNING {_COLUMNS}",
            (draft.text, str(draft.drafted_by), draft.model, draft.description_id),
        )
        row = await cur.fetchone()
        if row is None:
            return None
        await _event(conn, draft.description_id, "drafted", draft.text, str(draft.drafted_by))
    return _row(row)


async def approve(conn: psycopg.AsyncConnection[Any], description_id: int, by: str) -> Description:
    """Approve a drafted description as its text stands. NotFoundError for an unknown id;
    ConflictError unless it is a draft (missing: nothing to approve; approved already;
    rejected: draft again or edit it)."""
    return await _decide(conn, description_id, by, "approved", None)


async def reject(conn: psycopg.AsyncConnection[Any], description_id: int, by: str) -> Description:
    """Reject a drafted description (the next ``argus describe`` drafts it again).
    NotFoundError for an unknown id; ConflictError unless it is a draft."""
    return await _decide(conn, description_id, by, "rejected", None)


async def edit(
    conn: psycopg.AsyncConnection[Any], description_id: int, by: str, text: str
) -> Description:
    """Replace the text by a person's, approved at once, whatever the state was
    (drafted_by ``person``). NotFoundError for an unknown id."""
    return await _decide(conn, description_id, by, "edited", text)


async def _decide(
    conn: psycopg.AsyncConnection[Any], description_id: int, by: str, action: str, text: str | None
) -> Description:
    async with conn.transaction():
        current = await _locked(conn, description_id)
        if text is None and current.state is not DescriptionState.DRAFT:
            raise ConflictError(
                f"module description {description_id} is {current.state}: only a draft can be"
                f" {action}"
            )
        state = "rejected" if action == "rejected" else "approved"
        cur = await conn.execute(
            "UPDATE module_description SET state = %s, text = coalesce(%s, text),"
            " drafted_by = CASE WHEN %s::text IS NULL THEN drafted_by ELSE %s END,"
            " model = CASE WHEN %s::text IS NULL THEN model END,"
            " drafted_at = CASE WHEN %s::text IS NULL THEN drafted_at ELSE now() END,"
            " decided_by = %s, decided_at = now(), updated_at = now()"
            f" WHERE description_id = %s RETURNING {_COLUMNS}",
            (state, text, text, str(Drafter.PERSON), text, text, by, description_id),
        )
        row = await cur.fetchone()
        assert row is not None
        decided = _row(row)
        assert decided.text is not None
        await _event(conn, description_id, action, decided.text, by)
        await _publish(conn, decided)
    return decided


async def _locked(conn: psycopg.AsyncConnection[Any], description_id: int) -> Description:
    cur = await conn.execute(
        f"SELECT {_COLUMNS} FROM module_description WHERE description_id = %s FOR UPDATE",
        (description_id,),
    )
    row = await cur.fetchone()
    if row is None:
        raise NotFoundError(f"no module description {description_id}")
    return _row(row)


async def _publish(conn: psycopg.AsyncConnection[Any], decided: Description) -> None:
    """Keep ``module``/``submodule.description`` equal to the approved text (NULL otherwise)."""
    text = decided.text if decided.state is DescriptionState.APPROVED else None
    if decided.smod is None:
        await conn.execute(
            "UPDATE module SET description = %s, updated_at = now() WHERE mod = %s",
            (text, decided.mod),
        )
    else:
        await conn.execute(
            "UPDATE submodule SET description = %s, updated_at = now()"
            " WHERE mod = %s AND smod = %s",
            (text, decided.mod, decided.smod),
        )


async def _event(
    conn: psycopg.AsyncConnection[Any], description_id: int, action: str, text: str, actor: str
) -> None:
    await conn.execute(
        "INSERT INTO description_event (description_id, action, text, actor)"
        " VALUES (%s, %s, %s, %s)",
        (description_id, action, text, actor),
    )


async def history(
    conn: psycopg.AsyncConnection[Any], description_id: int
) -> list[DescriptionEvent]:
    """Every draft and decision of a description, oldest first (NotFoundError for an
    unknown id)."""
    await get_description(conn, description_id)
    cur = await conn.execute(
        "SELECT action, text, actor, at FROM description_event WHERE description_id = %s"
        " ORDER BY event_id",
        (description_id,),
    )
    rows = await cur.fetchall()
    return [DescriptionEvent(action=a, text=t, actor=who, at=at) for a, t, who, at in rows]
