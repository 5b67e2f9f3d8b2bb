"""The ``argus`` command line."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from argus.agents.report_view import print_report
from argus.cli_support import console, err_console, fail, load_settings, run
from argus.errors import ArgusError, ConfigError
from argus.graph.diagnose import BatchDiagnosis, BatchRequest, diagnose_batch
from argus.ingest.formats import LogFormat
from argus.ingest.parse_output import write_parse_csv
from argus.ingest.pipeline import FileOutcome, Mode, process_files
from argus.knowledge.cli import knowledge_app
from argus.mining.engine import MiningEngine
from argus.runtime.doctor import run_doctor
from argus.runtime.services import running_services

app = typer.Typer(
    name="argus",
    help="Diagnose failures from logs: mine templates, compute statistics, run the agent graph.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.add_typer(knowledge_app, name="knowledge")


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
    settings = load_settings()
    table = Table("setting", "value", title="Effective configuration")
    for key, value in settings.masked().items():
        table.add_row(key, str(value))
    console.print(table)
    checks = run(run_doctor(settings, embeddings=not skip_embeddings))
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
    settings = load_settings()

    async def go() -> list[int]:
        async with running_services(settings) as services:
            return services.migrations_applied

    applied = run(go())
    if applied:
        console.print(f"applied migrations: {', '.join(f'{v:04d}' for v in applied)}")
    else:
        console.print("schema is up to date")


FormatOption = Annotated[
    str | None,
    typer.Option(
        "--format", "-f",
        help="logpai log_format, e.g. '<Date> <Time> <Level> <Component>: <Content>'; "
        "default: the bracket format [ts][level][thread][mod][smod] content",
    ),
]  # fmt: skip
FilesArgument = Annotated[list[Path], typer.Argument(help="log files (.log or .gz)")]


def _check_files(paths: list[Path]) -> None:
    for path in paths:
        if not path.is_file():
            err_console.print(f"[bold red]error:[/] no such file: {path}")
            raise typer.Exit(3)


def _process(
    paths: list[Path], log_format: str | None, mode: Mode, *, use_db: bool = True,
    on_engine: Callable[[MiningEngine, Path], None] | None = None,
) -> list[FileOutcome]:  # fmt: skip
    """Run the passes of ``mode`` over ``paths`` on the configured (or embedded) database."""
    settings = load_settings()
    _check_files(paths)
    try:
        fmt = LogFormat.parse(log_format)
    except ArgusError as exc:
        raise fail(exc) from None

    async def go() -> list[FileOutcome]:
        if not use_db:
            return await asyncio.to_thread(
                process_files, settings, None, paths, fmt, mode, console, on_engine
            )
        async with running_services(settings) as services:
            for note in services.started:
                console.print(f"[dim]{note}[/]")
            return await asyncio.to_thread(
                process_files, settings, services.database_url, paths, fmt, mode, console,
                on_engine,
            )  # fmt: skip

    outcomes = run(go())
    _print_totals(outcomes)
    return outcomes


def _print_totals(outcomes: list[FileOutcome]) -> None:
    lines = sum(o.lines for o in outcomes)
    seconds = sum(o.seconds for o in outcomes)
    failed = sum(1 for o in outcomes if o.error)
    console.print(
        f"total: {len(outcomes)} file(s), {lines:,} lines, "
        f"{sum(o.unmatched for o in outcomes):,} unmatched records, "
        f"+{sum(o.templates_added for o in outcomes)} templates, "
        f"{lines / seconds if seconds else 0:,.0f} lines/s"
        + (f", [red]{failed} file(s) with errors[/]" if failed else ""),
        highlight=False,
    )


@app.command()
def mine(paths: FilesArgument, log_format: FormatOption = None) -> None:
    """Pass 1: evolve the template library over PATHS (nothing is counted)."""
    _process(paths, log_format, "mine")


@app.command()
def stats(paths: FilesArgument, log_format: FormatOption = None) -> None:
    """Pass 2: count PATHS with the current library and store the statistics."""
    _process(paths, log_format, "stats")


@app.command()
def parse(
    path: Annotated[Path, typer.Argument(help="a log file (.log or .gz)")],
    out: Annotated[Path, typer.Option("--out", "-o", help="CSV to write")],
    log_format: FormatOption = None,
    use_db: Annotated[
        bool, typer.Option("--db/--no-db", help="use the stored library, or a private one")
    ] = True,
) -> None:
    """Mine and match one file; write one CSV row per line (LineId, Content, EventId, ...)."""

    def write(engine: MiningEngine, done: Path) -> None:
        rows = write_parse_csv(engine, done, out)
        console.print(f"wrote {rows:,} rows to {out}")

    _process([path], log_format, "all", use_db=use_db, on_engine=write)


@app.command()
def diagnose(
    paths: FilesArgument,
    log_format: FormatOption = None,
    baseline: Annotated[
        list[Path] | None,
        typer.Option("--baseline", "-b", help="fault-free files of the same system (repeatable)"),
    ] = None,
    label: Annotated[
        list[str] | None, typer.Option(help="batch label KEY=VALUE, e.g. platform=pos (repeatable)")
    ] = None,
    source: Annotated[
        str,
        typer.Option(
            help="where the batch comes from; without --baseline, the last "
            "diagnosed batches of the same source are the baseline"
        ),
    ] = "cli",
    as_json: Annotated[bool, typer.Option("--json", help="print the report as JSON")] = False,
) -> None:
    """Diagnose one batch: both passes, the analysis against the baseline, the agent graph."""
    settings = load_settings()
    _check_files([*paths, *(baseline or [])])
    labels = _labels(label or [])
    request = BatchRequest(paths, baseline or [], log_format, source, labels)
    out = err_console if as_json else console

    async def go() -> BatchDiagnosis:
        async with running_services(settings) as services:
            for note in services.started:
                out.print(f"[dim]{note}[/]")
            assert services.database_url is not None
            return await diagnose_batch(settings, services.database_url, request, out)

    result = run(go())
    if as_json:
        print(result.report.model_dump_json(indent=2))
        return
    print_report(console, result.report, f"Diagnosis of batch {result.batch_id}")
    for error in result.errors:
        console.print(f"[yellow]note:[/] {error}")


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="port to listen on")] = 8080,
    workers: Annotated[
        int, typer.Option(help="consumers per stage (at least its ARGUS_LIMITS__*_CONCURRENCY)")
    ] = 1,
) -> None:
    """Serve the API and the batch workers (embedded PostgreSQL and Kafka unless configured)."""
    from argus.api.serve import serve as run_service

    with _stopped_by_signal():
        run(run_service(load_settings(), host, port, workers, console))


@app.command()
def worker(
    count: Annotated[
        int, typer.Option(help="consumers per stage (at least its ARGUS_LIMITS__*_CONCURRENCY)")
    ] = 1,
    kind: Annotated[
        list[str] | None, typer.Option(help="parse and/or diagnose (default: both)")
    ] = None,
) -> None:
    """Run stage workers only (no API): parse and diagnose consumer groups, to scale out."""
    from argus.api.workers import run_workers
    from argus.workers.pool import KINDS

    kinds = tuple(kind or KINDS)
    unknown = set(kinds) - set(KINDS)
    if unknown:
        problem = f"unknown worker kind(s): {', '.join(sorted(unknown))}"
        raise fail(ConfigError(problem, hint="use --kind parse and/or --kind diagnose"))
    with _stopped_by_signal():
        run(run_workers(load_settings(), count, kinds, console))


@contextlib.contextmanager
def _stopped_by_signal() -> Iterator[None]:
    """SIGINT or SIGTERM (KeyboardInterrupt, raised once the services are released): exit 0."""
    try:
        yield
    except KeyboardInterrupt:
        err_console.print("[dim]stopped[/]")


def _labels(pairs: list[str]) -> dict[str, str]:
    labels = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            err_console.print(f"[bold red]error:[/] label {pair!r} is not KEY=VALUE")
            raise typer.Exit(3)
        labels[key.strip()] = value.strip()
    return labels


from argus.evals.cli import eval_command  # noqa: E402  (eval harness, issue #5)

app.command(name="eval")(eval_command)
