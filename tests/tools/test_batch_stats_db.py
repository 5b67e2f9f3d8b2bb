"""BatchStats loaded from PostgreSQL match the in-memory pass-2 frames of the same files."""

from __future__ import annotations

import psycopg
import pytest

from argus.config import Settings
from argus.ingest.formats import LogFormat
from argus.pipeline.process import process_files
from argus.store.batch_stats import load_batch_stats
from argus.tools.statistics import build_digest, window_minutes
from tests.conftest import EXAMPLES

pytestmark = pytest.mark.integration

FAULT = EXAMPLES / "shop" / "payment-db-pool.log.gz"
NORMAL = EXAMPLES / "shop" / "baseline" / "payment-normal.log.gz"


def test_load_batch_stats_and_compare_with_baseline(settings: Settings, db_url: str) -> None:
    fmt = LogFormat.parse(None)
    normal, fault = process_files(settings, db_url, [NORMAL, FAULT], fmt, "all")
    assert normal.file_id and fault.file_id
    with psycopg.connect(db_url) as conn:
        current = load_batch_stats(conn, [fault.file_id])
        baseline = load_batch_stats(conn, [normal.file_id])
        empty = load_batch_stats(conn, ["0" * 64])
    assert int(current.buckets["count"].sum()) == fault.records - fault.unmatched
    assert set(current.buckets["tid"].to_list()) <= set(current.templates)
    assert current.traces is None and empty.buckets.is_empty()
    assert 1.0 <= window_minutes(current.buckets) < 24 * 60
    digest = build_digest(current, baseline)
    assert digest.has_baseline and digest.lines == int(current.buckets["count"].sum())
