"""What each agent concluded, as typed values in the graph state."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from argus.report import Category, Suspect

#: What became of template_mining's request to re-run pass 1: it ran, no front door offers it
#: here, or it failed (the first digest was kept).
RemineOutcome = Literal["done", "unavailable", "failed"]


@dataclass(frozen=True, kw_only=True)
class MinedTemplate:
    """A template that matters, with the category and advice template_mining gave it."""

    template_id: int  #: template id
    template: str  #: template text
    category: Category  #: from its words (rule path) or the LLM; never "none"
    name: str = ""  #: a short name (LLM path only)
    advice: str = ""  #: one remediation sentence (LLM path only)


@dataclass(frozen=True, kw_only=True)
class Remining:
    """template_mining's request to re-run pass 1 on the batch's unmatched records."""

    outcome: RemineOutcome  #: done, unavailable or failed
    rate_before: float  #: share of the batch's records no template matched, 0..1
    threshold: float  #: the share above which the re-run is asked for
    rate_after: float | None = None  #: the share once counted again (done only)
    templates_added: int = 0  #: templates pass 1 added from those records (done only)
    error: str = ""  #: why it failed (failed only)

    def describe(self) -> str:
        """One sentence for the report, e.g. "pass 1 re-run: unmatched 34% -> 2%, ..."."""
        before = f"{self.rate_before:.0%}"
        if self.outcome == "done":
            after = f"{self.rate_after or 0.0:.0%}"
            added = f"{self.templates_added} template(s) added"
            return f"Pass 1 re-run: unmatched {before} -> {after}, {added}."
        why = "unavailable here" if self.outcome == "unavailable" else "failed"
        return f"Pass 1 re-run wanted ({before} of records unmatched) but {why}."


@dataclass(frozen=True, kw_only=True)
class TemplateMiningFindings:
    """The templates template_mining named and the query for the next knowledge search."""

    templates: list[MinedTemplate] = field(default_factory=list)  #: anomalous, then error ones
    query: str = ""  #: error codes and template texts, for the knowledge agent
    remine: Remining | None = None  #: the re-run of pass 1 it asked for; None: not wanted


@dataclass(frozen=True, kw_only=True)
class LogAnalysisFindings:
    """The suspects log_analysis ranked (at most five)."""

    suspects: list[Suspect] = field(default_factory=list)  #: best first


@dataclass(frozen=True, kw_only=True)
class Findings:
    """Per agent, what it concluded; None until that agent has run."""

    log_analysis: LogAnalysisFindings | None = None  #: set by log_analysis
    template_mining: TemplateMiningFindings | None = None  #: set by template_mining
