"""Outcomes of prepared cases under given diagnosis settings, without mining again.

The rule path without a knowledge base reports what the analysis found: the top suspect as the
root cause when it is an incident, the analysis's category (``none`` without an incident) and the
suspects as the ranking (see :func:`argus.agents.diagnosis.rule_report`). :func:`report_of`
builds that report, and :func:`argus.evals.runner.outcome_of` compares it with the case, so the
figures are those ``argus eval`` gives with the rule path and no knowledge base.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence

from argus.agents.diagnosis import rule_report
from argus.agents.log_analysis import Analysis, analyse
from argus.config import DiagnosisSettings
from argus.evals.prepared import PreparedCase
from argus.evals.runner import failed_outcome, outcome_of
from argus.evals.scoring import Outcome
from argus.graph.inputs import digest_of
from argus.report import Report

log = logging.getLogger(__name__)


def report_of(analysis: Analysis) -> Report:
    """The rule-path report of ``analysis`` without a knowledge base (the graph's own
    :func:`~argus.agents.diagnosis.rule_report` on the digest the graph would build)."""
    return rule_report({"digest": digest_of(analysis)})


def outcome_with(prepared: PreparedCase, tuning: DiagnosisSettings) -> Outcome:
    """Analyse one prepared case with ``tuning`` and score it; an exception fails the case."""
    began = time.monotonic()
    stats = prepared.stats
    try:
        analysis = analyse(stats.current, stats.baseline, tuning)
    except Exception as exc:  # a failing case is recorded, never fatal
        log.warning("case %s failed: %s", prepared.case.id, exc, exc_info=True)
        return failed_outcome(prepared.case, exc, time.monotonic() - began)
    return outcome_of(prepared.case, report_of(analysis), time.monotonic() - began)


class Rescorer:
    """Outcomes of a fixed set of prepared cases per settings, each settings analysed once."""

    def __init__(self, prepared: Sequence[PreparedCase]) -> None:
        self.prepared = list(prepared)
        self._seen: dict[str, dict[str, Outcome]] = {}

    def outcomes(self, tuning: DiagnosisSettings) -> dict[str, Outcome]:
        """Every case's outcome under ``tuning``, by case id (in the cases' order)."""
        key = tuning.model_dump_json()
        if key not in self._seen:
            self._seen[key] = {p.case.id: outcome_with(p, tuning) for p in self.prepared}
        return self._seen[key]

    @property
    def analysed(self) -> int:
        """How many distinct settings were analysed so far."""
        return len(self._seen)
