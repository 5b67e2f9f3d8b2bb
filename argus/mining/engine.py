"""The two passes over one file, with re-feeding of pass-2 misses into pass 1.

``mine`` runs pass 1 (the library evolves; nothing is counted), ``count`` runs pass 2 (the final
index counts; nothing is drafted), and ``process`` runs both, then feeds the key texts pass 2
could not match back into pass 1 and counts again when that produced templates.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from argus.config import MiningSettings
from argus.errors import CorruptInputError
from argus.ingest.formats import LogFormat
from argus.ingest.prefetch import prefetch
from argus.ingest.reader import iter_line_series
from argus.ingest.records import parse_records, records_only
from argus.mining.committee import Committee, Drafter, RuleDrafter
from argus.mining.index import IndexHolder
from argus.mining.library import TemplateStore
from argus.mining.matching import ChunkMatcher
from argus.mining.pass1 import Pass1Stats, TemplateEvolver
from argus.mining.pass2 import Pass2Result, StatsAggregator

#: Called with the number of lines read so far (for progress bars).
Progress = Callable[[int], None]

MAX_REFEED_ROUNDS = 2


@dataclass(kw_only=True)
class FileRun:
    """Everything the two passes did for one file."""

    path: Path  #: the file
    pass1: Pass1Stats  #: template evolution counters (all rounds)
    pass2: Pass2Result  #: statistics of the final count
    modules: set[tuple[str, str | None]] = field(default_factory=set)  #: (mod, smod) seen
    rounds: int = 1  #: pass-2 counts run (1 + re-feed rounds that added templates)
    seconds: float = 0.0  #: wall time
    error: str | None = None  #: why reading stopped early (a damaged gzip stream, say)


class MiningEngine:
    """Template evolution and statistics over files, sharing one library and index."""

    def __init__(
        self,
        store: TemplateStore,
        params: MiningSettings,
        fmt: LogFormat,
        *,
        drafter: Drafter | None = None,
        max_line_bytes: int = 64 * 1024,
        track_threads: bool = False,
    ) -> None:
        self.store = store
        self.params = params
        self.fmt = fmt
        self.max_line_bytes = max_line_bytes
        self.track_threads = track_threads
        self.holder = IndexHolder(store.load())
        self.committee = Committee(drafter or RuleDrafter(), store)

    def chunks(self, path: Path) -> Iterator[pl.Series]:
        """The file's lines, in chunks of at most ``read_chunk_lines``."""
        size = self.params.read_chunk_lines
        for series in iter_line_series(path, self.max_line_bytes):
            for start in range(0, len(series), size):
                yield series.slice(start, size)

    def mine(
        self, path: Path, progress: Progress | None = None
    ) -> tuple[Pass1Stats, set[tuple[str, str | None]], str | None]:
        """Pass 1 over ``path``: evolve the library; return stats, (mod, smod) pairs, error."""
        evolver = TemplateEvolver(self.committee, self.holder, self.params)
        modules: set[tuple[str, str | None]] = set()
        error, lines, first = None, 0, True
        size = self.params.read_chunk_lines
        try:  # whole decompressed blocks parsed at once, read ahead; fed chunk by chunk
            for series in prefetch(iter_line_series(path, self.max_line_bytes)):
                block = self._block_records(series, first)
                first = False
                modules |= _module_pairs(records_only(block))
                for start in range(0, len(series), size):
                    evolver.feed(records_only(block.slice(start, size))["content"])
                    lines += min(size, len(series) - start)
                    if progress:
                        progress(lines)
        except CorruptInputError as exc:
            error = exc.message
        evolver.stats.lines = lines
        try:
            return evolver.finish(), modules, error
        finally:
            evolver.close()

    def _block_records(self, lines: pl.Series, first: bool) -> pl.DataFrame:
        """The lines of one block parsed into records, as chunk by chunk: only the file's
        first chunk (``read_chunk_lines``) has lines before a header standing alone (``line_no``
        and ``record`` restart after it; pass 1 uses neither)."""
        size = self.params.read_chunk_lines
        if not first:
            return parse_records(self.fmt, lines, file_start=False)
        head = parse_records(self.fmt, lines.slice(0, size), file_start=True)
        if len(lines) <= size:
            return head
        return pl.concat([head, parse_records(self.fmt, lines.slice(size), file_start=False)])

    def count(self, path: Path, progress: Progress | None = None) -> tuple[Pass2Result, str | None]:
        """Pass 2 over ``path`` with the current index: statistics and misses."""
        aggregator = StatsAggregator(self.fmt, self.holder.active, track_threads=self.track_threads)
        error = None
        try:  # whole decompressed blocks (vectorised work wants big chunks), read ahead
            for chunk in prefetch(iter_line_series(path, self.max_line_bytes)):
                aggregator.add(chunk)
                if progress:
                    progress(aggregator.result.lines)
        except CorruptInputError as exc:
            error = exc.message
        return aggregator.finish(), error

    def refeed(self, key_texts: list[str]) -> Pass1Stats:
        """Feed pass-2 misses back into pass 1: the last chance, so each gets a template."""
        evolver = TemplateEvolver(self.committee, self.holder, self.params, final=True)
        try:
            evolver.feed(key_texts)
            return evolver.finish()
        finally:
            evolver.close()

    def process(self, path: Path, progress: Progress | None = None) -> FileRun:
        """Pass 1, pass 2, and re-feed rounds until the misses yield no new template."""
        started = time.monotonic()
        p1, modules, error = self.mine(path, progress)
        p2, _ = self.count(path)
        run = FileRun(path=path, pass1=p1, pass2=p2, modules=modules, error=error)
        for _ in range(MAX_REFEED_ROUNDS):
            if not p2.unmatched:
                break
            extra = self.refeed(list(p2.unmatched))
            _add_stats(run.pass1, extra)
            if not (extra.templates_added or extra.templates_revised):
                break
            p2, _ = self.count(path)
            run.pass2, run.rounds = p2, run.rounds + 1
        run.seconds = time.monotonic() - started
        return run

    def assign_lines(self, path: Path) -> Iterator[pl.DataFrame]:
        """Every physical line with its record's template id (for ``argus parse``)."""
        matcher = ChunkMatcher(self.holder.active)
        first = True
        for chunk in self.chunks(path):
            frame = parse_records(self.fmt, chunk, file_start=first)
            first = False
            starts = frame.filter(pl.col("starts"))
            tids = starts.select("record", tid=matcher.assign(starts["content"]))
            yield frame.join(tids, on="record", how="left").sort("line_no")


def _module_pairs(records: pl.DataFrame) -> set[tuple[str, str | None]]:
    pairs = records.select("mod", "smod").unique().drop_nulls("mod")
    return {(m, s) for m, s in pairs.iter_rows()}


def _add_stats(total: Pass1Stats, extra: Pass1Stats) -> None:
    for name in ("committee_runs", "templates_added", "templates_revised", "rejected_drafts"):
        setattr(total, name, getattr(total, name) + getattr(extra, name))
    total.index_version = extra.index_version
