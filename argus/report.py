"""The diagnosis report (DESIGN.md §6): the one structure every path must produce.

The LLM path's output is validated against these models (numbers clamped, unknown categories
refused); the rule-based path builds them directly. This module is a contract at the bottom of
the layers: it imports nothing from Argus, and every layer may import it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal, TypeGuard, get_args

from pydantic import BaseModel, Field, field_validator

#: Closed vocabulary of failure categories for reports (the eval case sets map onto it too).
Category = Literal[
    "none",
    "resource_cpu",
    "resource_memory",
    "resource_disk",
    "network_latency",
    "network_connection",
    "timeout",
    "dns",
    "tls",
    "auth",
    "config",
    "database",
    "queue_backlog",
    "hardware",
    "data_integrity",
    "ota",
    "code_exception",
    "code_wrong_return_value",
    "unknown",
]

#: The members of :data:`Category`, in their declared order (derived, never written twice).
CATEGORIES: tuple[Category, ...] = get_args(Category)


def is_category(value: object) -> TypeGuard[Category]:
    """True when ``value`` is a report category, spelled exactly (no case folding)."""
    return value in CATEGORIES


AnomalyKind = Literal["new", "spike", "burst", "drop"]
Mode = Literal["llm", "rule-based"]


class RootCause(BaseModel):
    """Where and what the failure is."""

    module: str | None = Field(None, max_length=200)
    submodule: str | None = Field(None, max_length=200)
    category: Category = "unknown"
    description: str = Field("", max_length=2000)


#: The signals a suspect's evidence comes from (see argus.tools.suspects).
SignalKind = Literal[
    "errors",  # its error templates run above what the baseline implies
    "named",  # error lines of other modules name it
    "unanswered",  # requests reach the lines that call it, then never reach it
    "new_paths",  # its requests take template sequences the baseline never showed
    "silence",  # it writes fewer lines than its callers' traffic implies
    "own_time",  # its own consecutive lines of a request are further apart
    "slow_link",  # the steps between its lines and other modules' lines are longer
    "errors_unbaselined",  # its error lines start partway through a batch with no baseline
]


class SampleLine(BaseModel):
    """A raw line (its key text) of a template, with the request it belongs to."""

    text: str = Field(max_length=500)
    trace: str | None = Field(None, max_length=100)


class ExplainCard(BaseModel):
    """One signal behind a suspect, with what a person needs to check it in a minute."""

    signal: SignalKind
    claim: str = Field(max_length=400)  #: one sentence: the figures and what they mean
    batch: float  #: the batch's figure (lines, requests, seconds ...)
    baseline: float | None = None  #: what the baseline implies for the batch; None: no baseline
    unit: str = Field("", max_length=40)  #: of batch and baseline
    z: float = 0.0  #: surprise against the baseline's own variability (normal quantile)
    template_ids: list[int] = Field(default_factory=list, max_length=5)
    samples: list[SampleLine] = Field(default_factory=list, max_length=3)
    minutes: list[datetime] = Field(default_factory=list, max_length=5)  #: where it shows most


class Suspect(BaseModel):
    """A module ranked by how likely it is the root cause."""

    module: str = Field(max_length=200)
    score: float = Field(ge=0.0, le=1.0)
    reasons: list[str] = Field(default_factory=list, max_length=10)
    evidence: list[ExplainCard] = Field(default_factory=list, max_length=5)


class TemplateEvidence(BaseModel):
    """An error template of the batch."""

    template_id: int
    template: str = Field(max_length=2000)
    module: str | None = None
    count: int = Field(ge=0)
    first_ts: datetime | None = None
    last_ts: datetime | None = None


class Anomaly(BaseModel):
    """A template whose behaviour differs from the baseline."""

    template_id: int
    template: str = Field(max_length=2000)
    module: str | None = None
    kind: AnomalyKind
    baseline_per_min: float = Field(ge=0.0)
    current_per_min: float = Field(ge=0.0)
    score: float = Field(0.0, ge=0.0)


class KnowledgeEvidence(BaseModel):
    """A knowledge-base entry that supports the diagnosis."""

    kb_id: int | None = None
    source_id: str = Field(max_length=300)
    snippet: str = Field("", max_length=1000)
    score: float = 0.0


class Evidence(BaseModel):
    """What the diagnosis rests on."""

    template_ids: list[int] = Field(default_factory=list)
    knowledge: list[KnowledgeEvidence] = Field(default_factory=list)


class Fallback(BaseModel):
    """An agent that took its rule-based path although an LLM is configured, and why."""

    agent: str = Field(max_length=40)  #: supervisor, log_analysis, template_mining, diagnosis
    reason: str = Field(max_length=300)  #: short, never an upstream body ("LLM HTTP 500")


class Report(BaseModel):
    """The structured diagnosis of one batch.

    ``mode`` is "llm" only when the final report came from the LLM path; ``fallbacks`` names
    every agent that fell back to its rule path, and why.
    """

    summary: str = Field(max_length=4000)
    incident: bool
    root_cause: RootCause = Field(default_factory=RootCause)
    suspects: list[Suspect] = Field(default_factory=list, max_length=20)
    top_error_templates: list[TemplateEvidence] = Field(default_factory=list, max_length=50)
    error_codes: list[str] = Field(default_factory=list, max_length=50)
    anomalies: list[Anomaly] = Field(default_factory=list, max_length=100)
    recommendations: list[str] = Field(default_factory=list, max_length=20)
    evidence: Evidence = Field(default_factory=Evidence)
    confidence: float = Field(0.0, ge=0.0, le=1.0)
    mode: Mode = "rule-based"
    fallbacks: list[Fallback] = Field(default_factory=list, max_length=20)
    model: str | None = None
    llm_calls: int = Field(0, ge=0)
    tokens: int = Field(0, ge=0)
    duration_s: float = Field(0.0, ge=0.0)

    @field_validator("confidence", mode="before")
    @classmethod
    def _clamp(cls, value: object) -> float:
        try:
            number = float(value)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return 0.0
        return min(1.0, max(0.0, number))
