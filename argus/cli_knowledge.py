"""``argus knowledge``: seed, search and re-embed the knowledge base.

Loaded by every ``argus`` invocation: the embedder, the search and the database driver are
imported by the command that uses them, not here (see ``argus.cli``).
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from argus.cli_support import console, counted_progress, fail, load_settings, print_table, run
from argus.errors import ArgusError
from argus.knowledge.categories import DESCRIPTIONS
from argus.knowledge.filters import SearchFilters

if TYPE_CHECKING:
    import psycopg

    from argus.config import Settings
    from argus.knowledge.search import SearchResult
    from argus.knowledge.seed import SeedReport

knowledge_app = typer.Typer(
    help="Curate and search the knowledge base (runbooks and known failures).",
    no_args_is_help=True,
)


@asynccontextmanager
async def _connection(settings: Settings) -> AsyncIterator[psycopg.AsyncConnection[Any]]:
    from argus.runtime.services import running_database
    from argus.store.connection import connect

    async with running_database(settings) as database:
        conn = await connect(database.url)
        async with conn:
            yield conn


@knowledge_app.command()
def seed(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(
            help="YAML/JSONL files, Markdown runbooks or folders; none: the starter pack"
        ),
    ] = None,
    starter: Annotated[bool, typer.Option("--starter", help="also seed the starter pack")] = False,
) -> None:
    """Upsert entries by source id: unchanged entries are skipped, changed ones re-embedded."""
    from argus.knowledge.embeddings import make_embedder
    from argus.knowledge.pack import load_starter_pack
    from argus.knowledge.seed import check_unique, load_paths, seed_entries

    settings = load_settings()
    try:
        loaded = load_paths(paths or [])
        if starter or not paths:
            loaded = load_starter_pack() + loaded
        check_unique(loaded)
    except ArgusError as exc:
        raise fail(exc) from None

    async def go() -> SeedReport:
        embedder = make_embedder(settings)
        async with _connection(settings) as conn:
            with counted_progress("embedding and writing") as advance:
                return await seed_entries(conn, loaded, embedder, progress=advance)

    report = run(go())
    console.print(
        f"{report.entries} entries: {report.inserted} new, {report.updated} updated, "
        f"{report.unchanged} unchanged; {report.embedded} embedded."
    )


@knowledge_app.command()
def search(
    text: Annotated[str, typer.Argument(help="symptom text or log lines to look up")],
    module: Annotated[str | None, typer.Option(help="only entries of this module")] = None,
    error_code: Annotated[str | None, typer.Option(help="only entries with this code")] = None,
    platform: Annotated[str | None, typer.Option(help="this platform (or generic)")] = None,
    firmware: Annotated[str | None, typer.Option(help="firmware version or prefix")] = None,
    category: Annotated[str | None, typer.Option(help="one category, see 'categories'")] = None,
    generic: Annotated[
        bool, typer.Option(help="keep entries without platform/firmware scope")
    ] = True,
    limit: Annotated[int, typer.Option(min=1, max=100, help="number of hits")] = 5,
    as_json: Annotated[bool, typer.Option("--json", help="print the hits as JSON")] = False,
) -> None:
    """Hybrid search: hard filters, then vector and full-text ranking fused (RRF)."""
    from argus.knowledge.embeddings import make_embedder
    from argus.knowledge.search import hybrid_search

    settings = load_settings()
    try:
        filters = SearchFilters.build(
            error_code=error_code,
            platform=platform,
            firmware=firmware,
            module=module,
            category=category,
            include_generic=generic,
        )
    except ArgusError as exc:
        raise fail(exc) from None

    async def go() -> SearchResult:
        embedder = make_embedder(settings)
        async with _connection(settings) as conn:
            return await hybrid_search(conn, text, embedder=embedder, filters=filters, limit=limit)

    result = run(go())
    if as_json:
        typer.echo(json.dumps(result.to_dict(), indent=2, ensure_ascii=False))
        return
    _print_hits(result)


def _print_hits(result: SearchResult) -> None:
    if not result.hits:
        console.print(
            "no entry matches" + (f" {', '.join(result.filters)}" if result.filters else "")
        )
        return
    for rank, hit in enumerate(result.hits, 1):
        facts = " · ".join(x for x in (hit.error_code, hit.category, hit.module) if x)
        console.print(f"[bold]{rank}. {hit.source_id}[/]  [cyan]{facts}[/]  score {hit.score:.4f}")
        console.print(f"   {hit.symptom.splitlines()[0]}", markup=False, highlight=False)
        for reason in hit.reasons:
            console.print(f"   [dim]- {reason}[/]")
        first_step = hit.solution.splitlines()[0] if hit.solution else ""
        console.print(f"   fix: {first_step}", markup=False, highlight=False)
    console.print(f"[dim]vector path: {result.strategy}[/]")


@knowledge_app.command()
def reembed() -> None:
    """Re-embed every entry and past diagnosis with the configured model (resizes vectors)."""
    from argus.knowledge.embeddings import make_embedder
    from argus.knowledge.space import reembed_all

    settings = load_settings()

    async def go() -> tuple[int, int]:
        embedder = make_embedder(settings)
        async with _connection(settings) as conn:
            with counted_progress("re-embedding") as advance:
                return await reembed_all(conn, embedder, progress=advance)

    entries, diagnoses = run(go())
    console.print(
        f"re-embedded {entries} entries and {diagnoses} diagnoses with {settings.embedding_model}."
    )


@knowledge_app.command()
def categories() -> None:
    """List the closed vocabulary of failure categories."""
    print_table(
        ("category", "meaning"),
        [(category.value, meaning) for category, meaning in DESCRIPTIONS.items()],
    )
