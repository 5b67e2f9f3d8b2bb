"""The instance id of a service process: stable across restarts, never shared by two live ones.

Each process takes the first free numbered slot under ``ARGUS_HOME/instances`` (an exclusive
``flock`` held while it lives) and uses the id recorded in that slot. A process restarted after
a crash takes the same slot back, so it knows the claims left under its id are its own and can
resume them at once instead of waiting for their leases to expire.
"""

from __future__ import annotations

import contextlib
import fcntl
import socket
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

from argus.errors import ServiceUnavailable

MAX_SLOTS = 1024


@contextlib.contextmanager
def instance_slot(home: Path) -> Iterator[str]:
    """Hold a free slot while the context lives; yield its instance id."""
    folder = home / "instances"
    folder.mkdir(parents=True, exist_ok=True)
    for n in range(MAX_SLOTS):
        handle = open(folder / f"slot-{n}", "a+")  # noqa: SIM115 - held for the context
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            continue
        try:
            yield _slot_id(handle)
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
            handle.close()
        return
    raise ServiceUnavailable(
        f"all {MAX_SLOTS} instance slots under {folder} are held by live processes",
        hint="stop some argus processes or give this one its own ARGUS_HOME",
    )


def _slot_id(handle: TextIO) -> str:
    """The id recorded in a slot file, written on its first use."""
    handle.seek(0)
    ident = handle.read().strip()
    if not ident:
        ident = f"{socket.gethostname()}/{uuid.uuid4()}"
        handle.truncate(0)
        handle.write(ident)
        handle.flush()
    return ident
