"""The diagnose function of the eval harness: the same graph as ``argus diagnose``, offline.

``graph_diagnose(case, settings)`` mines the case's baseline and batch with a private library,
analyses the batch against the baseline and runs the supervisor graph (rule-based paths unless an
LLM is configured). With ``knowledge`` the graph searches that knowledge base (so retrieval can
be scored); without it, it runs with none. It reads only the files and the log_format of the
case, never its id, notes or expectation.
"""

from __future__ import annotations

import asyncio
import contextlib

from argus.agents.context import DiagnosisContext
from argus.agents.log_analysis import Analysis, analyse
from argus.config import Settings
from argus.evals.cases import Case
from argus.evals.knowledge import EvalKnowledge
from argus.evals.offline import engine_for, mine_all, stats_of
from argus.graph.inputs import digest_of, knowledge_hits, llm_runtime
from argus.graph.run import run_diagnosis
from argus.llm.usage import Usage, UsageLimits
from argus.report import Report
from argus.store.connection import connect


def graph_diagnose(
    case: Case, settings: Settings, knowledge: EvalKnowledge | None = None
) -> Report:
    """Diagnose ``case`` through the supervisor graph."""
    engine = engine_for(settings, case.log_format)
    mine_all(engine, [*case.baseline, *case.logs])
    baseline = stats_of(engine, case.baseline) if case.baseline else None
    analysis = analyse(stats_of(engine, case.logs), baseline, settings.diagnosis)
    return asyncio.run(_run_graph(case, settings, analysis, knowledge))


async def _run_graph(
    case: Case, settings: Settings, analysis: Analysis, knowledge: EvalKnowledge | None
) -> Report:
    limits, usage = UsageLimits.from_settings(settings.limits), Usage()
    async with contextlib.AsyncExitStack() as stack:
        search = None
        if knowledge is not None:
            conn = await stack.enter_async_context(await connect(knowledge.database_url))
            search = knowledge_hits(conn, knowledge.embedder)
        with llm_runtime(settings, limits, usage) as llm:
            ctx = DiagnosisContext(
                batch_id=case.id,
                analyse=lambda: digest_of(analysis),
                search=search,
                labels={},
                llm=llm,
                limits=limits,
                usage=usage,
            )
            report, _ = await run_diagnosis(ctx)
    return report
