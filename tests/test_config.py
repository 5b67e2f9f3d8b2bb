"""Settings: environment prefix, nested values, .env support, secret masking, LLM mode."""

from __future__ import annotations

from pathlib import Path

import pytest

from argus.config import Settings, get_settings
from argus.errors import ConfigError


def test_environment_overrides_defaults(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ARGUS_KAFKA_BOOTSTRAP", "broker:9092")
    monkeypatch.setenv("ARGUS_MINING__BUFFER_SIZE", "50")
    monkeypatch.setenv("ARGUS_LIMITS__MAX_LLM_CALLS", "3")
    loaded = Settings()
    assert loaded.kafka_bootstrap == "broker:9092"
    assert loaded.mining.buffer_size == 50
    assert loaded.limits.max_llm_calls == 3
    assert loaded.mining.micro_batch_size == 20  # seed 000 default kept


def test_mining_drafter_is_rule_unless_set(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert settings.mining.drafter == "rule"
    monkeypatch.setenv("ARGUS_MINING__DRAFTER", "llm")
    assert Settings().mining.drafter == "llm"
    monkeypatch.setenv("ARGUS_MINING__DRAFTER", "gpt")
    with pytest.raises(ValueError, match="drafter"):
        Settings()


def test_dotenv_file_is_read(settings: Settings, tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("ARGUS_LLM_MODEL=qwen2.5\nARGUS_LLM_BASE_URL=http://x/v1\n")
    loaded = Settings()
    assert loaded.llm_model == "qwen2.5"
    assert loaded.llm_mode == "remote"


def test_llm_mode(settings: Settings) -> None:
    assert settings.llm_mode == "none"
    assert Settings(llm="local").llm_mode == "local"
    assert Settings(llm="none", llm_base_url="http://x/v1").llm_mode == "none"


def test_secrets_are_masked(settings: Settings) -> None:
    loaded = Settings(
        database_url="postgresql://argus:hunter2@db.internal:5432/argus",
        llm_api_key="sk-very-secret",
        api_keys=["k1", "k2"],
    )
    shown = repr(loaded.masked())
    assert "hunter2" not in shown and "sk-very-secret" not in shown and "k1" not in shown
    assert loaded.masked()["database_url"] == "postgresql://****@db.internal:5432/argus"
    assert loaded.masked()["llm_api_key"] == "****"


def test_invalid_value_is_a_config_error(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ARGUS_MINING__BUFFER_SIZE", "zero")
    get_settings.cache_clear()
    with pytest.raises(ConfigError, match="buffer_size"):
        get_settings()
    get_settings.cache_clear()
