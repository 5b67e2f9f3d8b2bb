"""The ``argus`` command line.

Start-up: this module and the command modules it registers (``knowledge.cli``, ``evals.cli``)
import only typer, rich and the light ``cli_support`` at load, so ``argus --help`` and the first
line of every command come at once; each command imports what it runs (the graph, the mining
engine, the database driver, the embedded services...) in its body.
"""

from __future__ import annotations

import contextlib
import logging
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from argus.cli_describe import describe_command
from argus.cli_eval import eval_app
from argus.cli_knowledge import knowledge_app
from argus.cli_support import (
    check_files,
    console,
    err_console,
    fail,
    load_settings,
    print_table,
    run,
)
from argus.errors import ConfigError

if TYPE_CHECKING:
    from argus.mining.engine import MiningEngine
    from argus.pipeline.diagnose import BatchDiagnosis

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
    rows = [(key, str(value)) for key, value in settings.masked().items()]
    print_table(("setting", "value"), rows, title="Effective configuration")
    from argus.service.doctor import run_doctor  # after the first lines: it loads the services

    checks = run(run_doctor(settings, embeddings=not skip_embeddings))
    results = [
        (c.name, "[green]ok[/]" if c.ok else "[red]DOWN[/]", c.detail, f"{c.seconds:.1f}")
        for c in checks
    ]
    print_table(("service", "status", "detail", "s"), results, title="Services")
    if not all(c.ok for c in checks):
        raise typer.Exit(1)


@app.command()
def migrate() -> None:
    """Apply pending database migrations (they are also applied by every command at start)."""
    from argus.runtime.services import running_database

    settings = load_settings()

    async def go() -> tuple[int, ...]:
        async with running_database(settings) as database:
            return database.migrations_applied

    applied = run(go())
    if applied:
        console.print(f"applied migrations: {', '.join(f'{v:04d}' for v in applied)}")
    else:
        console.print("schema is up to date")


FormatOption = Annotated[
    str | None,
    typer.Option(
        "--format",
        "-f",
        help="logpai log_format, e.g. '<Date> <Time> <Level> <Component>: <Content>'; "
        "default: the bracket format [ts][level][thread][mod][smod] content",
    ),
]
FilesArgument = Annotated[list[Path], typer.Argument(help="log files (.log or .gz)")]


@app.command()
def mine(paths: FilesArgument, log_format: FormatOption = None) -> None:
    """Pass 1: evolve the template library over PATHS (nothing is counted)."""
    from argus.cli_files import process

    process(paths, log_format, "mine")


@app.command()
def stats(paths: FilesArgument, log_format: FormatOption = None) -> None:
    """Pass 2: count PATHS with the current library and store the statistics."""
    from argus.cli_files import process

    process(paths, log_format, "stats")


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
    from argus.cli_files import process
    from argus.pipeline.parse_csv import write_parse_csv

    def write(engine: MiningEngine, done: Path) -> None:
        rows = write_parse_csv(engine, done, out)
        console.print(f"wrote {rows:,} rows to {out}")

    process([path], log_format, "all", use_db=use_db, on_engine=write)


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
    from argus.cli_files import console_hooks
    from argus.cli_report import print_report
    from argus.pipeline.diagnose import BatchRequest, diagnose_batch
    from argus.runtime.services import running_database

    settings = load_settings()
    check_files([*paths, *(baseline or [])])
    labels = _labels(label or [])
    request = BatchRequest(
        paths=paths, baseline=baseline or [], log_format=log_format, source=source, labels=labels
    )
    out = err_console if as_json else console

    async def go() -> BatchDiagnosis:
        async with running_database(settings) as database:
            for note in database.started:
                out.print(f"[dim]{note}[/]")
            return await diagnose_batch(settings, database.url, request, console_hooks(out))

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
    from argus.service.serve import serve as run_service

    with _stopped_by_signal():
        run(run_service(load_settings(), host, port, workers, console.print))


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
    from argus.service.worker import run_workers
    from argus.workers.pool import KINDS

    kinds = tuple(kind or KINDS)
    unknown = set(kinds) - set(KINDS)
    if unknown:
        problem = f"unknown worker kind(s): {', '.join(sorted(unknown))}"
        raise fail(ConfigError(problem, hint="use --kind parse and/or --kind diagnose"))
    with _stopped_by_signal():
        run(run_workers(load_settings(), count, kinds, console.print))


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


app.command(name="describe")(describe_command)
app.add_typer(eval_app, name="eval")  # registered last: listed last in --help
