"""Bodies of the module-description routes: the listing query, the views, the decisions.

Who decides is said by the request: every approval, rejection and edit carries a required
``by`` (a name or an e-mail), stored with the time in the description's history. The bearer
key only says the caller may use the API; it names nobody.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from argus.api.schemas import NO_NUL, Storable
from argus.api.schemas_knowledge import FILLED
from argus.store.descriptions import DescriptionState, Drafter

#: Descriptions per page unless asked otherwise, and the most a page may hold.
DEFAULT_PAGE = 50
MAX_PAGE = 500
#: Longest text a person may write (drafts are capped shorter: argus.describe.text).
MAX_EDIT_CHARS = 2000
#: Most descriptions one bulk decision or one draft request may address.
MAX_BULK = 500


def _not_blank(text: str) -> str:
    if not text.strip():  # FILLED refuses it already; kept for callers that skip the pattern
        raise ValueError("must not be blank")
    return text.strip()


#: Who decides: a person's name or e-mail (1-200 characters, not blank).
Actor = Annotated[
    str,
    StringConstraints(min_length=1, max_length=200, pattern=FILLED),
    Storable,
    AfterValidator(_not_blank),
]
ModuleName = Annotated[
    str, StringConstraints(min_length=1, max_length=500, pattern=NO_NUL), Storable
]
EditText = Annotated[
    str,
    StringConstraints(min_length=1, max_length=MAX_EDIT_CHARS, pattern=FILLED),
    Storable,
    AfterValidator(_not_blank),
]
#: An id in a JSON body: at most 2**53 - 1, the largest integer every JSON parser reads exactly.
DescriptionId = Annotated[int, Field(ge=1, le=2**53 - 1)]


class DescriptionListQuery(BaseModel):
    """Filters and paging of ``GET /api/v1/descriptions``."""

    state: list[DescriptionState] = Field(
        default_factory=list, description="repeatable: descriptions in any of these states"
    )
    module: ModuleName | None = Field(None, description="this module and its submodules only")
    limit: int = Field(DEFAULT_PAGE, ge=1, le=MAX_PAGE, description="descriptions per page")
    offset: int = Field(0, ge=0, le=10_000_000, description="descriptions to skip")


class DescriptionView(BaseModel):
    """A module's (``smod`` null) or submodule's description and where it stands."""

    model_config = ConfigDict(from_attributes=True)

    description_id: int = Field(description="its id in the paths of these routes")
    mod: str
    smod: str | None = Field(description="null: the module itself")
    text: str | None = Field(description="the current text; null while missing")
    state: DescriptionState
    drafted_by: Drafter | None = Field(description="llm, templates, or person (an edit)")
    model: str | None = Field(description="the LLM that drafted it")
    drafted_at: datetime | None
    decided_by: str | None = Field(description="who approved, rejected or edited it last")
    decided_at: datetime | None
    updated_at: datetime


class DescriptionEventView(BaseModel):
    """One draft or decision."""

    model_config = ConfigDict(from_attributes=True)

    action: Literal["drafted", "approved", "edited", "rejected"]
    text: str
    actor: str = Field(description="a person, or llm / templates for drafts")
    at: datetime


class DescriptionDetail(DescriptionView):
    """A description with its whole history, oldest first."""

    history: list[DescriptionEventView]


class DescriptionPageView(BaseModel):
    """A page of descriptions, by module then submodule (a module before its submodules)."""

    descriptions: list[DescriptionView]
    total: int = Field(description="descriptions passing the filters, over all pages")
    limit: int
    offset: int


class DraftRequest(BaseModel):
    """Which descriptions to draft."""

    model_config = ConfigDict(extra="forbid")

    scope: Literal["missing", "all"] = Field(
        "missing",
        description="missing: those without a text or rejected; all: also redraft drafts "
        "(approved descriptions are never redrafted)",
    )
    module: ModuleName | None = Field(None, description="this module and its submodules only")
    limit: int = Field(50, ge=1, le=MAX_BULK, description="draft at most this many")


class DraftView(BaseModel):
    """What a draft request wrote."""

    drafted: list[DescriptionView]
    by_llm: int = Field(description="drafts written by the LLM")
    by_templates: int = Field(description="drafts built from the most frequent templates")
    skipped: int = Field(description="approved while drafting: left alone")
    fallbacks: list[str] = Field(description="why the LLM's draft was not used, per draft")
    remaining: int = Field(description="descriptions in scope still to draft (over the limit)")


class Decision(BaseModel):
    """An approval or rejection of one description."""

    model_config = ConfigDict(extra="forbid")

    by: Actor = Field(description="who decides (stored with the time in the history)")


class Edit(BaseModel):
    """A person's text for a description, approved at once."""

    model_config = ConfigDict(extra="forbid")

    text: EditText
    by: Actor = Field(description="who writes it (stored with the time in the history)")


class BulkDecision(BaseModel):
    """The same decision on several descriptions."""

    model_config = ConfigDict(extra="forbid")

    ids: list[DescriptionId] = Field(min_length=1, max_length=MAX_BULK)
    by: Actor = Field(description="who decides")


class BulkOutcome(BaseModel):
    """What became of one description of a bulk decision."""

    description_id: int
    outcome: Literal["done", "not_found", "conflict"]
    detail: str | None = Field(description="why it was not done")
    description: DescriptionView | None = Field(description="the description after the decision")


class BulkView(BaseModel):
    """Each description of a bulk decision, in the order asked (repeats once)."""

    results: list[BulkOutcome]
    done: int
