"""Knowledge routes: add, read, replace and delete entries, and hybrid search.

Entries are written by :mod:`argus.knowledge.curation` through the write path seeds take
(``argus knowledge seed``), and searched by :func:`argus.knowledge.search.hybrid_search`, the
search the diagnosis and the chat use.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response, status

from argus.api.deps import ConnDep, EmbedderDep
from argus.api.schemas import errors
from argus.api.schemas_knowledge import (
    KnowledgeCreate,
    KnowledgeFields,
    KnowledgeSearchQuery,
    KnowledgeSearchView,
    KnowledgeView,
)
from argus.knowledge import curation
from argus.knowledge.search import hybrid_search

router = APIRouter(prefix="/api/v1/knowledge", tags=["knowledge"], responses=errors(401))
#: The id of an entry (a PostgreSQL bigint).
KbId = Annotated[int, Path(ge=1, le=2**63 - 1, description="the entry's kb_id")]


@router.post("", status_code=status.HTTP_201_CREATED, responses=errors(400, 409, 413))
async def add_entry(body: KnowledgeCreate, conn: ConnDep, embedder: EmbedderDep) -> KnowledgeView:
    """Add an entry (embedded at once, searchable as soon as this answers); 409 when its
    source id is taken."""
    stored = await curation.add_entry(conn, body.new_entry(), embedder)
    return KnowledgeView.model_validate(stored)


@router.get("/search")
async def search(
    query: Annotated[KnowledgeSearchQuery, Query()], conn: ConnDep, embedder: EmbedderDep
) -> KnowledgeSearchView:
    """Hybrid search: only entries passing the hard filters (error code, module and category
    exact; platform and firmware scoping, generic entries kept unless ``generic=false``), ranked
    by vector similarity, full-text rank and an exact error code in ``q``, fused."""
    result = await hybrid_search(
        conn, query.q, embedder=embedder, filters=query.filters(), limit=query.limit
    )
    return KnowledgeSearchView(hits=result.hits, strategy=result.strategy, filters=result.filters)


@router.get("/{kb_id}", responses=errors(404))
async def get_entry(kb_id: KbId, conn: ConnDep) -> KnowledgeView:
    """One entry."""
    return KnowledgeView.model_validate(await curation.read_entry(conn, kb_id))


@router.put("/{kb_id}", responses=errors(400, 404, 413))
async def replace_entry(
    kb_id: KbId, body: KnowledgeFields, conn: ConnDep, embedder: EmbedderDep
) -> KnowledgeView:
    """Replace every field of an entry but its source id (fields left out take their
    defaults); it is embedded again only when its symptom, root cause or category changed."""
    stored = await curation.replace_entry(conn, kb_id, body.entry, embedder)
    return KnowledgeView.model_validate(stored)


@router.delete(
    "/{kb_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses=errors(404),
)
async def delete_entry(kb_id: KbId, conn: ConnDep) -> None:
    """Delete an entry (404 afterwards)."""
    await curation.remove_entry(conn, kb_id)
