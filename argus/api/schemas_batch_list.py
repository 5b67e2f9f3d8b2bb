"""The batch list: its query (filters, page size, cursor) and its answer (a page, the next
cursor). Every rule of the query is stated in the schema, so a request the schema allows is
always answered, and any other gets a 422 naming the parameter."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints

from argus.api.schemas import BatchFacts, Source
from argus.batch_status import BatchStatus
from argus.store.batch_list import BatchFilter, Position, position_of_cursor

#: Batches per page unless the client asks for another size, and the most it may ask for.
DEFAULT_PAGE = 50
MAX_PAGE = 500

#: ``key=value``: a key of 1-100 characters without ``=``, a value of at most 500; no NULs.
LabelFilter = Annotated[
    str,
    StringConstraints(max_length=601, pattern=r"^[^=\x00]{1,100}=[^\x00]{0,500}$"),
]
#: A page's end: microseconds since the epoch of the last batch's creation, "-", its id (hex).
Cursor = Annotated[str, StringConstraints(pattern=r"^[0-9]{1,16}-[0-9a-f]{32}$")]


class BatchListQuery(BaseModel):
    """Filters and paging of ``GET /api/v1/batches``."""

    state: list[BatchStatus] = Field(
        default_factory=list, description="repeatable: batches in any of these states"
    )
    source: Source | None = Field(None, description="batches of exactly this source")
    label: list[LabelFilter] = Field(
        default_factory=list,
        max_length=20,
        description="repeatable key=value: batches carrying every one of these labels",
    )
    limit: int = Field(DEFAULT_PAGE, ge=1, le=MAX_PAGE, description="batches per page")
    cursor: Cursor | None = Field(
        None, description="next_cursor of the previous page; absent: the newest batches"
    )

    def batch_filter(self) -> BatchFilter:
        """The store's filter of this query (each label split at its first ``=``)."""
        pairs = (text.partition("=") for text in self.label)
        return BatchFilter(
            states=tuple(self.state),
            source=self.source,
            labels=[(key, value) for key, _, value in pairs],
        )

    def after(self) -> Position | None:
        """Where the previous page ended, decoded from ``cursor`` (None: start at the top)."""
        return None if self.cursor is None else position_of_cursor(self.cursor)


class BatchSummary(BatchFacts):
    """One batch of a list: where it stands, without its files."""

    elapsed_s: float = Field(
        description="seconds from creation to diagnosis (or to failure); to now while under way"
    )


class BatchPageView(BaseModel):
    """A page of batches, newest first."""

    batches: list[BatchSummary]
    limit: int = Field(description="the page size asked for")
    next_cursor: Cursor | None = Field(
        description="pass as ?cursor= (with the same filters) for the next page; null: last page"
    )
