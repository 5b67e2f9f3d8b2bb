"""The rule path's plan: tools chosen by keyword intent."""

from __future__ import annotations

import pytest

from argus.chat.intent import MORE_ROWS, SUMMARY, plan_tools


def names(question: str, previous: list[str] | None = None) -> list[str]:
    return [name for name, _ in plan_tools(question, previous)]


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("Which module is failing?", ["suspect_modules", "module_counts", "error_templates"]),
        ("show me the errors", ["error_templates"]),
        ("When did it start?", ["minute_bursts"]),
        ("what changed against the baseline", ["baseline_changes"]),
        ("is there a known fix or a similar incident?", ["search_knowledge"]),
        ("most frequent templates", ["top_templates"]),
        ("哪个模块报错了？", ["suspect_modules", "module_counts", "error_templates"]),
        ("hello", list(SUMMARY)),
    ],
)
def test_keywords_pick_the_tools(question: str, expected: list[str]) -> None:
    assert names(question) == expected


def test_keywords_match_at_word_starts_only() -> None:
    assert names("unknown stuff") == list(SUMMARY)  # "known" inside "unknown" is no intent


def test_a_plan_holds_at_most_four_tools() -> None:
    everything = "which module errors, when, what changed, any known fix, top templates?"
    assert len(plan_tools(everything)) == 4


def test_a_vague_follow_up_repeats_the_previous_tools_with_more_rows() -> None:
    plan = plan_tools("tell me more", ["suspect_modules", "batch_report"])
    assert plan == [("suspect_modules", {"limit": MORE_ROWS}), ("batch_report", {})]
