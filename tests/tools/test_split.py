"""A batch cut at a minute: minute buckets by their minute, requests whole by their first line."""

from __future__ import annotations

from datetime import timedelta

from argus.tools.own_baseline import MAX_CUTS, spread
from argus.tools.split import minute_splits, split_at
from tests.tools.frames import START, stats, steady, trace_rows

TEXTS = {1: "GET /pay ok", 2: "charge ok"}


def test_every_minute_but_the_first_can_start_the_late_part() -> None:
    batch = stats(steady(1, "gateway", 5, 4), TEXTS)
    assert minute_splits(batch) == [START + timedelta(minutes=m) for m in (1, 2, 3)]


def test_a_one_minute_batch_cannot_be_cut() -> None:
    assert minute_splits(stats(steady(1, "gateway", 5, 1), TEXTS)) == []
    assert minute_splits(stats([], TEXTS)) == []


def test_buckets_go_by_minute_and_a_request_goes_whole_to_the_side_of_its_first_line() -> None:
    traces = trace_rows(
        [
            ("early", "gateway", 1, "INFO", 50),
            ("early", "payment", 2, "INFO", 70),  # crosses the cut: stays with its start
            ("late", "gateway", 1, "INFO", 130),
        ]
    )
    batch = stats(steady(1, "gateway", 5, 3) + steady(2, "payment", 2, 3), TEXTS, traces)
    cut = split_at(batch, START + timedelta(minutes=1))
    assert int(cut.before.buckets["count"].sum()) == 7
    assert int(cut.after.buckets["count"].sum()) == 14
    assert cut.before.traces is not None and cut.after.traces is not None
    assert sorted(cut.before.traces["trace"].to_list()) == ["early", "early"]
    assert cut.after.traces["trace"].to_list() == ["late"]


def test_a_long_batch_is_cut_at_a_few_minutesspread_over_it() -> None:
    minutes = [START + timedelta(minutes=m) for m in range(1, 60)]
    cuts = spread(minutes, MAX_CUTS)
    assert len(cuts) == MAX_CUTS and cuts[0] == minutes[0] and cuts[-1] == minutes[-1]
    assert cuts == sorted(set(cuts))
    assert spread(minutes[:3], MAX_CUTS) == minutes[:3]
