"""The default baseline: files of the source's earlier diagnosed batches, and where to read them."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

import psycopg

from argus.batch_status import BatchStatus, FileStatus
from argus.ingest.reader import FileFacts
from argus.store import batches
from argus.store.batch_stats import earlier_batch_files
from argus.store.files import register_file


def _diagnosed_batch(db_url: str, source: str, path: Path) -> tuple[uuid.UUID, str]:
    """A diagnosed batch of ``source`` with one parsed file (registered at ``path``)."""
    file_id = uuid.uuid4().hex * 2  # a sha256-shaped id
    with psycopg.connect(db_url, autocommit=True) as conn:
        register_file(
            conn,
            FileFacts(path=path, file_id=file_id, size_bytes=path.stat().st_size, compressed=False),
        )

    async def record() -> uuid.UUID:
        async with await psycopg.AsyncConnection.connect(db_url, autocommit=True) as conn:
            batch_id = await batches.create_batch(conn, source, {}, BatchStatus.PENDING)
            await batches.add_files(conn, batch_id, [(path.name, file_id, FileStatus.PARSED, None)])
            await batches.set_status(conn, batch_id, BatchStatus.DIAGNOSED)
        return batch_id

    return asyncio.run(record()), file_id


def test_only_batches_created_before_the_one_asked_about_are_its_baseline(
    db_url: str, tmp_path: Path
) -> None:
    source = f"till-{uuid.uuid4().hex[:8]}"
    made = []
    for n in range(3):
        path = tmp_path / f"{n}.log"
        path.write_text(f"line {n}\n")
        made.append(_diagnosed_batch(db_url, source, path))
    (first, first_file), (second, _), (_, third_file) = made
    with psycopg.connect(db_url) as conn:
        before_second = earlier_batch_files(conn, source, [], before=second)
        everything = earlier_batch_files(conn, source, [third_file])
        assert earlier_batch_files(conn, source, [], before=first) == []
    assert [f.file_id for f in before_second] == [first_file]
    assert before_second[0].path == tmp_path / "0.log"
    assert len(everything) == 2 and third_file not in {f.file_id for f in everything}


def test_a_file_gone_or_changed_since_has_no_readable_path(db_url: str, tmp_path: Path) -> None:
    source = f"till-{uuid.uuid4().hex[:8]}"
    changed, gone = tmp_path / "changed.log", tmp_path / "gone.log"
    for path in (changed, gone):
        path.write_text("line\n")
        _diagnosed_batch(db_url, source, path)
    changed.write_text("line\nanother line\n")
    gone.unlink()
    with psycopg.connect(db_url) as conn:
        found = earlier_batch_files(conn, source, [])
    assert len(found) == 2 and all(f.path is None for f in found)
