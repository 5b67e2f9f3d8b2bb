"""``argus alerts apply`` (GitOps, idempotent, secrets from the environment) and ``list``."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from typer.testing import CliRunner

from argus.cli import app

pytestmark = pytest.mark.integration


def test_applying_a_file_twice_changes_nothing_the_second_time_and_shows_no_secret(
    cli_env: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tag = uuid.uuid4().hex[:6]
    monkeypatch.setenv("HOOK_SECRET", "hunter2-secret")
    monkeypatch.setenv("SLACK_URL", "https://hooks.slack.example/services/T0/B0/tok3n")
    rules = tmp_path / "alerts.yaml"
    rules.write_text(
        f"""
channels:
  - {{name: hook-{tag}, kind: webhook, url: "https://ops.example/argus", secret_env: HOOK_SECRET}}
  - {{name: slack-{tag}, kind: slack, url_env: SLACK_URL}}
rules:
  - name: db-{tag}
    match: {{categories: [database], modules: [payment], min_confidence: 0.6,
            labels: {{platform: [x9]}}}}
    suppress_s: 30m
    escalation: {{repeats: 5, within_s: 1h}}
    channels: [hook-{tag}, slack-{tag}]
"""
    )
    runner = CliRunner()
    first = runner.invoke(app, ["alerts", "apply", str(rules)], terminal_width=200)
    assert first.exit_code == 0, first.output
    assert "3 objects, 3 changed" in first.output
    again = runner.invoke(app, ["alerts", "apply", str(rules)], terminal_width=200)
    assert again.exit_code == 0 and "3 objects, 0 changed" in again.output
    listed = runner.invoke(app, ["alerts", "list"], terminal_width=250)
    assert listed.exit_code == 0 and f"db-{tag}" in listed.output
    assert "https://hooks.slack.example" in listed.output  # scheme and host only
    for secret in ("hunter2", "tok3n", "/services/"):
        assert secret not in listed.output + first.output


def test_a_rule_naming_an_unknown_channel_applies_nothing(cli_env: str, tmp_path: Path) -> None:
    tag = uuid.uuid4().hex[:6]
    rules = tmp_path / "alerts.yaml"
    rules.write_text(f"rules:\n  - {{name: lonely-{tag}, channels: [nowhere-{tag}]}}\n")
    result = CliRunner().invoke(app, ["alerts", "apply", str(rules)], terminal_width=200)
    assert result.exit_code == 3 and f"nowhere-{tag}" in result.output
    listed = CliRunner().invoke(app, ["alerts", "list"], terminal_width=250)
    assert f"lonely-{tag}" not in listed.output


def test_a_file_with_an_unknown_category_is_refused_naming_it(tmp_path: Path) -> None:
    rules = tmp_path / "alerts.yaml"
    rules.write_text(
        "channels:\n  - {name: c, kind: pager, url: 'https://h.example/x?token=T0PSECRET'}\n"
        "rules:\n  - {name: r, match: {categories: [db_trouble]}, channels: [c]}\n"
    )
    result = CliRunner().invoke(app, ["alerts", "apply", str(rules)], terminal_width=200)
    assert result.exit_code == 3
    assert "rules.0.match.categories.0" in result.output and "channels.0.kind" in result.output
    assert "T0PSECRET" not in result.output
