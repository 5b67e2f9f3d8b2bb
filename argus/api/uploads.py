"""Upload handling: path-safe names, size caps, one upload of a name at a time, and the body
streamed to a private temporary file then renamed into place (never held whole in memory, never
visible half-written, never mixed with another body)."""

from __future__ import annotations

import asyncio
import contextlib
import re
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg

from argus.errors import InputError

_SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$")
#: Temporary files of a batch live here; ``safe_name`` refuses a leading dot, so no client name
#: can reach (or collide with) a temporary file.
TMP_DIR = ".tmp"


class UploadTooLarge(InputError):
    """The upload is bigger than ARGUS_LIMITS__MAX_UPLOAD_BYTES."""


class UploadInProgress(InputError):
    """Another upload of the same file name of the batch is still streaming."""

    default_hint = "wait for the other upload to finish, then upload again to replace it"


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


@contextlib.asynccontextmanager
async def upload_slot(
    conn: psycopg.AsyncConnection[Any], batch_id: uuid.UUID, name: str
) -> AsyncIterator[None]:
    """Hold the file name ``name`` of a batch for one upload; UploadInProgress when another
    upload of it holds it, in this process or any other.

    The hold is a PostgreSQL session advisory lock on ``conn`` (the request's connection, kept
    for the whole request): no transaction stays open while the body streams, and the server
    drops the lock if the connection dies. ``conn`` must be in autocommit mode.
    """
    key = f"argus.upload:{batch_id}/{name}"
    cur = await conn.execute("SELECT pg_try_advisory_lock(hashtextextended(%s, 0))", (key,))
    row = await cur.fetchone()
    if row is None or not row[0]:
        raise UploadInProgress(f"{name} is being uploaded to this batch by another request")
    try:
        yield
    finally:
        await conn.execute("SELECT pg_advisory_unlock(hashtextextended(%s, 0))", (key,))


@dataclass(kw_only=True)
class StagedUpload:
    """A received body, whole, in its private temporary file; not yet under its name."""

    temp: Path
    target: Path
    size: int

    def place(self) -> None:
        """Put the body under its name in one atomic rename (replacing an earlier upload)."""
        self.temp.replace(self.target)


@contextlib.asynccontextmanager
async def staged_upload(
    chunks: AsyncIterator[bytes], target: Path, max_bytes: int
) -> AsyncIterator[StagedUpload]:
    """Stream the body into a fresh temporary file (``<batch dir>/.tmp/<random>``) and yield it
    once complete; UploadTooLarge past ``max_bytes``. A body that was not placed is deleted on
    exit, so ``target`` only ever holds one whole body, and no other file is touched."""
    temp = target.parent / TMP_DIR / uuid.uuid4().hex
    await asyncio.to_thread(temp.parent.mkdir, parents=True, exist_ok=True)
    try:
        size = await _write(chunks, temp, max_bytes, target.name)
        yield StagedUpload(temp=temp, target=target, size=size)
    finally:
        await asyncio.to_thread(temp.unlink, missing_ok=True)


async def _write(chunks: AsyncIterator[bytes], path: Path, max_bytes: int, name: str) -> int:
    size = 0
    out = await asyncio.to_thread(path.open, "wb")
    try:
        async for chunk in chunks:
            size += len(chunk)
            if size > max_bytes:
                raise UploadTooLarge(
                    f"{name} is larger than the limit of {max_bytes:,} bytes",
                    hint="split the file or raise ARGUS_LIMITS__MAX_UPLOAD_BYTES",
                )
            await asyncio.to_thread(out.write, chunk)  # disk writes stay off the event loop
    finally:
        await asyncio.to_thread(out.close)
    return size
