"""Fault-free self-check: a baseline window diagnosed against itself must claim no incident.

Every distinct baseline window of a case set (case baseline folders deduplicated by the content
of their files) is split at its middle timestamp (:mod:`argus.evals.halves`); the first half is
diagnosed with the second as its baseline, and the second with the first; and the whole window
is diagnosed alone, without a baseline, as a source's first batch is. Every part is fault-free,
so every incident claimed is a false alarm. Each direction is mined with a fresh
engine, baseline first, exactly as a case is (:func:`argus.evals.prepared.mine_files`).
"""

from __future__ import annotations

import hashlib
import logging
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from argus.agents.log_analysis import analyse
from argus.config import DiagnosisSettings, Settings
from argus.evals.cases import Case
from argus.evals.halves import split_window
from argus.evals.prepared import PrepareProgress, PrepareStep, mine_files
from argus.evals.stats_cache import MinedStats, StatsCache, cache_key
from argus.ingest.reader import iter_blocks

log = logging.getLogger(__name__)

#: The diagnoses of a window: which half is the batch, which the baseline (or none).
DIRECTIONS = (
    "first half against the second",
    "second half against the first",
    "whole window alone, no baseline",
)


@dataclass(frozen=True, kw_only=True)
class Window:
    """A distinct baseline window and the cases that share it."""

    key: str  #: sha256 of its files' names and decompressed contents, and of the log_format
    log_format: str | None  #: how its lines are read
    files: tuple[Path, ...]  #: its files (those of the first case that has it)
    cases: tuple[str, ...]  #: ids of the cases whose baseline it is


@dataclass(frozen=True, kw_only=True)
class WindowDiagnosis:
    """One half of a window diagnosed against the other."""

    window: str  #: the window's key (shortened)
    cases: tuple[str, ...]  #: the cases whose baseline it is
    direction: str  #: one of :data:`DIRECTIONS`
    incident: bool  #: True when an incident was claimed (a false alarm)
    category: str  #: the category claimed (``none`` without an incident)
    top_suspect: str | None  #: the most suspect module, when an incident was claimed
    error: str | None = None  #: why the diagnosis failed


@dataclass(frozen=True, kw_only=True)
class SelfCheck:
    """Every window's two diagnoses."""

    windows: int  #: distinct baseline windows
    diagnoses: list[WindowDiagnosis]  #: one per direction of each window that could be split
    unsplit: list[str] = field(default_factory=list)  #: windows without timestamps, with cases

    @property
    def incidents(self) -> int:
        """Incidents claimed (the target is zero)."""
        return sum(d.incident for d in self.diagnoses)


def distinct_windows(cases: Sequence[Case]) -> list[Window]:
    """The distinct baseline windows of ``cases`` (cases without a baseline have none)."""
    found: dict[str, Window] = {}
    for case in cases:
        if not case.baseline:
            continue
        key = window_key(case.baseline, case.log_format)
        seen = found.get(key)
        cases_of = (*seen.cases, case.id) if seen else (case.id,)
        files = seen.files if seen else case.baseline
        found[key] = Window(key=key, log_format=case.log_format, files=files, cases=cases_of)
    return list(found.values())


def window_key(files: Sequence[Path], log_format: str | None) -> str:
    """sha256 of the files' names and decompressed contents (sorted by name) and of the
    log_format: the same lines gzipped twice (another timestamp or level in the gzip header)
    are the same window."""
    digest = hashlib.sha256((log_format or "").encode() + b"\n")
    for path in sorted(files, key=lambda p: p.name):
        lines = hashlib.sha256()
        for block in iter_blocks(path):
            lines.update(block)
        digest.update(f"{path.name}|{lines.hexdigest()}\n".encode())
    return digest.hexdigest()


@dataclass(frozen=True, kw_only=True)
class MinedHalves:
    """The statistics of both directions of a window."""

    stats: list[MinedStats]  #: one per direction, in the order of :data:`DIRECTIONS`
    cached: bool  #: True when they came from the cache


def mine_halves(window: Window, settings: Settings, cache: StatsCache) -> MinedHalves | None:
    """Both directions' statistics (cached), or None when the window has no timestamps."""
    keys = [
        cache_key(f"selfcheck-{n}", settings, window.log_format, [window.key])
        for n in range(1, len(DIRECTIONS) + 1)
    ]
    found = [stats for stats in (cache.get(key) for key in keys) if stats is not None]
    if len(found) == len(keys):
        return MinedHalves(stats=found, cached=True)
    with tempfile.TemporaryDirectory(prefix="argus-selfcheck-") as tmp:
        split = split_window(window.files, window.log_format, Path(tmp))
        if split is None:
            return None
        pairs = ((split.first, split.second), (split.second, split.first), (window.files, ()))
        mined = [mine_files(settings, window.log_format, logs, base) for logs, base in pairs]
    for key, stats in zip(keys, mined, strict=True):
        cache.put(key, stats)
    return MinedHalves(stats=mined, cached=False)


def diagnose_half(
    window: Window, direction: str, stats: MinedStats, tuning: DiagnosisSettings
) -> WindowDiagnosis:
    """Analyse one half against the other; an exception is recorded, never raised."""
    short = window.key[:12]
    try:
        found = analyse(stats.current, stats.baseline, tuning)
    except Exception as exc:  # a failing diagnosis is recorded, never fatal
        log.warning("self-check of window %s failed: %s", short, exc, exc_info=True)
        error = f"{type(exc).__name__}: {exc}"[:500]
        return WindowDiagnosis(
            window=short,
            cases=window.cases,
            direction=direction,
            incident=False,
            category="unknown",
            top_suspect=None,
            error=error,
        )
    return WindowDiagnosis(
        window=short,
        cases=window.cases,
        direction=direction,
        incident=found.incident,
        category=found.category if found.incident else "none",
        top_suspect=found.top_module,
    )


def self_check(
    cases: Sequence[Case],
    settings: Settings,
    cache: StatsCache,
    tuning: DiagnosisSettings,
    *,
    progress: PrepareProgress | None = None,
) -> SelfCheck:
    """Diagnose each distinct baseline window's halves against each other, both ways, and the
    whole window alone."""
    windows = distinct_windows(cases)
    diagnoses: list[WindowDiagnosis] = []
    unsplit: list[str] = []
    for done, window in enumerate(windows, start=1):
        began = time.monotonic()
        mined = mine_halves(window, settings, cache)
        if mined is None:
            unsplit.append(f"{window.key[:12]} ({', '.join(window.cases)}): no timestamps")
        else:
            pairs = zip(DIRECTIONS, mined.stats, strict=True)
            diagnoses += [diagnose_half(window, d, s, tuning) for d, s in pairs]
        if progress:
            progress(
                PrepareStep(
                    done=done,
                    total=len(windows),
                    name=f"window {window.key[:12]} ({len(window.cases)} case(s))",
                    cached=mined is not None and mined.cached,
                    seconds=time.monotonic() - began,
                )
            )
    return SelfCheck(windows=len(windows), diagnoses=diagnoses, unsplit=unsplit)
