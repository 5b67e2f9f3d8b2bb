"""Drafting descriptions: the use case behind ``argus describe`` and the draft routes.

For each module or submodule without an approved description, the LLM drafts one when one is
configured; on any LLM failure (no answer, an invalid answer twice, the breaker open, the
budget spent) the template drafter writes it instead, and the summary says why. A draft never
replaces an approved description, even one approved while the drafting ran.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import psycopg

from argus.config import Settings
from argus.describe.from_templates import template_description
from argus.describe.llm_draft import llm_description
from argus.errors import ArgusError, ConflictError
from argus.graph.inputs import llm_runtime
from argus.llm.budget import LLMClock
from argus.llm.runtime import LLMRuntime
from argus.llm.usage import Usage, UsageLimits
from argus.store import descriptions
from argus.store.descriptions import Description, DescriptionState, Drafter, NewDraft
from argus.store.module_profile import module_profile

log = logging.getLogger(__name__)

#: LLM calls (a re-ask and transient retries included) and tokens per description.
LIMITS = UsageLimits(max_steps=1, max_llm_calls=4, max_tokens=4_000)

#: Called after each description with (done, total, what was just drafted).
Progress = Callable[[int, int, str], None]


@dataclass(kw_only=True)
class DraftSummary:
    """What one drafting run wrote."""

    drafted: list[Description] = field(default_factory=list)  #: new drafts, in order
    by_llm: int = 0  #: drafts the LLM wrote
    by_templates: int = 0  #: drafts built from the templates
    skipped: int = 0  #: approved while the run went on: left alone
    fallbacks: list[str] = field(default_factory=list)  #: why the LLM was not used, per draft


@dataclass(kw_only=True)
class DescriptionDrafter:
    """Writes one draft: with ``runtime`` when given (each description with its own usage and
    time budget), else, or when the LLM fails, from the templates."""

    runtime: LLMRuntime | None = None
    budget_s: float = 120.0  #: LLM time per description

    async def draft(
        self, conn: psycopg.AsyncConnection[Any], target: Description
    ) -> tuple[NewDraft, str | None]:
        """The draft of ``target`` and, for a template draft while an LLM is configured, the
        reason the LLM's was not used."""
        profile = await module_profile(conn, target.mod, target.smod)
        reason = None
        if self.runtime is not None:
            runtime = dataclasses.replace(
                self.runtime, usage=Usage(), clock=LLMClock(budget_s=self.budget_s)
            )
            try:
                text = await llm_description(runtime, profile)
            except ArgusError as exc:
                reason = f"{target.mod}/{target.smod or '-'}: {exc.message}"
                log.info("LLM description failed, drafted from the templates: %s", reason)
            else:
                return NewDraft(
                    description_id=target.description_id,
                    text=text,
                    drafted_by=Drafter.LLM,
                    model=runtime.model_name,
                ), None
        text = template_description(profile)
        new = NewDraft(
            description_id=target.description_id, text=text, drafted_by=Drafter.TEMPLATES
        )
        return new, reason


@contextlib.contextmanager
def configured_drafter(settings: Settings) -> Iterator[DescriptionDrafter]:
    """The drafter the settings call for: the configured LLM (the local server started for the
    block when ARGUS_LLM=local) with the template fallback, or the templates alone."""
    with llm_runtime(settings, LIMITS, Usage()) as runtime:
        yield DescriptionDrafter(runtime=runtime, budget_s=settings.llm_budget_s)


@contextlib.asynccontextmanager
async def opened_drafter(settings: Settings) -> AsyncIterator[DescriptionDrafter]:
    """:func:`configured_drafter` for async callers: the local server (if any) is started and
    stopped in a thread, never blocking the event loop."""
    stack = contextlib.ExitStack()
    drafter = await asyncio.to_thread(stack.enter_context, configured_drafter(settings))
    try:
        yield drafter
    finally:
        await asyncio.to_thread(stack.close)


async def targets(
    conn: psycopg.AsyncConnection[Any], *, scope: str = "missing", mod: str | None = None
) -> list[Description]:
    """The descriptions a run drafts: ``missing`` (none yet, or rejected) or ``all`` (every
    one not approved), of module ``mod`` and its submodules when given."""
    return await descriptions.to_draft(conn, scope, mod=mod)


def draftable(target: Description) -> Description:
    """``target`` when a draft may replace it; ConflictError for an approved description
    (edit it instead)."""
    if target.state is DescriptionState.APPROVED:
        raise ConflictError(
            f"module description {target.description_id} is approved: edit it to change it"
        )
    return target


async def draft_all(
    conn: psycopg.AsyncConnection[Any],
    todo: Sequence[Description],
    drafter: DescriptionDrafter,
    progress: Progress | None = None,
) -> DraftSummary:
    """Draft and store each of ``todo`` in order (each draft its own transaction)."""
    summary = DraftSummary()
    for done, target in enumerate(todo, start=1):
        new, reason = await drafter.draft(conn, target)
        stored = await descriptions.save_draft(conn, new)
        if stored is None:
            summary.skipped += 1
        else:
            summary.drafted.append(stored)
            if new.drafted_by is Drafter.LLM:
                summary.by_llm += 1
            else:
                summary.by_templates += 1
        if reason:
            summary.fallbacks.append(reason)
        if progress:
            progress(done, len(todo), f"{target.mod}/{target.smod or '-'}")
    return summary
