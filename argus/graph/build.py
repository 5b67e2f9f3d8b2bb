"""The supervisor graph: a supervisor node that routes, and one node per agent.

Every agent returns to the supervisor; the supervisor counts steps against the limits, asks the
LLM (when allowed) or the rules for the next move, and forces the report when the budget is
spent, so no answer of any model can keep the graph looping.
"""

from __future__ import annotations

from typing import Any

from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph

from argus.agents import diagnosis, knowledge, log_analysis_node, template_mining
from argus.agents.context import DiagnosisContext
from argus.agents.state import AGENTS, FINISH, Agent, DiagnosisState
from argus.errors import ArgusError
from argus.graph.router import allowed_moves, llm_route, rule_route


def build_graph(ctx: DiagnosisContext) -> CompiledStateGraph:  # type: ignore[type-arg]
    """Compile the graph for one diagnosis (nodes close over ``ctx``)."""
    graph = StateGraph(DiagnosisState)

    async def supervisor(state: DiagnosisState) -> DiagnosisState:
        return await _supervise(state, ctx)

    graph.add_node("supervisor", supervisor)
    agents: tuple[tuple[Agent, Any], ...] = (
        ("log_analysis", log_analysis_node), ("template_mining", template_mining),
        ("knowledge", knowledge), ("diagnosis", diagnosis),
    )  # fmt: skip
    for name, agent in agents:
        graph.add_node(name, _node(name, agent.run, ctx))
        graph.add_edge(name, "supervisor")
    graph.add_edge(START, "supervisor")
    graph.add_conditional_edges(
        "supervisor", lambda s: s["next"], {**{a: a for a in AGENTS}, FINISH: END}
    )
    return graph.compile()


def _node(name: Agent, run: Any, ctx: DiagnosisContext) -> Any:
    async def node(state: DiagnosisState) -> DiagnosisState:
        update: DiagnosisState = await run(state, ctx)
        update["route"] = [name]
        return update

    node.__name__ = name
    return node


async def _supervise(state: DiagnosisState, ctx: DiagnosisContext) -> DiagnosisState:
    if state.get("report"):
        return {"next": FINISH}
    ctx.usage.steps += 1
    if not ctx.usage.steps_left(ctx.limits):
        return {"next": "diagnosis", "errors": [f"step limit ({ctx.limits.max_steps}) reached"]}
    move, errors = None, []
    if len(allowed_moves(state, ctx)) > 1 and ctx.llm_ready("supervisor"):
        try:
            move = await llm_route(state, ctx)
            if move is None:
                errors.append("supervisor: the LLM chose a move that is not allowed now")
        except ArgusError as exc:
            ctx.fall_back("supervisor", exc.message)
            errors.append(f"supervisor: LLM routing failed ({exc.message})")
    return {"next": move or rule_route(state, ctx), "errors": errors}
