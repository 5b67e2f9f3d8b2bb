"""What every benchmark prints about the machine, and clean exits on Ctrl-C or kill."""

from __future__ import annotations

import os
import signal
import sys

import psutil


def print_machine(when: str) -> None:
    """Cores, load average and memory of the machine, now (timings are only comparable with
    the load they ran under)."""
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(
        f"{when}: {os.cpu_count()} cores, load average {load}, "
        f"{psutil.virtual_memory().total / 2**30:.1f} GiB RAM",
        flush=True,
    )


def exit_cleanly_on_signals() -> None:
    """Turn SIGINT (even when started with it ignored) and SIGTERM into exceptions, so the
    benchmark's ``finally`` blocks stop every process it started."""
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
