"""The supervisor graph: a supervisor node that routes, and one node per agent.

Every agent returns to the supervisor; the supervisor counts steps against the limits, asks the
LLM (when allowed) or the rules for the next move, and forces the report when the budget is
spent, so no answer of any model can keep the graph looping. The graph is compiled once per
process; each run gets its :class:`DiagnosisContext` at invoke time (``context_schema``).
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import Protocol

from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph
from langgraph.runtime import Runtime

from argus.agents import diagnosis, knowledge, log_analysis_node, template_mining
from argus.agents.context import DiagnosisContext
from argus.agents.state import AGENTS, FINISH, Agent, DiagnosisState, Move
from argus.errors import ArgusError
from argus.graph.router import allowed_moves, llm_route, rule_route

#: The compiled diagnosis graph (state in and out, the diagnosis' context at run time).
DiagnosisGraph = CompiledStateGraph[
    DiagnosisState, DiagnosisContext, DiagnosisState, DiagnosisState
]
#: An agent's step: the state so far and the diagnosis' context in, the agent's update out.
AgentRun = Callable[[DiagnosisState, DiagnosisContext], Awaitable[DiagnosisState]]
#: Each agent's node and the function it runs.
AGENT_RUNS: dict[Agent, AgentRun] = {
    "log_analysis": log_analysis_node.run,
    "template_mining": template_mining.run,
    "knowledge": knowledge.run,
    "diagnosis": diagnosis.run,
}


class Node(Protocol):
    """A graph node: the state so far in, an update out; the context comes from the runtime."""

    def __call__(
        self, state: DiagnosisState, *, runtime: Runtime[DiagnosisContext]
    ) -> Awaitable[DiagnosisState]: ...


@functools.cache
def diagnosis_graph() -> DiagnosisGraph:
    """The graph, compiled on first use and shared by every diagnosis of the process."""
    return build_graph()


def build_graph() -> DiagnosisGraph:
    """Compile the graph (nodes read the diagnosis' DiagnosisContext from the runtime)."""
    graph = StateGraph(DiagnosisState, context_schema=DiagnosisContext)
    graph.add_node("supervisor", supervisor)
    for name in AGENTS:
        graph.add_node(name, _node(name, AGENT_RUNS[name]))
        graph.add_edge(name, "supervisor")
    graph.add_edge(START, "supervisor")
    graph.add_conditional_edges("supervisor", _next, {**{a: a for a in AGENTS}, FINISH: END})
    return graph.compile()


def _next(state: DiagnosisState) -> Move:
    return state["next"]


def _node(name: Agent, run: AgentRun) -> Node:
    async def node(state: DiagnosisState, runtime: Runtime[DiagnosisContext]) -> DiagnosisState:
        update = await run(state, runtime.context)
        update["route"] = [name]
        return update

    node.__name__ = name
    return node


async def supervisor(state: DiagnosisState, runtime: Runtime[DiagnosisContext]) -> DiagnosisState:
    """Count the step; choose the next move (the LLM among the allowed ones, else the rules),
    or force the report when the step limit is reached."""
    ctx = runtime.context
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
