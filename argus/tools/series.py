"""Chart series of a batch's statistics: lines per minute per module (against the baseline's
rate), error templates per minute, and the most frequent templates.

Pure functions over :class:`~argus.tools.digest.BatchStats`; the console draws them as they
are. Sizes are capped (a few series, texts clipped), so a chart stays small whatever the batch
holds. Minutes are labelled ``HH:MM`` when the batch lies within one day, else ``MM-DD HH:MM``.
"""

from __future__ import annotations

from datetime import datetime

import polars as pl
from pydantic import BaseModel, Field

from argus.tools.digest import BatchStats
from argus.tools.statistics import window_minutes
from argus.tools.views import clip, error_ids

#: Modules drawn one by one; the others are summed as "other modules".
MAX_MODULES = 8
#: Error templates drawn one by one.
MAX_ERROR_TEMPLATES = 6
#: Bars of the top-templates chart.
MAX_TOP = 10
#: Characters of a template kept in a legend or a bar's label.
LABEL_CHARS = 60


class Series(BaseModel):
    """One line (or the bars) of a chart."""

    label: str
    data: list[float]
    baseline: bool = Field(False, description="drawn dashed: the baseline's rate")


class Chart(BaseModel):
    """A chart: its x labels and its series (each as long as the labels)."""

    title: str
    labels: list[str]
    series: list[Series]
    note: str = ""

    def drawing(self) -> dict[str, object]:
        """What a chart library draws: the labels and the series (JSON-ready)."""
        return self.model_dump(include={"labels", "series"})

    @property
    def empty(self) -> bool:
        """True when there is nothing to draw."""
        return not self.labels or not any(any(s.data) for s in self.series)


def _minute_labels(minutes: list[datetime]) -> list[str]:
    one_day = len({m.date() for m in minutes}) <= 1
    return [m.strftime("%H:%M" if one_day else "%m-%d %H:%M") for m in minutes]


def _minutes(buckets: pl.DataFrame) -> list[datetime]:
    return sorted(buckets["minute"].drop_nulls().unique().to_list())


def _per_minute(
    buckets: pl.DataFrame, key: str, keys: list[object], minutes: list[datetime]
) -> dict[object, list[float]]:
    """For each of ``keys``: its line count in each of ``minutes`` (0 where it wrote none)."""
    counted = (
        buckets.drop_nulls("minute")
        .filter(pl.col(key).is_in(keys))
        .group_by(key, "minute")
        .agg(pl.col("count").sum())
    )
    index = {m: i for i, m in enumerate(minutes)}
    series = {k: [0.0] * len(minutes) for k in keys}
    for k, minute, count in counted.iter_rows():
        series[k][index[minute]] = float(count)
    return series


def module_lines(current: BatchStats, baseline: BatchStats | None) -> Chart:
    """Lines per minute of the busiest modules (the rest summed), each with its baseline rate
    (lines per minute over the baseline's window) as a dashed line when there is a baseline."""
    buckets = current.buckets.with_columns(pl.col("mod").fill_null("(none)"))
    minutes = _minutes(buckets)
    totals = buckets.group_by("mod").agg(pl.col("count").sum()).sort(["count", "mod"])
    ranked = list(reversed(totals["mod"].to_list()))
    shown, rest = ranked[:MAX_MODULES], ranked[MAX_MODULES:]
    lines = _per_minute(buckets, "mod", [*shown], minutes)
    series = [Series(label=str(m), data=lines[m]) for m in shown]
    if rest:
        others = buckets.filter(pl.col("mod").is_in(rest)).with_columns(mod=pl.lit("other"))
        summed = _per_minute(others, "mod", ["other"], minutes)["other"]
        series.append(Series(label=f"{len(rest)} other modules", data=summed))
    note = "no baseline: the first batch of its source"
    if baseline is not None and not baseline.buckets.is_empty():
        base = baseline.buckets.with_columns(pl.col("mod").fill_null("(none)"))
        span = window_minutes(base)
        rates = dict(base.group_by("mod").agg(pl.col("count").sum()).iter_rows())
        for m in shown:
            rate = round(float(rates.get(m, 0)) / span, 2)
            series.append(Series(label=f"{m} baseline", data=[rate] * len(minutes), baseline=True))
        note = f"dashed: each module's rate in the baseline ({span:.1f} minutes)"
    return Chart(
        title="Lines per minute by module",
        labels=_minute_labels(minutes),
        series=series,
        note=note,
    )


def error_templates(current: BatchStats) -> Chart:
    """Lines per minute of the batch's most frequent error templates."""
    ids = error_ids(current)
    buckets = current.buckets.filter(pl.col("tid").is_in(list(ids)))
    minutes = _minutes(current.buckets)
    totals = buckets.group_by("tid").agg(pl.col("count").sum()).sort(["count", "tid"])
    top = list(reversed(totals["tid"].to_list()))[:MAX_ERROR_TEMPLATES]
    lines = _per_minute(buckets, "tid", [*top], minutes)
    series = [
        Series(label=f"#{tid} {clip(current.text(int(tid)), LABEL_CHARS)}", data=lines[tid])
        for tid in top
    ]
    return Chart(
        title="Error templates per minute",
        labels=_minute_labels(minutes),
        series=series,
        note="" if series else "no error template in this batch",
    )


def top_templates(current: BatchStats) -> Chart:
    """The most frequent templates of the batch, with their line counts."""
    totals = (
        current.buckets.group_by("tid")
        .agg(pl.col("count").sum())
        .sort(["count", "tid"], descending=[True, False])
        .head(MAX_TOP)
    )
    rows = totals.iter_rows()
    labels, counts = [], []
    for tid, count in rows:
        labels.append(f"#{tid} {clip(current.text(int(tid)), LABEL_CHARS)}")
        counts.append(float(count))
    return Chart(title="Top templates", labels=labels, series=[Series(label="lines", data=counts)])


def batch_charts(current: BatchStats, baseline: BatchStats | None) -> list[Chart]:
    """The three charts of a batch page, in the order they are shown."""
    return [module_lines(current, baseline), error_templates(current), top_templates(current)]
