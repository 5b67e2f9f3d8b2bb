"""``argus doctor`` reports each service, and says clearly when one is down."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import SecretStr
from typer.testing import CliRunner

from argus.cli import app
from argus.config import ConsoleSettings, Settings, get_settings
from argus.service.doctor import run_doctor

pytestmark = pytest.mark.integration


@pytest.fixture(autouse=True)
def _fresh_settings() -> None:
    get_settings.cache_clear()


async def test_down_services_are_reported_with_the_reason(settings: Settings) -> None:
    broken = settings.model_copy(
        update={
            "database_url": SecretStr("postgresql://argus@127.0.0.1:1/argus?connect_timeout=2"),
            "kafka_bootstrap": "127.0.0.1:1",
        }
    )
    checks = {c.name: c for c in await run_doctor(broken, embeddings=False)}
    assert not checks["database"].ok
    assert "refused" in checks["database"].detail.lower()
    assert not checks["kafka"].ok
    assert "no Kafka broker answered at 127.0.0.1:1" in checks["kafka"].detail
    assert checks["llm"].ok and checks["llm"].detail.startswith("none")


async def test_unreachable_remote_llm_is_down(settings: Settings) -> None:
    remote = settings.model_copy(update={"llm_base_url": "http://127.0.0.1:1/v1"})
    checks = {c.name: c for c in await run_doctor(remote, embeddings=False)}
    assert not checks["llm"].ok and "did not answer /models" in checks["llm"].detail


def test_cli_doctor_all_up(
    settings: Settings, db_url: str, kafka_bootstrap: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ARGUS_DATABASE_URL", db_url)
    monkeypatch.setenv("ARGUS_KAFKA_BOOTSTRAP", kafka_bootstrap)
    monkeypatch.setenv("ARGUS_LLM_API_KEY", "sk-should-not-show")
    result = CliRunner().invoke(app, ["doctor"], terminal_width=200)
    assert result.exit_code == 0, result.output
    assert "pgvector 0.6" in result.output
    assert "384-d" in result.output  # the real bundled embedding model was loaded
    assert "sk-should-not-show" not in result.output
    assert "console" in result.output and "node_modules" in result.output


async def test_missing_console_assets_are_reported(settings: Settings, tmp_path: Path) -> None:
    moved = settings.model_copy(
        update={
            "database_url": SecretStr("postgresql://argus@127.0.0.1:1/argus?connect_timeout=2"),
            "kafka_bootstrap": "127.0.0.1:1",
            "console": ConsoleSettings(assets_dir=tmp_path / "no-node-modules"),
        }
    )
    checks = {c.name: c for c in await run_doctor(moved, embeddings=False)}
    assert not checks["console"].ok and "run npm ci" in checks["console"].detail


def test_cli_doctor_exits_non_zero_when_a_service_is_down(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ARGUS_DATABASE_URL", "postgresql://argus@127.0.0.1:1/argus")
    monkeypatch.setenv("ARGUS_KAFKA_BOOTSTRAP", "127.0.0.1:1")
    result = CliRunner().invoke(app, ["doctor", "--skip-embeddings"], terminal_width=200)
    assert result.exit_code == 1
    assert "DOWN" in result.output
