"""The module-descriptions pages (seed 000's "third program"): modules and submodules without an
approved description and their drafts; approve or reject one by one or in bulk (checkboxes),
edit, draft the missing ones. Every decision is stored with who took it (the name the form asks
for, remembered in a cookie) and when; the pages call the same store and drafting functions as
the ``/api/v1/descriptions`` routes."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Annotated, Any
from urllib.parse import quote, unquote, urlencode

import psycopg
from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from argus.console.deps import ConnDep, SettingsDep, require_session
from argus.console.forms import Form, person, read_form
from argus.console.render import page
from argus.describe.decisions import DECISIONS, decide_many
from argus.describe.drafting import draft_all, draftable, opened_drafter, targets
from argus.errors import ConflictError, InputError
from argus.store import descriptions
from argus.store.descriptions import DescriptionState

router = APIRouter(dependencies=[Depends(require_session)])
#: Descriptions per page, and the most one click of "draft the missing ones" drafts.
PAGE_SIZE = 50
DRAFT_LIMIT = 50
#: A person's text, as the API's edit takes it.
MAX_EDIT_CHARS = 2000
#: The cookie remembering the name of who decides (read by the server only).
REVIEWER_COOKIE = "argus_reviewer"
_S = DescriptionState
#: What the list shows, by the ``show`` choice: "review" is what still needs a person.
SHOWS: dict[str, tuple[DescriptionState, ...]] = {
    "review": (_S.MISSING, _S.DRAFT, _S.REJECTED),
    "missing": (_S.MISSING,),
    "draft": (_S.DRAFT,),
    "approved": (_S.APPROVED,),
    "rejected": (_S.REJECTED,),
    "all": (),
}
DescId = Annotated[int, Path(ge=1, le=2**63 - 1)]


@dataclass(kw_only=True)
class ListView:
    """The list's filters and page as the forms hold them, and what was wrong with them."""

    show: str = "review"
    module: str = ""
    offset: int = 0
    problems: list[str] = field(default_factory=list)

    def query(self, *, offset: int | None = None, extra: Mapping[str, object] | None = None) -> str:
        """The filters as a query string (another ``offset``, and ``extra`` fields, when given)."""
        pairs: list[tuple[str, object]] = [("show", self.show)]
        if self.module:
            pairs.append(("module", self.module))
        at = self.offset if offset is None else offset
        if at:
            pairs.append(("offset", at))
        pairs += list((extra or {}).items())
        return urlencode(pairs)


def list_view(
    show: Annotated[str, Query(max_length=20)] = "review",
    module: Annotated[str, Query(max_length=500)] = "",
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> ListView:
    """The filters from the query string; an unusable value is dropped and named."""
    view = ListView(module=module.strip(), offset=offset)
    if show in SHOWS:
        view.show = show
    else:
        view.problems.append(f"unknown choice {show!r}: showing what needs review")
    if "\x00" in view.module:
        view.problems.append("a module name cannot hold a NUL character")
        view.module = ""
    return view


def _view_of(form: Form) -> ListView:
    offset = form.one("offset")
    at = int(offset) if offset.isascii() and offset.isdigit() and len(offset) < 9 else 0
    return list_view(show=form.one("show") or "review", module=form.one("module")[:500], offset=at)


ListDep = Annotated[ListView, Depends(list_view)]


def notice(done: str, n: int, llm: int = 0, fallbacks: int = 0, remaining: int = 0) -> str:
    """What the last action did, said from its counts (never text taken from the address)."""
    plural = "" if n == 1 else "s"
    match done:
        case "approved" | "rejected" | "edited":
            return f"{n} description{plural} {done}."
        case "drafted" if n == 0:
            return "Nothing to draft: every module and submodule has a description or a draft."
        case "drafted":
            rules = max(0, n - llm)
            said = f"Drafted {n} description{plural} ({llm} by the LLM, {rules} from templates)."
            if fallbacks:
                said += f" The LLM failed for {fallbacks}; their drafts come from the templates."
            if remaining:
                said += f" {remaining} still to draft: draft again."
            return said
    return ""


Count = Annotated[int, Query(ge=0, le=1_000_000)]


def notice_of(
    done: Annotated[str, Query(max_length=20)] = "",
    n: Count = 0,
    llm: Count = 0,
    fallbacks: Count = 0,
    remaining: Count = 0,
) -> str:
    """The notice of the action that redirected here (empty when none)."""
    return notice(done, n, llm, fallbacks, remaining)


NoticeDep = Annotated[str, Depends(notice_of)]


def reviewer(request: Request) -> str:
    """The name remembered from the last decision taken in this browser ("" when none)."""
    return unquote(request.cookies.get(REVIEWER_COOKIE, ""))[:200]


def _remember(response: Response, by: str) -> Response:
    response.set_cookie(
        REVIEWER_COOKIE,
        quote(by, safe=""),
        max_age=365 * 24 * 3600,
        httponly=True,
        samesite="lax",
        path="/",
    )
    return response


@router.get("/descriptions", response_class=HTMLResponse)
async def descriptions_page(
    request: Request, conn: ConnDep, view: ListDep, said: NoticeDep, settings: SettingsDep
) -> HTMLResponse:
    """The list: counts by state, the filter, the draft button and the decisions form."""
    return await _list_page(request, conn, view, llm=settings.llm_mode != "none", notice=said)


async def _list_page(
    request: Request,
    conn: psycopg.AsyncConnection[Any],
    view: ListView,
    *,
    llm: bool,
    notice: str = "",
    errors: Sequence[str] = (),
    by: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    found = await descriptions.list_descriptions(
        conn, states=SHOWS[view.show], mod=view.module or None, limit=PAGE_SIZE, offset=view.offset
    )
    counts = {}
    for state in DescriptionState:
        counts[str(state)] = (
            await descriptions.list_descriptions(
                conn, states=[state], mod=view.module or None, limit=1
            )
        ).total
    context = {
        "view": view,
        "rows": found.rows,
        "total": found.total,
        "counts": counts,
        "shows": list(SHOWS),
        "page_size": PAGE_SIZE,
        "notice": notice,
        "errors": [*view.problems, *errors],
        "reviewer": reviewer(request) if by is None else by,
        "llm": llm,
    }
    return page(request, "descriptions.html", context, status_code=status_code)


@router.post("/descriptions/decide", response_class=HTMLResponse)
async def decide(request: Request, conn: ConnDep, settings: SettingsDep) -> Response:
    """Approve or reject the checked descriptions (``action``) or one (``one`` =
    ``approve:<id>``), as ``by``; back to the list (or to the description the form was on)
    saying what was done, or the list again with what could not be done."""
    form = await read_form(request)
    view = _view_of(form)
    single = _id(form.one("from_id"))
    llm = settings.llm_mode != "none"
    try:
        by = person(form.one("by"))
        action, ids = _decision(form)
    except InputError as exc:
        if single is not None:
            return await _detail_page(request, conn, single, errors=[exc.message], status=400)
        return await _list_page(
            request, conn, view, llm=llm, errors=[exc.message], by=form.one("by"), status_code=400
        )
    results = await decide_many(conn, ids, by, DECISIONS[action])
    count = sum(r.outcome == "done" for r in results)
    done = {"done": f"{action}d", "n": count}
    refused = [r.detail or "" for r in results if r.outcome != "done"]
    response: Response
    if refused and single is not None:
        response = await _detail_page(request, conn, single, errors=refused, status=409)
    elif refused:
        said = notice(f"{action}d", count) if count else ""
        response = await _list_page(
            request, conn, view, llm=llm, notice=said, errors=refused, by=by, status_code=409
        )
    elif single is not None:
        response = RedirectResponse(f"/descriptions/{single}?{urlencode(done)}", status_code=303)
    else:
        response = RedirectResponse(f"/descriptions?{view.query(extra=done)}", status_code=303)
    return _remember(response, by)


def _id(text: str) -> int | None:
    """A description id written in a form (None for anything else, or beyond a bigint)."""
    digits = text.isascii() and text.isdigit() and 0 < len(text) < 16
    return int(text) if digits and int(text) > 0 else None


def _decision(form: Form) -> tuple[str, list[int]]:
    """The action and the ids of a decisions form; InputError when it names none."""
    one = form.one("one")
    if one:
        action, _, raw = one.partition(":")
        ids = [raw]
    else:
        action, ids = form.one("action"), form.every("id")
    if action not in DECISIONS:
        raise InputError("choose approve or reject")
    chosen = [n for n in map(_id, ids) if n is not None]
    if not chosen:
        raise InputError("tick at least one description first")
    return action, chosen


@router.post("/descriptions/draft")
async def draft_missing(request: Request, conn: ConnDep, settings: SettingsDep) -> Response:
    """Draft the missing (or rejected) descriptions, of the filtered module only when one is
    set, at most :data:`DRAFT_LIMIT`: the LLM when configured, else from the templates."""
    view = _view_of(await read_form(request))
    todo = await targets(conn, scope="missing", mod=view.module or None)
    async with opened_drafter(settings) as drafter:
        summary = await draft_all(conn, todo[:DRAFT_LIMIT], drafter)
    counts = {
        "done": "drafted",
        "n": len(summary.drafted),
        "llm": summary.by_llm,
        "fallbacks": len(summary.fallbacks),
        "remaining": max(0, len(todo) - DRAFT_LIMIT),
    }
    return RedirectResponse(f"/descriptions?{view.query(extra=counts)}", status_code=303)


@router.get("/descriptions/{description_id}", response_class=HTMLResponse)
async def description_page(
    request: Request, description_id: DescId, conn: ConnDep, said: NoticeDep
) -> HTMLResponse:
    """One description: its text and state, who drafted and decided it and when, its history,
    and the form to approve, reject or rewrite it."""
    return await _detail_page(request, conn, description_id, notice=said)


async def _detail_page(
    request: Request,
    conn: psycopg.AsyncConnection[Any],
    description_id: int,
    *,
    notice: str = "",
    errors: Sequence[str] = (),
    text: str | None = None,
    status: int = 200,
) -> HTMLResponse:
    found = await descriptions.get_description(conn, description_id)
    context = {
        "d": found,
        "history": await descriptions.history(conn, description_id),
        "notice": notice,
        "errors": list(errors),
        "reviewer": reviewer(request),
        "text": found.text or "" if text is None else text,
        "max_chars": MAX_EDIT_CHARS,
    }
    return page(request, "description.html", context, status_code=status)


@router.post("/descriptions/{description_id}/edit", response_class=HTMLResponse)
async def edit(request: Request, description_id: DescId, conn: ConnDep) -> Response:
    """Replace the text by the person's, approved at once (the page again with the reason
    when the name or the text cannot be used)."""
    form = await read_form(request)
    text = form.one("text")
    try:
        by = person(form.one("by"))
        if not text or len(text) > MAX_EDIT_CHARS or "\x00" in text:
            raise InputError(f"the text must hold 1 to {MAX_EDIT_CHARS} characters, without NUL")
    except InputError as exc:
        return await _detail_page(
            request, conn, description_id, errors=[exc.message], text=text, status=400
        )
    await descriptions.edit(conn, description_id, by, text)
    target = f"/descriptions/{description_id}?{urlencode({'done': 'edited', 'n': 1})}"
    return _remember(RedirectResponse(target, status_code=303), by)


@router.post("/descriptions/{description_id}/draft", response_class=HTMLResponse)
async def draft_one(
    request: Request, description_id: DescId, conn: ConnDep, settings: SettingsDep
) -> Response:
    """Draft this description again (refused, with the reason, when it is approved)."""
    try:
        target = draftable(await descriptions.get_description(conn, description_id))
    except ConflictError as exc:
        return await _detail_page(request, conn, description_id, errors=[exc.message], status=409)
    async with opened_drafter(settings) as drafter:
        summary = await draft_all(conn, [target], drafter)
    counts = {"done": "drafted", "n": len(summary.drafted), "llm": summary.by_llm}
    counts["fallbacks"] = len(summary.fallbacks)
    return RedirectResponse(f"/descriptions/{description_id}?{urlencode(counts)}", status_code=303)
