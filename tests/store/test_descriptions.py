"""Module descriptions in PostgreSQL: a row for every module and submodule pass 1 records,
drafts and decisions with their history, the approved text published on the module."""

from __future__ import annotations

import uuid

import psycopg
import pytest

from argus.errors import ConflictError, NotFoundError
from argus.store import descriptions
from argus.store.connection import connect, connect_sync
from argus.store.descriptions import DescriptionState, Drafter, NewDraft
from argus.store.stats import upsert_modules

pytestmark = pytest.mark.integration


@pytest.fixture
def mod(db_url: str) -> str:
    """A module of its own with two submodules, recorded as pass 1 records them."""
    name = f"mod-{uuid.uuid4().hex[:8]}"
    with connect_sync(db_url, vectors=False) as conn:
        upsert_modules(conn, [(name, "alpha"), (name, "beta"), (name, None)])
    return name


async def test_every_recorded_module_and_submodule_is_missing_a_description(
    db_url: str, mod: str
) -> None:
    async with await connect(db_url) as conn:
        page = await descriptions.list_descriptions(conn, mod=mod)
    assert [(d.mod, d.smod, d.state) for d in page.rows] == [
        (mod, None, DescriptionState.MISSING),
        (mod, "alpha", DescriptionState.MISSING),
        (mod, "beta", DescriptionState.MISSING),
    ]
    assert page.total == 3 and all(d.text is None for d in page.rows)


async def test_draft_approve_and_the_history_of_who_and_when(db_url: str, mod: str) -> None:
    async with await connect(db_url) as conn:
        target = await descriptions.find_description(conn, mod, None)
        draft = NewDraft(
            description_id=target.description_id,
            text="Serves orders.",
            drafted_by=Drafter.LLM,
            model="m1",
        )
        drafted = await descriptions.save_draft(conn, draft)
        approved = await descriptions.approve(conn, target.description_id, "ana")
        with pytest.raises(ConflictError, match="approved"):
            await descriptions.approve(conn, target.description_id, "bob")
        assert await descriptions.save_draft(conn, draft) is None  # approved: never redrafted
        edited = await descriptions.edit(conn, target.description_id, "bob", "Serves all orders.")
        history = await descriptions.history(conn, target.description_id)
    assert drafted is not None and drafted.state is DescriptionState.DRAFT
    assert approved.state is DescriptionState.APPROVED and approved.decided_by == "ana"
    assert approved.text == "Serves orders." and approved.drafted_by is Drafter.LLM
    assert edited.drafted_by is Drafter.PERSON and edited.model is None
    assert [(e.action, e.actor, e.text) for e in history] == [
        ("drafted", "llm", "Serves orders."),
        ("approved", "ana", "Serves orders."),
        ("edited", "bob", "Serves all orders."),
    ]
    assert history[0].at <= history[1].at <= history[2].at
    with psycopg.connect(db_url) as sync:
        row = sync.execute("SELECT description FROM module WHERE mod = %s", (mod,)).fetchone()
    assert row == ("Serves all orders.",)


async def test_reject_needs_a_draft_and_leaves_it_to_be_redrafted(db_url: str, mod: str) -> None:
    async with await connect(db_url) as conn:
        target = await descriptions.find_description(conn, mod, "alpha")
        with pytest.raises(ConflictError, match="missing"):
            await descriptions.reject(conn, target.description_id, "ana")
        await descriptions.save_draft(
            conn,
            NewDraft(description_id=target.description_id, text="x", drafted_by=Drafter.TEMPLATES),
        )
        rejected = await descriptions.reject(conn, target.description_id, "ana")
        missing = await descriptions.to_draft(conn, "missing", mod=mod)
        every = await descriptions.to_draft(conn, "all", mod=mod)
        with pytest.raises(NotFoundError):
            await descriptions.approve(conn, 2**62, "ana")
        with pytest.raises(NotFoundError):
            await descriptions.find_description(conn, mod, "gamma")
    assert rejected.state is DescriptionState.REJECTED and rejected.decided_by == "ana"
    assert {d.smod for d in missing} == {None, "alpha", "beta"}  # rejected ones redrafted
    assert {d.smod for d in every} == {None, "alpha", "beta"}


async def test_listing_filters_by_state_and_pages(db_url: str, mod: str) -> None:
    async with await connect(db_url) as conn:
        beta = await descriptions.find_description(conn, mod, "beta")
        await descriptions.edit(conn, beta.description_id, "ana", "Beta.")
        approved = await descriptions.list_descriptions(
            conn, mod=mod, states=[DescriptionState.APPROVED]
        )
        first = await descriptions.list_descriptions(conn, mod=mod, limit=2)
        second = await descriptions.list_descriptions(conn, mod=mod, limit=2, offset=2)
        past = await descriptions.list_descriptions(conn, mod=mod, limit=2, offset=10)
    assert [d.smod for d in approved.rows] == ["beta"] and approved.total == 1
    assert [d.smod for d in first.rows] == [None, "alpha"] and first.total == 3
    assert [d.smod for d in second.rows] == ["beta"] and second.total == 3
    assert past.rows == [] and past.total == 3
