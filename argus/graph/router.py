"""The supervisor's routing: a rule path always, an LLM path when one is configured.

Rule path: analyse the logs, retrieve knowledge; a known error code with a high-confidence
match goes straight to the report (fast path); anything else names the templates that matter
and retrieves again with what that found (slow path), then reports. The LLM may choose instead,
but only among the moves the rules allow at that point; any other answer is ignored.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from argus.agents.context import DiagnosisContext
from argus.agents.findings import Findings
from argus.agents.state import FINISH, DiagnosisState, Move

MAX_RETRIEVALS = 2


class RouteChoice(BaseModel):
    """The LLM supervisor's answer."""

    next: Move
    reason: str = Field("", max_length=500)


def fast_path(state: DiagnosisState, ctx: DiagnosisContext) -> bool:
    """A knowledge hit whose error code occurs in the batch, matched with high similarity."""
    for hit in state.get("knowledge", [])[:3]:
        similar = hit.vector_similarity or 0.0
        if hit.code_match and similar >= ctx.fast_path_similarity:
            return True
    return False


def allowed_moves(state: DiagnosisState, ctx: DiagnosisContext) -> list[Move]:
    """The moves that make sense now (the LLM may only pick among these)."""
    if state.get("report"):
        return [FINISH]
    route = state.get("route", [])
    if "log_analysis" not in route:
        return ["log_analysis"]
    moves: list[Move] = ["diagnosis"]
    if state.get("retrievals", 0) < MAX_RETRIEVALS and ctx.search is not None:
        moves.append("knowledge")
    if "template_mining" not in route:
        moves.append("template_mining")
    return moves


def rule_route(state: DiagnosisState, ctx: DiagnosisContext) -> Move:
    """The deterministic next move."""
    moves = allowed_moves(state, ctx)
    if len(moves) == 1:
        return moves[0]
    retrievals = state.get("retrievals", 0)
    if retrievals == 0 and "knowledge" in moves:
        return "knowledge"
    if fast_path(state, ctx):
        return "diagnosis"
    if "template_mining" in moves:
        return "template_mining"
    mining = state.get("findings", Findings()).template_mining
    wants_more = mining is not None and bool(mining.query)
    if "knowledge" in moves and wants_more and retrievals < MAX_RETRIEVALS:
        return "knowledge"
    return "diagnosis"


ROUTER_PROMPT = """You supervise a log diagnosis. Agents: log_analysis (statistics and anomalies),
template_mining (names the templates that matter), knowledge (searches runbooks and past
incidents), diagnosis (writes the final report). Choose the next agent from ALLOWED.
Answer with JSON only: {"next": "<agent>", "reason": "<short>"}."""


async def llm_route(state: DiagnosisState, ctx: DiagnosisContext) -> Move | None:
    """The LLM's choice when it is one of the allowed moves; None otherwise."""
    assert ctx.llm is not None
    moves = allowed_moves(state, ctx)
    if len(moves) == 1:  # nothing to decide: spend no LLM call on it
        return moves[0]
    prompt = (
        f"ALLOWED: {moves}\nVISITED: {state.get('route', [])}\n"
        f"CONFIDENCE: {state.get('confidence', 0.0):.2f}\n"
        f"KNOWLEDGE HITS: {len(state.get('knowledge', []))}"
    )
    choice = await ctx.llm.ask(RouteChoice, ROUTER_PROMPT, prompt)
    return choice.next if choice.next in moves else None
