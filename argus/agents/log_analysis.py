"""The log_analysis agent (DESIGN.md §6): which modules and templates are anomalous.

This module holds the rule-based path: the digest of the batch against its baseline (new
templates, spikes, drops, bursts, rate-normalised per minute), the suspects ranked with their
reasons, the category the evidence suggests and whether it is an incident at all. The LLM path
is added beside it and must produce the same :class:`Analysis`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from argus.config import DiagnosisSettings
from argus.report import Anomaly, Category, Suspect, TemplateEvidence
from argus.tools.digest import BatchStats, Change, Digest
from argus.tools.statistics import build_digest
from argus.tools.suspects import assess

MAX_ANOMALIES = 30
MAX_ERROR_TEMPLATES = 15


@dataclass(kw_only=True)
class Analysis:
    """What the log_analysis agent found in one batch."""

    digest: Digest  #: the statistics and the baseline comparison
    suspects: list[Suspect]  #: modules ranked by evidence (scores in [0, 1])
    incident: bool  #: True when the evidence is strong enough to report an incident
    category: Category  #: the failure category the top suspect's evidence suggests
    anomalies: list[Anomaly] = field(default_factory=list)  #: strongest changes, for the report
    error_templates: list[TemplateEvidence] = field(default_factory=list)  #: top error templates
    mode: str = "rule-based"  #: which path produced it
    unmatched: int = 0  #: records of the batch no template matched (not in ``digest``)

    @property
    def top_module(self) -> str | None:
        """The most suspect module when this is an incident, else None."""
        return self.suspects[0].module if self.incident and self.suspects else None


def analyse(
    current: BatchStats,
    baseline: BatchStats | None = None,
    tuning: DiagnosisSettings | None = None,
) -> Analysis:
    """Rule-based analysis of ``current`` against ``baseline`` (the path used without an LLM)."""
    digest = build_digest(current, baseline)
    return analysis_of(digest, tuning or DiagnosisSettings())


def analysis_of(digest: Digest, tuning: DiagnosisSettings | None = None) -> Analysis:
    """Suspects, incident decision, category and report items from a digest."""
    found = assess(digest, tuning or DiagnosisSettings())
    suspects, incident, category = found.suspects, found.incident, found.category
    return Analysis(
        digest=digest,
        suspects=suspects,
        incident=incident,
        category=category,
        anomalies=anomalies_of(digest.changes),
        error_templates=error_templates_of(digest),
    )


def anomalies_of(changes: list[Change]) -> list[Anomaly]:
    """The strongest changes as report anomalies (variants of known templates left out)."""
    kept = [c for c in changes if c.variant_of is None][:MAX_ANOMALIES]
    return [
        Anomaly(
            template_id=c.template_id,
            template=c.template[:2000],
            module=c.module,
            kind=c.kind,
            baseline_per_min=round(c.baseline_per_min, 3),
            current_per_min=round(c.current_per_min, 3),
            score=round(c.score, 3),
        )
        for c in kept
    ]


def error_templates_of(digest: Digest) -> list[TemplateEvidence]:
    """The batch's most frequent error templates as report evidence."""
    return [
        TemplateEvidence(
            template_id=t.template_id,
            template=t.template[:2000],
            module=t.module,
            count=t.count,
            first_ts=t.first_ts,
            last_ts=t.last_ts,
        )
        for t in digest.error_templates[:MAX_ERROR_TEMPLATES]
    ]
