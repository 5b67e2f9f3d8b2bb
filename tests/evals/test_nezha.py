"""The rule-based path over Nezha cases (skipped when ../shared/data is absent).

Two return-value faults with new error templates, an exception fault whose service logs
nothing unusual (only its callers' requests show it never answered), a network delay (only
the time between its lines and its neighbours' shows it), and the fault-free case; then the
explain cards of a claimed root cause and the abstention of a case below the bar.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from argus.cli import app
from argus.config import Settings
from argus.evals.cases import load_case
from argus.evals.diagnose import graph_diagnose
from tests.conftest import SHARED_DATA

NEZHA = SHARED_DATA / "incidents" / "nezha-tt-dev"
PICKED = (
    "tt-2023-01-29-0858-ts-contacts-service-return",
    "tt-2023-01-29-0903-ts-basic-service-return",
    "tt-2023-01-29-1119-ts-price-service-exception",
    "tt-2023-01-29-normal-0850",
    "tt-2023-01-30-1400-ts-security-service-network_delay",
)
needs_nezha = pytest.mark.skipif(not NEZHA.is_dir(), reason=f"Nezha cases not found at {NEZHA}")


@needs_nezha
def test_eval_command_on_five_nezha_cases(tmp_path: Path) -> None:
    cases = tmp_path / "cases"
    cases.mkdir()
    for name in PICKED:
        (cases / name).symlink_to(NEZHA / name)
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["eval", str(cases), "--out", str(out)])
    assert result.exit_code == 0, result.output
    data = json.loads((out / "eval.json").read_text())
    assert data["cases_total"] == len(PICKED) and data["cases_failed"] == 0
    assert data["false_alarms"] == 0
    assert data["module_accuracy_at_1"] == 1.0
    assert data["category_accuracy"] == 1.0
    assert (out / "eval.md").is_file()


@needs_nezha
def test_a_claimed_root_cause_cites_checkable_evidence() -> None:
    """The network delay at security: its slow steps, with sample lines, requests and minutes."""
    report = graph_diagnose(load_case(NEZHA / PICKED[-1]), Settings(llm="none"))
    assert report.incident and report.root_cause.module == "ts-security-service"
    assert report.root_cause.category == "network_latency"
    card = report.suspects[0].evidence[0]
    assert card.signal == "slow_link" and card.z > 3
    assert card.baseline is not None and card.batch > 5 * card.baseline
    assert card.samples and all(s.trace for s in card.samples)
    # the minutes lie in the batch's window (13:59-14:03), where the fault was injected
    assert card.minutes and all((m.hour, m.minute) >= (13, 59) for m in card.minutes)
    assert all((m.hour, m.minute) <= (14, 3) for m in card.minutes)
    assert card.template_ids
    # the baseline (2023-01-30 11:38-11:39) is hours older: the summary says so
    assert re.search(
        r"request timing against a baseline that ended 2 h \d+ min before", report.summary
    )


@needs_nezha
def test_below_the_bar_the_report_abstains_and_lists_candidates() -> None:
    """The first network delay at basic is weaker than the bar: no root cause is claimed, and
    basic leads the candidates."""
    case = load_case(NEZHA / "tt-2023-01-30-1206-ts-basic-service-network_delay")
    report = graph_diagnose(case, Settings(llm="none"))
    assert not report.incident and report.root_cause.module is None
    assert report.summary.startswith("No confident root cause")
    assert report.suspects[0].module == "ts-basic-service"
    assert "ts-basic-service" in report.summary
