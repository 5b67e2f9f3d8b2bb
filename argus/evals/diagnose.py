"""The diagnose function of the eval harness: the same graph as ``argus diagnose``, offline.

``graph_diagnose(case, settings)`` mines the case's baseline and batch with a private library,
analyses the batch against the baseline and runs the supervisor graph (rule-based paths unless an
LLM is configured; no knowledge base). It reads only the files and the log_format of the case,
never its id, notes or expectation.
"""

from __future__ import annotations

import asyncio

from argus.agents.log_analysis import analyse
from argus.agents.report import Report
from argus.config import Settings
from argus.evals.cases import Case
from argus.evals.offline import engine_for, mine_all, stats_of
from argus.graph.context import DiagnosisContext
from argus.graph.inputs import digest_of, llm_runtime
from argus.graph.limits import Usage, UsageLimits
from argus.graph.run import run_diagnosis


def graph_diagnose(case: Case, settings: Settings) -> Report:
    """Diagnose ``case`` through the supervisor graph."""
    engine = engine_for(settings, case.log_format)
    mine_all(engine, [*case.baseline, *case.logs])
    baseline = stats_of(engine, case.baseline) if case.baseline else None
    analysis = analyse(stats_of(engine, case.logs), baseline)
    limits, usage = UsageLimits.from_settings(settings.limits), Usage()
    with llm_runtime(settings, limits, usage) as llm:
        ctx = DiagnosisContext(case.id, lambda: digest_of(analysis), None, {}, llm, limits, usage)
        report, _ = asyncio.run(run_diagnosis(ctx))
    return report
