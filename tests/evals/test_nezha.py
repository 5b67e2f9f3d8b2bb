"""The rule-based path over four Nezha cases (skipped when ../shared/data is absent).

Two return-value faults with new error templates, an exception fault whose service logs
nothing unusual (only its callers' requests show it never answered), and the fault-free case.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from argus.cli import app
from tests.conftest import SHARED_DATA

NEZHA = SHARED_DATA / "incidents" / "nezha-tt-dev"
PICKED = (
    "tt-2023-01-29-0843-ts-contacts-service-return",
    "tt-2023-01-29-0903-ts-basic-service-return",
    "tt-2023-01-29-1119-ts-price-service-exception",
    "tt-2023-01-29-normal-0850",
)


@pytest.mark.skipif(not NEZHA.is_dir(), reason=f"Nezha cases not found at {NEZHA}")
def test_eval_command_on_four_nezha_cases(tmp_path: Path) -> None:
    cases = tmp_path / "cases"
    cases.mkdir()
    for name in PICKED:
        (cases / name).symlink_to(NEZHA / name)
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["eval", str(cases), "--out", str(out)])
    assert result.exit_code == 0, result.output
    data = json.loads((out / "eval.json").read_text())
    assert data["cases_total"] == 4 and data["cases_failed"] == 0
    assert data["false_alarms"] == 0
    assert data["module_accuracy_at_1"] == 1.0
    assert data["category_accuracy"] == 1.0
    assert (out / "eval.md").is_file()
