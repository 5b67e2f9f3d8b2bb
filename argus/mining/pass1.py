"""Pass 1: template evolution. It counts nothing; it makes the library cover the file.

Unique key texts are matched in micro-batches against the *active* index. Misses go to the
diversity buffer; when it holds ``buffer_size`` of them the committee runs in a background thread
while the reader goes on, and when the committee is done the index is rebuilt and swapped, so
later micro-batches of the same file already match the new templates. Optional look-back
re-matches the misses of the last few micro-batches after a swap.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field

from argus.config import MiningSettings
from argus.mining.buffer import BufferStats, DiversityBuffer
from argus.mining.committee import Committee, CommitteeReport
from argus.mining.index import IndexHolder, Template

log = logging.getLogger(__name__)


@dataclass(kw_only=True)
class Pass1Stats:
    """What pass 1 did to the library while reading."""

    lines: int = 0  #: physical lines read
    key_texts: int = 0  #: key texts seen (after per-chunk de-duplication)
    matched: int = 0  #: of those, matched by the index of their micro-batch
    missed: int = 0  #: not matched when their micro-batch ran
    committee_runs: int = 0  #: committee runs started
    templates_added: int = 0  #: new templates accepted
    templates_revised: int = 0  #: templates generalised (new versions)
    rejected_drafts: int = 0  #: drafts the arbiter refused
    lookback_recovered: int = 0  #: earlier misses matched after a swap (look-back)
    index_version: int = 0  #: version of the active index at the end
    buffer: BufferStats = field(default_factory=BufferStats)  #: diversity buffer counters


class TemplateEvolver:
    """Runs pass 1 over a stream of key-text chunks."""

    def __init__(
        self,
        committee: Committee,
        holder: IndexHolder,
        params: MiningSettings,
        *,
        final: bool = False,
    ) -> None:
        """``final``: the texts fed are all that is left (a re-feed of pass-2 misses), so every
        committee run is a final one and leaves no text without a template."""
        self.committee = committee
        self.final = final
        self.holder = holder
        self.params = params
        self.buffer = DiversityBuffer(
            size=params.buffer_size,
            max_per_micro_batch=params.max_per_micro_batch,
            simhash_bits=params.simhash_bits,
            selective=not final,
        )
        self.stats = Pass1Stats(buffer=self.buffer.stats)
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="argus-committee")
        self._inflight: Future[CommitteeReport] | None = None
        self._recent: deque[list[str]] = deque(maxlen=max(params.lookback_batches, 1))
        self._swapped = threading.Event()
        self._stale = 0  # consecutive micro-batches whose misses added nothing to the buffer

    def feed(self, key_texts: Iterable[str]) -> None:
        """Process one chunk of key texts (duplicates within the chunk are matched once)."""
        unique = list(dict.fromkeys(key_texts))
        self.stats.key_texts += len(unique)
        size = self.params.micro_batch_size
        for start in range(0, len(unique), size):
            self._micro_batch(unique[start : start + size])

    def _micro_batch(self, texts: Sequence[str]) -> None:
        index = self.holder.active  # one consistent index for the whole micro-batch
        misses = [t for t, hit in zip(texts, index.match_many(texts), strict=True) if hit is None]
        self.stats.matched += len(texts) - len(misses)
        self.stats.missed += len(misses)
        if self.params.lookback_enabled:
            self._look_back()
            self._recent.append(misses)
        if misses:
            fresh = self.buffer.offer(misses)
            self._stale = 0 if fresh else self._stale + 1
        self._collect(block=False)
        stale = len(self.buffer) > 0 and self._stale >= self.params.stale_micro_batches
        if (self.buffer.ready or stale) and self._inflight is None:
            self._stale = 0
            self._start_committee(self.buffer.drain(), final=self.final)

    def _start_committee(self, samples: list[str], *, final: bool = False) -> None:
        self.stats.committee_runs += 1
        library = list(self.holder.active.templates)
        self._inflight = self._pool.submit(self._committee_job, samples, library, final)

    def _committee_job(
        self, samples: list[str], library: list[Template], final: bool
    ) -> CommitteeReport:
        # Samples buffered before the last swap may be covered by now: do not draft them twice.
        index = self.holder.active
        samples = [s for s in samples if index.match(s) is None]
        report = self.committee.run(samples, list(index.templates) or library, final=final)
        if report.added or report.revised:
            self.holder.rebuild(self.committee.store.load())
            self._swapped.set()
        return report

    def _collect(self, *, block: bool) -> None:
        job = self._inflight
        if job is None or (not block and not job.done()):
            return
        self._inflight = None
        report = job.result()
        self.stats.templates_added += len(report.added)
        self.stats.templates_revised += len(report.revised)
        self.stats.rejected_drafts += len(report.rejected)
        if report.unplaced:
            self.buffer.retire(report.unplaced)

    def _look_back(self) -> None:
        if not self._swapped.is_set():
            return
        self._swapped.clear()
        index = self.holder.active
        for misses in self._recent:
            self.stats.lookback_recovered += sum(1 for t in misses if index.match(t) is not None)
        self._recent.clear()

    def finish(self) -> Pass1Stats:
        """Wait for the running committee, draft what is still buffered, and report.

        The input has ended, so what the buffer still holds is drafted as a final run: every
        buffered line, a single one included, leaves with a template (see ``Committee.run``).
        """
        self._collect(block=True)
        while len(self.buffer):
            self._start_committee(self.buffer.drain(), final=True)
            self._collect(block=True)
        self.stats.index_version = self.holder.active.version
        return self.stats

    def close(self) -> None:
        """Stop the committee thread."""
        self._pool.shutdown(wait=True)
