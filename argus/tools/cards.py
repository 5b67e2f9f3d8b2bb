"""Explain cards: a signal as a person checks it, with sample lines, requests and minutes."""

from __future__ import annotations

import re
from datetime import datetime

import polars as pl

from argus.report import ExplainCard, SampleLine
from argus.tools.digest import BatchStats
from argus.tools.signals import Signal
from argus.tools.traces import TRACE_ID

MAX_MINUTES = 3  #: minutes listed per card (those with the most lines of its templates)
_TRACE = re.compile(TRACE_ID)


def card_of(signal: Signal, stats: BatchStats | None) -> ExplainCard:
    """The explain card of ``signal``; samples and minutes come from the batch's statistics."""
    return ExplainCard(
        signal=signal.kind,
        claim=signal.claim[:400],
        batch=signal.batch,
        baseline=signal.baseline,
        unit=signal.unit,
        z=round(signal.z, 2),
        template_ids=list(signal.template_ids[:5]),
        samples=_samples(signal, stats),
        minutes=list(signal.minutes[:MAX_MINUTES]) or _busiest_minutes(signal, stats),
    )


def _samples(signal: Signal, stats: BatchStats | None) -> list[SampleLine]:
    """One key text per template (up to three), with the request id it carries, if any; the
    requests of step signals are the slow ones themselves."""
    if stats is None:
        return []
    out = []
    for index, tid in enumerate(signal.template_ids[:3]):
        known = stats.templates.get(tid)
        text = known.sample if known is not None and known.sample else stats.text(tid)
        trace = signal.traces[index] if index < len(signal.traces) else _trace_in(text)
        out.append(SampleLine(text=text[:500], trace=trace))
    return out


def _trace_in(text: str) -> str | None:
    found = _TRACE.search(text)
    return found.group(1)[:100] if found else None


def _busiest_minutes(signal: Signal, stats: BatchStats | None) -> list[datetime]:
    """The minutes in which the signal's templates wrote the most lines, in time order."""
    if stats is None or not signal.template_ids or stats.buckets.is_empty():
        return []
    per = (
        stats.buckets.filter(pl.col("tid").is_in(list(signal.template_ids)))
        .drop_nulls("minute")
        .group_by("minute")
        .agg(pl.col("count").sum())
        .sort(["count", "minute"], descending=[True, False])
        .head(MAX_MINUTES)
    )
    return sorted(per["minute"].to_list())
