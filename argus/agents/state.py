"""The state that flows through the supervisor graph: typed values, never run-scoped services."""

from __future__ import annotations

import operator
from typing import Annotated, Literal, TypedDict, get_args

from argus.agents.digest import BatchDigest
from argus.agents.findings import Findings
from argus.knowledge.search import SearchHit
from argus.report import Mode, Report

#: The worker agents the supervisor can route to.
Agent = Literal["log_analysis", "template_mining", "knowledge", "diagnosis"]
AGENTS: tuple[Agent, ...] = get_args(Agent)
#: The supervisor's decisions: an agent, or the end.
Move = Literal[Agent, "finish"]
FINISH: Move = "finish"


class DiagnosisState(TypedDict, total=False):
    """What the agents know so far about one batch (an agent's update holds only what it set)."""

    batch_id: str  #: the batch being diagnosed
    digest: BatchDigest  #: compact statistics: error templates, codes, anomalies, suspects
    findings: Findings  #: per agent, what it concluded (each agent replaces its own part)
    knowledge: list[SearchHit]  #: retrieved knowledge hits, best first
    retrievals: int  #: knowledge searches run
    report: Report | None  #: the final report once written
    confidence: float  #: current confidence in the leading hypothesis, 0..1
    route: Annotated[list[Agent], operator.add]  #: agents visited, in order
    next: Move  #: the supervisor's decision
    errors: Annotated[list[str], operator.add]  #: what went wrong along the way (non-fatal)
    modes: dict[Agent, Mode]  #: per agent, "llm" or "rule-based"
