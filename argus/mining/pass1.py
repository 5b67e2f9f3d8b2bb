"""Pass 1: template evolution. It counts nothing; it makes the library cover the file.

Unique key texts are matched in micro-batches against the *active* index. Misses go to the
diversity buffer; when it holds ``buffer_size`` of them the committee runs in a background thread
while the reader goes on, and when the committee is done the index is rebuilt and swapped, so
later micro-batches of the same file already match the new templates. Optional look-back
re-matches the misses of the last few micro-batches after a swap.

Only whether a text is matched matters here. A chunk given as a Series is first checked in one
vectorised query against the index active at its start (``matching.surely_matched``); a
micro-batch matched by that same index skips RE2 for the texts the query proved matched and asks
RE2 about the others, so each micro-batch sees exactly the hits and misses RE2 alone gives.

The reader's loop is Python, as is the committee: left alone, a fast reader keeps the GIL and
starves the committee, so that a file is read to its end before its first templates arrive.
While a committee runs, each chunk therefore starts by waiting for it at most as long as the
previous chunk took (the wait frees the GIL): the committee gets at least as much time as the
reader.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field

import polars as pl

from argus.config import MiningSettings
from argus.mining.buffer import BufferStats, DiversityBuffer
from argus.mining.committee import Committee, CommitteeReport
from argus.mining.index import IndexHolder, Template, TemplateIndex
from argus.mining.matching import proof_regexes, surely_matched

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


@dataclass(frozen=True, kw_only=True)
class _Proof:
    """The texts of one chunk that ``index`` surely matches (``sure``, in the chunk's order)."""

    index: TemplateIndex
    sure: list[bool]


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
        self._regexes: tuple[TemplateIndex, list[str]] | None = None  #: the proof's, per index
        self._chunk_seconds = 0.0  #: how long the previous chunk took (module docstring)

    def feed(self, key_texts: Iterable[str] | pl.Series) -> None:
        """Process one chunk of key texts (duplicates within the chunk are matched once, in
        the order they first appear). A Series is checked vectorised first (module docstring).
        """
        if self._inflight is not None and self._chunk_seconds > 0:
            wait([self._inflight], timeout=self._chunk_seconds)  # the committee's share
        started = time.perf_counter()
        proof: _Proof | None = None
        if isinstance(key_texts, pl.Series):
            texts = key_texts.unique(maintain_order=True)
            proof = self._proof(texts)
            unique = texts.to_list()
        else:
            unique = list(dict.fromkeys(key_texts))
        self.stats.key_texts += len(unique)
        size = self.params.micro_batch_size
        for start in range(0, len(unique), size):
            self._micro_batch(unique[start : start + size], proof, start)
        self._chunk_seconds = time.perf_counter() - started

    def _proof(self, texts: pl.Series) -> _Proof | None:
        """Which ``texts`` the active index surely matches (None when it is empty)."""
        index = self.holder.active
        if not len(index):
            return None
        if self._regexes is None or self._regexes[0] is not index:
            self._regexes = (index, proof_regexes(index))
        if not self._regexes[1]:
            return None
        sure = surely_matched(texts, self._regexes[1])
        if sure is None:  # not for this index again
            self._regexes = (index, [])
            return None
        return _Proof(index=index, sure=sure.to_list())

    def _micro_batch(
        self, texts: Sequence[str], proof: _Proof | None = None, offset: int = 0
    ) -> None:
        index = self.holder.active  # one consistent index for the whole micro-batch
        if proof is not None and proof.index is index:
            sure = proof.sure[offset : offset + len(texts)]
            misses = [
                t for t, ok in zip(texts, sure, strict=True) if not ok and index.match(t) is None
            ]
        else:
            hits = index.match_many(texts)
            misses = [t for t, hit in zip(texts, hits, strict=True) if hit is None]
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
