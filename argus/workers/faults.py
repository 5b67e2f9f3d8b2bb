"""Telling a fault of the infrastructure (retry later) from one of the input or of the code."""

from __future__ import annotations

import psycopg
from aiokafka.errors import KafkaError
from psycopg_pool import PoolTimeout

from argus.errors import ServiceUnavailable

#: Faults that say nothing about the batch: a service is down or unreachable right now.
_INFRASTRUCTURE: tuple[type[BaseException], ...] = (
    psycopg.OperationalError,  # connection refused or lost, server shutting down
    psycopg.errors.AdminShutdown,
    PoolTimeout,
    KafkaError,
    ServiceUnavailable,  # database, broker, embedding model or LLM server not reachable
    ConnectionError,
    TimeoutError,
)


def is_infrastructure(exc: BaseException) -> bool:
    """True when ``exc`` (or what caused it) is a fault of a service, not of the batch: the work
    is to be retried once the service is back, and the batch must not be failed for it."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, _INFRASTRUCTURE):
            return True
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return False
