"""The rule report's summary: what it says of timing evidence and of the baseline's distance."""

from __future__ import annotations

import pytest

from argus.agents.diagnosis import rule_report
from argus.agents.digest import BatchDigest
from argus.report import ExplainCard, SignalKind, Suspect


def _digest(signal: SignalKind, gap: float | None) -> BatchDigest:
    card = ExplainCard(signal=signal, claim="steps took longer", batch=6.0, baseline=0.5, z=8.0)
    suspect = Suspect(module="ts-security-service", score=0.99, evidence=[card])
    return BatchDigest(
        records=100,
        window_minutes=3.0,
        baseline_minutes=1.0,
        baseline_gap_minutes=gap,
        incident=True,
        category_guess="network_latency",
        suspects=[suspect],
    )


@pytest.mark.parametrize(
    ("gap", "said"),
    [
        (283.4, "a baseline that ended 4 h 43 min before the batch began"),
        (12.2, "a baseline that ended 12 min before the batch began"),
        (0.2, "a baseline that ended under a minute before the batch began"),
        (-5.0, "a baseline that does not end before the batch begins"),
    ],
)
def test_a_timing_claim_says_how_far_the_baseline_is(gap: float, said: str) -> None:
    summary = rule_report({"digest": _digest("slow_link", gap)}).summary
    assert summary.startswith("Most likely root cause: ts-security-service (network latency).")
    assert f"rests on request timing against {said}" in summary
    assert "confirm it against a recent fault-free window" in summary


@pytest.mark.parametrize(("signal", "gap"), [("errors", 283.4), ("own_time", None)])
def test_no_timing_caveat_for_other_evidence_or_without_a_gap(
    signal: SignalKind, gap: float | None
) -> None:
    summary = rule_report({"digest": _digest(signal, gap)}).summary
    assert "request timing" not in summary
