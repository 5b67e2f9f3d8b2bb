"""Markdown runbooks as knowledge entries.

A runbook is one Markdown file::

    ---
    id: disk-full-var-log          # optional; the file name without suffix otherwise
    error_code: ENOSPC             # any entry field except symptom, root_cause, solution
    category: disk_full
    ---
    # Disk full on /var/log        # optional title, kept as the symptom's first line
    ## Symptoms                    # required (also: Symptom)
    ## Root cause                  # optional (also: Cause)
    ## Solution                    # required (also: Remediation, Resolution, Fix, Steps)

Any other ``##`` section is appended to the solution under its own heading.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from argus.errors import InputError
from argus.knowledge.loaded import LoadedEntry, validate_entry

_SECTION_FIELDS = {
    "symptoms": "symptom",
    "symptom": "symptom",
    "root cause": "root_cause",
    "cause": "root_cause",
    "solution": "solution",
    "remediation": "solution",
    "resolution": "solution",
    "fix": "solution",
    "steps": "solution",
}
_HEADING = re.compile(r"^(#{1,2})\s+(.+?)\s*#*\s*$")
_BODY_FIELDS = frozenset(_SECTION_FIELDS.values())


def parse_runbook(path: Path, text: str, source: str) -> LoadedEntry:
    """Parse one runbook file into an entry; raise InputError naming the file and line."""
    lines = text.splitlines()
    meta, body_start = _front_matter(path, lines)
    title, sections, extra = _sections(lines, body_start)
    missing = [name for name in ("symptom", "solution") if not sections.get(name)]
    if missing:
        wanted = " and ".join(
            f"'## {'Symptoms' if m == 'symptom' else 'Solution'}'" for m in missing
        )
        raise InputError(
            f"{path}:{body_start + 1}: runbook lacks a non-empty {wanted} section",
            hint="a runbook needs '## Symptoms' and '## Solution' (or '## Remediation') sections",
        )
    data: dict[str, Any] = {"source": source, "id": path.stem, **meta}
    data["symptom"] = f"{title}\n{sections['symptom']}" if title else sections["symptom"]
    data["root_cause"] = sections.get("root_cause")
    data["solution"] = "\n\n".join([sections["solution"], *extra])
    return validate_entry(data, f"{path}:1")


def _front_matter(path: Path, lines: list[str]) -> tuple[dict[str, Any], int]:
    """The YAML front matter (``---`` fenced, at the top) and the index of the next line."""
    if not lines or lines[0].strip() != "---":
        return {}, 0
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == "---")
    except StopIteration:
        raise InputError(f"{path}:1: front matter opened with '---' is never closed") from None
    try:
        meta = yaml.safe_load("\n".join(lines[1:end])) or {}
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 2 if exc.problem_mark else 1
        raise InputError(f"{path}:{line}: front matter is not valid YAML: {exc.problem}") from None
    if not isinstance(meta, dict):
        raise InputError(f"{path}:2: front matter must be a mapping of entry fields")
    clash = _BODY_FIELDS & set(meta)
    if clash:
        raise InputError(
            f"{path}:2: front matter sets {', '.join(sorted(clash))}",
            hint="write symptoms, root cause and solution as '##' sections of the body",
        )
    return meta, end + 1


def _sections(lines: list[str], start: int) -> tuple[str | None, dict[str, str], list[str]]:
    """Title, the known sections by field, and the other sections as 'Heading:' blocks."""
    title: str | None = None
    known: dict[str, list[str]] = {}
    extra: list[tuple[str, list[str]]] = []
    current: list[str] | None = None
    for line in lines[start:]:
        heading = _HEADING.match(line)
        if heading and len(heading[1]) == 1 and title is None:
            title, current = heading[2], None
        elif heading and len(heading[1]) == 2:
            field = _SECTION_FIELDS.get(heading[2].strip().lower())
            if field is not None:
                current = known.setdefault(field, [])
            else:
                current = []
                extra.append((heading[2], current))
        elif current is not None:
            current.append(line)
    text = {field: "\n".join(body).strip() for field, body in known.items()}
    blocks = [f"{name}:\n" + "\n".join(body).strip() for name, body in extra if "".join(body)]
    return title, text, blocks
