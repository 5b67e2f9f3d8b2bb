"""``argus knowledge`` commands end to end: starter pack, search with filters, errors."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from argus.cli import app
from argus.config import Settings, get_settings

pytestmark = pytest.mark.integration


@pytest.fixture
def env(settings: Settings, fresh_db: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    get_settings.cache_clear()
    monkeypatch.setenv("ARGUS_DATABASE_URL", fresh_db)
    monkeypatch.setenv("ARGUS_HOME", str(settings.home))
    yield fresh_db
    get_settings.cache_clear()


def test_seed_starter_pack_then_search(env: str, tmp_path: Path) -> None:
    runner = CliRunner()
    first = runner.invoke(app, ["knowledge", "seed"], terminal_width=200)
    assert first.exit_code == 0, first.output
    assert "new, 0 updated, 0 unchanged" in first.output
    again = runner.invoke(app, ["knowledge", "seed", "--starter"], terminal_width=200)
    assert again.exit_code == 0, again.output
    assert "0 new, 0 updated" in again.output and "0 embedded" in again.output

    own = tmp_path / "own.jsonl"
    own.write_text(
        '{"id": "j7/lidar", "platform": "J7", "firmware": "2.3", "error_code": "E1042",'
        ' "category": "sensor_timeout", "symptom": "lidar front: no packets for 500 ms",'
        ' "solution": "reseat the lidar Ethernet connector"}\n'
    )
    added = runner.invoke(app, ["knowledge", "seed", str(own)], terminal_width=200)
    assert added.exit_code == 0 and "1 entries: 1 new" in added.output, added.output

    found = runner.invoke(
        app,
        [
            "knowledge",
            "search",
            "E1042 lidar timeout",
            "--platform",
            "J7",
            "--firmware",
            "2.3.1",
            "--category",
            "sensor_timeout",
            "--limit",
            "3",
            "--json",
        ],
    )
    assert found.exit_code == 0, found.output
    payload = json.loads(found.output)
    top = payload["hits"][0]
    assert top["source_id"] == "j7/lidar" and top["code_match"] is True
    assert payload["filters"] == ["platform=J7", "firmware=2.3.1", "category=sensor_timeout"]
    assert all(h["category"] == "sensor_timeout" for h in payload["hits"])

    other = runner.invoke(
        app, ["knowledge", "search", "E1042 lidar timeout", "--platform", "K9", "--json"]
    )
    assert "j7/lidar" not in {h["source_id"] for h in json.loads(other.output)["hits"]}

    text = runner.invoke(app, ["knowledge", "search", "No space left on device"])
    assert text.exit_code == 0 and "starter/disk-full-enospc" in text.output


def test_bad_input_is_reported_with_file_and_line(env: str, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("- {id: a, symptom: s, solution: x}\n- {id: b, symptom: s}\n")
    result = CliRunner().invoke(app, ["knowledge", "seed", str(bad)], terminal_width=300)
    assert result.exit_code == 3
    assert "bad.yaml:2: entry 'b': solution: Field required" in result.output
    wrong = CliRunner().invoke(app, ["knowledge", "search", "x", "--category", "slow"])
    assert wrong.exit_code == 3 and "unknown category 'slow'" in wrong.output


def test_categories_lists_the_vocabulary() -> None:
    result = CliRunner().invoke(app, ["knowledge", "categories"], terminal_width=200)
    assert result.exit_code == 0
    assert "ota_install_failure" in result.output and "db_pool_exhaustion" in result.output
