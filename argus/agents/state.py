"""The state that flows through the supervisor graph (plain, JSON-ready values only)."""

from __future__ import annotations

import operator
from typing import Annotated, Any, TypedDict

#: The worker agents the supervisor can route to, and the end.
AGENTS = ("log_analysis", "template_mining", "knowledge", "diagnosis")
FINISH = "finish"


class DiagnosisState(TypedDict, total=False):
    """What the agents know so far about one batch."""

    batch_id: str  #: the batch being diagnosed
    digest: dict[str, Any]  #: compact statistics: top/error templates, codes, anomalies, suspects
    findings: dict[str, Any]  #: per agent, what it concluded (merged as agents report)
    knowledge: list[dict[str, Any]]  #: retrieved knowledge hits, best first
    retrievals: int  #: knowledge searches run
    report: dict[str, Any] | None  #: the final report (Report.model_dump) once written
    confidence: float  #: current confidence in the leading hypothesis, 0..1
    route: Annotated[list[str], operator.add]  #: agents visited, in order
    next: str  #: the supervisor's decision
    errors: Annotated[list[str], operator.add]  #: what went wrong along the way (non-fatal)
    modes: dict[str, str]  #: per agent, "llm" or "rule-based"
