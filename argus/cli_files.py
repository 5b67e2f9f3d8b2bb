"""The file work of ``argus mine|stats|parse|diagnose`` on the terminal: a transient progress bar
per file, one line per file's outcome, the totals.

Imported by the commands when they run (it pulls in the mining engine and the database driver).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path

from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from argus.cli_support import check_files, console, fail, load_settings, run
from argus.errors import ArgusError
from argus.ingest.formats import LogFormat
from argus.mining.engine import MiningEngine
from argus.pipeline.process import FileHooks, FileOutcome, Mode, Tick, process_files
from argus.runtime.services import running_database


def console_hooks(out: Console) -> FileHooks:
    """Hooks that draw each file's progress on ``out`` and print its outcome line there."""
    return FileHooks(progress=partial(progress_bar, out), outcome=partial(print_outcome, out))


@contextmanager
def progress_bar(out: Console, name: str) -> Iterator[Tick]:
    """A transient spinner with the lines read so far; yields the tick that updates it."""
    bar = Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TextColumn("{task.fields[lines]:,} lines"),
        TimeElapsedColumn(),
        console=out,
        transient=True,
    )
    with bar:
        task = bar.add_task(name, total=None, lines=0)
        yield lambda lines: bar.update(task, lines=lines)


def print_outcome(out: Console, o: FileOutcome) -> None:
    """One line per file: identity, counts, templates and speed (red with the reason when it
    stopped early)."""
    ident = f"sha256 {o.file_id[:12]}…" if o.file_id else "unreadable"
    known = "new" if o.new else "known"
    counts = f"{o.lines:,} lines"
    if o.records:
        counts += f", {o.records:,} records, {o.unmatched:,} unmatched"
    templates = f"+{o.templates_added} templates ({o.templates_revised} generalised)"
    speed = f"{o.seconds:.2f}s ({o.rate:,.0f} lines/s)"
    line = (
        f"{o.path.name}: {ident}, {known}, {counts}, {templates}, index v{o.index_version}, {speed}"
    )
    out.print(f"[red]{line} — stopped: {o.error}[/]" if o.error else line, highlight=False)


def process(
    paths: list[Path],
    log_format: str | None,
    mode: Mode,
    *,
    use_db: bool = True,
    on_engine: Callable[[MiningEngine, Path], None] | None = None,
) -> list[FileOutcome]:
    """Run the passes of ``mode`` over ``paths`` (checked to exist) on the configured (or
    embedded) database, or on a private library when ``use_db`` is False; print the totals."""
    settings = load_settings()
    check_files(paths)
    try:
        fmt = LogFormat.parse(log_format)
    except ArgusError as exc:
        raise fail(exc) from None
    hooks = console_hooks(console)

    async def go() -> list[FileOutcome]:
        if not use_db:
            return await asyncio.to_thread(
                process_files, settings, None, paths, fmt, mode, hooks, on_engine
            )
        async with running_database(settings) as database:
            for note in database.started:
                console.print(f"[dim]{note}[/]")
            return await asyncio.to_thread(
                process_files, settings, database.url, paths, fmt, mode, hooks, on_engine
            )

    outcomes = run(go())
    print_totals(outcomes)
    return outcomes


def print_totals(outcomes: list[FileOutcome]) -> None:
    """The sums over all files, and how many stopped with an error."""
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
