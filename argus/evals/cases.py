"""Eval cases (DESIGN.md §8): load and validate a folder of case folders.

A case folder holds ``case.yaml`` (id, system, log_format, expected: {root_cause_module or
null, category, knowledge_ids?}, notes), the batch under ``logs/`` and optional fault-free logs
under ``baseline/``. Every problem is an :class:`~argus.errors.InputError` naming the file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from argus.errors import InputError
from argus.report import CATEGORIES, Category, is_category

LOG_SUFFIXES = (".log", ".log.gz", ".gz", ".txt")


@dataclass(frozen=True, kw_only=True)
class Expected:
    """The labelled answer of a case."""

    root_cause_module: str | None  #: the faulty module, None for a fault-free case
    category: Category  #: a report category ("none" for no incident)
    knowledge_ids: tuple[str, ...] = ()  #: knowledge entries a good diagnosis retrieves


@dataclass(frozen=True, kw_only=True)
class Case:
    """One labelled batch."""

    id: str  #: unique id of the case
    path: Path  #: the case folder
    system: str  #: the system the logs come from
    log_format: str | None  #: logpai log_format of the lines (None: the default format)
    expected: Expected  #: the labelled answer
    logs: tuple[Path, ...]  #: the batch to diagnose
    baseline: tuple[Path, ...] = ()  #: fault-free logs of the same system, may be empty
    notes: str = ""  #: free text
    extra: dict[str, Any] = field(default_factory=dict)  #: other keys of case.yaml


def load_cases(root: Path) -> list[Case]:
    """Every case under ``root`` (folders holding a case.yaml), sorted by id."""
    if not root.is_dir():
        raise InputError(f"{root}: not a folder of eval cases")
    folders = sorted(p.parent for p in root.glob("*/case.yaml"))
    if not folders:
        raise InputError(f"{root}: no case folder (*/case.yaml) found")
    cases = [load_case(folder) for folder in folders]
    seen: dict[str, Path] = {}
    for case in cases:
        if case.id in seen:
            raise InputError(f"{case.path / 'case.yaml'}: id {case.id!r} repeats {seen[case.id]}")
        seen[case.id] = case.path
    return sorted(cases, key=lambda c: c.id)


def load_case(folder: Path) -> Case:
    """Load and validate one case folder."""
    meta = folder / "case.yaml"
    data = _read_yaml(meta)
    expected = _expected(meta, data.get("expected"))
    logs = _log_files(folder / "logs")
    if not logs:
        raise InputError(f"{folder / 'logs'}: no log file (*.log, *.log.gz) for case.yaml {meta}")
    known = {"id", "system", "log_format", "expected", "notes"}
    return Case(
        id=_text(meta, data, "id"),
        path=folder,
        system=_text(meta, data, "system"),
        log_format=_optional_text(meta, data, "log_format"),
        expected=expected,
        logs=tuple(logs),
        baseline=tuple(_log_files(folder / "baseline")),
        notes=str(data.get("notes") or ""),
        extra={k: v for k, v in data.items() if k not in known},
    )


def _read_yaml(meta: Path) -> dict[str, Any]:
    if not meta.is_file():
        raise InputError(f"{meta}: missing")
    try:
        data = yaml.safe_load(meta.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise InputError(f"{meta}: not valid YAML ({exc})") from exc
    if not isinstance(data, dict):
        raise InputError(f"{meta}: expected a mapping at the top level")
    return data


def _text(meta: Path, data: dict[str, Any], key: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value.strip():
        raise InputError(f"{meta}: '{key}' must be a non-empty string")
    return value.strip()


def _optional_text(meta: Path, data: dict[str, Any], key: str) -> str | None:
    return _text(meta, data, key) if data.get(key) is not None else None


def _expected(meta: Path, raw: object) -> Expected:
    if not isinstance(raw, dict):
        raise InputError(f"{meta}: 'expected' must be a mapping with root_cause_module, category")
    if "root_cause_module" not in raw:
        raise InputError(f"{meta}: expected.root_cause_module is missing (use null for none)")
    module = raw["root_cause_module"]
    if module is not None and (not isinstance(module, str) or not module.strip()):
        raise InputError(f"{meta}: expected.root_cause_module must be a string or null")
    category = raw.get("category")
    if not is_category(category):
        raise InputError(
            f"{meta}: expected.category {category!r} is not one of {', '.join(CATEGORIES)}"
        )
    if (category == "none") != (module is None):
        raise InputError(f"{meta}: category 'none' goes with root_cause_module null, and only it")
    ids = raw.get("knowledge_ids") or []
    if not isinstance(ids, list) or not all(isinstance(i, str | int) for i in ids):
        raise InputError(f"{meta}: expected.knowledge_ids must be a list of ids")
    return Expected(
        root_cause_module=module.strip() if module else None,
        category=category,
        knowledge_ids=tuple(str(i) for i in ids),
    )


def _log_files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.is_file() and p.name.endswith(LOG_SUFFIXES))
