"""Drafting descriptions on real mined templates: from the templates (deterministic), by a
scripted LLM, and the fallback when the LLM's answer is invalid."""

from __future__ import annotations

from typing import Any

import psycopg
import pytest
from langchain_core.language_models.fake_chat_models import FakeListChatModel

from argus.describe.drafting import DescriptionDrafter, draft_all, targets
from argus.llm.policy import RetryPolicy
from argus.llm.runtime import LLMRuntime
from argus.store import descriptions
from argus.store.connection import connect
from argus.store.descriptions import DescriptionState, Drafter

pytestmark = pytest.mark.integration


def _top_template(url: str, mod: str) -> tuple[str, int]:
    with psycopg.connect(url) as conn:
        row = conn.execute(
            "SELECT t.template, sum(s.line_count) FROM log_match_summary s"
            " JOIN regex_template t USING (template_id) WHERE s.mod = %s"
            " GROUP BY t.template, s.template_id ORDER BY 2 DESC, s.template_id LIMIT 1",
            (mod,),
        ).fetchone()
    assert row is not None
    return str(row[0]), int(row[1])


def _llm(*answers: str) -> LLMRuntime:
    return LLMRuntime(model=FakeListChatModel(responses=list(answers)), model_name="scripted")


async def _draft(conn: psycopg.AsyncConnection[Any], mod: str, drafter: DescriptionDrafter) -> Any:
    todo = [t for t in await targets(conn, scope="all", mod=mod) if t.smod is None]
    assert len(todo) == 1
    return await draft_all(conn, todo, drafter)


async def test_template_draft_names_the_module_levels_and_top_template(shop_db: str) -> None:
    template, lines = _top_template(shop_db, "payment")
    async with await connect(shop_db) as conn:
        first = await _draft(conn, "payment", DescriptionDrafter())
        again = await _draft(conn, "payment", DescriptionDrafter())
        history = await descriptions.history(conn, first.drafted[0].description_id)
    drafted = first.drafted[0]
    assert drafted.state is DescriptionState.DRAFT and drafted.drafted_by is Drafter.TEMPLATES
    assert first.by_templates == 1 and first.by_llm == 0 and first.fallbacks == []
    text = drafted.text or ""
    assert text.startswith("The module payment wrote ") and "log lines in 1 file (" in text
    assert "INFO" in text and "%" in text  # the level shares
    assert template.replace('"', "'")[:60] in text and f"{lines:,} lines" in text
    assert "Submodules: ledger, pool." in text
    assert len(text) <= 600
    assert again.drafted[0].text == text  # the same statistics give the same text
    assert [(e.action, e.actor) for e in history] == [("drafted", "templates")] * 2


async def test_an_llm_draft_is_validated_and_stored_as_the_llm_s(shop_db: str) -> None:
    answer = "The gateway routes shop requests to the payment and order services."
    async with await connect(shop_db) as conn:
        summary = await _draft(conn, "gateway", DescriptionDrafter(runtime=_llm(answer)))
    drafted = summary.drafted[0]
    assert drafted.text == answer and drafted.drafted_by is Drafter.LLM
    assert drafted.model == "scripted" and summary.by_llm == 1 and summary.fallbacks == []


async def test_an_invalid_llm_answer_falls_back_to_the_templates(shop_db: str) -> None:
    markup = "## Gateway\n* routes **requests**"
    async with await connect(shop_db) as conn:
        summary = await _draft(conn, "gateway", DescriptionDrafter(runtime=_llm(markup, markup)))
    drafted = summary.drafted[0]
    assert drafted.drafted_by is Drafter.TEMPLATES and drafted.model is None
    assert (drafted.text or "").startswith("The module gateway wrote ")
    assert len(summary.fallbacks) == 1 and "invalid twice" in summary.fallbacks[0]


class _Refusing(FakeListChatModel):
    """A chat model whose server is down: every request fails to connect."""

    async def _acall(self, *args: Any, **kwargs: Any) -> str:
        raise ConnectionRefusedError("connection refused")


async def test_an_unreachable_llm_falls_back_to_the_templates(shop_db: str) -> None:
    runtime = LLMRuntime(
        model=_Refusing(responses=["unused"]), retry=RetryPolicy(attempts=1), model_name="down"
    )
    async with await connect(shop_db) as conn:
        summary = await _draft(conn, "auth", DescriptionDrafter(runtime=runtime))
    drafted = summary.drafted[0]
    assert drafted.drafted_by is Drafter.TEMPLATES and summary.by_llm == 0
    assert (drafted.text or "").startswith("The module auth wrote ")
    assert len(summary.fallbacks) == 1 and summary.fallbacks[0].startswith("auth/-: ")


async def test_approved_descriptions_are_never_redrafted(shop_db: str) -> None:
    async with await connect(shop_db) as conn:
        page = await descriptions.list_descriptions(conn, mod="payment")
        pool = next(d for d in page.rows if d.smod == "pool")
        await descriptions.edit(conn, pool.description_id, "ops@example.com", "Connection pool.")
        left = await targets(conn, scope="all", mod="payment")
        summary = await draft_all(conn, [pool], DescriptionDrafter())
        kept = await descriptions.get_description(conn, pool.description_id)
    assert pool.description_id not in {t.description_id for t in left}
    assert summary.skipped == 1 and summary.drafted == []
    assert kept.text == "Connection pool." and kept.state is DescriptionState.APPROVED
