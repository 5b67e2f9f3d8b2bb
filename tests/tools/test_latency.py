"""Slow links and starved modules from the steps of requests (trace ids), on synthetic traces."""

from __future__ import annotations

import polars as pl

from argus.tools.digest import BatchStats
from argus.tools.latency import module_timing, steps
from argus.tools.statistics import build_digest
from argus.tools.suspects import Assessment, assess
from tests.tools.frames import stats, steady
from tests.tools.requests import CALLEES, Fault, requests

MODULES = ("web", "api", *CALLEES)
TEXTS = {t: f"line {t}" for t in range(1, 30)}


def _stats(traces: pl.DataFrame) -> BatchStats:
    rows = [r for n, mod in enumerate(MODULES) for r in steady(n + 1, mod, 40, 3)]
    return stats(rows, TEXTS, traces)


def _assess(fault: Fault | None, seed: int = 2) -> Assessment:
    baseline = _stats(requests(150, 170, seed=1))
    batch = _stats(requests(150, 170, seed=seed, fault=fault))
    return assess(build_digest(batch, baseline))


def test_steps_are_consecutive_lines_of_one_request() -> None:
    found = steps(requests(2, 10, seed=1))
    assert found.height == 2 * 15  # web-api, api, 4 x (api-callee, callee, callee-api), api-web
    assert set(found["sender"]) == set(MODULES) and (found["secs"] > 0).all()


def test_a_slow_link_is_found_at_the_module_its_slow_steps_share() -> None:
    """Every call to `db` and every answer from it takes half a second longer."""
    link = Fault(stretch=lambda s, r: 0.5 if "db" in (s, r) and s != r else 0.0)
    found = _assess(link)
    assert found.incident
    assert found.suspects[0].module == "db" and found.category == "network_latency"
    card = found.suspects[0].evidence[0]
    assert card.signal == "slow_link" and card.samples and card.samples[0].trace
    assert card.minutes and card.batch > card.baseline  # type: ignore[operator]


def test_a_starved_module_is_told_apart_from_a_slow_link() -> None:
    """`db` takes a quarter of a second longer between its own two lines: its CPU, not links."""
    starved = Fault(stretch=lambda s, r: 0.25 if s == r == "db" else 0.0)
    found = _assess(starved)
    assert found.incident
    assert found.suspects[0].module == "db" and found.category == "resource_cpu"


def test_nothing_is_claimed_on_a_fault_free_pair() -> None:
    for seed in (2, 3, 4):
        found = _assess(None, seed=seed)
        assert not found.incident and found.category == "none"


def test_a_system_wide_slowdown_is_nobodys_fault() -> None:
    """Every step takes three times as long: no module stands out against the median step."""
    everywhere = Fault(stretch=lambda s, r: 0.008 if s != r else 0.002, share=1.0, onset_s=0)
    found = _assess(everywhere)
    timing = [
        c for s in found.suspects for c in s.evidence if c.signal in ("slow_link", "own_time")
    ]
    assert not timing and not found.incident


def test_module_timing_counts_exceedances_against_chance() -> None:
    base, now = requests(150, 170, seed=1), requests(150, 170, seed=2)
    timing = module_timing(now, base)
    db = timing.modules["db"]
    # fault-free: about 1 / (n + 1) of the steps exceed the baseline's longest, by chance
    assert db.link.slow <= 0.05 * db.link.steps + 3
    assert 0.5 < timing.typical_link < 2.0 and 0.5 < timing.typical_own < 2.0
