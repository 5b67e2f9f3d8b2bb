"""Rendering pages: one Jinja2 environment (autoescaped: log content is untrusted and shown as
text, never as markup) with the console's filters."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from argus import access
from argus.batch_status import BatchStatus

TEMPLATES = Jinja2Templates(directory=Path(__file__).resolve().parent / "templates")


def duration(seconds: float | None) -> str:
    """``seconds`` as a short human duration: 0.4 s, 12 s, 3 min 05 s, 2 h 04 min."""
    if seconds is None:
        return ""
    if seconds < 10:
        return f"{seconds:.1f} s"
    whole = round(seconds)
    if whole < 60:
        return f"{whole} s"
    if whole < 3600:
        return f"{whole // 60} min {whole % 60:02d} s"
    return f"{whole // 3600} h {whole % 3600 // 60:02d} min"


def when(value: datetime | None) -> str:
    """A time in UTC to the second (``2026-12-02 07:40:01 UTC``)."""
    if value is None:
        return ""
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def settled(status: BatchStatus) -> bool:
    """True for a state a batch stays in by itself (diagnosed, failed)."""
    return status in (BatchStatus.DIAGNOSED, BatchStatus.FAILED)


TEMPLATES.env.filters["duration"] = duration
TEMPLATES.env.filters["when"] = when
TEMPLATES.env.tests["settled"] = settled


def page(
    request: Request, name: str, context: Mapping[str, Any], *, status_code: int = 200
) -> HTMLResponse:
    """The page ``name`` rendered with ``context``; every page knows whether sign-in is on
    (``keys``) to offer signing out."""
    settings = request.state.argus.settings
    section = request.url.path.strip("/").split("/", 1)[0]
    full = {"keys": not access.is_open(settings), "nav": section or "batches", **context}
    return TEMPLATES.TemplateResponse(request, name, full, status_code=status_code)
