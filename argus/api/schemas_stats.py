"""Response bodies of the statistics routes (the row views are :mod:`argus.tools.views`)."""

from __future__ import annotations

import uuid
from typing import Any

from pydantic import BaseModel, Field

from argus.tools.digest import BatchStats
from argus.tools.views import BurstView, ErrorMinute, ModuleView, TemplateView, clip, stamp


class StatisticsView(BaseModel):
    """What pass 2 counted in a batch, compared with its default baseline (lists capped at the
    request's ``limit``)."""

    batch_id: uuid.UUID
    window_minutes: float = Field(description="length of the batch's window, to 0.001")
    records: int = Field(description="records counted")
    baseline_minutes: float | None = Field(description="length of the baseline's window")
    modules: list[ModuleView]
    top_templates: list[TemplateView]
    error_templates: list[TemplateView]
    error_codes: list[str]
    bursts: list[BurstView]
    error_minutes: list[ErrorMinute]


class TemplateRow(BaseModel):
    """A template matched in the batch, with its volume, modules and levels."""

    template_id: int
    template: str | None = Field(description="None when its text is not stored")
    sample: str | None
    category: str | None
    count: int
    modules: list[str] = Field(description="up to 20, sorted")
    levels: list[str]
    first: str | None = Field(description="ISO time to the second")
    last: str | None = Field(description="ISO time to the second")

    @classmethod
    def of(cls, current: BatchStats, row: dict[str, Any]) -> TemplateRow:
        """The row of a ``(tid, count, modules, levels, first_ts, last_ts)`` aggregate, with the
        template's text, sample and category from ``current`` (texts clipped to 2000)."""
        text = current.templates.get(int(row["tid"]))
        return cls(
            template_id=row["tid"],
            template=clip(text.template, 2000) if text else None,
            sample=clip(text.sample, 2000) if text else None,
            category=text.category if text else None,
            count=row["count"],
            modules=[clip(m, 100) or "" for m in row["modules"]],
            levels=row["levels"],
            first=stamp(row["first_ts"]),
            last=stamp(row["last_ts"]),
        )


class TemplatesView(BaseModel):
    """The templates matched in a batch, most frequent first."""

    batch_id: uuid.UUID
    templates: list[TemplateRow]
