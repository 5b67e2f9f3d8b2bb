"""``argus diagnose`` on the bundled example, as far as the pipeline is built."""

from __future__ import annotations

import gzip
from pathlib import Path

import psycopg
import pytest
from typer.testing import CliRunner

from argus.cli import app
from tests.conftest import EXAMPLES

pytestmark = pytest.mark.integration

EXAMPLE = EXAMPLES / "shop" / "payment-db-pool.log.gz"


def test_example_is_registered_once_and_read(cli_env: str) -> None:
    runner = CliRunner()
    first = runner.invoke(app, ["diagnose", str(EXAMPLE)], terminal_width=200)
    assert first.exit_code == 0, first.output
    assert "20,000 lines" in first.output
    second = runner.invoke(app, ["diagnose", str(EXAMPLE)], terminal_width=200)
    assert "known" in second.output
    with psycopg.connect(cli_env) as conn:
        rows = conn.execute(
            "SELECT status, line_count FROM file_registry WHERE path LIKE %s", (f"%{EXAMPLE.name}",)
        ).fetchall()
    assert rows == [("processed", 20_000)]


def test_corrupt_file_fails_alone(cli_env: str, tmp_path: Path) -> None:
    good = tmp_path / "good.log"
    good.write_text("[2026-01-01 00:00:00][INFO][T1][m][s] fine\n" * 10)
    payload = gzip.compress(b"[2026-01-01 00:00:00][INFO][T1][m][s] line\n" * 50_000)
    bad = tmp_path / "bad.log.gz"
    bad.write_bytes(payload[: len(payload) // 3])
    result = CliRunner().invoke(app, ["diagnose", str(bad), str(good)], terminal_width=200)
    assert result.exit_code == 0, result.output
    assert "bad.log.gz" in result.output and "corrupt or truncated" in result.output
    assert "good.log" in result.output and "10 lines" in result.output
    with psycopg.connect(cli_env) as conn:
        status = conn.execute(
            "SELECT status, error FROM file_registry WHERE path = %s", (str(bad),)
        ).fetchone()
    assert status is not None and status[0] == "failed" and "corrupt" in status[1]


def test_missing_file_is_a_clear_error(cli_env: str) -> None:
    result = CliRunner().invoke(app, ["diagnose", "/nonexistent/x.log"])
    assert result.exit_code == 3
    assert "no such file" in result.output
