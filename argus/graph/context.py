"""What the graph's nodes may use: the inputs of one diagnosis and the services around it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from argus.agents.llm_call import LLMRuntime
from argus.graph.limits import Usage, UsageLimits

#: Runs the statistics analysis; returns the digest (see argus.agents.digest).
Analyse = Callable[[], dict[str, Any]]
#: Searches the knowledge base: (query text, hard filters) -> hits as plain dicts, best first.
Search = Callable[[str, dict[str, str | None]], Awaitable[list[dict[str, Any]]]]


@dataclass
class DiagnosisContext:
    """Inputs and services of one diagnosis (never part of the graph state)."""

    batch_id: str  #: the batch being diagnosed
    analyse: Analyse  #: statistics of the batch against its baseline
    search: Search | None = None  #: knowledge search; None when no knowledge base is reachable
    labels: dict[str, str] = field(default_factory=dict)  #: platform, firmware, ... of the batch
    llm: LLMRuntime | None = None  #: None: every agent takes its rule-based path
    limits: UsageLimits = field(default_factory=UsageLimits)  #: per-diagnosis budget
    usage: Usage = field(default_factory=Usage)  #: what this diagnosis used
    fast_path_similarity: float = 0.6  #: vector similarity of an exact-code hit for the fast path

    def llm_available(self) -> bool:
        """True when an LLM is configured and the budget allows another call."""
        return (
            self.llm is not None
            and self.usage.llm_allowed(self.limits)
            and not self.llm.breaker.is_open
        )
