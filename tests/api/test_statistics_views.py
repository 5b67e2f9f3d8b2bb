"""The statistics views shared by the chat's tools and the statistics routes."""

from __future__ import annotations

from datetime import datetime

import polars as pl

from argus.chat.views import module_view
from argus.mining.pass2 import empty_buckets
from argus.tools.digest import BatchStats, ModuleCount, TemplateText
from argus.tools.views import ErrorMinute, ModuleView, error_minutes


def test_a_module_shows_baseline_rates_only_when_it_has_a_baseline() -> None:
    alone = ModuleView.of(ModuleCount(module="db", count=10, per_min=2.345, errors=1))
    assert alone.model_dump(exclude_unset=True) == {
        "module": "db",
        "count": 10,
        "errors": 1,
        "per_min": 2.35,
    }
    compared = ModuleCount(
        module="db", count=10, per_min=2.0, errors=1, baseline_per_min=1.234, expected_per_min=None
    )
    assert ModuleView.of(compared).model_dump(exclude_unset=True) == {
        "module": "db",
        "count": 10,
        "errors": 1,
        "per_min": 2.0,
        "baseline_per_min": 1.23,
        "expected_per_min": 0.0,
    }
    assert module_view(compared) == ModuleView.of(compared).model_dump(exclude_unset=True)


def _stats(rows: list[tuple[int, str, str, datetime, int]]) -> BatchStats:
    """Statistics of (template, module, level, minute, count) rows, one bucket each."""
    cells = [
        (tid, mod, None, level, None, minute, count, minute, minute)
        for tid, mod, level, minute, count in rows
    ]
    buckets = pl.DataFrame(cells, schema=empty_buckets().schema, orient="row")
    texts = {
        1: TemplateText(template_id=1, template="pool exhausted"),
        2: TemplateText(template_id=2, template="request served"),
    }
    return BatchStats(buckets=buckets, templates=texts)


def test_error_minutes_keep_the_earlier_of_equal_minutes_and_list_them_in_time_order() -> None:
    at = [datetime(2026, 1, 1, 10, m) for m in range(4)]
    stats = _stats(
        [
            (1, "db", "ERROR", at[3], 5),
            (1, "db", "ERROR", at[1], 5),
            (1, "db", "ERROR", at[0], 7),
            (2, "web", "INFO", at[0], 40),
            (2, "web", "INFO", at[2], 9),
        ]
    )
    for _ in range(5):  # the same answer every time, whatever order the groups come in
        assert error_minutes(stats, 2) == [
            ErrorMinute(minute="2026-01-01T10:00:00", lines=47, errors=7),
            ErrorMinute(minute="2026-01-01T10:01:00", lines=5, errors=5),
        ]
    assert error_minutes(stats, 5, module="web") == []
