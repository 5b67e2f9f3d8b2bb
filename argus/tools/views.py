"""Compact views of a batch's statistics (digest rows, error minutes), sizes capped.

One definition serves two readers: the chat's tools (as plain dicts, ``model_dump()``) and the
API's statistics routes (as response models). Log content is untrusted and can be long: every
text is clipped and rates are rounded, so a view stays small whatever the batch holds.
"""

from __future__ import annotations

from datetime import datetime

import polars as pl
from pydantic import BaseModel, Field

from argus.tools.digest import BatchStats, Burst, ModuleCount, TemplateCount
from argus.tools.statistics import error_flags

MAX_TEXT = 160  #: characters kept of a template text


def clip(text: object, limit: int = MAX_TEXT) -> str | None:
    """``text`` as a string of at most ``limit`` characters (None stays None)."""
    if text is None:
        return None
    value = str(text)
    return value if len(value) <= limit else value[: limit - 1] + "…"


def stamp(value: datetime | None) -> str | None:
    """An ISO time to the second, or None."""
    return value.isoformat(timespec="seconds") if value is not None else None


class TemplateView(BaseModel):
    """One (template, module, level) with its volume and first and last time."""

    template_id: int
    template: str | None
    module: str | None
    level: str | None
    count: int
    per_min: float
    first: str | None = Field(description="ISO time to the second")
    last: str | None = Field(description="ISO time to the second")

    @classmethod
    def of(cls, row: TemplateCount) -> TemplateView:
        """The view of ``row`` (text clipped, rate rounded to 0.01)."""
        return cls(
            template_id=row.template_id,
            template=clip(row.template),
            module=clip(row.module, 100),
            level=row.level,
            count=row.count,
            per_min=round(row.per_min, 2),
            first=stamp(row.first_ts),
            last=stamp(row.last_ts),
        )


class ModuleView(BaseModel):
    """One module's lines, errors and rates; the baseline rates are set (and shown) only when
    the batch has a baseline, so dump with ``exclude_unset=True``."""

    module: str | None
    count: int
    errors: int
    per_min: float
    baseline_per_min: float | None = Field(None, description="only with a baseline")
    expected_per_min: float | None = Field(None, description="only with a baseline")

    @classmethod
    def of(cls, row: ModuleCount) -> ModuleView:
        """The view of ``row`` (rates rounded to 0.01)."""
        view = cls(
            module=clip(row.module, 100),
            count=row.count,
            errors=row.errors,
            per_min=round(row.per_min, 2),
        )
        if row.baseline_per_min is None:
            return view
        return view.model_copy(
            update={
                "baseline_per_min": round(row.baseline_per_min, 2),
                "expected_per_min": round(row.expected_per_min or 0.0, 2),
            }
        )


class BurstView(BaseModel):
    """A minute in which a template ran far above its own average."""

    minute: str | None = Field(description="ISO time to the second")
    template_id: int
    template: str | None
    module: str | None
    count: int
    mean_per_min: float

    @classmethod
    def of(cls, burst: Burst, template: str) -> BurstView:
        """The view of ``burst`` of the template whose text is ``template``."""
        return cls(
            minute=stamp(burst.minute),
            template_id=burst.template_id,
            template=clip(template),
            module=clip(burst.module, 100),
            count=burst.count,
            mean_per_min=round(burst.mean_per_min, 2),
        )


class ErrorMinute(BaseModel):
    """A minute of the batch with its lines and its error lines."""

    minute: str | None = Field(description="ISO time to the second")
    lines: int
    errors: int


def error_ids(current: BatchStats) -> set[int]:
    """Template ids of the batch written at an error level or with error words."""
    flags = error_flags(current, current.buckets)
    return {tid for tid, on in flags.items() if on}


def error_minutes(current: BatchStats, limit: int, module: str | None = None) -> list[ErrorMinute]:
    """The ``limit`` minutes with the most error lines (of ``module`` only, when given; the
    earlier minute first among equals), in time order; minutes without an error line are never
    listed."""
    buckets = current.buckets.drop_nulls("minute")
    if module is not None:
        buckets = buckets.filter(pl.col("mod") == module)
    ids = list(error_ids(current))
    per = buckets.group_by("minute").agg(
        lines=pl.col("count").sum(),
        errors=pl.col("count").filter(pl.col("tid").is_in(ids)).sum(),
    )
    top = (
        per.filter(pl.col("errors") > 0)
        .sort(["errors", "minute"], descending=[True, False])  # ties: the earlier minute
        .head(limit)
    )
    return [
        ErrorMinute(minute=stamp(minute), lines=lines, errors=errors)
        for minute, lines, errors in top.sort("minute").iter_rows()
    ]
