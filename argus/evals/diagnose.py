"""The diagnose function of the eval harness: the same graph as ``argus diagnose``, offline.

``graph_diagnose(case, settings)`` mines the case's baseline and batch with a private library,
analyses the batch against the baseline and runs the supervisor graph (rule-based paths unless an
LLM is configured). With ``knowledge`` the graph searches that knowledge base (so retrieval can
be scored); without it, it runs with none. When template_mining asks pass 1 to run again on
the batch's unmatched records, the engine re-feeds them, counts batch and baseline again and
re-analyses (:func:`remine_port`). It reads only the files and the log_format of the case, never
its id, notes or expectation. With ``use_baseline=False`` the baseline folder is ignored (the
batch is mined and analysed alone).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from argus.agents.context import DiagnosisContext, Remine, Remined
from argus.agents.log_analysis import Analysis, analyse
from argus.config import DiagnosisSettings, Settings
from argus.evals.cases import Case
from argus.evals.knowledge import EvalKnowledge
from argus.evals.offline import count_all, engine_for, mine_all, stats_of
from argus.graph.inputs import digest_of, knowledge_hits, llm_runtime
from argus.graph.run import run_diagnosis
from argus.llm.usage import Usage, UsageLimits
from argus.mining.engine import MiningEngine
from argus.report import Report
from argus.store.connection import connect


def graph_diagnose(
    case: Case,
    settings: Settings,
    knowledge: EvalKnowledge | None = None,
    *,
    use_baseline: bool = True,
) -> Report:
    """Diagnose ``case`` through the supervisor graph (``use_baseline=False``: as if the case
    had no baseline folder; its files are not read)."""
    if not use_baseline:
        case = replace(case, baseline=())
    engine = engine_for(settings, case.log_format)
    mine_all(engine, [*case.baseline, *case.logs])
    analysis, misses = analyse_files(engine, case.logs, case.baseline, settings.diagnosis)
    remine = remine_port(engine, case.logs, case.baseline, misses, settings.diagnosis)
    return asyncio.run(_run_graph(case, settings, analysis, knowledge, remine))


def analyse_files(
    engine: MiningEngine,
    logs: Sequence[Path],
    baseline: Sequence[Path],
    tuning: DiagnosisSettings | None = None,
) -> tuple[Analysis, list[str]]:
    """Count the batch ``logs`` and its ``baseline`` with the engine's index and analyse the
    batch against it; return the analysis and the key texts of the batch's misses."""
    counted = count_all(engine, logs)
    base = stats_of(engine, baseline) if baseline else None
    return replace(
        analyse(counted.stats, base, tuning), unmatched=counted.unmatched
    ), counted.misses


def remine_port(
    engine: MiningEngine,
    logs: Sequence[Path],
    baseline: Sequence[Path],
    misses: list[str],
    tuning: DiagnosisSettings | None = None,
) -> Remine:
    """The diagnosis' ``remine``: pass 1 re-fed with ``misses``, then :func:`remine_files`."""

    async def remine() -> Remined:
        return await asyncio.to_thread(remine_files, engine, logs, baseline, misses, tuning)

    return remine


def remine_files(
    engine: MiningEngine,
    logs: Sequence[Path],
    baseline: Sequence[Path],
    misses: list[str],
    tuning: DiagnosisSettings | None = None,
) -> Remined:
    """Feed the batch's unmatched key texts to pass 1; count batch and baseline again with the
    grown index (so both windows share its template ids) and analyse again (blocking)."""
    added = engine.refeed(misses).templates_added
    analysis, _ = analyse_files(engine, logs, baseline, tuning)
    return Remined(digest=digest_of(analysis), templates_added=added)


async def _run_graph(
    case: Case,
    settings: Settings,
    analysis: Analysis,
    knowledge: EvalKnowledge | None,
    remine: Remine,
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
                remine=remine,
                remine_unmatched_rate=settings.mining.remine_unmatched_rate,
            )
            report, _ = await run_diagnosis(ctx)
    return report
