"""Diagnosed batches for tests: the shop example diagnosed (rule path) straight into a database,
as ``argus diagnose`` does, with no broker."""

from __future__ import annotations

import uuid
from pathlib import Path

from argus.config import Settings
from argus.pipeline.diagnose import BatchRequest, diagnose_batch
from tests.conftest import EXAMPLES

SHOP = EXAMPLES / "shop"
NORMAL = SHOP / "baseline" / "payment-normal.log.gz"
FAULTY = SHOP / "payment-db-pool.log.gz"


async def diagnosed(
    settings: Settings, db_url: str, path: Path, source: str, labels: dict[str, str] | None = None
) -> uuid.UUID:
    """Diagnose ``path`` as a new batch of ``source`` (its baseline: the source's earlier
    diagnosed batches); return the batch id."""
    request = BatchRequest(paths=[path], source=source, labels=labels or {})
    return (await diagnose_batch(settings, db_url, request)).batch_id


async def shop_incident(settings: Settings, db_url: str, source: str) -> uuid.UUID:
    """The shop's fault-free hour, then its pool-exhaustion hour (diagnosed against the first)
    as batches of ``source``; the id of the second."""
    await diagnosed(settings, db_url, NORMAL, source)
    return await diagnosed(settings, db_url, FAULTY, source)
