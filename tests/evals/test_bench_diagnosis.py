"""``python -m bench diagnosis`` end to end on two tiny cases written by the test."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from argus.config import DiagnosisSettings
from argus.tools import latency, split
from bench.bench_diagnosis import main
from bench.diagnosis_constants import CONSTANTS, Constant, changed, scaled
from tests.evals.synthetic import write_case


@pytest.fixture
def cases(tmp_path: Path) -> Path:
    root = tmp_path / "cases"
    # The ids name the wrong days: the day must come from the batches' timestamps.
    write_case(
        root, "a-2023-03-09", datetime(2023, 3, 1, 23, 58), fault_in="ts-beta-service", seed=1
    )
    write_case(root, "b-2023-03-01", datetime(2023, 3, 2, 10, 0), fault_in=None, seed=7)
    return root


def test_all_steps_write_the_summary_and_the_json(
    cases: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    main(["--cases", str(cases), "--out", str(out)])
    printed = capsys.readouterr()
    md = (out / "diagnosis.md").read_text()
    assert md in printed.out
    for title in (
        "## Whole set, defaults",
        "## Leave one day out",
        "## Sensitivity (whole set)",
        "## Without baselines (defaults)",
        "## Fault-free self-check (defaults)",
        "## Pre-fault check (defaults)",
        "## Structural constants, each halved and doubled",
    ):
        assert title in md
    assert "held out **2023-03-01** (1 cases), chosen on 1 cases" in md
    assert "held out **2023-03-02** (1 cases), chosen on 1 cases" in md
    assert "2 distinct baseline windows, 6 diagnoses" in md
    assert "Pass-1 re-runs on a batch's unmatched records (as `argus eval` makes them): none." in md
    assert "[prepare 2/2] b-2023-03-01: mined in" in printed.err

    data = json.loads((out / "diagnosis.json").read_text())
    assert data["days"] == {"2023-03-01": ["a-2023-03-09"], "2023-03-02": ["b-2023-03-01"]}
    assert data["whole"]["cases"] == 2 and data["no_baseline"]["cases"] == 2
    assert [f["day"] for f in data["heldout"]["folds"]] == ["2023-03-01", "2023-03-02"]
    assert data["heldout"]["pooled"]["cases"] == 2
    assert data["sensitivity"]["rows"][0]["label"] == "defaults"
    assert data["self_check"]["windows"] == 2 and len(data["self_check"]["diagnoses"]) == 6
    assert data["defaults"] == DiagnosisSettings().model_dump(mode="json")
    assert data["prefault"]["diagnoses"] == []  # the cases do not say when a fault began
    assert len(data["prefault"]["skipped"]) == 2
    constants = data["constants"]
    assert constants[0]["label"] == "defaults"
    assert len(constants) == 1 + 2 * len(CONSTANTS)
    # only the constants that matter without a baseline are scored without one
    assert [r["label"].split("=")[0] for r in constants if r["no_baseline"]] == [
        "defaults",
        "split.MIN_PART",
        "split.MIN_PART",
        "own_baseline.MAX_CUTS",
        "own_baseline.MAX_CUTS",
    ]
    assert latency.MIN_KEY_SAMPLES == 5 and timedelta(seconds=30) == split.MIN_PART  # restored


def test_chosen_steps_only_and_the_cache_is_used_the_second_time(
    cases: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    main(["--cases", str(cases), "--out", str(out), "--steps", "selfcheck"])
    main(["--cases", str(cases), "--out", str(out), "--steps", "selfcheck"])
    printed = capsys.readouterr()
    assert "[self-check 2/2]" in printed.err and ": cached" in printed.err
    assert "[prepare" not in printed.err
    md = (out / "diagnosis.md").read_text()
    assert "## Fault-free self-check" in md and "## Whole set" not in md
    assert list((out / "diagnosis-cache").glob("selfcheck-*.pkl"))


def test_an_absent_case_set_is_skipped(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    main(["--cases", str(tmp_path / "nowhere"), "--out", str(tmp_path / "out")])
    assert "skipped" in capsys.readouterr().out
    assert not (tmp_path / "out").exists()


def test_an_unknown_step_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SystemExit):
        main(["--steps", "whole,guess", "--out", str(tmp_path)])


def test_constants_are_scaled_as_shares_whole_numbers_and_durations() -> None:
    assert scaled(0.9, 0.5, share=True) == pytest.approx(0.8)
    assert scaled(0.9, 2.0, share=True) == pytest.approx(0.95)
    assert scaled(5, 0.5, share=False) == 2 and scaled(1, 0.5, share=False) == 1
    assert scaled(timedelta(seconds=30), 2.0, share=False) == timedelta(seconds=60)
    assert scaled(3.0, 0.5, share=False) == 1.5


def test_a_changed_constant_is_read_by_the_analysis_and_restored_after() -> None:
    constant = Constant(module="argus.tools.split", name="MIN_PART")
    with changed(constant, timedelta(seconds=7)):
        assert split.minute_splits.__globals__["MIN_PART"] == timedelta(seconds=7)
    assert timedelta(seconds=30) == split.MIN_PART
    # the two EDGE constants are equal values but separate objects: one changes alone
    with changed(Constant(module="argus.tools.callsites", name="EDGE"), timedelta(seconds=1)):
        from argus.tools import callsites, departures

        assert timedelta(seconds=1) == callsites.EDGE and timedelta(seconds=5) == departures.EDGE
