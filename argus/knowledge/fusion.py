"""Reciprocal rank fusion (RRF) of several rankings of the same entries.

Each signal contributes ``1 / (k + rank)`` for every entry it ranks; an entry's fused score is
the sum. RRF needs no score calibration between signals as different as a cosine distance and a
ts_rank, and an entry ranked well by two signals beats one ranked first by only one.
"""

from __future__ import annotations

from collections.abc import Mapping

#: The usual RRF constant: damps the difference between the very first ranks.
RRF_K = 60


def reciprocal_rank_fusion(
    rankings: Mapping[str, Mapping[int, int]], k: int = RRF_K
) -> dict[int, float]:
    """Fused scores by id, from ``{signal: {id: rank (1 = best)}}``."""
    scores: dict[int, float] = {}
    for ranks in rankings.values():
        for item, rank in ranks.items():
            scores[item] = scores.get(item, 0.0) + 1.0 / (k + rank)
    return scores


def ranks(ids: list[int]) -> dict[int, int]:
    """Ranks (1 = first) of ids listed best first."""
    return {item: position for position, item in enumerate(ids, 1)}
