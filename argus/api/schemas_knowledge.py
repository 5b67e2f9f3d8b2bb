"""Bodies and queries of the knowledge routes.

Every rule a request must follow is stated in the schema (lengths, no NUL, required texts
holding a visible character, the closed category vocabulary), so a request the schema allows is
always taken; the entry is then validated as an entry read from a file is
(:class:`argus.knowledge.entry.KnowledgeEntry`: blanks dropped, firmware normalised, tags
lower-cased and de-duplicated).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from argus.api.schemas import NO_NUL, Storable
from argus.knowledge.categories import Category
from argus.knowledge.entry import KnowledgeEntry
from argus.knowledge.filters import SearchFilters
from argus.knowledge.loaded import validate_entry
from argus.knowledge.search import MAX_QUERY_CHARS, SearchHit

#: A character that is blank neither to Python's ``str.strip`` nor to a JSON Schema regex's
#: ``\s``, and is not NUL: a text holding one is never empty once stripped.
_VISIBLE = r"[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]"
FILLED = rf"^[^\x00]*{_VISIBLE}[^\x00]*$"
#: The longest symptom, root cause or solution taken (the model reads far less of it).
MAX_TEXT = 20_000

ShortText = Annotated[str, StringConstraints(max_length=100, pattern=NO_NUL), Storable]
LongText = Annotated[str, StringConstraints(max_length=MAX_TEXT, pattern=NO_NUL), Storable]
FilledText = Annotated[
    str, StringConstraints(min_length=1, max_length=MAX_TEXT, pattern=FILLED), Storable
]
SourceId = Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=FILLED), Storable]
SourceText = Annotated[str, StringConstraints(max_length=200, pattern=NO_NUL), Storable]
QueryText = Annotated[
    str, StringConstraints(min_length=1, max_length=MAX_QUERY_CHARS, pattern=NO_NUL), Storable
]


class KnowledgeFields(BaseModel):
    """A knowledge entry's fields but its source id: what an edit replaces."""

    model_config = ConfigDict(extra="forbid")

    error_code: ShortText | None = Field(None, description="exact code, e.g. 40P01")
    platform: ShortText | None = Field(None, description="platform it applies to; none: all")
    firmware: ShortText | None = Field(
        None, description="firmware version or dotted prefix it applies to; none: all"
    )
    module: ShortText | None = Field(None, description="module at fault")
    category: Category | None = Field(None, description="failure category (closed vocabulary)")
    symptom: FilledText = Field(description="how the failure appears in logs")
    root_cause: LongText | None = Field(None, description="why it happens")
    solution: FilledText = Field(description="remediation steps")
    tags: list[ShortText] = Field(default_factory=list, max_length=50, description="keywords")
    source: SourceText = Field("manual", description="where the entry came from")

    def entry(self, source_id: str) -> KnowledgeEntry:
        """The entry of these fields under ``source_id``, validated as a file's entry is
        (InputError, 400, should the two ever disagree)."""
        data = {**self.model_dump(exclude={"source_id"}), "source_id": source_id}
        return validate_entry(data, "request body", hint="nothing was written").entry


class KnowledgeCreate(KnowledgeFields):
    """A new knowledge entry."""

    source_id: SourceId | None = Field(
        None,
        description="the entry's upsert key (a later seed of a file with this id updates it);"
        " absent: a new one, api-<32 hex digits>; 409 when it is taken",
    )

    def new_entry(self) -> KnowledgeEntry:
        """The entry to add, under its source id or a new one."""
        return self.entry(self.source_id or f"api-{uuid.uuid4().hex}")


class KnowledgeView(BaseModel):
    """A stored knowledge entry."""

    kb_id: int = Field(description="its id in the paths of these routes")
    source_id: str
    error_code: str | None
    platform: str | None
    firmware: str | None
    module: str | None
    category: Category | None
    symptom: str
    root_cause: str | None
    solution: str
    tags: list[str]
    source: str
    created_at: datetime
    updated_at: datetime


class KnowledgeSearchQuery(BaseModel):
    """A hybrid search: the text, then the hard filters an entry must pass to be returned."""

    q: QueryText = Field(description="symptom text or log lines to look up")
    error_code: ShortText | None = Field(None, description="only entries with this exact code")
    platform: ShortText | None = Field(None, description="this platform (or generic entries)")
    firmware: ShortText | None = Field(
        None, description="this firmware version or prefix (or generic entries)"
    )
    module: ShortText | None = Field(None, description="only entries of this module")
    category: Category | None = Field(None, description="only entries of this category")
    generic: bool = Field(
        True, description="keep entries without a platform / firmware of their own"
    )
    limit: int = Field(10, ge=1, le=50, description="hits to return")

    def filters(self) -> SearchFilters:
        """The hard filters of this query (blank values dropped, firmware normalised)."""
        return SearchFilters.build(
            error_code=self.error_code,
            platform=self.platform,
            firmware=self.firmware,
            module=self.module,
            category=self.category.value if self.category else None,
            include_generic=self.generic,
        )


class KnowledgeSearchView(BaseModel):
    """Hits, best first, each with its scores and the reasons it matched."""

    hits: list[SearchHit]
    strategy: str = Field(description="vector path used: exact, hnsw or hnsw+exact-fallback")
    filters: list[str] = Field(description="the active filters as field=value")
