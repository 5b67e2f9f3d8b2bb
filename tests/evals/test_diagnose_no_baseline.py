"""``graph_diagnose(use_baseline=False)`` and ``argus eval --no-baseline``: the baseline folder
is never read."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from argus.cli import app
from argus.config import Settings
from argus.errors import CorruptInputError
from argus.evals.cases import load_case
from argus.evals.diagnose import graph_diagnose
from tests.evals.synthetic import write_case


@pytest.fixture
def case_dir(tmp_path: Path) -> Path:
    return write_case(
        tmp_path / "cases", "one", datetime(2023, 3, 1, 10, 0), fault_in="ts-beta-service"
    )


def test_no_baseline_diagnosis_never_reads_the_baseline_folder(case_dir: Path) -> None:
    alone = load_case(case_dir)
    (case_dir / "baseline" / "ts-alpha-service.log.gz").write_bytes(b"\x1f\x8b broken gzip")
    case, settings = load_case(case_dir), Settings()
    assert case.baseline  # the folder is there, and reading it fails
    with pytest.raises(CorruptInputError):
        graph_diagnose(case, settings)

    without = graph_diagnose(case, settings, use_baseline=False)
    for path in alone.baseline:
        path.unlink()
    reference = graph_diagnose(load_case(case_dir), settings)
    assert without.model_dump(exclude={"duration_s"}) == reference.model_dump(
        exclude={"duration_s"}
    )


def test_eval_command_without_baselines(case_dir: Path, tmp_path: Path) -> None:
    (case_dir / "baseline" / "ts-alpha-service.log.gz").write_bytes(b"\x1f\x8b broken gzip")
    runner, out = CliRunner(), tmp_path / "out"
    with_baseline = runner.invoke(app, ["eval", str(case_dir.parent), "--out", str(out)])
    assert with_baseline.exit_code == 0, with_baseline.output
    assert json.loads((out / "eval.json").read_text())["cases_failed"] == 1

    args = ["eval", str(case_dir.parent), "--out", str(out), "--no-baseline"]
    alone = runner.invoke(app, args)
    assert alone.exit_code == 0, alone.output
    data = json.loads((out / "eval.json").read_text())
    assert data["cases_failed"] == 0 and "no baseline" in data["diagnose"]
