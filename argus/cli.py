"""The ``argus`` command line."""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Coroutine
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.table import Table

from argus.config import Settings, get_settings
from argus.errors import ArgusError
from argus.ingest.pipeline import ingest_files
from argus.runtime.doctor import run_doctor
from argus.runtime.services import running_services

app = typer.Typer(
    name="argus",
    help="Diagnose failures from logs: mine templates, compute statistics, run the agent graph.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console()
err_console = Console(stderr=True)

T = TypeVar("T")


def _run(coro: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine; print an ArgusError as message and hint, and exit with its code."""
    try:
        return asyncio.run(coro)
    except ArgusError as exc:
        err_console.print(f"[bold red]error:[/] {exc.message}")
        if exc.hint:
            err_console.print(f"[yellow]hint:[/] {exc.hint}")
        raise typer.Exit(exc.exit_code) from None


def _settings() -> Settings:
    try:
        return get_settings()
    except ArgusError as exc:
        err_console.print(f"[bold red]error:[/] {exc.message}\n[yellow]hint:[/] {exc.hint}")
        raise typer.Exit(exc.exit_code) from None


@app.callback()
def main(
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="log progress details")] = False,
) -> None:
    """Argus: diagnoses failures from logs with a graph of LLM agents."""
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )


@app.command()
def doctor(
    skip_embeddings: Annotated[
        bool, typer.Option(help="do not load the embedding model (it takes a few seconds)")
    ] = False,
) -> None:
    """Print the effective configuration (secrets masked) and check every service."""
    settings = _settings()
    table = Table("setting", "value", title="Effective configuration")
    for key, value in settings.masked().items():
        table.add_row(key, str(value))
    console.print(table)
    checks = _run(run_doctor(settings, embeddings=not skip_embeddings))
    results = Table("service", "status", "detail", "s", title="Services")
    for check in checks:
        status = "[green]ok[/]" if check.ok else "[red]DOWN[/]"
        results.add_row(check.name, status, check.detail, f"{check.seconds:.1f}")
    console.print(results)
    if not all(c.ok for c in checks):
        raise typer.Exit(1)


@app.command()
def migrate() -> None:
    """Apply pending database migrations (they are also applied by every command at start)."""
    settings = _settings()

    async def go() -> list[int]:
        async with running_services(settings) as services:
            return services.migrations_applied

    applied = _run(go())
    if applied:
        console.print(f"applied migrations: {', '.join(f'{v:04d}' for v in applied)}")
    else:
        console.print("schema is up to date")


@app.command()
def diagnose(
    paths: Annotated[list[Path], typer.Argument(help="log files (.log or .gz) of one batch")],
) -> None:
    """Run the pipeline on PATHS and print what it found.

    Built so far: embedded services, migrations, the file registry and streaming ingestion.
    Template mining and the agent diagnosis are the next stages.
    """
    settings = _settings()
    for path in paths:
        if not path.is_file():
            err_console.print(f"[bold red]error:[/] no such file: {path}")
            raise typer.Exit(3)

    async def go() -> None:
        async with running_services(settings) as services:
            for note in services.started:
                console.print(f"[dim]{note}[/]")
            migrated = services.migrations_applied
            console.print(
                f"[dim]schema: {'applied ' + str(migrated) if migrated else 'up to date'}[/]"
            )
            assert services.database_url is not None
            outcomes = await ingest_files(services.database_url, paths, settings, console)
        failed = [o for o in outcomes if o.error]
        console.print(
            f"ingested {sum(o.lines for o in outcomes):,} lines from {len(outcomes)} file(s)"
            f"{f', {len(failed)} with errors' if failed else ''}."
        )
        console.print(
            "[yellow]Not built yet:[/] template mining (issue #3) and the agent diagnosis "
            "(issue #5); this run stopped after ingestion."
        )

    _run(go())
