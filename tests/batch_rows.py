"""Batch rows built in memory, for the tests of what consumes ``store.batches.get_batch``."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from argus.batch_rows import BatchRecord
from argus.batch_status import BatchStatus

#: A fixed id, so results that name the batch can be compared.
BATCH_ID = uuid.UUID("00000000-0000-4000-8000-0000000000b1")
_AT = datetime(2026, 1, 1, tzinfo=UTC)


def batch_record(**fields: Any) -> BatchRecord:
    """A diagnosed batch of source "shop" without labels or files, with ``fields`` replacing
    any of that."""
    default: dict[str, Any] = {
        "batch_id": BATCH_ID,
        "source": "shop",
        "labels": {},
        "status": BatchStatus.DIAGNOSED,
        "failure_reason": None,
        "file_count": 0,
        "created_at": _AT,
        "updated_at": _AT,
        "diagnosed_at": _AT,
        "files": (),
    }
    return BatchRecord(**(default | fields))
