"""Pass 1's drafter: ARGUS_LLM=local with the LLM drafter starts the local server for the run."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from argus.config import MiningSettings, Settings
from argus.errors import LLMUnavailable
from argus.ingest.formats import LogFormat
from argus.mining.committee import RuleDrafter
from argus.mining.llm_drafter import LLMDrafter
from argus.pipeline import drafter as drafter_module
from argus.pipeline.drafter import run_drafter
from argus.pipeline.process import process_files

URL = "http://127.0.0.1:9/v1"


@pytest.fixture
def starts(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Replace llama.cpp's starter by a fake one; the list records its starts and stops."""
    calls: list[str] = []

    @contextlib.contextmanager
    def fake_local_llm(settings: Settings) -> Iterator[str]:
        calls.append("start")
        try:
            yield URL
        finally:
            calls.append("stop")

    monkeypatch.setattr(drafter_module, "local_llm", fake_local_llm)
    return calls


def _with(settings: Settings, llm: str, drafter: str, **more: object) -> Settings:
    update = {"llm": llm, "mining": MiningSettings(drafter=drafter), **more}  # type: ignore[arg-type]
    return settings.model_copy(update=update)


def test_the_llm_drafter_with_a_local_llm_gets_the_local_server_for_the_run(
    settings: Settings, starts: list[str]
) -> None:
    with run_drafter(_with(settings, "local", "llm")) as drafter:
        assert starts == ["start"]
        assert isinstance(drafter, LLMDrafter)
        assert drafter.runtime.model.openai_api_base == URL  # type: ignore[attr-defined]
    assert starts == ["start", "stop"]


@pytest.mark.parametrize(
    ("llm", "drafter", "more", "expected"),
    [
        ("local", "rule", {}, RuleDrafter),
        ("none", "llm", {}, RuleDrafter),
        ("auto", "llm", {"llm_base_url": "http://127.0.0.1:8/v1"}, LLMDrafter),
    ],
)
def test_no_server_is_started_otherwise(
    settings: Settings,
    starts: list[str],
    llm: str,
    drafter: str,
    more: dict[str, object],
    expected: type,
) -> None:
    with run_drafter(_with(settings, llm, drafter, **more)) as chosen:
        assert isinstance(chosen, expected)
    assert starts == []


def test_a_local_server_that_cannot_start_leaves_the_rules(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(settings: Settings) -> contextlib.AbstractContextManager[str]:
        raise LLMUnavailable("the local-llm extra is not installed")

    monkeypatch.setattr(drafter_module, "local_llm", broken)
    with caplog.at_level(logging.WARNING), run_drafter(_with(settings, "local", "llm")) as chosen:
        assert isinstance(chosen, RuleDrafter)
    assert "drafted by the rules" in caplog.text


def test_pass_one_of_a_mining_run_has_the_local_server_while_it_runs(
    settings: Settings, starts: list[str], tmp_path: Path
) -> None:
    log = tmp_path / "app.log"
    log.write_text("".join(f"user {i} logged in from 10.0.0.{i}\n" for i in range(50)))
    (outcome,) = process_files(
        _with(settings, "local", "llm"), None, [log], LogFormat.parse(None), "mine"
    )
    assert outcome.error is None and outcome.templates_added >= 1
    assert starts == ["start", "stop"]
