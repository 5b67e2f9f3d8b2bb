"""The tools a chat agent may call over one batch (read-only, compact JSON-ready results).

Each tool wraps an existing analysis function: the stored report, the digest's top and error
templates, per-module counts, minute bursts, the baseline comparison, the ranked suspects and the
hybrid knowledge search. Arguments are validated by their schemas; results are capped in size.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Literal

from langchain_core.tools import BaseTool, StructuredTool
from pydantic import BaseModel, Field

from argus.agents.knowledge import build_query
from argus.chat.data import BatchData, error_minutes
from argus.chat.views import (
    MAX_ITEMS,
    burst_view,
    change_view,
    knowledge_view,
    module_view,
    report_view,
    suspect_view,
    template_view,
)
from argus.errors import ServiceUnavailable
from argus.graph.inputs import digest_of
from argus.tools.views import clip

Result = dict[str, Any]
MAX_HITS = 3  #: knowledge hits in a result (each carries symptom, cause and solution)


class NoArgs(BaseModel):
    """No arguments."""


class Limit(BaseModel):
    """How many rows to return."""

    limit: int = Field(10, ge=1, le=MAX_ITEMS, description="how many rows to return")


class ModuleLimit(Limit):
    """Rows, optionally of one module only."""

    module: str | None = Field(None, max_length=200, description="only this module (optional)")


class ChangeLimit(Limit):
    """Changes, optionally of one kind only."""

    kind: Literal["new", "spike", "drop"] | None = Field(None, description="only this kind")


class SearchArgs(BaseModel):
    """A knowledge-base search."""

    query: str | None = Field(
        None, max_length=500, description="what to look for; empty: the batch's own errors"
    )
    module: str | None = Field(None, max_length=200, description="only entries of this module")


ToolFn = Callable[[BatchData, Any], Awaitable[Result]]

#: name -> (description for the model, argument schema, implementation), in the order the rule
#: path prefers them.
TOOLS: dict[str, tuple[str, type[BaseModel], ToolFn]] = {}


def _register(name: str, schema: type[BaseModel]) -> Callable[[ToolFn], ToolFn]:
    """Add a tool; its docstring is the description the model reads."""

    def add(fn: ToolFn) -> ToolFn:
        TOOLS[name] = (" ".join((fn.__doc__ or name).split()), schema, fn)
        return fn

    return add


def chat_tools(data: BatchData) -> list[BaseTool]:
    """The tools over ``data`` (defaults and limits come from each tool's argument schema)."""
    return [_bind(data, name, text, schema, fn) for name, (text, schema, fn) in TOOLS.items()]


def _bind(data: BatchData, name: str, text: str, schema: type[BaseModel], fn: ToolFn) -> BaseTool:
    async def run(**kwargs: Any) -> Result:
        return await fn(data, schema.model_validate(kwargs))

    return StructuredTool.from_function(
        coroutine=run, name=name, description=text, args_schema=schema
    )


@_register("batch_report", NoArgs)
async def _report(data: BatchData, args: NoArgs) -> Result:
    """The stored diagnosis of this batch: summary, root cause, suspects, error codes,
    recommendations (or its status while it is not diagnosed)."""
    return {
        "batch_id": data.batch_id,
        "source": clip(data.batch.source, 200),
        **report_view(data.report, data.batch),
    }


@_register("suspect_modules", Limit)
async def _suspects(data: BatchData, args: Limit) -> Result:
    """Modules ranked by how likely they are the root cause, with the evidence, and whether the
    batch looks like an incident."""
    analysis = (await data.statistics()).analysis
    return {
        "incident": analysis.incident,
        "category_guess": analysis.category,
        "suspects": [suspect_view(s) for s in analysis.suspects[: args.limit]],
    }


@_register("error_templates", ModuleLimit)
async def _errors(data: BatchData, args: ModuleLimit) -> Result:
    """The batch's most frequent error templates (error level or error words) with counts and
    first/last time."""
    return await _templates(data, args, errors=True)


@_register("top_templates", ModuleLimit)
async def _top(data: BatchData, args: ModuleLimit) -> Result:
    """The batch's most frequent log templates with counts."""
    return await _templates(data, args, errors=False)


async def _templates(data: BatchData, args: ModuleLimit, *, errors: bool) -> Result:
    digest = (await data.statistics()).analysis.digest
    rows = digest.error_templates if errors else digest.top_templates
    rows = [r for r in rows if args.module is None or r.module == args.module]
    return {
        "records": digest.lines,
        "window_minutes": round(digest.window_minutes, 1),
        "templates": [template_view(r) for r in rows[: args.limit]],
    }


@_register("module_counts", Limit)
async def _modules(data: BatchData, args: Limit) -> Result:
    """Lines, error lines and rates per module (with the baseline's rates when there is a
    baseline)."""
    digest = (await data.statistics()).analysis.digest
    return {
        "has_baseline": digest.has_baseline,
        "modules_total": len(digest.modules),
        "modules": [module_view(m) for m in digest.modules[: args.limit]],
    }


@_register("minute_bursts", ModuleLimit)
async def _bursts(data: BatchData, args: ModuleLimit) -> Result:
    """The timeline: minutes in which a template ran far above its average, and the minutes with
    the most error lines."""
    stats = await data.statistics()
    digest = stats.analysis.digest
    bursts = [b for b in digest.bursts if args.module is None or b.module == args.module]
    return {
        "window_minutes": round(digest.window_minutes, 1),
        "bursts": [burst_view(b, stats.current.text(b.template_id)) for b in bursts[: args.limit]],
        "error_minutes": error_minutes(stats, args.limit, args.module),
    }


@_register("baseline_changes", ChangeLimit)
async def _changes(data: BatchData, args: ChangeLimit) -> Result:
    """Templates that are new, spiking or dropping against the baseline (the last diagnosed batches
    of the same source)."""
    digest = (await data.statistics()).analysis.digest
    changes = [c for c in digest.changes if args.kind is None or c.kind == args.kind]
    return {
        "has_baseline": digest.has_baseline,
        "baseline_minutes": round(digest.baseline_minutes, 1) if digest.baseline_minutes else None,
        "traffic_factor": round(digest.traffic_factor, 2),
        "changes": [change_view(c) for c in changes[: args.limit]],
    }


@_register("search_knowledge", SearchArgs)
async def _search(data: BatchData, args: SearchArgs) -> Result:
    """Search the knowledge base (past incidents, runbooks) for similar failures and their
    solutions."""
    if data.search is None:
        raise ServiceUnavailable("the knowledge base is not reachable for this chat")
    text = (args.query or "").strip()
    if not text:
        analysis = (await data.statistics()).analysis
        text = build_query({"digest": digest_of(analysis)})
    hits = await data.search(text, args.module)
    return {"query": clip(text, 300), "hits": [knowledge_view(h) for h in hits[:MAX_HITS]]}
