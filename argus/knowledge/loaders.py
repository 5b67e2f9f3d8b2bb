"""Read knowledge entries from YAML, JSONL and Markdown files, with the line of every entry.

YAML files hold a list of entries, or a mapping ``{defaults: {...}, entries: [...]}`` whose
defaults apply to every entry (a platform shared by a whole file, say). JSONL files hold one
entry object per line. Markdown files are runbooks (see :mod:`argus.knowledge.runbooks`).
A bad entry raises InputError naming the file and the line where the entry starts.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from argus.errors import InputError
from argus.knowledge.loaded import FIX_HINT, LoadedEntry, validate_entry
from argus.knowledge.runbooks import parse_runbook

YAML_SUFFIXES = frozenset({".yaml", ".yml"})
JSONL_SUFFIXES = frozenset({".jsonl"})
MARKDOWN_SUFFIXES = frozenset({".md", ".markdown"})
SUFFIXES = YAML_SUFFIXES | JSONL_SUFFIXES | MARKDOWN_SUFFIXES


def knowledge_files(path: Path) -> list[Path]:
    """The knowledge files at ``path``: the file itself, or those under a directory, sorted."""
    if path.is_dir():
        return sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES)
    if not path.is_file():
        raise InputError(f"no such file or directory: {path}")
    if path.suffix.lower() not in SUFFIXES:
        raise InputError(
            f"{path}: unsupported knowledge file type {path.suffix!r}",
            hint="use .yaml/.yml (a list of entries), .jsonl (one entry per line) or .md (runbook)",
        )
    return [path]


def load_file(path: Path, source: str | None = None) -> list[LoadedEntry]:
    """Read and validate every entry of one file; ``source`` defaults to ``file:<name>``."""
    origin = source or f"file:{path.name}"
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read: {exc}") from exc
    suffix = path.suffix.lower()
    if suffix in MARKDOWN_SUFFIXES:
        return [parse_runbook(path, text, origin)]
    if suffix in JSONL_SUFFIXES:
        return list(_jsonl_entries(path, text, origin))
    return list(_yaml_entries(path, text, origin))


def _jsonl_entries(path: Path, text: str, source: str) -> Iterator[LoadedEntry]:
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        location = f"{path}:{number}"
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"{location}: not valid JSON: {exc.msg}", hint=FIX_HINT) from None
        yield validate_entry(_as_entry_mapping(data, location, source), location)


def _yaml_entries(path: Path, text: str, source: str) -> Iterator[LoadedEntry]:
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else 1
        raise InputError(f"{path}:{line}: not valid YAML: {exc.problem}", hint=FIX_HINT) from None
    if root is None:
        return
    items, defaults = _yaml_layout(path, root)
    for node in items:
        location = f"{path}:{node.start_mark.line + 1}"
        data = _as_entry_mapping(_construct(node), location, source)
        yield validate_entry({**defaults, **data}, location)


def _yaml_layout(path: Path, root: yaml.Node) -> tuple[list[yaml.Node], dict[str, Any]]:
    """The entry nodes of a YAML document and the defaults that apply to them."""
    if isinstance(root, yaml.SequenceNode):
        return list(root.value), {}
    if isinstance(root, yaml.MappingNode):
        parts = {str(key.value): value for key, value in root.value}
        unknown = set(parts) - {"entries", "defaults"}
        entries = parts.get("entries")
        if unknown or not isinstance(entries, yaml.SequenceNode):
            raise InputError(
                f"{path}:{root.start_mark.line + 1}: expected a list of entries, or a mapping "
                "with 'entries' (a list) and optional 'defaults'",
                hint=FIX_HINT,
            )
        defaults_node = parts.get("defaults")
        defaults = _construct(defaults_node) if defaults_node is not None else {}
        if not isinstance(defaults, dict):
            line = defaults_node.start_mark.line + 1 if defaults_node else 1
            raise InputError(f"{path}:{line}: 'defaults' must be a mapping", hint=FIX_HINT)
        return list(entries.value), defaults
    raise InputError(f"{path}:1: expected a list of knowledge entries", hint=FIX_HINT)


def _construct(node: yaml.Node) -> Any:
    return yaml.constructor.SafeConstructor().construct_document(node)


def _as_entry_mapping(data: Any, location: str, source: str) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise InputError(
            f"{location}: an entry must be a mapping of fields, not {type(data).__name__}",
            hint=FIX_HINT,
        )
    return {"source": source, **data}
