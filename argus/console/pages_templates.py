"""The templates page: the library with each template's source (rule, llm, manual, import),
version and matched lines, searched by text; and a template's history of versions."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import HTMLResponse

from argus.console.deps import ConnDep, require_session
from argus.console.render import page
from argus.errors import NotFoundError
from argus.store import template_library

router = APIRouter(dependencies=[Depends(require_session)])
#: Templates listed per search.
LISTED = 100
SOURCES = ("rule", "llm", "manual", "import")


@router.get("/templates", response_class=HTMLResponse)
async def templates_page(
    request: Request,
    conn: ConnDep,
    q: Annotated[str, Query(max_length=500)] = "",
    source: Annotated[str, Query(max_length=20)] = "",
) -> HTMLResponse:
    """The library, the most matched first, filtered by text and source."""
    chosen = source if source in SOURCES else ""
    text = q.strip().replace("\x00", "")
    rows = await template_library.library(conn, query=text, source=chosen, limit=LISTED)
    context = {"rows": rows, "q": text, "source": chosen, "sources": SOURCES, "limit": LISTED}
    return page(request, "templates.html", context)


@router.get("/templates/{template_id}", response_class=HTMLResponse)
async def template_page(
    request: Request, template_id: Annotated[int, Path(ge=1, le=2**63 - 1)], conn: ConnDep
) -> HTMLResponse:
    """One template with its versions."""
    found = await template_library.library(conn, query=str(template_id), limit=LISTED)
    row = next((r for r in found if r.template_id == template_id), None)
    if row is None:
        raise NotFoundError(f"no template {template_id}")
    revisions = await template_library.history(conn, template_id)
    return page(request, "template.html", {"row": row, "revisions": revisions})
