"""Local ingestion of files: register each by content hash, then stream its lines.

This is the stage of ``argus diagnose`` that exists today; template mining plugs in where the
lines are counted.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import psycopg
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from argus.config import Settings
from argus.errors import InputError
from argus.ingest.reader import file_facts, iter_line_chunks
from argus.store.files import mark_file, register_file


@dataclass
class FileOutcome:
    """What happened to one file."""

    path: Path  #: the file as given
    file_id: str | None  #: sha256 of its content, None when it could not be read at all
    lines: int  #: lines read (before any damage)
    seconds: float  #: time spent reading
    new: bool = False  #: True when its content had not been registered before
    error: str | None = None  #: why it stopped early, if it did


async def ingest_files(
    database_url: str, paths: Sequence[Path], settings: Settings, console: Console
) -> list[FileOutcome]:
    """Register and read every file; a damaged file is reported and the others go on."""
    outcomes = []
    async with await psycopg.AsyncConnection.connect(database_url, autocommit=True) as conn:
        for path in paths:
            outcome = await _ingest_one(conn, path, settings, console)
            outcomes.append(outcome)
            _print_outcome(console, outcome)
    return outcomes


async def _ingest_one(
    conn: psycopg.AsyncConnection, path: Path, settings: Settings, console: Console
) -> FileOutcome:
    started = time.monotonic()
    try:
        facts = file_facts(path)
    except InputError as exc:
        return FileOutcome(path, None, 0, time.monotonic() - started, error=exc.message)
    new = await register_file(conn, facts)
    await mark_file(conn, facts.file_id, "processing")
    lines, error = _count_lines(path, settings, console, facts.size_bytes)
    status = "failed" if error else "processed"
    await mark_file(conn, facts.file_id, status, line_count=lines, error=error)
    return FileOutcome(path, facts.file_id, lines, time.monotonic() - started, new, error)


def _count_lines(
    path: Path, settings: Settings, console: Console, size: int
) -> tuple[int, str | None]:
    lines = 0
    progress = Progress(
        TextColumn("{task.description}"), BarColumn(), TextColumn("{task.fields[lines]:,} lines"),
        TimeElapsedColumn(), console=console, transient=True,
    )  # fmt: skip
    with progress:
        task = progress.add_task(path.name, total=None, lines=0)
        try:
            for chunk in iter_line_chunks(
                path, settings.mining.read_chunk_lines, settings.limits.max_line_bytes
            ):
                lines += len(chunk)
                progress.update(task, lines=lines)
        except InputError as exc:
            return lines, exc.message
    return lines, None


def _print_outcome(console: Console, o: FileOutcome) -> None:
    rate = o.lines / o.seconds if o.seconds > 0 else 0.0
    ident = f"sha256 {o.file_id[:12]}…" if o.file_id else "unreadable"
    known = "new" if o.new else "known"
    line = f"{o.path.name}: {ident}, {known}, {o.lines:,} lines in {o.seconds:.2f}s ({rate:,.0f}/s)"
    if o.error:
        console.print(f"[red]{line} — stopped: {o.error}[/]")
    else:
        console.print(line)
