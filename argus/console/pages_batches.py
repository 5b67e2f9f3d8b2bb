"""The batches page: the list (state, source, labels, files, created, elapsed), its filters and
pages, states refreshed live (htmx polling of the table), and the upload form."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse

from argus.batch_status import BatchStatus
from argus.config import Settings
from argus.console.deps import ConnDep, SettingsDep, require_session
from argus.console.render import page
from argus.store import batch_list
from argus.store.batch_list import BatchFilter, BatchPage, cursor_of, position_of_cursor

router = APIRouter(dependencies=[Depends(require_session)])
#: Batches per page of the console's list.
PAGE_SIZE = 25
_LABEL = re.compile(r"^[^=\x00]{1,100}=[^\x00]{0,500}$")
_CURSOR = re.compile(r"^[0-9]{1,16}-[0-9a-f]{32}$")
_STATES = [str(s) for s in BatchStatus]


@dataclass(kw_only=True)
class ListView:
    """The list's filters as the form holds them, what is wrong with them, and a page."""

    states: list[str] = field(default_factory=list)
    source: str = ""
    label: str = ""
    cursor: str = ""
    problems: list[str] = field(default_factory=list)

    def batch_filter(self) -> BatchFilter:
        """The store's filter of the valid fields (invalid ones are named in ``problems``)."""
        key, _, value = self.label.partition("=")
        return BatchFilter(
            states=[BatchStatus(s) for s in self.states],
            source=self.source or None,
            labels=[(key, value)] if self.label else [],
        )

    def query(self, *, cursor: str | None = None) -> str:
        """The filters as a query string (with ``cursor`` when given)."""
        pairs = [("state", s) for s in self.states]
        pairs += [(k, v) for k, v in (("source", self.source), ("label", self.label)) if v]
        if cursor:
            pairs.append(("cursor", cursor))
        return urlencode(pairs)


def list_view(
    state: Annotated[list[str], Query()] = [],  # noqa: B006 (FastAPI copies defaults)
    source: Annotated[str, Query(max_length=200)] = "",
    label: Annotated[str, Query(max_length=601)] = "",
    cursor: Annotated[str, Query(max_length=60)] = "",
) -> ListView:
    """The list's filters from the query string; a value that cannot be used is dropped and
    named in ``problems`` (the page says so instead of failing)."""
    view = ListView(source=source.strip(), label=label.strip())
    for name in state:
        if name in _STATES:
            view.states.append(name)
        elif name:
            view.problems.append(f"unknown state {name!r}")
    if view.label and not _LABEL.match(view.label):
        view.problems.append("a label filter is written key=value")
        view.label = ""
    if "\x00" in view.source:
        view.problems.append("the source cannot hold a NUL character")
        view.source = ""
    if cursor and _CURSOR.match(cursor):
        view.cursor = cursor
    elif cursor:
        view.problems.append("that page link is not valid: showing the newest batches")
    return view


ListDep = Annotated[ListView, Depends(list_view)]


async def _page(conn: ConnDep, view: ListView) -> tuple[BatchPage, str | None]:
    after = position_of_cursor(view.cursor) if view.cursor else None
    found = await batch_list.list_batches(conn, view.batch_filter(), limit=PAGE_SIZE, after=after)
    last = batch_list.position_of(found.rows[-1]) if found.more else None
    return found, cursor_of(last) if last else None


async def _list_context(conn: ConnDep, view: ListView, settings: Settings) -> dict[str, object]:
    """What the page and its polled table both show: one page of batches and the next cursor."""
    found, next_cursor = await _page(conn, view)
    return {
        "view": view,
        "rows": found.rows,
        "next_cursor": next_cursor,
        "poll_s": settings.console.poll_s,
    }


@router.get("/", response_class=HTMLResponse)
async def batches_page(
    request: Request, conn: ConnDep, view: ListDep, settings: SettingsDep
) -> HTMLResponse:
    """The batches page."""
    context = await _list_context(conn, view, settings)
    return page(request, "batches.html", {**context, "all_states": _STATES})


@router.get("/fragments/batches", response_class=HTMLResponse)
async def batch_rows(
    request: Request, conn: ConnDep, view: ListDep, settings: SettingsDep
) -> HTMLResponse:
    """The list's table alone (polled by the batches page to keep states current)."""
    return page(request, "_batch_table.html", await _list_context(conn, view, settings))
