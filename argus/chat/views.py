"""Compact, JSON-ready views of the batch's data for tool results (sizes capped).

Log content is untrusted and can be long: every text is clipped and every list is capped, so a
tool result stays small whatever the batch holds.
"""

from __future__ import annotations

from typing import Any

from argus.batch_rows import BatchRow
from argus.knowledge.search import SearchHit
from argus.report import Report, Suspect
from argus.tools.digest import Burst, Change, ModuleCount, TemplateCount
from argus.tools.views import BurstView, ModuleView, TemplateView, clip, stamp

MAX_ITEMS = 25  #: the most rows any list of a tool result holds


def report_view(report: Report | None, batch: BatchRow) -> dict[str, Any]:
    """The essentials of a stored report (or the batch's state when it has none yet)."""
    if report is None:
        return {
            "diagnosed": False,
            "status": batch.status,
            "failure_reason": clip(batch.failure_reason, 300),
        }
    cause = report.root_cause
    return {
        "diagnosed": True,
        "summary": clip(report.summary, 600),
        "incident": report.incident,
        "root_cause": {
            "module": clip(cause.module, 100),
            "submodule": clip(cause.submodule, 100),
            "category": cause.category,
            "description": clip(cause.description, 300),
        },
        "confidence": report.confidence,
        "mode": report.mode,
        "suspects": [
            {"module": clip(s.module, 100), "score": s.score} for s in report.suspects[:5]
        ],
        "error_codes": [clip(c, 40) for c in report.error_codes[:10]],
        "recommendations": [clip(r, 200) for r in report.recommendations[:5]],
        "knowledge": [clip(k.source_id, 80) for k in report.evidence.knowledge[:5]],
    }


def template_view(row: TemplateCount) -> dict[str, Any]:
    """One (template, module, level) with its volume and first and last time."""
    return TemplateView.of(row).model_dump()


def module_view(row: ModuleCount) -> dict[str, Any]:
    """One module's lines, errors and rates (baseline rates when there is a baseline)."""
    return ModuleView.of(row).model_dump(exclude_unset=True)


def burst_view(burst: Burst, template: str) -> dict[str, Any]:
    """A minute in which a template ran far above its own average."""
    return BurstView.of(burst, template).model_dump()


def change_view(change: Change) -> dict[str, Any]:
    """A template that behaves differently from the baseline."""
    return {
        "kind": change.kind,
        "template_id": change.template_id,
        "template": clip(change.template),
        "module": clip(change.module, 100),
        "error": change.error,
        "baseline_per_min": round(change.baseline_per_min, 2),
        "current_per_min": round(change.current_per_min, 2),
        "count": change.count,
        "score": round(change.score, 3),
        "first": stamp(change.first_ts),
    }


def suspect_view(suspect: Suspect) -> dict[str, Any]:
    """A suspect module with its score and strongest reasons."""
    return {
        "module": clip(suspect.module, 100),
        "score": suspect.score,
        "reasons": [clip(r, 200) for r in suspect.reasons[:3]],
    }


def knowledge_view(hit: SearchHit) -> dict[str, Any]:
    """A knowledge-base entry found by the search."""
    return {
        "source_id": clip(hit.source_id, 80),
        "module": clip(hit.module, 100),
        "category": hit.category,
        "error_code": clip(hit.error_code, 40),
        "symptom": clip(hit.symptom, 200),
        "root_cause": clip(hit.root_cause, 200),
        "solution": clip(hit.solution, 300),
        "score": round(hit.score, 4),
    }
