"""The log_analysis agent as a graph node: the statistics digest, optionally re-ranked by an LLM.

The rule path is the analysis itself (argus.agents.log_analysis, over the statistics and the
baseline). The LLM path may re-order the suspects, but only among the modules the analysis
found, with clamped scores.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from argus.agents.context import DiagnosisContext
from argus.agents.state import DiagnosisState
from argus.errors import ArgusError
from argus.llm.prompts import DATA_RULE, data_block

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


async def run(state: DiagnosisState, ctx: DiagnosisContext) -> dict[str, Any]:
    """Compute the digest; let the LLM re-rank its suspects when one is available."""
    digest = ctx.analyse()
    suspects = list(digest.get("suspects", []))
    mode, errors = "rule-based", []
    if len(suspects) > 1 and ctx.llm_ready(AGENT):
        try:
            suspects = await _llm_rank(digest, suspects, ctx)
            mode = "llm"
        except ArgusError as exc:
            ctx.fall_back(AGENT, exc.message)
            errors.append(f"log_analysis: LLM path failed, rule ranking kept ({exc.message})")
    digest = {**digest, "suspects": suspects}
    top = suspects[0]["score"] if suspects else 0.0
    findings = {**state.get("findings", {}), "log_analysis": {"suspects": suspects[:5]}}
    return {
        "digest": digest, "findings": findings, "confidence": float(top) * 0.6,
        "modes": {**state.get("modes", {}), "log_analysis": mode}, "errors": errors,
    }  # fmt: skip


async def _llm_rank(
    digest: dict[str, Any], suspects: list[dict[str, Any]], ctx: DiagnosisContext
) -> list[dict[str, Any]]:
    assert ctx.llm is not None
    candidates = [{"module": s["module"], "score": round(float(s["score"]), 2),
                   "evidence": list(s.get("reasons", []))[:3]} for s in suspects[:8]]  # fmt: skip
    answer = await ctx.llm.ask(SuspectRanking, PROMPT, "Candidates:\n" + data_block(candidates))
    known = {s["module"]: s for s in suspects}
    ranked, seen = [], set()
    for item in answer.suspects:
        if item.module in known and item.module not in seen:
            seen.add(item.module)
            score = min(1.0, max(0.0, item.score))
            reasons = [*known[item.module].get("reasons", []), f"LLM: {item.reason}"]
            ranked.append({"module": item.module, "score": score, "reasons": reasons[:10]})
    if not ranked:
        raise ArgusError("the LLM ranked none of the candidate modules")
    return ranked + [s for s in suspects if s["module"] not in seen]
