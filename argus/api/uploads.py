"""Upload handling: path-safe names, size caps, the body streamed to disk (never held whole)."""

from __future__ import annotations

import asyncio
import re
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

from argus.errors import InputError

_SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$")


class UploadTooLarge(InputError):
    """The upload is bigger than ARGUS_LIMITS__MAX_UPLOAD_BYTES."""


def safe_name(name: str) -> str:
    """``name`` if it is path-safe (letters, digits, . _ -, no leading dot); else InputError."""
    if not _SAFE_NAME.match(name) or ".." in name:
        raise InputError(
            f"file name {name!r} is not allowed",
            hint="use letters, digits, '.', '_' and '-' only (no path, no leading dot)",
        )
    return name


def upload_path(home: Path, batch_id: uuid.UUID, name: str) -> Path:
    """Where an uploaded file of a batch is kept."""
    return home / "uploads" / str(batch_id) / safe_name(name)


async def store_stream(chunks: AsyncIterator[bytes], target: Path, max_bytes: int) -> int:
    """Write the body to ``target`` (via a temporary file); return its size."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".part")
    size = 0
    out = await asyncio.to_thread(partial.open, "wb")
    try:
        async for chunk in chunks:
            size += len(chunk)
            if size > max_bytes:
                raise UploadTooLarge(
                    f"{target.name} is larger than the limit of {max_bytes:,} bytes",
                    hint="split the file or raise ARGUS_LIMITS__MAX_UPLOAD_BYTES",
                )
            await asyncio.to_thread(out.write, chunk)  # disk writes stay off the event loop
        out.close()
        partial.replace(target)
    finally:
        out.close()
        partial.unlink(missing_ok=True)
    return size
