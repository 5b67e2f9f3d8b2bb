"""The starter pack ships with the package, loads cleanly and covers the required failures."""

from __future__ import annotations

from collections import Counter

from argus.knowledge.categories import Category
from argus.knowledge.pack import PACK_ID_PREFIX, load_starter_pack, pack_dir
from argus.knowledge.seed import check_unique

REQUIRED = {
    Category.CPU_CONTENTION,
    Category.MEMORY_EXHAUSTION,
    Category.DISK_FULL,
    Category.NETWORK_LATENCY,
    Category.TIMEOUT,
    Category.CONNECTION_REFUSED,
    Category.CONNECTION_RESET,
    Category.DNS_FAILURE,
    Category.TLS_CERTIFICATE,
    Category.AUTHENTICATION,
    Category.WRONG_RETURN_VALUE,
    Category.UNHANDLED_EXCEPTION,
    Category.CONFIGURATION_ERROR,
    Category.DB_DEADLOCK,
    Category.DB_POOL_EXHAUSTION,
    Category.QUEUE_BACKLOG,
    Category.SENSOR_TIMEOUT,
    Category.CHECKSUM_MISMATCH,
    Category.OTA_DOWNLOAD_FAILURE,
    Category.OTA_INSTALL_FAILURE,
}


def test_pack_is_large_complete_and_consistent() -> None:
    loaded = load_starter_pack()
    check_unique(loaded)
    entries = [item.entry for item in loaded]
    assert len(entries) >= 40
    assert {e.category for e in entries} >= REQUIRED
    assert all(e.source_id.startswith(PACK_ID_PREFIX) for e in entries)
    assert all(e.source.startswith("starter:") for e in entries)
    assert all(e.root_cause and e.symptom and e.solution for e in entries)
    assert sum(1 for e in entries if e.error_code) >= 30
    assert {p.suffix for p in pack_dir().iterdir()} >= {".yaml", ".md"}


def test_pack_names_well_known_codes() -> None:
    codes = Counter(item.entry.error_code for item in load_starter_pack())
    for code in ("ENOSPC", "ECONNREFUSED", "ECONNRESET", "40P01", "53300", "OOMKilled"):
        assert codes[code] >= 1, code
