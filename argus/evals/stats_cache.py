"""A folder of mined batch statistics, so that studies re-score them instead of mining again.

Mining a case takes seconds; analysing its statistics takes a fraction of one. An entry is the
statistics of one diagnosis input (the batch and its baseline, or none), keyed by what produced
them: the files (path, size, modification time, or a content hash), the log_format, the mining
settings and the source of the code that mines and counts (:func:`code_fingerprint`). A change to
any of these is a new key, so a stale entry is never read. Entries are pickles of this process's
own objects, written atomically; a file that cannot be read counts as absent.
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import argus
from argus.config import Settings
from argus.tools.digest import BatchStats

log = logging.getLogger(__name__)

#: Bumped when the layout of an entry changes.
CACHE_VERSION = "2"

#: The code whose output is cached: mining, reading, parsing, counting and the stats' own types.
SOURCES = (
    "mining",
    "ingest",
    "tools/traces.py",
    "tools/digest.py",
    "evals/offline.py",
    "evals/prepared.py",
)


@dataclass(frozen=True, kw_only=True)
class MinedStats:
    """The statistics one diagnosis reads: the batch and its baseline (None: no baseline)."""

    current: BatchStats  #: the batch to diagnose
    baseline: BatchStats | None  #: the fault-free window it is compared with
    remined: bool = False  #: pass 1 ran again on the batch's unmatched records before counting


def code_fingerprint() -> str:
    """sha256 of the source files in :data:`SOURCES` (their paths and contents)."""
    return _fingerprint(Path(argus.__file__).parent)


@cache
def _fingerprint(root: Path) -> str:
    digest = hashlib.sha256()
    for name in SOURCES:
        target = root / name
        files = sorted(target.rglob("*.py")) if target.is_dir() else [target]
        for path in files:
            digest.update(str(path.relative_to(root)).encode() + b"\0")
            digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def file_stamps(paths: Iterable[Path]) -> list[str]:
    """One text per file naming it, its size and its modification time (cheap, no reading)."""
    stamps = []
    for path in paths:
        stat = path.stat()
        stamps.append(f"{path.resolve()}|{stat.st_size}|{stat.st_mtime_ns}")
    return stamps


def cache_key(
    variant: str, settings: Settings, log_format: str | None, parts: Iterable[str]
) -> str:
    """The key of one entry: ``variant`` (what was mined how), the mining inputs and the code."""
    digest = hashlib.sha256()
    for text in (
        CACHE_VERSION,
        variant,
        code_fingerprint(),
        settings.mining.model_dump_json(),
        str(settings.limits.max_line_bytes),
        log_format or "",
        *parts,
    ):
        digest.update(text.encode() + b"\n")
    return f"{variant}-{digest.hexdigest()[:40]}"


class StatsCache:
    """Entries under ``folder``; ``folder=None`` keeps nothing, ``read=False`` only writes."""

    def __init__(self, folder: Path | None, *, read: bool = True) -> None:
        self.folder = folder
        self.read = read

    def get(self, key: str) -> MinedStats | None:
        """The entry of ``key``, or None (absent, unreadable, or reading is off)."""
        if self.folder is None or not self.read:
            return None
        path = self.folder / f"{key}.pkl"
        if not path.is_file():
            return None
        try:
            with open(path, "rb") as fh:
                found = pickle.load(fh)
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError) as exc:
            log.warning("cache entry %s unreadable (%s): mining again", path, exc)
            return None
        return found if isinstance(found, MinedStats) else None

    def put(self, key: str, stats: MinedStats) -> None:
        """Store ``stats`` under ``key`` (written to a temporary file, then renamed)."""
        if self.folder is None:
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / f"{key}.pkl"
        partial = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        with open(partial, "wb") as fh:
            pickle.dump(stats, fh, protocol=pickle.HIGHEST_PROTOCOL)
        partial.replace(path)
