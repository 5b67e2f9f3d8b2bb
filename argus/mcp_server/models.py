"""The typed outputs of the MCP tools (each tool's output schema is one of these)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from argus.batch_rows import BatchRow
from argus.batch_status import BatchStatus
from argus.knowledge.incidents import IncidentHit
from argus.knowledge.search import SearchHit
from argus.report import Report
from argus.store.feedback import FeedbackRow


class BatchItem(BaseModel):
    """A batch: where it stands."""

    batch_id: uuid.UUID
    source: str
    labels: dict[str, Any]
    status: BatchStatus
    failure_reason: str | None = None
    file_count: int
    created_at: datetime
    diagnosed_at: datetime | None = None

    @classmethod
    def of(cls, row: BatchRow) -> BatchItem:
        """The item of a batch row (``argus.store.batch_list`` or ``batches.get_batch``)."""
        return cls.model_validate(row, from_attributes=True)


class BatchList(BaseModel):
    """Batches, newest first."""

    batches: list[BatchItem]
    more: bool = Field(description="more batches match than were listed")


class BatchReport(BaseModel):
    """A batch's diagnosis report."""

    batch_id: uuid.UUID
    report: Report


class KnowledgeHit(BaseModel):
    """A knowledge entry found by a search, with why it matched."""

    kb_id: int
    source_id: str
    source: str
    error_code: str | None
    module: str | None
    category: str | None
    symptom: str
    root_cause: str | None
    solution: str
    score: float
    reasons: list[str]

    @classmethod
    def of(cls, hit: SearchHit) -> KnowledgeHit:
        """The view of a search hit."""
        return cls.model_validate({k: getattr(hit, k) for k in cls.model_fields})


class KnowledgeResult(BaseModel):
    """Knowledge entries, best first."""

    hits: list[KnowledgeHit]
    filters: list[str] = Field(description="the hard filters applied, as field=value")


class Verdict(BaseModel):
    """The latest feedback on a past diagnosis: the truth a person gave."""

    correct: bool
    module: str | None = Field(description="the true module (null: no incident)")
    category: str | None = Field(description="the true report category ('none': no incident)")
    note: str
    by: str

    @classmethod
    def of(cls, row: FeedbackRow) -> Verdict:
        """The verdict of a stored feedback."""
        return cls(
            correct=row.correct,
            module=row.expected_module,
            category=row.expected_category,
            note=row.note,
            by=row.author,
        )


class Incident(BaseModel):
    """A past diagnosis similar to the query, with its feedback when it has one."""

    batch_id: str
    source: str
    summary: str | None
    root_cause: dict[str, Any] | None
    confidence: float | None
    similarity: float
    created_at: datetime
    feedback: Verdict | None

    @classmethod
    def of(cls, hit: IncidentHit, feedback: FeedbackRow | None) -> Incident:
        """The view of a similar-incident hit."""
        return cls(
            batch_id=hit.batch_id,
            source=hit.source,
            summary=hit.summary,
            root_cause=hit.root_cause,
            confidence=hit.confidence,
            similarity=round(hit.similarity, 4),
            created_at=hit.created_at,
            feedback=Verdict.of(feedback) if feedback else None,
        )


class Incidents(BaseModel):
    """Past diagnoses, most similar first."""

    incidents: list[Incident]


class ChatAnswer(BaseModel):
    """The chat's answer to one question about a batch."""

    batch_id: uuid.UUID
    thread_id: str = Field(description="pass it again to follow up in the same thread")
    answer: str
    mode: str = Field(description="llm or rule (the rule path needs no LLM)")
    tools: list[str] = Field(description="the chat tools called, in order")


class Diagnosis(BaseModel):
    """A diagnosis made by the diagnose_files tool."""

    batch_id: uuid.UUID
    report: Report
    notes: list[str] = Field(description="non-fatal problems met by the agents")
