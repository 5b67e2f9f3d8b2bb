"""The log_analysis agent as a graph node: the statistics digest, optionally re-ranked by an LLM.

The rule path is the analysis itself (argus.agents.log_analysis, over the statistics and the
baseline). The LLM path may re-order the suspects, but only among the modules the analysis
found, with clamped scores.
"""

from __future__ import annotations

from dataclasses import replace

from pydantic import BaseModel, Field

from argus.agents.context import DiagnosisContext
from argus.agents.findings import Findings, LogAnalysisFindings
from argus.agents.state import DiagnosisState
from argus.errors import ArgusError
from argus.llm.prompts import DATA_RULE, data_block
from argus.report import Mode, Suspect

AGENT = "log_analysis"
PROMPT = f"""You analyse log statistics. Given candidate modules with the evidence against each,
return JSON {{"suspects": [{{"module": "<one of the candidates>", "score": <0..1>,
"reason": "<short>"}}]}} ordered from most to least likely root cause. {DATA_RULE}"""


class RankedSuspect(BaseModel):
    """One suspect in the LLM's answer."""

    module: str = Field(max_length=200)
    score: float = 0.0
    reason: str = Field("", max_length=500)


class SuspectRanking(BaseModel):
    """The LLM's answer."""

    suspects: list[RankedSuspect] = Field(default_factory=list, max_length=20)


async def run(state: DiagnosisState, ctx: DiagnosisContext) -> DiagnosisState:
    """Compute the digest; let the LLM re-rank its suspects when one is available."""
    digest = ctx.analyse()
    suspects = list(digest.suspects)
    mode: Mode = "rule-based"
    errors: list[str] = []
    if len(suspects) > 1 and ctx.llm_ready(AGENT):
        try:
            suspects = await _llm_rank(suspects, ctx)
            mode = "llm"
        except ArgusError as exc:
            ctx.fall_back(AGENT, exc.message)
            errors.append(f"log_analysis: LLM path failed, rule ranking kept ({exc.message})")
    top = suspects[0].score if suspects else 0.0
    findings = replace(
        state.get("findings", Findings()), log_analysis=LogAnalysisFindings(suspects=suspects[:5])
    )
    return {
        "digest": digest.model_copy(update={"suspects": suspects}),
        "findings": findings,
        "confidence": top * 0.6,
        "modes": {**state.get("modes", {}), "log_analysis": mode},
        "errors": errors,
    }


async def _llm_rank(suspects: list[Suspect], ctx: DiagnosisContext) -> list[Suspect]:
    assert ctx.llm is not None
    candidates = [
        {"module": s.module, "score": round(s.score, 2), "evidence": s.reasons[:3]}
        for s in suspects[:8]
    ]
    answer = await ctx.llm.ask(SuspectRanking, PROMPT, "Candidates:\n" + data_block(candidates))
    known = {s.module: s for s in suspects}
    ranked: list[Suspect] = []
    seen: set[str] = set()
    for item in answer.suspects:
        if item.module in known and item.module not in seen:
            seen.add(item.module)
            reasons = [*known[item.module].reasons, f"LLM: {item.reason}"]
            score = min(1.0, max(0.0, item.score))
            ranked.append(Suspect(module=item.module, score=score, reasons=reasons[:10]))
    if not ranked:
        raise ArgusError("the LLM ranked none of the candidate modules")
    return ranked + [s for s in suspects if s.module not in seen]
