"""The rule-based log_analysis path on synthetic statistics."""

from __future__ import annotations

from argus.agents.log_analysis import analyse
from tests.tools.frames import stats, steady

TEXTS = {1: "GET /cart ok", 2: "db query ok", 3: "db query failed: connection refused"}


def test_new_errors_make_an_incident_with_the_right_module() -> None:
    base = steady(1, "api", 30, 3) + steady(2, "db", 20, 3)
    analysis = analyse(stats(base + steady(3, "db", 10, 3, "ERROR"), TEXTS), stats(base, TEXTS))
    assert analysis.incident and analysis.top_module == "db"
    assert analysis.category == "code_wrong_return_value"
    assert [(a.template_id, a.kind) for a in analysis.anomalies] == [(3, "new")]
    assert analysis.error_templates[0].template_id == 3
    assert analysis.mode == "rule-based"


def test_same_rates_over_a_longer_window_are_no_incident() -> None:
    base = steady(1, "api", 30, 1) + steady(2, "db", 20, 1) + steady(3, "db", 1, 1, "ERROR")
    current = steady(1, "api", 30, 4) + steady(2, "db", 20, 4) + steady(3, "db", 1, 4, "ERROR")
    analysis = analyse(stats(current, TEXTS), stats(base, TEXTS))
    assert not analysis.incident and analysis.top_module is None and analysis.category == "none"
    assert analysis.anomalies == []
