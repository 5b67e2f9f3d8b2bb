"""What every command shares: the consoles, and turning an ArgusError into a clean exit.

Kept light (typer and rich only): every ``argus`` invocation, ``--help`` included, imports it.
"""

from __future__ import annotations

from collections.abc import Coroutine, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from argus.errors import ArgusError

if TYPE_CHECKING:
    from argus.config import Settings

console = Console()
err_console = Console(stderr=True)

T = TypeVar("T")


def fail(exc: ArgusError) -> typer.Exit:
    """Print an error's message and hint unwrapped (paths stay copyable); the exit to raise."""
    err_console.print(f"[bold red]error:[/] {escape(exc.message)}", soft_wrap=True)
    if exc.hint:
        err_console.print(f"[yellow]hint:[/] {escape(exc.hint)}", soft_wrap=True)
    return typer.Exit(exc.exit_code)


def run(coro: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine; an ArgusError becomes its message, its hint and its exit code."""
    import asyncio  # ~0.1 s with ssl: paid by the commands that run something, not by --help

    try:
        return asyncio.run(coro)
    except ArgusError as exc:
        raise fail(exc) from None


def load_settings() -> Settings:
    """The settings, or a clean exit naming the invalid value."""
    from argus.config import get_settings  # pydantic-settings: paid by commands, not --help

    try:
        return get_settings()
    except ArgusError as exc:
        raise fail(exc) from None


def check_files(paths: Sequence[Path]) -> None:
    """Exit 3 naming the first path that is not a file."""
    for path in paths:
        if not path.is_file():
            err_console.print(f"[bold red]error:[/] no such file: {path}")
            raise typer.Exit(3)


def print_table(
    headers: Sequence[str], rows: Iterable[Sequence[str]], *, title: str | None = None
) -> None:
    """Print a table on the standard console; cells may hold rich markup."""
    table = Table(*headers, title=title)
    for row in rows:
        table.add_row(*row)
    console.print(table)


class Advance(Protocol):
    """The callback of a progress bar: ``done`` of ``total`` units; ``label`` renames the bar."""

    def __call__(self, done: int, total: int, label: str | None = None) -> None: ...


@contextmanager
def counted_progress(description: str) -> Iterator[Advance]:
    """A transient progress bar on stderr; yields the ``advance(done, total[, label])`` callback
    that long tasks call (``total`` may grow as the work is discovered)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
    )

    def advance(done: int, total: int, label: str | None = None) -> None:
        bar.update(task, completed=done, total=total, description=label or description)

    with bar:
        task = bar.add_task(description, total=None)
        yield advance
