"""The digest the agents read: a compact, typed view of one analysis (never raw logs).

It holds only what the agents use: the incident decision and the category the statistics
suggest, the error codes, the anomalies, the error templates and the suspects (the report's own
evidence types), with the batch's size, its unmatched records and its windows for context. The
full statistics stay in :class:`argus.tools.digest.Digest`; ``argus.graph.inputs.digest_of``
builds this view of it.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from argus.report import Anomaly, Category, Suspect, TemplateEvidence


class BatchDigest(BaseModel):
    """What the agents know of the batch's statistics (immutable: agents copy it to change it)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    records: int = Field(ge=0)  #: records counted in the batch (those a template matched)
    unmatched: int = Field(0, ge=0)  #: records no template matched (outside every statistic)
    window_minutes: float  #: length of the batch's window
    baseline_minutes: float | None = None  #: length of the baseline's window (None: no baseline)
    #: minutes from the baseline's last line to the batch's first (None: no baseline)
    baseline_gap_minutes: float | None = None
    incident: bool  #: the statistics' incident decision
    category_guess: Category = "unknown"  #: the category the top suspect's evidence suggests
    error_codes: list[str] = Field(default_factory=list)  #: codes found in the error templates
    anomalies: list[Anomaly] = Field(default_factory=list)  #: strongest changes, strongest first
    error_templates: list[TemplateEvidence] = Field(default_factory=list)  #: top error templates
    suspects: list[Suspect] = Field(default_factory=list)  #: modules ranked by evidence

    @property
    def unmatched_rate(self) -> float:
        """The share of the batch's records no template matched, 0..1 (0 for an empty batch)."""
        total = self.records + self.unmatched
        return self.unmatched / total if total else 0.0


#: The digest before log_analysis has run (a report forced by the limits before it): no incident.
NO_DIGEST = BatchDigest(records=0, window_minutes=0.0, incident=False)
