"""Loading YAML, JSONL and Markdown knowledge files; errors name the file and the line."""

from __future__ import annotations

from pathlib import Path

import pytest

from argus.errors import InputError
from argus.knowledge.loaders import knowledge_files, load_file
from argus.knowledge.seed import load_paths

YAML_WITH_DEFAULTS = """\
defaults:
  platform: J7
  module: lidar
entries:
  - id: lidar-1
    error_code: E1042
    category: sensor_timeout
    symptom: |
      lidar: no packets for 500 ms
    solution: [check the cable, restart the driver]
  - id: lidar-2
    platform: K9
    symptom: lidar time sync lost
    solution: check PTP
"""


def test_yaml_with_defaults(tmp_path: Path) -> None:
    path = tmp_path / "lidar.yaml"
    path.write_text(YAML_WITH_DEFAULTS)
    first, second = load_file(path)
    assert first.location == f"{path}:5"
    assert first.entry.platform == "J7" and first.entry.module == "lidar"
    assert first.entry.solution == "1. check the cable\n2. restart the driver"
    assert first.entry.source == "file:lidar.yaml"
    assert second.entry.platform == "K9"  # an entry overrides the defaults
    assert second.location == f"{path}:11"


def test_bad_yaml_entry_names_file_line_and_field(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(
        "- id: ok\n  symptom: a\n  solution: b\n"
        "- id: broken\n  symptom: a\n  solution: b\n  category: slowness\n"
    )
    with pytest.raises(InputError) as info:
        load_file(path)
    assert info.value.message.startswith(f"{path}:4: entry 'broken': category:")


def test_yaml_syntax_error_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "syntax.yaml"
    path.write_text("- id: a\n  symptom: [unclosed\n  solution: b\n")
    with pytest.raises(InputError, match=rf"{path}:\d+: not valid YAML"):
        load_file(path)


def test_jsonl_errors_name_the_line(tmp_path: Path) -> None:
    path = tmp_path / "kb.jsonl"
    path.write_text('{"id": "a", "symptom": "s", "solution": "x"}\n\n{"id": "b", "symptom": "s"}\n')
    with pytest.raises(InputError, match=rf"{path}:3: entry 'b': solution: Field required"):
        load_file(path)
    path.write_text('{"id": "a", "symptom": "s", "solution": "x"}\n{"id": \n')
    with pytest.raises(InputError, match=rf"{path}:2: not valid JSON"):
        load_file(path)


def test_markdown_runbook(tmp_path: Path) -> None:
    path = tmp_path / "disk-full.md"
    path.write_text(
        "---\nerror_code: ENOSPC\ncategory: disk_full\ntags: [disk]\n---\n"
        "# Disk full on /var/log\n\n## Symptoms\nNo space left on device\n\n"
        "## Root cause\nlogrotate disabled\n\n## Remediation\n1. free space\n\n"
        "## Notes\nseen on gateways\n"
    )
    (loaded,) = load_file(path)
    e = loaded.entry
    assert e.source_id == "disk-full"
    assert e.symptom == "Disk full on /var/log\nNo space left on device"
    assert e.root_cause == "logrotate disabled"
    assert e.solution == "1. free space\n\nNotes:\nseen on gateways"
    assert (e.error_code, e.category, e.tags) == ("ENOSPC", "disk_full", ("disk",))


def test_markdown_without_solution_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "half.md"
    path.write_text("# Title\n## Symptoms\nsomething\n")
    with pytest.raises(InputError, match="lacks a non-empty '## Solution' section"):
        load_file(path)


def test_duplicate_ids_across_files_name_both_places(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("- {id: same, symptom: s, solution: x}\n")
    (tmp_path / "b.jsonl").write_text('{"id": "same", "symptom": "s", "solution": "y"}\n')
    with pytest.raises(InputError, match=r"b.jsonl:1: source id 'same' already used at .*a.yaml:1"):
        load_paths([tmp_path])


def test_unsupported_and_missing_files(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("x")
    with pytest.raises(InputError, match="unsupported knowledge file type"):
        knowledge_files(tmp_path / "notes.txt")
    with pytest.raises(InputError, match="no such file"):
        knowledge_files(tmp_path / "absent.yaml")
    assert knowledge_files(tmp_path) == []
