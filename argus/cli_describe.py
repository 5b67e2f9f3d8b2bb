"""``argus describe [--module MOD] [--missing | --all]``: draft the descriptions of modules and
submodules for a person to approve (the console or ``/api/v1/descriptions``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from argus.cli_support import (
    console,
    counted_progress,
    err_console,
    load_settings,
    print_table,
    run,
)

if TYPE_CHECKING:
    from argus.describe.drafting import DraftSummary

#: Characters of a drafted text shown in the summary table.
SHOWN = 100


def describe_command(
    module: Annotated[
        str | None, typer.Option("--module", "-m", help="only this module and its submodules")
    ] = None,
    redraft: Annotated[
        bool,
        typer.Option(
            "--all/--missing",
            help="--missing (default): those without a description or rejected; --all: also "
            "redraft pending drafts. Approved descriptions are never redrafted.",
        ),
    ] = False,
) -> None:
    """Draft module and submodule descriptions: with the LLM when one is configured (falling
    back per description), else from their most frequent templates and levels."""
    from argus.describe.drafting import draft_all, opened_drafter, targets
    from argus.runtime.services import running_database
    from argus.store.connection import connect

    settings = load_settings()

    async def go() -> DraftSummary:
        async with running_database(settings) as database:
            for note in database.started:
                err_console.print(f"[dim]{note}[/]")
            async with await connect(database.url, vectors=False) as conn:
                todo = await targets(conn, scope="all" if redraft else "missing", mod=module)
                async with opened_drafter(settings) as drafter:
                    with counted_progress("describe") as bar:
                        bar(0, len(todo))
                        return await draft_all(conn, todo, drafter, bar)

    summary = run(go())
    _print(summary)


def _print(summary: DraftSummary) -> None:
    rows = [
        (
            escape(d.mod),
            escape(d.smod or "-"),
            str(d.drafted_by),
            escape(d.text[:SHOWN] + ("…" if len(d.text) > SHOWN else "") if d.text else ""),
        )
        for d in summary.drafted
    ]
    if rows:
        print_table(("module", "submodule", "by", "draft"), rows, title="Drafted descriptions")
    console.print(
        f"drafted {len(summary.drafted)} description(s): {summary.by_llm} by the LLM, "
        f"{summary.by_templates} from templates"
        + (f"; {summary.skipped} approved meanwhile, left alone" if summary.skipped else "")
    )
    for reason in summary.fallbacks[:10]:
        console.print(f"[yellow]LLM not used:[/] {escape(reason)}")
    if summary.drafted:
        console.print("approve them in the console or with POST /api/v1/descriptions/{id}/approve")
