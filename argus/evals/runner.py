"""Run a diagnose function over eval cases, reporting progress; a failing case is recorded."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from argus.evals.cases import Case
from argus.evals.report import EvalSummary
from argus.evals.scoring import Outcome
from argus.report import Report

log = logging.getLogger(__name__)

Diagnose = Callable[[Case], Report]
#: Called before and after each case with (cases done, cases in all, the current case's id).
Progress = Callable[[int, int, str], None]


def outcome_of(case: Case, report: Report, latency: float) -> Outcome:
    """Compare one report with its case's expectation."""
    ranked: list[str] = []
    for module in [report.root_cause.module, *(s.module for s in report.suspects)]:
        if module and module not in ranked:
            ranked.append(module)
    return Outcome(
        case_id=case.id,
        expected_module=case.expected.root_cause_module,
        expected_category=case.expected.category,
        predicted_modules=ranked,
        predicted_category=report.root_cause.category if report.incident else "none",
        incident=report.incident,
        expected_knowledge=list(case.expected.knowledge_ids),
        retrieved_knowledge=[k.source_id for k in report.evidence.knowledge],
        latency_s=latency,
        llm_calls=report.llm_calls,
        tokens=report.tokens,
    )


def failed_outcome(case: Case, error: BaseException, latency: float) -> Outcome:
    """The outcome of a case whose diagnosis raised."""
    return Outcome(
        case_id=case.id,
        expected_module=case.expected.root_cause_module,
        expected_category=case.expected.category,
        predicted_category="unknown",
        expected_knowledge=list(case.expected.knowledge_ids),
        latency_s=latency,
        error=f"{type(error).__name__}: {error}"[:500],
    )


def run_cases(
    cases: Sequence[Case],
    diagnose: Diagnose,
    *,
    progress: Progress | None = None,
    cases_dir: str = "",
    name: str = "rule",
) -> EvalSummary:
    """Diagnose every case and score it, in order; exceptions fail their case only."""
    started = datetime.now(UTC).isoformat(timespec="seconds")
    outcomes: list[Outcome] = []
    for case in cases:
        if progress:
            progress(len(outcomes), len(cases), case.id[:50])
        outcomes.append(_one(case, diagnose))
        if progress:
            progress(len(outcomes), len(cases), case.id[:50])
    return EvalSummary(cases_dir=cases_dir, outcomes=outcomes, diagnose=name, started_at=started)


def _one(case: Case, diagnose: Diagnose) -> Outcome:
    began = time.monotonic()
    try:
        report = diagnose(case)
    except Exception as exc:  # a failing case is recorded, never fatal
        log.warning("case %s failed: %s", case.id, exc, exc_info=True)
        return failed_outcome(case, exc, time.monotonic() - began)
    return outcome_of(case, report, time.monotonic() - began)
