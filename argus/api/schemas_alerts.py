"""Response bodies of the alert routes (request bodies are the rule models of ``argus.alerts``).
No response holds a channel's URL path, query or secret."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel

from argus.alerts.rules import ChannelKind, RuleSpec, SilenceSpec
from argus.store.alert_outbox import NotificationState


class RuleView(RuleSpec):
    """A stored rule."""

    rule_id: int
    updated_at: datetime


class ChannelView(BaseModel):
    """A channel without its secrets: ``target`` is the URL's scheme and host."""

    name: str
    kind: ChannelKind
    target: str
    has_secret: bool
    updated_at: datetime


class SilenceView(SilenceSpec):
    """A stored silence; ``active`` until it expires."""

    silence_id: int
    created_at: datetime
    active: bool


class NotificationView(BaseModel):
    """A notification and its delivery state (``last_error`` names a status or a fault)."""

    notification_id: int
    idempotency_key: str
    rule: str
    channel: str
    batch_id: uuid.UUID
    fingerprint: str
    severity: str
    state: NotificationState
    attempts: int
    last_error: str | None
    created_at: datetime
    next_attempt_at: datetime | None
    delivered_at: datetime | None
