"""``argus diagnose`` end to end on the embedded services: rule path and the local LLM."""

from __future__ import annotations

import asyncio
import importlib.util
import json

import psycopg
import pytest
import yaml
from typer.testing import CliRunner

from argus.batch_rows import BatchRecord
from argus.chat.data import load_statistics
from argus.cli import app
from argus.config import get_settings
from argus.report import Report
from argus.store import batches
from tests.conftest import EXAMPLES, SHARED_DATA

pytestmark = pytest.mark.integration

BATCH = EXAMPLES / "shop" / "payment-db-pool.log.gz"
BASELINE = EXAMPLES / "shop" / "baseline" / "payment-normal.log.gz"
NEZHA = SHARED_DATA / "incidents" / "nezha-tt-dev"


def _diagnose(*extra: str) -> Report:
    result = CliRunner().invoke(
        app, ["diagnose", str(BATCH), "--baseline", str(BASELINE), "--json", *extra]
    )
    assert result.exit_code == 0, result.output
    return Report.model_validate(json.loads(result.stdout))


def test_rule_based_diagnosis_finds_the_faulty_module(cli_env: str) -> None:
    report = _diagnose("--label", "platform=shop")
    assert report.incident and report.mode == "rule-based" and report.llm_calls == 0
    assert report.root_cause.module == "payment"
    assert any("DB-POOL-EXHAUSTED" in code for code in report.error_codes)
    assert {a.kind for a in report.anomalies} >= {"new"}
    # The starter knowledge pack is seeded on first use; its pool-exhaustion entry matches the
    # batch's own error code, so it sets the category and the first recommendation.
    assert report.evidence.knowledge and report.recommendations
    assert report.root_cause.category == "database"
    with psycopg.connect(cli_env) as conn:
        row = conn.execute(
            "SELECT b.status, b.labels->>'platform', d.mode, d.embedding IS NOT NULL"
            " FROM batch b JOIN diagnosis d USING (batch_id) ORDER BY b.created_at DESC LIMIT 1"
        ).fetchone()
    assert row == ("diagnosed", "shop", "rule-based", True)


def test_earlier_batches_of_the_source_are_the_default_baseline(cli_env: str) -> None:
    runner = CliRunner()
    first = runner.invoke(app, ["diagnose", str(BASELINE), "--source", "till-7", "--json"])
    assert first.exit_code == 0, first.output
    result = runner.invoke(app, ["diagnose", str(BATCH), "--source", "till-7", "--json"])
    assert result.exit_code == 0, result.output
    report = Report.model_validate(json.loads(result.stdout))
    assert report.root_cause.module == "payment"
    assert any(a.kind == "new" and a.module == "payment" for a in report.anomalies)


PRICE_CASE = NEZHA / "tt-2023-01-29-1119-ts-price-service-exception"


@pytest.mark.skipif(not PRICE_CASE.is_dir(), reason=f"Nezha case not found at {PRICE_CASE}")
def test_earlier_batches_give_their_request_traces_to_the_baseline(cli_env: str) -> None:
    """The price service logs nothing unusual; only trace ids show its callers' requests never
    reach it. With earlier batches as the baseline, their trace lines are read from their files."""
    fmt = yaml.safe_load((PRICE_CASE / "case.yaml").read_text())["log_format"]
    runner = CliRunner()
    for folder in ("baseline", "logs"):
        files = [str(p) for p in sorted((PRICE_CASE / folder).glob("*.gz"))]
        result = runner.invoke(
            app, ["diagnose", *files, "--format", fmt, "--source", "tt-1119", "--json"]
        )
        assert result.exit_code == 0, result.output
    report = Report.model_validate(json.loads(result.stdout))
    assert report.incident and report.root_cause.module == "ts-price-service"
    assert any("never reached it" in r for r in report.suspects[0].reasons)
    # The chat analyses the stored batch the same way: its suspects are the report's.
    batch = asyncio.run(_latest_batch(cli_env, "tt-1119"))
    chat = load_statistics(cli_env, batch, get_settings()).analysis
    ranked = [s.module for s in report.suspects]
    assert [s.module for s in chat.suspects][: len(ranked)] == ranked


async def _latest_batch(db_url: str, source: str) -> BatchRecord:
    async with await psycopg.AsyncConnection.connect(db_url) as conn:
        cur = await conn.execute(
            "SELECT batch_id FROM batch WHERE source = %s ORDER BY created_at DESC LIMIT 1",
            (source,),
        )
        found = await cur.fetchone()
        assert found is not None
        row = await batches.get_batch(conn, found[0])
    assert row is not None
    return row


def test_bad_label_is_a_clear_error(cli_env: str) -> None:
    result = CliRunner().invoke(app, ["diagnose", str(BATCH), "--label", "platform"])
    assert result.exit_code == 3 and "KEY=VALUE" in result.output


@pytest.mark.llm
@pytest.mark.skipif(
    importlib.util.find_spec("llama_cpp") is None,
    reason="the local-llm extra is not installed (pip install 'argus[local-llm]')",
)
def test_local_llm_diagnosis_is_always_a_valid_report(
    cli_env: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ARGUS_LLM", "local")
    monkeypatch.setenv("ARGUS_LLM_MAX_ANSWER_TOKENS", "160")
    monkeypatch.setenv("ARGUS_LIMITS__MAX_LLM_CALLS", "6")
    get_settings.cache_clear()
    report = _diagnose()
    assert report.llm_calls >= 1 and report.llm_calls <= 6
    assert report.mode in {"llm", "rule-based"}  # whatever the small model answered
    assert report.root_cause.module in {None, *(s.module for s in report.suspects)}
    assert 0.0 <= report.confidence <= 1.0
