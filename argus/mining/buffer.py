"""The diversity buffer: where pass-1 misses wait for the committee.

Misses are masked (numbers, ids, addresses ... replaced) and de-duplicated twice: exactly, by the
hash of the masked text, and approximately, by SimHash distance, so that a hundred buffered lines
are a hundred *different* lines (at most a few variants of any one shape). At most
``max_per_micro_batch`` misses of one micro-batch are admitted, so that one noisy stretch of a
file cannot fill the buffer alone.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from argus.mining.masking import mask, tokenize
from argus.mining.simhash import hamming, simhash

#: SimHash distance at or below which two masked lines count as near-duplicates.
NEAR_DUPLICATE_BITS = 3
#: Near-duplicates admitted per neighbourhood: a few variants help the drafter tell values from
#: words, a flood of them only slows it down. (Short lines that differ in one word -- often
#: different events -- are near-duplicates too, so rejecting all of them would lose events.)
MAX_NEIGHBOURS = 3


@dataclass(kw_only=True)
class BufferStats:
    """Counters of what the buffer did."""

    offered: int = 0  #: misses offered
    admitted: int = 0  #: misses that entered the buffer
    duplicates: int = 0  #: rejected as exact duplicates (masked)
    near_duplicates: int = 0  #: rejected as SimHash near-duplicates
    capped: int = 0  #: rejected by the per-micro-batch cap or a full buffer
    retired: int = 0  #: rejected because the committee already refused their shape


@dataclass(kw_only=True)
class _Entry:
    text: str
    digest: bytes
    sketch: int


@dataclass(kw_only=True)
class DiversityBuffer:
    """Collects diverse misses until ``size`` are waiting."""

    size: int = 100
    max_per_micro_batch: int = 15
    simhash_bits: int = 64
    capacity_factor: int = 3  #: hold at most size * factor while a committee is busy
    #: False for the last pass over what is left: every shape is admitted (exact duplicates of
    #: a mask excepted), since a refused line would otherwise stay without a template.
    selective: bool = True
    stats: BufferStats = field(default_factory=BufferStats)
    _entries: list[_Entry] = field(default_factory=list)
    _digests: set[bytes] = field(default_factory=set)
    _retired: set[bytes] = field(default_factory=set)

    def __len__(self) -> int:
        return len(self._entries)

    def offer(self, misses: list[str]) -> int:
        """Admit the diverse misses of one micro-batch; return how many entered."""
        admitted = 0
        for text in misses:
            self.stats.offered += 1
            if self.selective and (
                admitted >= self.max_per_micro_batch
                or len(self) >= self.size * self.capacity_factor
            ):
                self.stats.capped += 1
                continue
            if self._admit(text):
                admitted += 1
        self.stats.admitted += admitted
        return admitted

    def _admit(self, text: str) -> bool:
        masked = mask(text)
        digest = hashlib.blake2b(masked.encode(), digest_size=16).digest()
        if digest in self._retired:
            self.stats.retired += 1
            return False
        if digest in self._digests:
            self.stats.duplicates += 1
            return False
        sketch = simhash(tokenize(masked), self.simhash_bits)
        if self.selective and self._neighbours(sketch) >= MAX_NEIGHBOURS:
            self.stats.near_duplicates += 1
            return False
        self._entries.append(_Entry(text=text, digest=digest, sketch=sketch))
        self._digests.add(digest)
        return True

    def _neighbours(self, sketch: int) -> int:
        return sum(1 for e in self._entries if hamming(sketch, e.sketch) <= NEAR_DUPLICATE_BITS)

    @property
    def ready(self) -> bool:
        """True when enough misses wait for a committee run."""
        return len(self) >= self.size

    def drain(self) -> list[str]:
        """Hand every waiting miss to the committee and empty the buffer."""
        texts = [e.text for e in self._entries]
        self._entries.clear()
        self._digests.clear()
        return texts

    def retire(self, texts: list[str]) -> None:
        """Never admit these shapes again (the committee could not template them)."""
        for text in texts:
            self._retired.add(hashlib.blake2b(mask(text).encode(), digest_size=16).digest())
