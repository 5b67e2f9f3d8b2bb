"""``argus eval export OUT_DIR``: batches whose diagnosis was confirmed or corrected by feedback,
written as eval cases (DESIGN.md §8), so a team's own incidents become its regression set.

Each case folder holds the batch's files under ``logs/``, the files of the baseline its
diagnosis was compared with (the earlier diagnosed batches of its source) under ``baseline/``,
and ``case.yaml`` with the truth of the batch's latest feedback. Exporting again rewrites the
same folders (a case's id is derived from its batch).
"""

from __future__ import annotations

import asyncio
import re
import shutil
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from argus.batch_rows import BatchRecord
from argus.evals.cases import LOG_SUFFIXES
from argus.store import feedback
from argus.store.batch_stats import earlier_batch_files, stored_files
from argus.store.batches import get_batch
from argus.store.connection import connect, connect_sync
from argus.store.feedback import FeedbackRow

_GZIP_MAGIC = b"\x1f\x8b"


@dataclass(kw_only=True)
class Exported:
    """What an export wrote and what it left out (with the reason)."""

    written: list[Path] = field(default_factory=list)  #: case folders
    skipped: list[tuple[str, str]] = field(default_factory=list)  #: (batch id, reason)


def case_id(source: str, batch_id: uuid.UUID) -> str:
    """A case id that is stable per batch and safe as a folder name."""
    slug = re.sub(r"[^a-z0-9]+", "-", source.lower()).strip("-")[:40] or "batch"
    return f"{slug}-{batch_id.hex[:12]}"


async def export_cases(database_url: str, out_dir: Path) -> Exported:
    """Write every batch labelled by feedback under ``out_dir`` as an eval case."""
    result = Exported()
    async with await connect(database_url) as conn:
        labelled = await feedback.labelled_batches(conn)
        batches = [await get_batch(conn, row.batch_id) for row in labelled]
    await asyncio.to_thread(out_dir.mkdir, parents=True, exist_ok=True)
    for truth, batch in zip(labelled, batches, strict=True):
        if batch is None:
            result.skipped.append((str(truth.batch_id), "the batch is gone"))
            continue
        if truth.expected_category != "none" and truth.expected_module is None:
            result.skipped.append((str(truth.batch_id), "its truth names no module"))
            continue
        files = await asyncio.to_thread(_readable_files, database_url, batch)
        if not files.logs:
            result.skipped.append((str(truth.batch_id), "none of its files can still be read"))
            continue
        result.written.append(await asyncio.to_thread(_write_case, out_dir, batch, truth, files))
    return result


@dataclass(frozen=True, kw_only=True)
class _Files:
    logs: list[tuple[str, Path]]  #: (name in the batch, where it can be read)
    baseline: list[Path]  #: the files of the batch's default baseline that can be read


def _readable_files(database_url: str, batch: BatchRecord) -> _Files:
    """The batch's files and its baseline's, where they can still be read (the registry's
    path, checked against the recorded size)."""
    named = {f.file_id: Path(f.name).name for f in batch.files if f.file_id}
    ids = list(named)
    with connect_sync(database_url, autocommit=False, vectors=False) as conn:
        stored = stored_files(conn, ids)
        base = earlier_batch_files(conn, batch.source, ids, before=batch.batch_id)
    return _Files(
        logs=[(named[f.file_id], f.path) for f in stored if f.path is not None],
        baseline=[f.path for f in base if f.path is not None],
    )


def _write_case(out_dir: Path, batch: BatchRecord, truth: FeedbackRow, files: _Files) -> Path:
    folder = out_dir / case_id(batch.source, truth.batch_id)
    if folder.exists():
        shutil.rmtree(folder)
    (folder / "logs").mkdir(parents=True)
    for name, path in files.logs:
        shutil.copyfile(path, folder / "logs" / _log_name(name, path))
    if files.baseline:
        (folder / "baseline").mkdir()
        for i, path in enumerate(files.baseline):
            shutil.copyfile(path, folder / "baseline" / _log_name(f"{i:02d}-{path.name}", path))
    meta = _case_yaml(folder.name, batch, truth)
    (folder / "case.yaml").write_text(yaml.safe_dump(meta, sort_keys=False), encoding="utf-8")
    return folder


def _log_name(name: str, path: Path) -> str:
    """``name`` with a suffix the case loader reads (``.gz`` kept for gzip content)."""
    if name.endswith(LOG_SUFFIXES):
        return name
    with path.open("rb") as handle:
        gzipped = handle.read(2) == _GZIP_MAGIC
    return f"{name}.log.gz" if gzipped else f"{name}.log"


def _case_yaml(name: str, batch: BatchRecord, truth: FeedbackRow) -> dict[str, Any]:
    verdict = "confirmed" if truth.correct else "corrected"
    note = f": {truth.note}" if truth.note else ""
    return {
        "id": name,
        "system": batch.source,
        "log_format": batch.labels.get("log_format"),
        "expected": {
            "root_cause_module": truth.expected_module,
            "category": truth.expected_category,
        },
        "notes": f"Batch {truth.batch_id}, diagnosis {verdict} by {truth.author} on "
        f"{truth.created_at:%Y-%m-%d}{note}",
        "batch_id": str(truth.batch_id),
        "labels": {k: v for k, v in batch.labels.items() if k != "log_format"},
    }
