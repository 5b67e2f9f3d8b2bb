"""A batch with no baseline judged against its own early minutes (synthetic requests)."""

from __future__ import annotations

import polars as pl

from argus.tools.digest import BatchStats
from argus.tools.statistics import build_digest
from argus.tools.suspects import Assessment, assess
from tests.tools.frames import stats, steady
from tests.tools.requests import CALLEES, Fault, requests

MODULES = ("web", "api", *CALLEES)
TEXTS = {t: f"line {t}" for t in range(1, 30)}


def _alone(traces: pl.DataFrame) -> Assessment:
    rows = [r for n, mod in enumerate(MODULES) for r in steady(n + 1, mod, 60, 3)]
    batch: BatchStats = stats(rows, TEXTS, traces)
    return assess(build_digest(batch))


def test_a_link_that_slows_partway_is_found_without_a_baseline() -> None:
    """From 90 s on, every call to `db` and every answer from it takes half a second longer; no
    line is an error, so only the batch's own early minutes can show the change."""
    link = Fault(stretch=lambda s, r: 0.5 if "db" in (s, r) and s != r else 0.0, onset_s=90)
    found = _alone(requests(240, 180, seed=2, fault=link))
    assert found.incident
    assert found.suspects[0].module == "db" and found.category == "network_latency"
    assert "against the batch's own minutes before" in found.suspects[0].reasons[0]


def test_a_fault_free_batch_claims_nothing_without_a_baseline() -> None:
    for seed in (2, 3, 4):
        found = _alone(requests(240, 180, seed=seed))
        assert not found.incident and found.category == "none"
