"""Bodies of the feedback routes and of the knowledge metrics."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from argus.api.schemas import NO_NUL, Storable
from argus.api.schemas_knowledge import FILLED
from argus.knowledge.categories import Category
from argus.knowledge.feedback import Verdict
from argus.knowledge.stats import KnowledgeStats
from argus.store.feedback import FeedbackRow

Name = Annotated[str, StringConstraints(min_length=1, max_length=100, pattern=FILLED), Storable]
Note = Annotated[str, StringConstraints(max_length=4000, pattern=NO_NUL), Storable]


class FeedbackCreate(BaseModel):
    """A person's verdict on a batch's diagnosis.

    ``correct=true`` confirms it (module and category, if sent, must be the diagnosed ones; the
    category may be a finer kind of the report's). ``correct=false`` corrects it: with
    ``incident=false`` it was a false alarm; otherwise send the true module and category."""

    model_config = ConfigDict(extra="forbid")

    correct: bool = Field(description="the diagnosis was right")
    incident: bool = Field(True, description="there was an incident (false: a false alarm)")
    module: Name | None = Field(None, description="the true module at fault")
    category: Category | None = Field(None, description="the true category (closed vocabulary)")
    note: Note = Field("", description="what really happened, what fixed it")
    by: Name = Field(description="who gives the feedback (a name or an e-mail)")

    def verdict(self) -> Verdict:
        """The knowledge package's verdict of this body."""
        return Verdict(
            correct=self.correct,
            incident=self.incident,
            module=self.module.strip() if self.module else None,
            category=self.category,
            note=self.note.strip(),
            author=self.by.strip(),
        )


class FeedbackView(BaseModel):
    """A stored feedback and the truth it states."""

    feedback_id: int
    batch_id: uuid.UUID
    correct: bool
    incident: bool = Field(description="the truth: there was an incident")
    module: str | None = Field(description="the module as given")
    category: str | None = Field(description="the category as given")
    note: str
    by: str
    expected_module: str | None = Field(description="the true module (null: no incident)")
    expected_category: str | None = Field(
        description="the true report category ('none': no incident; null: not labelled)"
    )
    kb_id: int | None = Field(description="the knowledge entry it taught (null: none)")
    created_at: datetime

    @classmethod
    def of(cls, row: FeedbackRow) -> FeedbackView:
        """The view of a stored row."""
        return cls(
            feedback_id=row.feedback_id,
            batch_id=row.batch_id,
            correct=row.correct,
            incident=row.incident,
            module=row.module,
            category=row.category,
            note=row.note,
            by=row.author,
            expected_module=row.expected_module,
            expected_category=row.expected_category,
            kb_id=row.kb_id,
            created_at=row.created_at,
        )


class FeedbackListView(BaseModel):
    """Every feedback on a batch, newest first (the first is the batch's truth)."""

    batch_id: uuid.UUID
    feedback: list[FeedbackView]


class CitedEntryView(BaseModel):
    """A knowledge entry and the number of diagnoses citing it."""

    kb_id: int
    source_id: str
    source: str
    citations: int


class KnowledgeStatsView(BaseModel):
    """How diagnoses use the knowledge base (ratios are null while there is nothing to divide)."""

    diagnoses: int = Field(description="completed diagnoses")
    citing_diagnoses: int = Field(description="completed diagnoses citing at least one entry")
    hit_rate: float | None = Field(description="citing_diagnoses / diagnoses")
    citations: int = Field(description="(diagnosis, cited entry) pairs")
    entries: int = Field(description="entries in the knowledge base")
    cited_entries: int = Field(description="entries cited at least once")
    citations_per_cited_entry: float | None = Field(description="citations / cited_entries")
    judged_citations: int = Field(description="citations by diagnoses that have feedback")
    relevant_citations: int = Field(
        description="judged citations whose entry fits the truth (category and module)"
    )
    precision: float | None = Field(description="relevant_citations / judged_citations")
    most_cited: list[CitedEntryView]

    @classmethod
    def of(cls, stats: KnowledgeStats) -> KnowledgeStatsView:
        """The view of the knowledge metrics."""
        return cls(
            **{k: v for k, v in stats.__dict__.items() if k != "most_cited"},
            most_cited=[CitedEntryView(**e.__dict__) for e in stats.most_cited],
        )
