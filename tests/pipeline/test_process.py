"""Files through the passes into PostgreSQL: statistics replaced, never double counted."""

from __future__ import annotations

import csv
from pathlib import Path

import psycopg
import pytest
from typer.testing import CliRunner

from argus.cli import app
from argus.config import Settings
from argus.ingest.formats import LogFormat
from argus.pipeline.process import process_files
from tests.conftest import EXAMPLES

pytestmark = pytest.mark.integration

EXAMPLE = EXAMPLES / "shop" / "payment-db-pool.log.gz"


def _counts(url: str, file_id: str) -> tuple[int, int, int]:
    with psycopg.connect(url) as conn:
        row = conn.execute(
            "SELECT (SELECT coalesce(sum(line_count), 0) FROM log_match_summary"
            "   WHERE file_id = %s),"
            " (SELECT coalesce(sum(count_in_bucket), 0) FROM key_time_bucket WHERE file_id = %s),"
            " (SELECT count(*) FROM run_session WHERE file_id = %s)",
            (file_id, file_id, file_id),
        ).fetchone()
    assert row is not None
    return int(row[0]), int(row[1]), int(row[2])


def test_reprocessing_a_file_replaces_its_statistics(settings: Settings, db_url: str) -> None:
    fmt = LogFormat.parse(None)
    first = process_files(settings, db_url, [EXAMPLE], fmt, "all")[0]
    assert first.file_id is not None and first.records == 20_000 and first.unmatched == 0
    once = _counts(db_url, first.file_id)
    second = process_files(settings, db_url, [EXAMPLE], fmt, "stats")[0]
    assert second.templates_added == 0  # the library is stored: nothing new to learn
    twice = _counts(db_url, first.file_id)
    assert once[:2] == twice[:2] == (20_000, 20_000)
    assert twice[2] == once[2] + 1  # a new run, the old statistics replaced
    with psycopg.connect(db_url) as conn:
        versions = conn.execute("SELECT count(*) FROM template_history").fetchone()
        modules = conn.execute("SELECT count(*) FROM submodule WHERE mod = 'payment'").fetchone()
    assert versions is not None and versions[0] >= 13
    assert modules is not None and modules[0] == 2  # ledger, pool


def test_parse_writes_one_row_per_line(cli_env: str, tmp_path: Path) -> None:
    log = tmp_path / "svc.log"
    log.write_text(
        "[2026-01-01 10:00:00.000][ERROR][T1][api][http] Request 17 failed with code 500\n"
        "Traceback (most recent call last):\n"
        "[2026-01-01 10:00:01.000][ERROR][T1][api][http] Request 18 failed with code 502\n"
        "[2026-01-01 10:00:02.000][INFO][T2][api][http] Request 19 served in 12 ms\n"
    )
    out = tmp_path / "out.csv"
    result = CliRunner().invoke(app, ["parse", str(log), "--out", str(out), "--no-db"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(out.open()))
    assert [r["LineId"] for r in rows] == ["1", "2", "3", "4"]
    assert list(rows[0]) == ["LineId", "Content", "EventId", "EventTemplate", "Pattern"]
    assert rows[0]["EventId"] == rows[1]["EventId"] == rows[2]["EventId"] != rows[3]["EventId"]
    assert rows[0]["EventTemplate"] == "Request <*> failed with code <*>"
    assert rows[1]["Content"] == "Traceback (most recent call last):"


def test_mine_then_stats_commands(cli_env: str) -> None:
    runner = CliRunner()
    mined = runner.invoke(app, ["mine", str(EXAMPLE)], terminal_width=200)
    assert mined.exit_code == 0, mined.output
    counted = runner.invoke(app, ["stats", str(EXAMPLE)], terminal_width=200)
    assert counted.exit_code == 0, counted.output
    assert "20,000 records, 0 unmatched" in " ".join(counted.output.split())
    assert "lines/s" in counted.output


def test_bad_format_is_a_clear_error(cli_env: str) -> None:
    result = CliRunner().invoke(app, ["stats", str(EXAMPLE), "--format", "<Date> <Time>"])
    assert result.exit_code == 3
    assert "no <Content> field" in result.output
