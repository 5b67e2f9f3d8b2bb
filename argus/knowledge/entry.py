"""One knowledge entry: the validated shape of a row of ``knowledge_base``."""

from __future__ import annotations

import hashlib
from typing import Any

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, field_validator

from argus.knowledge.categories import Category
from argus.knowledge.versions import normalize_firmware


class KnowledgeEntry(BaseModel):
    """A known failure: how it shows in logs, why it happens and how to fix it.

    ``platform`` and ``firmware`` scope an entry; left empty, the entry applies to every platform
    or firmware. ``symptom`` and ``solution`` also accept a list (log lines, numbered steps).
    """

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    source_id: str = Field(
        min_length=1,
        max_length=200,
        validation_alias=AliasChoices("id", "source_id"),
        description="stable identifier from the source file; the upsert key",
    )
    error_code: str | None = Field(None, max_length=100, description="exact code, e.g. 40P01")
    platform: str | None = Field(None, max_length=100, description="platform it applies to")
    firmware: str | None = Field(None, max_length=100, description="firmware version or prefix")
    module: str | None = Field(None, max_length=100, description="module at fault")
    category: Category | None = Field(None, description="failure category (closed vocabulary)")
    symptom: str = Field(min_length=1, description="how the failure appears in logs")
    root_cause: str | None = Field(None, description="why it happens")
    solution: str = Field(min_length=1, description="remediation steps")
    tags: tuple[str, ...] = Field((), description="free keywords")
    source: str = Field("manual", max_length=200, description="where the entry came from")

    @field_validator("source_id", mode="before")
    @classmethod
    def _identifier(cls, value: Any) -> Any:
        return str(value).strip() if isinstance(value, int | str) else value

    @field_validator("symptom", mode="before")
    @classmethod
    def _lines(cls, value: Any) -> Any:
        return _join(value, numbered=False) if isinstance(value, list) else _strip(value)

    @field_validator("solution", mode="before")
    @classmethod
    def _steps(cls, value: Any) -> Any:
        return _join(value, numbered=True) if isinstance(value, list) else _strip(value)

    @field_validator("error_code", "platform", "module", "root_cause", mode="before")
    @classmethod
    def _optional_text(cls, value: Any) -> Any:
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)  # YAML reads error codes such as 1213 as numbers
        value = _strip(value)
        return value or None

    @field_validator("firmware", mode="before")
    @classmethod
    def _firmware(cls, value: Any) -> Any:
        if isinstance(value, int | float):
            value = str(value)
        return (normalize_firmware(value) or None) if isinstance(value, str) else value

    @field_validator("tags", mode="before")
    @classmethod
    def _tags(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = value.split(",")
        if isinstance(value, list | tuple):
            cleaned = [str(t).strip().lower() for t in value if str(t).strip()]
            return tuple(dict.fromkeys(cleaned))
        return value

    def embedding_text(self) -> str:
        """The text whose vector represents this entry: what it looks like and why it happens."""
        return embedding_text(self.symptom, self.root_cause, self.category)

    def content_hash(self) -> str:
        """sha256 of :meth:`embedding_text`: when it is unchanged, so is the vector."""
        return content_hash(self.embedding_text())

    def row(self) -> tuple[object, ...]:
        """The stored columns, in the order of ``argus.store.knowledge.ENTRY_COLUMNS``."""
        return (
            self.source_id,
            self.error_code,
            self.platform,
            self.firmware,
            self.module,
            self.category.value if self.category else None,
            self.symptom,
            self.root_cause,
            self.solution,
            list(self.tags),
            self.source,
        )


def embedding_text(symptom: str, root_cause: str | None, category: str | None) -> str:
    """The embedded text of an entry from its stored columns (also used when re-embedding)."""
    parts = [symptom, root_cause or "", (category or "").replace("_", " ")]
    return "\n".join(p for p in parts if p)


def content_hash(text: str) -> str:
    """sha256 hex digest of an embedded text."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def _join(items: list[Any], *, numbered: bool) -> str:
    lines = [str(item).strip() for item in items if str(item).strip()]
    if numbered:
        return "\n".join(f"{i}. {line}" for i, line in enumerate(lines, 1))
    return "\n".join(lines)
