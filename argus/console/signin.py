"""Sign-in and sign-out: a configured API key is exchanged for a session cookie (HttpOnly,
SameSite=Lax, signed and expiring; see :mod:`argus.access`)."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import parse_qs

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from argus import access
from argus.console.deps import SettingsDep
from argus.console.render import page

router = APIRouter()
#: Where a browser is sent after signing in when it came from nowhere in particular.
HOME = "/"
#: The sign-in form's body is a few hundred bytes: only this much of it is parsed (the service
#: caps every body at limits.max_json_bytes before it gets here).
MAX_FORM_BYTES = 8192


def safe_next(target: str | None) -> str:
    """``target`` when it is a path of this site (``/...``, not ``//host`` or a URL), else the
    home page: a sign-in link can never send the browser to another site. Backslashes and
    control characters are refused too: browsers drop tabs and read a backslash as ``/``, so
    "/<tab>/host" and "/<backslash>host" would reach another site."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return HOME
    if "\\" in target or any(ord(c) < 0x21 or ord(c) == 0x7F for c in target):
        return HOME
    return target


@router.get("/signin", response_class=HTMLResponse)
async def signin_page(
    request: Request, next_: Annotated[str | None, Query(alias="next")] = None
) -> Response:
    """The sign-in form (straight to ``next`` when access is open)."""
    if access.is_open(request.state.argus.settings):
        return RedirectResponse(safe_next(next_), status_code=303)
    return page(request, "signin.html", {"next": safe_next(next_), "error": ""})


@router.post("/signin", response_class=HTMLResponse)
async def signin(request: Request, settings: SettingsDep) -> Response:
    """Check the key of the form; a configured one buys a session cookie and goes on to
    ``next``; any other answers the form again with the reason (401)."""
    body = (await request.body())[:MAX_FORM_BYTES].decode("utf-8", errors="replace")
    form = parse_qs(body, max_num_fields=4)
    key = (form.get("key") or [""])[0].strip().encode()
    target = safe_next((form.get("next") or [HOME])[0])
    if access.is_open(settings):
        return RedirectResponse(target, status_code=303)
    if not key or not access.key_matches(settings, key):
        context = {"next": target, "error": "That key is not one of the service's API keys."}
        return page(request, "signin.html", context, status_code=401)
    ttl = settings.console.session_ttl_s
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(
        access.SESSION_COOKIE,
        access.issue_session(key, ttl),
        max_age=ttl,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        path="/",
    )
    return response


@router.post("/signout")
async def signout() -> Response:
    """Forget the session cookie and show the sign-in page."""
    response = RedirectResponse("/signin", status_code=303)
    response.delete_cookie(access.SESSION_COOKIE, path="/", httponly=True, samesite="lax")
    return response
