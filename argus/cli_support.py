"""What every command shares: the consoles, and turning an ArgusError into a clean exit."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any, TypeVar

import typer
from rich.console import Console
from rich.markup import escape

from argus.config import Settings, get_settings
from argus.errors import ArgusError

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
    try:
        return asyncio.run(coro)
    except ArgusError as exc:
        raise fail(exc) from None


def load_settings() -> Settings:
    """The settings, or a clean exit naming the invalid value."""
    try:
        return get_settings()
    except ArgusError as exc:
        raise fail(exc) from None
