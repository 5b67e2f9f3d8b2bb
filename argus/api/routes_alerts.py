"""Alert routes: rules (CRUD), channels (secrets write-only), silences, notifications."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Path, Query, Response, status

from argus.alerts.rules import ChannelSpec, RuleSpec, SilenceSpec
from argus.api.deps import ConnDep
from argus.api.schemas import errors
from argus.api.schemas_alerts import ChannelView, NotificationView, RuleView, SilenceView
from argus.errors import ConflictError, NotFoundError
from argus.store import alert_outbox, alerts
from argus.store.alert_outbox import NotificationState
from argus.store.alerts import StoredRule, StoredSilence

router = APIRouter(prefix="/api/v1", tags=["alerts"], responses=errors(401))
Name = Annotated[str, Path(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")]
SilenceId = Annotated[int, Path(ge=1, le=2**63 - 1)]


def _rule_view(stored: StoredRule) -> RuleView:
    return RuleView(
        **stored.spec.model_dump(), rule_id=stored.rule_id, updated_at=stored.updated_at
    )


async def _check_channels(conn: ConnDep, spec: RuleSpec) -> None:
    known = {c.name for c in await alerts.list_channels(conn)}
    unknown = sorted(set(spec.channels) - known)
    if unknown:
        raise ConflictError(
            f"unknown channel(s): {', '.join(unknown)}",
            hint="create them first: PUT /api/v1/alert-channels/{name}",
        )


@router.get("/alert-rules")
async def list_rules(conn: ConnDep) -> list[RuleView]:
    """Every rule, by name."""
    return [_rule_view(r) for r in await alerts.list_rules(conn)]


@router.post("/alert-rules", status_code=status.HTTP_201_CREATED, responses=errors(409))
async def create_rule(body: RuleSpec, conn: ConnDep) -> RuleView:
    """Add a rule (409 when its name is taken or it names a channel that does not exist)."""
    if await alerts.get_rule(conn, body.name) is not None:
        raise ConflictError(f"a rule named {body.name!r} exists: replace it with PUT")
    await _check_channels(conn, body)
    stored, _ = await alerts.put_rule(conn, body)
    return _rule_view(stored)


@router.get("/alert-rules/{name}", responses=errors(404))
async def get_rule(name: Name, conn: ConnDep) -> RuleView:
    """One rule."""
    stored = await alerts.get_rule(conn, name)
    if stored is None:
        raise NotFoundError(f"no alert rule {name!r}")
    return _rule_view(stored)


@router.put("/alert-rules/{name}", responses=errors(409))
async def put_rule(name: Name, body: RuleSpec, conn: ConnDep) -> RuleView:
    """Create or replace the rule ``name`` (the path's name wins over the body's; 409 when it
    names a channel that does not exist)."""
    spec = body.model_copy(update={"name": name})
    await _check_channels(conn, spec)
    stored, _ = await alerts.put_rule(conn, spec)
    return _rule_view(stored)


@router.delete(
    "/alert-rules/{name}",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses=errors(404),
)
async def delete_rule(name: Name, conn: ConnDep) -> None:
    """Delete a rule with its alert state (sent notifications stay listed)."""
    if not await alerts.delete_rule(conn, name):
        raise NotFoundError(f"no alert rule {name!r}")


@router.get("/alert-channels")
async def list_channels(conn: ConnDep) -> list[ChannelView]:
    """Every channel, without its URL path, query or secret."""
    return [ChannelView(**dataclasses.asdict(c)) for c in await alerts.list_channels(conn)]


@router.put("/alert-channels/{name}")
async def put_channel(name: Name, body: ChannelSpec, conn: ConnDep) -> ChannelView:
    """Create or replace a channel (the path's name wins over the body's; its URL and secret
    are never shown back)."""
    await alerts.put_channel(conn, body.model_copy(update={"name": name}))
    shown = next(c for c in await alerts.list_channels(conn) if c.name == name)
    return ChannelView(**dataclasses.asdict(shown))


@router.delete(
    "/alert-channels/{name}",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses=errors(404),
)
async def delete_channel(name: Name, conn: ConnDep) -> None:
    """Delete a channel (its pending notifications go dead when they are next attempted)."""
    if not await alerts.delete_channel(conn, name):
        raise NotFoundError(f"no alert channel {name!r}")


def _silence_view(s: StoredSilence, now: datetime) -> SilenceView:
    return SilenceView(
        **s.spec.model_dump(),
        silence_id=s.silence_id,
        created_at=s.created_at,
        active=s.spec.expires_at > now,
    )


@router.get("/silences")
async def list_silences(
    conn: ConnDep, active: Annotated[bool, Query(description="only unexpired ones")] = False
) -> list[SilenceView]:
    """Silences, newest first."""
    now = datetime.now(UTC)
    found = await alerts.list_silences(conn, active_at=now if active else None)
    return [_silence_view(s, now) for s in found]


@router.post("/silences", status_code=status.HTTP_201_CREATED)
async def add_silence(body: SilenceSpec, conn: ConnDep) -> SilenceView:
    """Mute matching alerts until ``expires_at`` (UTC when it has no zone), with a reason; one
    that expired already is stored inactive."""
    if body.expires_at.tzinfo is None:
        body = body.model_copy(update={"expires_at": body.expires_at.replace(tzinfo=UTC)})
    return _silence_view(await alerts.add_silence(conn, body), datetime.now(UTC))


@router.delete(
    "/silences/{silence_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses=errors(404),
)
async def delete_silence(silence_id: SilenceId, conn: ConnDep) -> None:
    """End a silence now."""
    if not await alerts.delete_silence(conn, silence_id):
        raise NotFoundError(f"no silence {silence_id}")


@router.get("/notifications")
async def list_notifications(
    conn: ConnDep,
    state: NotificationState | None = None,
    batch_id: uuid.UUID | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[NotificationView]:
    """Notifications, newest first: their state (pending, delivered, dead), attempts and the
    last error."""
    found = await alert_outbox.list_notifications(conn, state=state, batch_id=batch_id, limit=limit)
    return [NotificationView(**dataclasses.asdict(n)) for n in found]
