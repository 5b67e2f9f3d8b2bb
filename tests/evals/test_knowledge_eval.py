"""Retrieval is scored when cases list knowledge ids: the eval searches a real knowledge base."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from argus.cli import app
from argus.evals import ragas_ids
from argus.evals.ragas_ids import precision_recall
from tests.conftest import EXAMPLES


async def test_eval_scores_retrieval_against_the_starter_pack(
    fresh_db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from argus.config import get_settings

    get_settings.cache_clear()
    monkeypatch.setenv("ARGUS_DATABASE_URL", fresh_db)  # empty: the starter pack gets seeded
    monkeypatch.setenv("ARGUS_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("ARGUS_LLM", "none")
    out = tmp_path / "out"
    command = ["eval", str(EXAMPLES / "cases"), "--out", str(out)]
    result = await asyncio.to_thread(CliRunner().invoke, app, command)
    get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    data = json.loads((out / "eval.json").read_text())
    assert data["cases_failed"] == 0 and data["false_alarms"] == 0
    assert data["retrieval_recall"] == 1.0  # each case's runbook entry was among the hits
    assert 0 < data["retrieval_precision"] <= 1
    by_id = {c["id"]: c for c in data["cases"]}
    assert by_id["shop-disk-full"]["predicted"]["module"] == "scheduler"


@pytest.mark.parametrize(
    ("retrieved", "expected", "scores"),
    [
        (["a", "b", "c", "d"], ["a", "x"], (0.25, 0.5)),
        (["a"], ["a"], (1.0, 1.0)),
        ([], ["a"], (0.0, 0.0)),
        (["a", "a", "b"], ["b"], (0.5, 1.0)),  # ids count once
    ],
)
@pytest.mark.parametrize("with_ragas", [True, False])
def test_id_based_precision_and_recall(
    retrieved: list[str],
    expected: list[str],
    scores: tuple[float, float],
    with_ragas: bool,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    if not with_ragas:  # the built-in scorer must agree with ragas' definitions
        monkeypatch.setattr(ragas_ids, "_ragas", lambda: None)
    elif ragas_ids.scorer().startswith("built-in"):
        pytest.skip("ragas is not installed (the eval extra)")
    assert precision_recall(retrieved, expected) == pytest.approx(scores)
