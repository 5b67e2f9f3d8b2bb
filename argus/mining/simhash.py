"""64-bit SimHash over token shingles, for near-duplicate detection of masked log lines."""

from __future__ import annotations

import hashlib
import itertools

_MASK64 = (1 << 64) - 1


def _token_hash(token: str) -> int:
    return int.from_bytes(hashlib.blake2b(token.encode(), digest_size=8).digest(), "big")


def simhash(tokens: list[str], bits: int = 64) -> int:
    """SimHash of ``tokens`` (and their bigrams, so that order matters a little)."""
    features = tokens + [f"{a}\x00{b}" for a, b in itertools.pairwise(tokens)]
    weights = [0] * bits
    for feature in features:
        h = _token_hash(feature)
        for i in range(bits):
            weights[i] += 1 if (h >> i) & 1 else -1
    value = 0
    for i, w in enumerate(weights):
        if w > 0:
            value |= 1 << i
    return value & _MASK64


def hamming(a: int, b: int) -> int:
    """Number of differing bits."""
    return (a ^ b).bit_count()
