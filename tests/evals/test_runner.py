"""The runner: outcomes from reports, a failing case recorded, reports written."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from argus.cli_eval import print_summary
from argus.evals.cases import Case, Expected
from argus.evals.report import write_reports
from argus.evals.runner import run_cases
from argus.report import Report, RootCause, Suspect


def _case(cid: str, module: str | None, category: str) -> Case:
    return Case(
        id=cid,
        path=Path("."),
        system="s",
        log_format=None,
        expected=Expected(root_cause_module=module, category=category),
        logs=(Path("a.log"),),
    )


def _diagnose(case: Case) -> Report:
    if case.id == "boom":
        raise RuntimeError("diagnosis exploded")
    if case.id == "quiet":
        return Report(summary="nothing", incident=False)
    return Report(
        summary="x",
        incident=True,
        root_cause=RootCause(module="db", category="database"),
        suspects=[Suspect(module="db", score=0.9), Suspect(module="api", score=0.5)],
        llm_calls=2,
        tokens=300,
    )


def test_run_scores_cases_and_survives_a_failing_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cases = [
        _case("hit", "db", "database"),
        _case("second", "api", "database"),
        _case("boom", "db", "database"),
        _case("quiet", None, "none"),
    ]
    seen: list[tuple[int, int, str]] = []
    summary = run_cases(cases, _diagnose, progress=lambda *step: seen.append(step))
    assert seen[:2] == [(0, 4, "hit"), (1, 4, "hit")] and seen[-1] == (4, 4, "quiet")
    figures = summary.figures()
    assert figures["module_accuracy_at_1"] == 0.5  # hit + quiet
    assert figures["module_accuracy_at_3"] == 0.75  # + second
    assert figures["cases_failed"] == 1 and figures["false_alarms"] == 0
    assert figures["llm_calls_per_case"] == 1.0  # 2 calls in 2 of 4 cases
    json_path, md_path = write_reports(summary, tmp_path / "out")
    data = json.loads(json_path.read_text())
    for key in (
        "module_accuracy_at_1",
        "module_accuracy_at_3",
        "category_accuracy",
        "category_macro_f1",
        "false_alarms",
        "cases",
    ):
        assert key in data
    boom = next(c for c in data["cases"] if c["id"] == "boom")
    assert boom["correct"] is False and "diagnosis exploded" in boom["error"]
    assert {"id", "expected", "predicted", "correct"} <= set(data["cases"][0])
    assert "| hit |" in md_path.read_text()
    print_summary(summary)
    assert "module_accuracy_at_1" in capsys.readouterr().out
