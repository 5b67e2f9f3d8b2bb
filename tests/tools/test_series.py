"""Chart series of a batch: lines per minute per module against the baseline, error templates
per minute, top templates; and the console's chart fragment drawing them."""

from __future__ import annotations

import json
import re

import pytest

from argus.tools.series import MAX_MODULES, batch_charts, error_templates, module_lines
from tests.tools.frames import stats, steady

TEXTS = {1: "request served", 2: "db pool exhausted", 3: "<script>x</script> failed"}


def test_module_lines_count_each_minute_and_draw_the_baseline_rate() -> None:
    current = stats(
        [
            *steady(1, "gateway", 10, 3),
            (2, "payment", "ERROR", 1, 7),
            (2, "payment", "ERROR", 2, 9),
        ],
        TEXTS,
    )
    baseline = stats(steady(1, "gateway", 4, 5) + steady(1, "payment", 2, 5), TEXTS)
    chart = module_lines(current, baseline)
    assert chart.labels == ["12:00", "12:01", "12:02"]
    drawn = {s.label: s.data for s in chart.series}
    assert drawn["gateway"] == [10, 10, 10]
    assert drawn["payment"] == [0, 7, 9]
    # 10 lines over the baseline's window (its first to last line: just under 5 minutes)
    assert drawn["payment baseline"] == [pytest.approx(2.0, abs=0.02)] * 3
    assert all(s.baseline for s in chart.series if s.label.endswith("baseline"))
    assert "baseline" in chart.note
    assert "no baseline" in module_lines(current, None).note


def test_modules_past_the_cap_are_summed() -> None:
    rows = [r for m in range(MAX_MODULES + 3) for r in steady(1, f"m{m:02d}", m + 1, 2)]
    chart = module_lines(stats(rows, TEXTS), None)
    assert len(chart.series) == MAX_MODULES + 1
    assert chart.series[-1].label == "3 other modules"
    assert chart.series[-1].data == [1 + 2 + 3, 1 + 2 + 3]  # the three quietest


def test_error_templates_hold_only_errors_and_an_errorless_batch_says_so() -> None:
    current = stats([*steady(1, "gateway", 5, 2), (2, "payment", "ERROR", 1, 4)], TEXTS)
    chart = error_templates(current)
    assert [s.label for s in chart.series] == ["#2 db pool exhausted"]
    assert chart.series[0].data == [0, 4]
    quiet = error_templates(stats(steady(1, "gateway", 5, 2), TEXTS))
    assert quiet.empty and quiet.note


def test_the_chart_fragment_carries_escaped_json_for_each_chart() -> None:
    from argus.console.render import TEMPLATES

    current = stats([*steady(1, "gateway", 5, 2), (3, "payment", "ERROR", 0, 2)], TEXTS)
    html = TEMPLATES.get_template("_charts.html").render(
        charts=batch_charts(current, None), note=""
    )
    blobs = re.findall(r'<script type="application/json">(.*?)</script>', html, re.S)
    assert len(blobs) == 3
    top = json.loads(blobs[2])
    assert top["labels"][0].startswith("#1 ") and top["series"][0]["data"] == [10.0, 2.0]
    assert "<script>x</script>" not in html  # the template's text cannot end the script
