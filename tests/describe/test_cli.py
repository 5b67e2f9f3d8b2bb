"""``argus describe`` from the command line: drafts what is missing, prints a summary, needs
no LLM; ``--all`` redrafts pending drafts, approved ones are left alone."""

from __future__ import annotations

import psycopg
import pytest
from typer.testing import CliRunner

from argus.cli import app
from argus.config import Settings, get_settings

pytestmark = pytest.mark.integration


@pytest.fixture
def describe_env(settings: Settings, shop_db: str, monkeypatch: pytest.MonkeyPatch) -> str:
    get_settings.cache_clear()
    monkeypatch.setenv("ARGUS_DATABASE_URL", shop_db)
    monkeypatch.setenv("ARGUS_HOME", str(settings.home))
    monkeypatch.setenv("ARGUS_LLM", "none")
    return shop_db


def _states(url: str, mod: str) -> dict[str | None, tuple[str, str | None]]:
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT smod, state, drafted_by FROM module_description WHERE mod = %s", (mod,)
        ).fetchall()
    return {smod: (state, by) for smod, state, by in rows}


def test_describe_drafts_the_missing_descriptions_of_a_module(describe_env: str) -> None:
    runner = CliRunner()
    before = _states(describe_env, "inventory")
    assert before and all(state == "missing" for state, _ in before.values())
    first = runner.invoke(app, ["describe", "--module", "inventory"], terminal_width=200)
    assert first.exit_code == 0, first.output
    assert f"drafted {len(before)} description(s): 0 by the LLM, {len(before)} from" in first.output
    assert "The module inventory wrote" in first.output
    assert _states(describe_env, "inventory") == {smod: ("draft", "templates") for smod in before}
    second = runner.invoke(app, ["describe", "--module", "inventory", "--missing"])
    assert second.exit_code == 0 and "drafted 0 description(s)" in second.output
    third = runner.invoke(app, ["describe", "-m", "inventory", "--all"])
    assert third.exit_code == 0 and f"drafted {len(before)} description(s)" in third.output


def test_describe_of_an_unknown_module_drafts_nothing(describe_env: str) -> None:
    result = CliRunner().invoke(app, ["describe", "--module", "no-such-module"])
    assert result.exit_code == 0, result.output
    assert "drafted 0 description(s)" in result.output
