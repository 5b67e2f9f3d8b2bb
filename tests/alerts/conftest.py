"""A database of the alert tests' own, and helpers to store diagnosed batches in it."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest
from pydantic import SecretStr

from argus.alerts.rules import ChannelKind, ChannelSpec, RuleSpec
from argus.batch_status import BatchStatus
from argus.report import Report, RootCause
from argus.store import alerts, batches
from argus.store.connection import connect
from tests.conftest import migrated_database

_TABLES = "notification, alert_decision, alert_state, alert_silence, alert_rule, alert_channel"


@pytest.fixture(scope="module")
async def alerts_url(pg_url: str, request: pytest.FixtureRequest) -> str:
    """A migrated database for one test module."""
    return await migrated_database(pg_url, "alerts_" + request.module.__name__.rsplit(".", 1)[-1])


@pytest.fixture
async def alerts_db(alerts_url: str) -> AsyncIterator[str]:
    """The module's database, with no rule, channel, silence or notification."""
    async with await connect(alerts_url) as conn:
        await conn.execute(f"TRUNCATE {_TABLES} CASCADE")
    yield alerts_url


async def diagnosed(
    url: str,
    *,
    module: str = "payment",
    category: str = "database",
    source: str = "car-7",
    incident: bool = True,
    confidence: float = 0.9,
) -> uuid.UUID:
    """A batch with a stored diagnosis; its id."""
    async with await connect(url) as conn:
        batch_id = await batches.create_batch(
            conn, source, {"platform": "x9"}, BatchStatus.DIAGNOSED
        )
        report = Report(
            summary=f"{category} failure in {module}",
            incident=incident,
            root_cause=RootCause(module=module, category=category),  # type: ignore[arg-type]
            confidence=confidence,
            error_codes=["E42"],
        )
        await batches.save_diagnosis(conn, batch_id, report)
    return batch_id


async def add_channel(
    url: str, name: str, kind: ChannelKind, target: str, secret: str | None = None
) -> None:
    """Store a channel."""
    async with await connect(url) as conn:
        await alerts.put_channel(
            conn,
            ChannelSpec(
                name=name,
                kind=kind,
                url=SecretStr(target),
                secret=SecretStr(secret) if secret else None,
            ),
        )


async def add_rule(url: str, **doc: object) -> None:
    """Store a rule."""
    async with await connect(url) as conn:
        await alerts.put_rule(conn, RuleSpec.model_validate(doc))
