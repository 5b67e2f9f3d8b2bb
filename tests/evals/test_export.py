"""``argus eval export``: batches judged by feedback become eval cases that ``argus eval`` runs."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from argus.cli import app
from argus.config import Settings, get_settings
from argus.evals.cases import load_cases
from argus.knowledge.categories import Category
from argus.knowledge.embeddings import local_embedder
from argus.knowledge.feedback import Verdict, record_feedback
from argus.store.batches import get_batch
from argus.store.connection import connect
from tests.conftest import migrated_database
from tests.diagnosed import shop_incident

pytestmark = pytest.mark.integration


async def _judge(settings: Settings, url: str, batch_id: object, verdict: Verdict) -> None:
    async with await connect(url) as conn:
        await conn.set_autocommit(True)
        batch = await get_batch(conn, batch_id)  # type: ignore[arg-type]
        assert batch is not None
        await record_feedback(conn, batch, verdict, local_embedder(settings.embedding_model))


async def test_exported_cases_run_in_the_eval_harness(
    pg_url: str, settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = await migrated_database(pg_url, "export_cases")
    confirmed = await shop_incident(settings, url, "shop-a")
    corrected = await shop_incident(settings, url, "shop-b")
    await _judge(settings, url, confirmed, Verdict(correct=True, author="lead"))
    wrong = Verdict(
        correct=False, module="gateway", category=Category.TIMEOUT, note="drill", author="qa"
    )
    await _judge(settings, url, corrected, wrong)

    get_settings.cache_clear()
    monkeypatch.setenv("ARGUS_DATABASE_URL", url)
    monkeypatch.setenv("ARGUS_HOME", str(settings.home))
    monkeypatch.setenv("ARGUS_LLM", "none")
    out, runner = tmp_path / "cases", CliRunner()
    exported = await asyncio.to_thread(runner.invoke, app, ["eval", "export", str(out)])
    assert exported.exit_code == 0, exported.output
    assert "wrote 2 case(s)" in exported.output

    cases = {c.extra["batch_id"]: c for c in load_cases(out)}
    assert set(cases) == {str(confirmed), str(corrected)}  # not their unjudged baselines
    first, second = cases[str(confirmed)], cases[str(corrected)]
    assert (first.expected.root_cause_module, first.expected.category) == ("payment", "database")
    assert (second.expected.root_cause_module, second.expected.category) == ("gateway", "timeout")
    assert [p.name for p in first.logs] == ["payment-db-pool.log.gz"]
    assert [p.name for p in first.baseline] == ["00-payment-normal.log.gz"]
    meta = yaml.safe_load((first.path / "case.yaml").read_text())
    assert "confirmed by lead" in meta["notes"]

    # exporting again rewrites the same folders
    again = await asyncio.to_thread(runner.invoke, app, ["eval", "export", str(out)])
    assert again.exit_code == 0 and len(load_cases(out)) == 2

    report_dir = tmp_path / "report"
    args = ["eval", str(out), "--out", str(report_dir), "--no-knowledge"]
    ran = await asyncio.to_thread(runner.invoke, app, args)
    assert ran.exit_code == 0, ran.output
    figures = json.loads((report_dir / "eval.json").read_text())
    assert figures["cases_failed"] == 0
    rows = {row["id"]: row for row in figures["cases"]}
    assert rows[first.id]["predicted"]["module"] == "payment"  # the confirmed case passes
    assert rows[first.id]["module_at_1"] is True
    assert rows[second.id]["expected"]["module"] == "gateway"  # the corrected truth is scored
    assert rows[second.id]["module_at_1"] is False
