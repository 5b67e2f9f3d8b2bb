"""What each agent concluded, as typed values in the graph state."""

from __future__ import annotations

from dataclasses import dataclass, field

from argus.report import Category, Suspect


@dataclass(frozen=True, kw_only=True)
class MinedTemplate:
    """A template that matters, with the category and advice template_mining gave it."""

    template_id: int  #: template id
    template: str  #: template text
    category: Category  #: from its words (rule path) or the LLM; never "none"
    name: str = ""  #: a short name (LLM path only)
    advice: str = ""  #: one remediation sentence (LLM path only)


@dataclass(frozen=True, kw_only=True)
class TemplateMiningFindings:
    """The templates template_mining named and the query for the next knowledge search."""

    templates: list[MinedTemplate] = field(default_factory=list)  #: anomalous, then error ones
    query: str = ""  #: error codes and template texts, for the knowledge agent


@dataclass(frozen=True, kw_only=True)
class LogAnalysisFindings:
    """The suspects log_analysis ranked (at most five)."""

    suspects: list[Suspect] = field(default_factory=list)  #: best first


@dataclass(frozen=True, kw_only=True)
class Findings:
    """Per agent, what it concluded; None until that agent has run."""

    log_analysis: LogAnalysisFindings | None = None  #: set by log_analysis
    template_mining: TemplateMiningFindings | None = None  #: set by template_mining
