"""What the graph's nodes may use: the inputs of one diagnosis and the services around it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from argus.agents.digest import BatchDigest
from argus.config import REMINE_UNMATCHED_RATE
from argus.knowledge.search import SearchHit
from argus.llm.runtime import LLMRuntime
from argus.llm.usage import Usage, UsageLimits
from argus.report import Fallback

#: Runs the statistics analysis; returns the digest (see argus.agents.digest).
Analyse = Callable[[], BatchDigest]


@dataclass(frozen=True, kw_only=True)
class Remined:
    """What a re-run of pass 1 on the batch's unmatched records gave."""

    digest: BatchDigest  #: the batch counted again with the grown library, and analysed again
    templates_added: int = 0  #: templates pass 1 added from the unmatched records


#: Re-runs pass 1 on the batch's unmatched records, counts the batch again and re-analyses it.
Remine = Callable[[], Awaitable[Remined]]
#: Searches the knowledge base: (query text, hard filters) -> hits, best first.
Search = Callable[[str, dict[str, str | None]], Awaitable[list[SearchHit]]]


@dataclass(kw_only=True)
class DiagnosisContext:
    """Inputs and services of one diagnosis: the graph's run-time context (``context_schema``),
    never part of its state."""

    batch_id: str  #: the batch being diagnosed
    analyse: Analyse  #: statistics of the batch against its baseline
    search: Search | None = None  #: knowledge search; None when no knowledge base is reachable
    labels: dict[str, str] = field(default_factory=dict)  #: platform, firmware, ... of the batch
    llm: LLMRuntime | None = None  #: None: every agent takes its rule-based path
    limits: UsageLimits = field(default_factory=UsageLimits)  #: per-diagnosis budget
    usage: Usage = field(default_factory=Usage)  #: what this diagnosis used
    fast_path_similarity: float = 0.6  #: vector similarity of an exact-code hit for the fast path
    remine: Remine | None = None  #: re-runs pass 1 on the unmatched records; None: not here
    #: share of unmatched records above which template_mining asks for ``remine``
    remine_unmatched_rate: float = REMINE_UNMATCHED_RATE
    fallbacks: list[Fallback] = field(default_factory=list)  #: agents that fell back, and why

    def llm_ready(self, agent: str) -> bool:
        """True when ``agent`` may ask the LLM now. When an LLM is configured but may not be
        asked (limits or time budget spent, breaker open), the agent's fallback is recorded."""
        if self.llm is None:
            return False
        reason = self.llm.blocker()
        if reason is not None:
            self.fall_back(agent, reason)
        return reason is None

    def fall_back(self, agent: str, reason: str) -> None:
        """Record that ``agent`` took its rule path because of ``reason`` (once per pair)."""
        item = Fallback(agent=agent, reason=reason[:300])
        if item not in self.fallbacks:
            self.fallbacks.append(item)
