"""Repository of alert rules, channels and silences (``alert_rule``, ``alert_channel``,
``alert_silence``). Channel secrets are read only by :func:`load_channel`, for delivery."""

from __future__ import annotations

import urllib.parse
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

import psycopg

from argus.alerts.channels import Channel
from argus.alerts.decide import ActiveSilence
from argus.alerts.rules import ChannelKind, ChannelSpec, RuleSpec, SilenceSpec
from argus.errors import InputError

Change = Literal["created", "updated", "unchanged"]


@dataclass(frozen=True, kw_only=True)
class StoredRule:
    """A rule as stored."""

    rule_id: int
    spec: RuleSpec
    updated_at: datetime


@dataclass(frozen=True, kw_only=True)
class ChannelRecord:
    """A channel as it may be shown: the URL's scheme and host only, whether it has a secret."""

    name: str
    kind: ChannelKind
    target: str
    has_secret: bool
    updated_at: datetime


@dataclass(frozen=True, kw_only=True)
class StoredSilence:
    """A silence as stored."""

    silence_id: int
    spec: SilenceSpec
    created_at: datetime


async def put_rule(conn: psycopg.AsyncConnection[Any], spec: RuleSpec) -> tuple[StoredRule, Change]:
    """Create or replace the rule named ``spec.name``; say whether anything changed."""
    doc = spec.model_dump_json()
    async with conn.transaction():
        cur = await conn.execute(
            "SELECT spec = %s::jsonb FROM alert_rule WHERE name = %s FOR UPDATE", (doc, spec.name)
        )
        row = await cur.fetchone()
        change: Change = "created" if row is None else "unchanged" if row[0] else "updated"
        if change != "unchanged":
            await conn.execute(
                "INSERT INTO alert_rule (name, spec, enabled) VALUES (%s, %s, %s)"
                " ON CONFLICT (name) DO UPDATE SET spec = EXCLUDED.spec,"
                " enabled = EXCLUDED.enabled, updated_at = now()",
                (spec.name, doc, spec.enabled),
            )
    stored = await get_rule(conn, spec.name)
    assert stored is not None
    return stored, change


_RULE_COLUMNS = "SELECT rule_id, spec::text, updated_at FROM alert_rule"


def _rule(row: tuple[Any, ...]) -> StoredRule:
    return StoredRule(
        rule_id=int(row[0]), spec=RuleSpec.model_validate_json(row[1]), updated_at=row[2]
    )


async def get_rule(conn: psycopg.AsyncConnection[Any], name: str) -> StoredRule | None:
    """The rule named ``name``, or None."""
    cur = await conn.execute(f"{_RULE_COLUMNS} WHERE name = %s", (name,))
    row = await cur.fetchone()
    return _rule(row) if row else None


async def list_rules(
    conn: psycopg.AsyncConnection[Any], *, enabled_only: bool = False
) -> list[StoredRule]:
    """Every rule (or the enabled ones), by name."""
    where = " WHERE enabled" if enabled_only else ""
    cur = await conn.execute(f"{_RULE_COLUMNS}{where} ORDER BY name")
    return [_rule(r) for r in await cur.fetchall()]


async def delete_rule(conn: psycopg.AsyncConnection[Any], name: str) -> bool:
    """Delete a rule with its alert state and decisions (its notifications stay); False if none."""
    cur = await conn.execute("DELETE FROM alert_rule WHERE name = %s", (name,))
    return cur.rowcount > 0


async def put_channel(conn: psycopg.AsyncConnection[Any], spec: ChannelSpec) -> Change:
    """Create or replace a channel; say whether anything changed."""
    url = spec.url.get_secret_value()
    secret = spec.secret.get_secret_value() if spec.secret else None
    async with conn.transaction():
        cur = await conn.execute(
            "SELECT kind = %s AND url = %s AND secret IS NOT DISTINCT FROM %s"
            " FROM alert_channel WHERE name = %s FOR UPDATE",
            (spec.kind, url, secret, spec.name),
        )
        row = await cur.fetchone()
        change: Change = "created" if row is None else "unchanged" if row[0] else "updated"
        if change != "unchanged":
            await conn.execute(
                "INSERT INTO alert_channel (name, kind, url, secret) VALUES (%s, %s, %s, %s)"
                " ON CONFLICT (name) DO UPDATE SET kind = EXCLUDED.kind, url = EXCLUDED.url,"
                " secret = EXCLUDED.secret, updated_at = now()",
                (spec.name, spec.kind, url, secret),
            )
    return change


async def list_channels(conn: psycopg.AsyncConnection[Any]) -> list[ChannelRecord]:
    """Every channel, shown without its secrets."""
    cur = await conn.execute(
        "SELECT name, kind, url, secret IS NOT NULL, updated_at FROM alert_channel ORDER BY name"
    )
    return [
        ChannelRecord(
            name=r[0], kind=r[1], target=target_of(r[2]), has_secret=r[3], updated_at=r[4]
        )
        for r in await cur.fetchall()
    ]


def target_of(url: str) -> str:
    """What may be shown of a channel URL: its scheme and host (paths and queries hold tokens)."""
    try:
        parts = urllib.parse.urlsplit(url)
        port = f":{parts.port}" if parts.port else ""
    except ValueError:  # a port out of range, a bracket in the host
        return "(unreadable URL)"
    return f"{parts.scheme}://{parts.hostname or ''}{port}"


async def load_channel(conn: psycopg.AsyncConnection[Any], name: str) -> Channel | None:
    """A channel with its URL and secret, for delivery only."""
    cur = await conn.execute(
        "SELECT name, kind, url, secret FROM alert_channel WHERE name = %s", (name,)
    )
    row = await cur.fetchone()
    return Channel(name=row[0], kind=row[1], url=row[2], secret=row[3]) if row else None


async def delete_channel(conn: psycopg.AsyncConnection[Any], name: str) -> bool:
    """Delete a channel; False if there was none."""
    cur = await conn.execute("DELETE FROM alert_channel WHERE name = %s", (name,))
    return cur.rowcount > 0


async def add_silence(conn: psycopg.AsyncConnection[Any], spec: SilenceSpec) -> StoredSilence:
    """Store a silence."""
    cur = await conn.execute(
        "INSERT INTO alert_silence (spec, expires_at) VALUES (%s, %s)"
        " RETURNING silence_id, created_at",
        (spec.model_dump_json(), spec.expires_at),
    )
    row = await cur.fetchone()
    assert row is not None
    return StoredSilence(silence_id=int(row[0]), spec=spec, created_at=row[1])


async def list_silences(
    conn: psycopg.AsyncConnection[Any], *, active_at: datetime | None = None
) -> list[StoredSilence]:
    """Silences, newest first; only those unexpired at ``active_at`` when it is given."""
    where, args = ("WHERE expires_at > %s", (active_at,)) if active_at else ("", ())
    cur = await conn.execute(
        f"SELECT silence_id, spec::text, created_at FROM alert_silence {where}"
        " ORDER BY silence_id DESC",
        args,
    )
    return [
        StoredSilence(
            silence_id=int(r[0]), spec=SilenceSpec.model_validate_json(r[1]), created_at=r[2]
        )
        for r in await cur.fetchall()
    ]


async def active_silences(conn: psycopg.AsyncConnection[Any], now: datetime) -> list[ActiveSilence]:
    """The silences unexpired at ``now``, as the decisions read them."""
    return [
        ActiveSilence(silence_id=s.silence_id, spec=s.spec)
        for s in await list_silences(conn, active_at=now)
    ]


async def delete_silence(conn: psycopg.AsyncConnection[Any], silence_id: int) -> bool:
    """Delete a silence (expire it early); False if there was none."""
    cur = await conn.execute("DELETE FROM alert_silence WHERE silence_id = %s", (silence_id,))
    return cur.rowcount > 0


@dataclass(frozen=True, kw_only=True)
class Applied:
    """What applying one object of a GitOps file did."""

    kind: Literal["channel", "rule"]
    name: str
    change: Change | Literal["deleted"]


async def apply(
    conn: psycopg.AsyncConnection[Any],
    channels: list[ChannelSpec],
    rules: list[RuleSpec],
    *,
    prune: bool = False,
) -> list[Applied]:
    """Make the stored channels and rules those given, in one transaction (applying the same
    file again changes nothing); ``prune`` deletes those not given. InputError (nothing
    applied) when a rule names a channel that is neither given nor stored."""
    async with conn.transaction():
        done = [
            Applied(kind="channel", name=c.name, change=await put_channel(conn, c))
            for c in channels
        ]
        known = {c.name for c in await list_channels(conn)}
        for rule in rules:
            missing = sorted(set(rule.channels) - known)
            if missing:
                raise InputError(
                    f"rule {rule.name!r} names unknown channel(s): {', '.join(missing)}",
                    hint="add them under 'channels:' in the file; nothing was applied",
                )
            done.append(
                Applied(kind="rule", name=rule.name, change=(await put_rule(conn, rule))[1])
            )
        if prune:
            done += await _prune(conn, {c.name for c in channels}, {r.name for r in rules})
    return done


async def _prune(
    conn: psycopg.AsyncConnection[Any], channels: set[str], rules: set[str]
) -> list[Applied]:
    gone: list[Applied] = []
    for stored in await list_rules(conn):
        if stored.spec.name not in rules and await delete_rule(conn, stored.spec.name):
            gone.append(Applied(kind="rule", name=stored.spec.name, change="deleted"))
    for channel in await list_channels(conn):
        if channel.name not in channels and await delete_channel(conn, channel.name):
            gone.append(Applied(kind="channel", name=channel.name, change="deleted"))
    return gone
