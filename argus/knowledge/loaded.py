"""A knowledge entry as read from a file, and the validation every file format shares.

Both readers (argus.knowledge.loaders for YAML and JSONL, argus.knowledge.runbooks for Markdown)
build their entries here, so that neither imports the other for it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from argus.errors import InputError
from argus.knowledge.entry import KnowledgeEntry

FIX_HINT = "fix the entry and seed again; nothing was written"


@dataclass(frozen=True, kw_only=True)
class LoadedEntry:
    """An entry and where it was read from."""

    entry: KnowledgeEntry  #: the validated entry
    location: str  #: ``file:line`` where the entry starts, for messages


def validate_entry(data: dict[str, Any], location: str, *, hint: str = FIX_HINT) -> LoadedEntry:
    """Validate one raw entry; on failure raise InputError naming ``location`` and the field
    (with ``hint``)."""
    try:
        return LoadedEntry(entry=KnowledgeEntry.model_validate(data), location=location)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"]) or "entry"
        ident = data.get("id", data.get("source_id"))
        label = f"entry {ident!r}" if ident is not None else "entry"
        raise InputError(
            f"{location}: {label}: {field}: {first['msg']}"
            + (f" (and {exc.error_count() - 1} more problem(s))" if exc.error_count() > 1 else ""),
            hint=hint,
        ) from None
