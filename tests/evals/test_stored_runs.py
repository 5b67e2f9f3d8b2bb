"""``argus eval --store`` on the example cases (rule path): the run's figures, per-case rows,
settings and git revision land in PostgreSQL as the eval printed them; ``argus eval runs``
lists the runs and two of them compare."""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from argus.cli import app
from argus.store import eval_runs
from argus.store.connection import connect
from argus.store.eval_runs import Comparison, StoredRun
from tests.conftest import EXAMPLES

pytestmark = pytest.mark.integration

CASES = EXAMPLES / "cases"


def _eval(out: Path, *extra: str) -> int:
    args = ["eval", str(CASES), "--no-knowledge", "--out", str(out), "--store", *extra]
    result = CliRunner().invoke(app, args, terminal_width=200)
    assert result.exit_code == 0, result.output
    found = re.search(r"stored as eval run (\d+)", result.output)
    assert found, result.output
    return int(found[1])


async def _read(url: str, run_id: int, other_id: int) -> tuple[StoredRun, Comparison]:
    async with await connect(url) as conn:
        stored = await eval_runs.get_run(conn, run_id)
        return stored, await eval_runs.compare_runs(conn, run_id, other_id)


def test_eval_store_records_the_run_as_printed(cli_env: str, tmp_path: Path) -> None:
    with_baseline = _eval(tmp_path / "a")
    without = _eval(tmp_path / "b", "--no-baseline")
    printed = json.loads((tmp_path / "a" / "eval.json").read_text())
    assert printed["cases_failed"] == 0 and printed["module_accuracy_at_1"] > 0
    stored, compared = asyncio.run(_read(cli_env, with_baseline, without))
    head = stored.head
    assert head.cases_dir == str(CASES) and head.name == printed["diagnose"]
    assert re.fullmatch(r"[0-9a-f]{40}|unknown", head.git_revision)
    for key in ("module_accuracy_at_1", "module_accuracy_at_3", "category_macro_f1"):
        assert head.figures[key] == printed[key]
    assert head.figures["false_alarms"] == printed["false_alarms"]
    assert head.figures["cases_failed"] == 0
    assert head.category_f1 == printed["category_f1"]
    assert stored.settings["llm"] == "none" and stored.settings["database_url"] != cli_env
    by_case = {c.case_id: c for c in stored.cases}
    assert sorted(by_case) == sorted(c["id"] for c in printed["cases"])
    for case in printed["cases"]:
        row = by_case[case["id"]]
        assert row.expected_module == case["expected"]["module"]
        assert row.predicted_module == case["predicted"]["module"]
        assert row.module_at_1 == case["module_at_1"] and row.correct == case["correct"]
        if case["module_at_1"] and row.expected_module:
            assert row.rank == 1
    assert {f.name for f in compared.figures} >= {"module_accuracy_at_1", "false_alarms"}
    assert compared.unchanged + len(compared.changed) == 3

    listed = CliRunner().invoke(app, ["eval", "runs", "--limit", "5"], terminal_width=250)
    assert listed.exit_code == 0, listed.output
    ids = re.findall(r"^\S\s+(\d+)\s", listed.output, re.MULTILINE)
    assert ids[:2] == [str(without), str(with_baseline)], listed.output
