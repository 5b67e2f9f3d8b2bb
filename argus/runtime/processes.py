"""Processes of the embedded services: stopping them, telling the living from the dead, signals."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import subprocess
import threading
from collections.abc import Iterator
from types import FrameType
from typing import Any

import psutil


def stop_process(proc: subprocess.Popen[bytes], grace_s: float = 5.0) -> None:
    """SIGTERM, wait up to ``grace_s``, then SIGKILL; returns once the process is gone."""
    if proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=grace_s)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=5)


def pid_alive(pid: int) -> bool:
    """True when ``pid`` names a process that has not exited.

    A zombie (exited, not yet reaped by its parent) counts as dead: it holds no memory, file or
    socket any more. A process we may not inspect counts as alive, the safe side for callers that
    only act on the dead.
    """
    try:
        return bool(psutil.Process(pid).status() != psutil.STATUS_ZOMBIE)
    except psutil.NoSuchProcess:  # includes ZombieProcess
        return False
    except psutil.AccessDenied:
        return True


@contextlib.contextmanager
def sigterm_as_interrupt() -> Iterator[None]:
    """While active, SIGTERM takes the path of Ctrl-C under ``asyncio.run``; restored after.

    The first SIGTERM cancels the task that entered the context, so every ``finally`` and
    context exit runs (the embedded PostgreSQL handle is released, the broker stopped), then
    KeyboardInterrupt ends ``asyncio.run``; a second one raises KeyboardInterrupt at once, as a
    second Ctrl-C does. Without it SIGTERM kills the process at once, skipping those exits and
    ``atexit``. The handler is this context's own, not a copy of SIGINT's: a process started in
    the background inherits SIGINT ignored, and must still stop cleanly on SIGTERM. Enter it
    from the main task, in the main thread; elsewhere it changes nothing.
    """
    task = _main_thread_task()
    if task is None:
        yield
        return
    loop = asyncio.get_running_loop()
    interrupted = False

    def on_sigterm(signum: int, frame: FrameType | None) -> None:
        nonlocal interrupted
        if interrupted:
            raise KeyboardInterrupt
        interrupted = True
        task.cancel()
        loop.call_soon_threadsafe(lambda: None)  # wakes a loop asleep in select()

    previous = signal.signal(signal.SIGTERM, on_sigterm)
    try:
        yield
    except asyncio.CancelledError:
        if not interrupted:
            raise
    finally:
        signal.signal(signal.SIGTERM, previous)
    if interrupted:
        # Also when the body ended before the cancellation reached an await (uvicorn raises the
        # signal again on its way out): the task would otherwise end merely "cancelled".
        raise KeyboardInterrupt


def _main_thread_task() -> asyncio.Task[Any] | None:
    if threading.current_thread() is not threading.main_thread():
        return None
    try:
        return asyncio.current_task()
    except RuntimeError:  # no running event loop
        return None
