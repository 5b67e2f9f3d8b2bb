"""The pipeline's topics and the one encoding of a batch event (DESIGN.md §7).

Every event names a batch; it carries no state that PostgreSQL does not hold. Events are keyed by
the batch id, so one batch stays on one partition.
"""

from __future__ import annotations

import json
import uuid
from typing import Final

from pydantic import BaseModel, ConfigDict, ValidationError

from argus.errors import FormatError

BATCHES: Final = "argus.batches"  #: a batch whose files are uploaded: parse it
PARSED: Final = "argus.parsed"  #: a batch whose statistics are stored: diagnose it
DIAGNOSED: Final = "argus.diagnosed"  #: a batch with a stored diagnosis: alert rules read it
DLQ: Final = "argus.dlq"  #: events that could not be handled, with the error
TOPICS: Final = (BATCHES, PARSED, DIAGNOSED, DLQ)


def dead_letter(raw: bytes, error: str) -> str:
    """The JSON payload of an ``argus.dlq`` event: the event as received (as text, cut at
    100,000 characters, NUL replaced: jsonb refuses it) and why it could not be handled."""
    text = raw.decode("utf-8", "replace").replace("\x00", "\ufffd")
    return json.dumps({"event": text[:100_000], "error": error[:2000]})


class BatchEvent(BaseModel):
    """An event about one batch; ``incident``, ``module`` and ``category`` only on DIAGNOSED."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    batch_id: uuid.UUID
    incident: bool | None = None
    module: str | None = None
    category: str | None = None

    def encode(self) -> bytes:
        """The event as it travels on the bus (JSON, unset fields left out)."""
        return self.model_dump_json(exclude_none=True).encode()

    @property
    def key(self) -> bytes:
        """The partition key: the batch id."""
        return str(self.batch_id).encode()

    @classmethod
    def decode(cls, raw: bytes) -> BatchEvent:
        """Parse an event from the bus; FormatError when it is not a batch event."""
        try:
            return cls.model_validate(json.loads(raw))
        except (ValueError, ValidationError, TypeError) as exc:
            raise FormatError(f"malformed batch event: {str(exc)[:300]}") from exc
