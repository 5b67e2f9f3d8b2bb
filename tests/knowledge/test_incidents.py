"""Similar-incident search over the embeddings of past diagnoses."""

from __future__ import annotations

import uuid
from typing import Any

import psycopg
import pytest
from psycopg.types.json import Jsonb

from argus.knowledge.embeddings import LocalEmbedder
from argus.knowledge.incidents import incident_text, index_diagnosis, similar_incidents

pytestmark = pytest.mark.integration

PAST = {
    "pool": (
        "db connection pool exhausted, requests time out waiting for a connection",
        {"module": "payment", "category": "db_pool_exhaustion"},
    ),
    "cert": ("TLS certificate of the API gateway expired", {"module": "gateway"}),
    "imu": ("IMU sensor stopped answering on the I2C bus", {"module": "imu"}),
}


def test_incident_text_uses_summary_and_root_cause() -> None:
    report = {
        "root_cause": {
            "module": "pay",
            "submodule": "pool",
            "category": "db_deadlock",
            "description": "lock order",
        }
    }
    assert (
        incident_text("Payments failed", report)
        == "Payments failed\npay/pool db deadlock lock order"
    )
    assert incident_text(None, '{"summary": "from report"}') == "from report"
    assert incident_text(None, None) is None


async def _diagnosis(
    conn: psycopg.AsyncConnection[Any], summary: str, cause: dict[str, str], platform: str
) -> uuid.UUID:
    batch = uuid.uuid4()
    await conn.execute(
        "INSERT INTO batch (batch_id, source, labels) VALUES (%s, %s, %s)",
        (batch, f"src-{platform}", Jsonb({"platform": platform})),
    )
    await conn.execute(
        "INSERT INTO diagnosis (batch_id, status, summary, report, confidence)"
        " VALUES (%s, 'completed', %s, %s, 0.8)",
        (batch, summary, Jsonb({"root_cause": cause})),
    )
    return batch


async def test_similar_incidents(
    conn: psycopg.AsyncConnection[Any], embedder: LocalEmbedder, tag: str
) -> None:
    batches = {}
    for key, (summary, cause) in PAST.items():
        batches[key] = await _diagnosis(conn, f"{summary} [{tag}]", cause, f"J7-{tag}")
        assert await index_diagnosis(conn, embedder, batches[key])
    other = await _diagnosis(conn, PAST["pool"][0], PAST["pool"][1], f"K9-{tag}")
    await index_diagnosis(conn, embedder, other)

    query = "HikariPool: Connection is not available, request timed out after 30000ms"
    hits = await similar_incidents(
        conn, text=query, embedder=embedder, platform=f"J7-{tag}", limit=3
    )
    assert hits[0].batch_id == str(batches["pool"])
    assert {h.batch_id for h in hits} == {str(b) for b in batches.values()}
    assert hits[0].similarity > hits[1].similarity
    assert hits[0].root_cause == {"module": "payment", "category": "db_pool_exhaustion"}
    assert hits[0].labels["platform"] == f"J7-{tag}"
    assert f"same platform J7-{tag}" in hits[0].reasons

    excluded = await similar_incidents(
        conn,
        text=query,
        embedder=embedder,
        platform=f"J7-{tag}",
        exclude_batch=batches["pool"],
        limit=3,
    )
    assert str(batches["pool"]) not in {h.batch_id for h in excluded}
    unfiltered = await similar_incidents(conn, text=query, embedder=embedder, limit=50)
    assert {str(batches["pool"]), str(other)} <= {h.batch_id for h in unfiltered}
