"""Hybrid search against the real database and model: hard filters, fusion, explanations."""

from __future__ import annotations

from typing import Any

import numpy as np
import psycopg
import pytest

from argus.knowledge.embeddings import LocalEmbedder
from argus.knowledge.filters import SearchFilters
from argus.knowledge.search import hybrid_search
from argus.knowledge.seed import seed_entries
from argus.store import knowledge as store
from tests.knowledge.conftest import entry

pytestmark = pytest.mark.integration

LIDAR = "lidar front: no packets received on udp port 2368 for 500 ms"


@pytest.mark.parametrize("strategy", ["auto", "exact", "hnsw"])
async def test_an_entry_of_another_platform_is_never_returned(
    conn: psycopg.AsyncConnection[Any], embedder: LocalEmbedder, tag: str, strategy: Any
) -> None:
    mine, theirs = f"J7-{tag}", f"K9-{tag}"
    await seed_entries(
        conn,
        [
            entry(f"{tag}/theirs", platform=theirs, symptom=LIDAR, error_code="E1042"),
            entry(f"{tag}/mine", platform=mine, symptom="lidar packets dropped by the host"),
            entry(f"{tag}/generic", symptom="lidar point cloud rate below 10 Hz"),
        ],
        embedder,
    )
    filters = SearchFilters.build(platform=mine)
    result = await hybrid_search(
        conn, LIDAR + " E1042", embedder=embedder, filters=filters, limit=50, strategy=strategy
    )
    ids = [h.source_id for h in result.hits]
    assert f"{tag}/mine" in ids and f"{tag}/generic" in ids
    assert f"{tag}/theirs" not in ids  # the closest entry, the exact code: still filtered out
    assert all(h.platform in (mine, None) for h in result.hits)
    strict = await hybrid_search(
        conn,
        LIDAR,
        embedder=embedder,
        limit=50,
        strategy=strategy,
        filters=SearchFilters.build(platform=mine, include_generic=False),
    )
    assert [h.source_id for h in strict.hits] == [f"{tag}/mine"]


async def test_exact_filters_on_code_module_and_category(
    conn: psycopg.AsyncConnection[Any], embedder: LocalEmbedder, tag: str
) -> None:
    await seed_entries(
        conn,
        [
            entry(f"{tag}/a", error_code=f"E-{tag}", module=f"m-{tag}", category="timeout"),
            entry(f"{tag}/b", error_code=f"E-{tag}", module=f"m-{tag}", category="dns_failure"),
            entry(f"{tag}/c", error_code=f"X-{tag}", module=f"m-{tag}", category="timeout"),
        ],
        embedder,
    )

    async def ids(**filters: str) -> set[str]:
        result = await hybrid_search(
            conn,
            f"symptom of {tag}",
            embedder=embedder,
            limit=20,
            filters=SearchFilters.build(**filters),
        )
        return {h.source_id for h in result.hits}

    assert await ids(error_code=f"E-{tag}") == {f"{tag}/a", f"{tag}/b"}
    assert await ids(module=f"m-{tag}", category="timeout") == {f"{tag}/a", f"{tag}/c"}
    assert await ids(error_code=f"E-{tag}", category="dns_failure") == {f"{tag}/b"}


async def test_firmware_matches_dotted_prefixes_both_ways(
    conn: psycopg.AsyncConnection[Any], embedder: LocalEmbedder, tag: str
) -> None:
    platform = f"P-{tag}"
    versions = {"fw23": "2.3", "fw231": "2.3.1", "fw230": "2.30", "fw30": "3.0", "any": None}
    await seed_entries(
        conn,
        [entry(f"{tag}/{k}", platform=platform, firmware=v) for k, v in versions.items()],
        embedder,
    )

    async def found(firmware: str, generic: bool = False) -> set[str]:
        filters = SearchFilters.build(platform=platform, firmware=firmware, include_generic=generic)
        result = await hybrid_search(conn, "symptom", embedder=embedder, filters=filters, limit=50)
        return {h.source_id.split("/")[1] for h in result.hits if h.source_id.startswith(tag)}

    assert await found("2.3") == {"fw23", "fw231"}  # "2.3" matches 2.3.1, never 2.30
    assert await found("v2.3.1") == {"fw23", "fw231"}  # an entry for 2.3 covers 2.3.1
    assert await found("2") == {"fw23", "fw231", "fw230"}
    assert await found("2.30") == {"fw230"}
    assert await found("2.3", generic=True) == {"fw23", "fw231", "any"}


# Vendor codes of one ECU: near-identical wording, the code is what tells them apart.
CODES = {
    "E2101": ("front lidar timeout: no point cloud received", "power supply of the sensor cut"),
    "E2102": ("front lidar timeout: point cloud incomplete", "Ethernet switch port flapping"),
    "E2103": ("front lidar timeout: point cloud delayed", "PTP time sync lost on the sensor"),
    "E2104": ("front lidar timeout: point cloud dropped", "host socket receive buffer overrun"),
    "E2105": ("front lidar timeout: point cloud rejected", "sensor firmware checksum failure"),
}


async def test_hybrid_beats_vector_only_when_the_query_hinges_on_an_error_code(
    conn: psycopg.AsyncConnection[Any], embedder: LocalEmbedder, tag: str
) -> None:
    platform = f"V-{tag}"
    await seed_entries(
        conn,
        [
            entry(
                f"{tag}/{code}",
                platform=platform,
                error_code=code,
                module="lidar",
                category="sensor_timeout",
                symptom=f"{code} {symptom}",
                root_cause=cause,
            )
            for code, (symptom, cause) in CODES.items()
        ],
        embedder,
    )
    filters = SearchFilters.build(platform=platform, include_generic=False)
    hybrid_top, vector_top = [], []
    for code in CODES:
        query = f"[ERROR][perception][lidar] {code} lidar front timeout, no data from sensor"
        result = await hybrid_search(conn, query, embedder=embedder, filters=filters, limit=3)
        hybrid_top.append(result.hits[0].source_id == f"{tag}/{code}")
        assert result.hits[0].code_match
        vector = np.asarray(embedder.embed([query])[0], dtype=np.float32)
        nearest = await store.vector_candidates_exact(conn, vector, filters, 1)
        rows = await store.fetch_entries(conn, [nearest[0].kb_id], query)
        vector_top.append(rows[nearest[0].kb_id]["source_id"] == f"{tag}/{code}")
    assert all(hybrid_top)
    assert sum(vector_top) < len(CODES)  # vector-only confuses at least one code


async def test_hits_explain_themselves(
    conn: psycopg.AsyncConnection[Any], embedder: LocalEmbedder, tag: str
) -> None:
    platform = f"W-{tag}"
    await seed_entries(
        conn,
        [
            entry(
                f"{tag}/deadlock",
                platform=platform,
                error_code="40P01",
                symptom="ERROR: deadlock detected",
                root_cause="rows locked in opposite order",
            ),
            entry(f"{tag}/other", platform=platform, symptom="disk full on /var/log"),
        ],
        embedder,
    )
    result = await hybrid_search(
        conn,
        "psycopg.errors.DeadlockDetected: deadlock detected (SQLSTATE 40P01)",
        embedder=embedder,
        filters=SearchFilters.build(platform=platform),
        limit=2,
    )
    top = result.hits[0]
    assert top.source_id == f"{tag}/deadlock"
    assert top.code_match and top.text_rank == 1 and top.vector_rank == 1
    assert top.vector_similarity is not None and 0.3 < top.vector_similarity <= 1.0
    assert top.text_score is not None and top.text_score > 0
    assert {"40p01", "deadlock", "detect"} <= set(top.matched_terms)
    assert top.reasons[0] == "error code 40P01 occurs verbatim in the query"
    assert f"passes filter: platform = {platform}" in top.reasons
    assert top.score > result.hits[1].score
    assert result.to_dict()["hits"][0]["source_id"] == top.source_id
    assert result.strategy == "exact"


async def test_empty_text_query_still_ranks_by_vector(
    conn: psycopg.AsyncConnection[Any], embedder: LocalEmbedder, tag: str
) -> None:
    platform = f"E-{tag}"
    await seed_entries(conn, [entry(f"{tag}/x", platform=platform)], embedder)
    result = await hybrid_search(
        conn,
        "   ",
        embedder=embedder,
        limit=1,
        filters=SearchFilters.build(platform=platform, include_generic=False),
    )
    assert [h.source_id for h in result.hits] == [f"{tag}/x"]
    assert result.hits[0].text_rank is None
