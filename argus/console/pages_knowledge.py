"""The knowledge pages: hybrid search with the hard filters (error code, platform, firmware,
module, category), an entry's view, and the forms that add, edit and delete entries (the browser
sends them to the ``/api/v1/knowledge`` routes, which validate and embed them)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import HTMLResponse

from argus.console.deps import ConnDep, StateDep, require_session
from argus.console.render import page
from argus.errors import ArgusError
from argus.knowledge import curation
from argus.knowledge.categories import Category
from argus.knowledge.filters import SearchFilters
from argus.knowledge.search import MAX_QUERY_CHARS, hybrid_search
from argus.store import knowledge as store

router = APIRouter(dependencies=[Depends(require_session)])
#: Entries listed when no search is made, and hits of a search.
LISTED = 50
HITS = 20
Short = Annotated[str, Query(max_length=100)]
KbId = Annotated[int, Path(ge=1, le=2**63 - 1)]
_CATEGORIES = [str(c) for c in Category]


@router.get("/knowledge", response_class=HTMLResponse)
async def knowledge_page(
    request: Request,
    conn: ConnDep,
    state: StateDep,
    q: Annotated[str, Query(max_length=MAX_QUERY_CHARS)] = "",
    error_code: Short = "",
    platform: Short = "",
    firmware: Short = "",
    module: Short = "",
    category: Short = "",
) -> HTMLResponse:
    """Search (when ``q`` is given: hits with their scores and reasons) or the latest entries."""
    form = {
        "q": q.strip(),
        "error_code": error_code,
        "platform": platform,
        "firmware": firmware,
        "module": module,
        "category": category,
    }
    context: dict[str, Any] = {"form": form, "categories": _CATEGORIES, "problem": ""}
    if not form["q"]:
        context["entries"] = await store.latest_entries(conn, LISTED)
        return page(request, "knowledge.html", context)
    try:
        filters = SearchFilters.build(
            error_code=error_code,
            platform=platform,
            firmware=firmware,
            module=module,
            category=category or None,
        )
    except ArgusError as exc:
        context["problem"] = exc.message
        return page(request, "knowledge.html", context, status_code=400)
    embedder = await state.embedding()
    found = await hybrid_search(conn, form["q"], embedder=embedder, filters=filters, limit=HITS)
    context["hits"] = found.hits
    context["active"] = found.filters
    return page(request, "knowledge.html", context)


@router.get("/knowledge/new", response_class=HTMLResponse)
async def new_entry(request: Request) -> HTMLResponse:
    """The form of a new entry."""
    context = {"entry": None, "categories": _CATEGORIES}
    return page(request, "knowledge_form.html", context)


@router.get("/knowledge/{kb_id}", response_class=HTMLResponse)
async def entry_page(request: Request, kb_id: KbId, conn: ConnDep) -> HTMLResponse:
    """One entry, with its edit and delete buttons."""
    entry = await curation.read_entry(conn, kb_id)
    return page(request, "knowledge_entry.html", {"entry": entry})


@router.get("/knowledge/{kb_id}/edit", response_class=HTMLResponse)
async def edit_entry(request: Request, kb_id: KbId, conn: ConnDep) -> HTMLResponse:
    """The form of an entry, filled with its fields."""
    entry = await curation.read_entry(conn, kb_id)
    return page(request, "knowledge_form.html", {"entry": entry, "categories": _CATEGORIES})
