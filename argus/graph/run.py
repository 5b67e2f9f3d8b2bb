"""Run one diagnosis through the graph and return the validated report."""

from __future__ import annotations

import time
from typing import cast

from langchain_core.runnables import RunnableConfig

from argus.agents.context import DiagnosisContext
from argus.agents.findings import Findings
from argus.agents.state import DiagnosisState
from argus.graph.build import diagnosis_graph
from argus.report import Report


async def run_diagnosis(ctx: DiagnosisContext) -> tuple[Report, DiagnosisState]:
    """Diagnose the batch of ``ctx``; return the report and the final state (for tracing).

    Every LLM failure has turned into an agent's rule path by then; the report names those
    agents and why (``fallbacks``) and is "llm" only when its final text came from the LLM."""
    started = time.monotonic()
    initial: DiagnosisState = {
        "batch_id": ctx.batch_id,
        "route": [],
        "errors": [],
        "findings": Findings(),
        "knowledge": [],
        "report": None,
        "modes": {},
        "retrievals": 0,
        "confidence": 0.0,
    }
    # The supervisor enforces the real limits; this only guards against a bug in them.
    config: RunnableConfig = {"recursion_limit": 4 * ctx.limits.max_steps + 10}
    state = cast(DiagnosisState, await diagnosis_graph().ainvoke(initial, config, context=ctx))
    report = _final(state)
    report = report.model_copy(
        update={
            "llm_calls": ctx.usage.llm_calls,
            "tokens": ctx.usage.tokens,
            "fallbacks": list(ctx.fallbacks)[:20],
            "duration_s": round(time.monotonic() - started, 3),
            "model": report.model
            or (ctx.llm.model_name if ctx.llm and report.mode == "llm" else None),
        }
    )
    return report, state


def _final(state: DiagnosisState) -> Report:
    """The report the diagnosis agent wrote (the graph ends only after it)."""
    report = state.get("report")
    if report is None:
        raise RuntimeError("the diagnosis graph ended without a report")
    return report
