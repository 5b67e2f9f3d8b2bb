"""Plan the rankings of a filtered search: the vector path, and the terms of the full-text one.

pgvector 0.6 filters *after* the HNSW scan: the index yields ``ef_search`` nearest rows and the
WHERE clause then drops those of other platforms, modules... With a filter that keeps a share
``s`` of the table, about ``ef_search * s`` rows survive. So:

* few matching rows (a selective filter): scan them exactly — cheap, and recall is 1;
* otherwise raise ``ef_search`` so that ``ef_search * s`` matching rows are met — enough for a
  good recall, not only for the number of candidates; when even pgvector's cap (1000) cannot
  be expected to yield the candidates, scan exactly instead.

The selectivity comes from the planner's statistics (EXPLAIN), which costs no row reads; the
search falls back to the exact scan when the HNSW path still returns too few rows.

Full-text ranking costs in proportion to the entries matching the query's terms; when many pass
the filters, :func:`choose_text_terms` keeps the rarest terms within a budget of rows.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

#: Filtered row counts up to this are ranked by an exact scan.
EXACT_MAX_ROWS = 1_000
#: pgvector's upper bound on hnsw.ef_search.
HNSW_MAX_EF = 1_000
#: pgvector's default hnsw.ef_search; never go below it.
HNSW_MIN_EF = 40
#: Rows passing the filter that the HNSW scan should meet: its recall@5 depends on how many
#: matching neighbours it examines — on the benchmark's clustered data about 0.88 at 40 and
#: 0.95-0.99 at 200, depending on the index build (bench/RESULTS.md); 300 leaves a margin.
TARGET_SURVIVORS = 300
#: ... and at least this many per candidate wanted (matters for long result lists).
SAFETY = 3.0
#: Rows the full-text ranking may have to score (see :func:`choose_text_terms`).
TEXT_BUDGET_ROWS = 500

Strategy = Literal["exact", "hnsw"]


@dataclass(frozen=True, kw_only=True)
class VectorPlan:
    """How the vector ranking of one search runs."""

    strategy: Strategy  #: exact scan of the filtered rows, or HNSW index scan + filter
    ef_search: int  #: hnsw.ef_search for the HNSW path (0 for exact)
    estimated_rows: float  #: rows expected to pass the filters
    total_rows: float  #: rows in the table


def plan_vector_search(estimated_rows: float, total_rows: float, candidates: int) -> VectorPlan:
    """The plan for ranking ``candidates`` rows among ``estimated_rows`` of ``total_rows``.

    Exact up to EXACT_MAX_ROWS matching rows. Otherwise HNSW, with ``ef_search`` sized so that
    ``ef_search x selectivity`` reaches TARGET_SURVIVORS (or SAFETY x ``candidates``); when even
    pgvector's cap of 1000 cannot be expected to yield the candidates, the exact scan is used.
    """
    if estimated_rows <= EXACT_MAX_ROWS or total_rows <= EXACT_MAX_ROWS:
        return VectorPlan(
            strategy="exact", ef_search=0, estimated_rows=estimated_rows, total_rows=total_rows
        )
    if HNSW_MAX_EF * _selectivity(estimated_rows, total_rows) < candidates:
        return VectorPlan(
            strategy="exact", ef_search=0, estimated_rows=estimated_rows, total_rows=total_rows
        )
    return VectorPlan(
        strategy="hnsw",
        ef_search=_ef_for(estimated_rows, total_rows, candidates),
        estimated_rows=estimated_rows,
        total_rows=total_rows,
    )


def forced_plan(
    strategy: Strategy, estimated_rows: float, total_rows: float, candidates: int
) -> VectorPlan:
    """A plan with the strategy imposed (benchmarks, diagnostics); ef sized as in auto mode."""
    if strategy == "exact":
        return VectorPlan(
            strategy="exact", ef_search=0, estimated_rows=estimated_rows, total_rows=total_rows
        )
    return VectorPlan(
        strategy="hnsw",
        ef_search=_ef_for(estimated_rows, total_rows, candidates),
        estimated_rows=estimated_rows,
        total_rows=total_rows,
    )


def _selectivity(estimated_rows: float, total_rows: float) -> float:
    return min(1.0, max(estimated_rows, 1.0) / max(total_rows, 1.0))


def _ef_for(estimated_rows: float, total_rows: float, candidates: int) -> int:
    wanted = max(TARGET_SURVIVORS, candidates * SAFETY) / _selectivity(estimated_rows, total_rows)
    return min(HNSW_MAX_EF, max(HNSW_MIN_EF, candidates, math.ceil(wanted)))


def choose_text_terms(
    lexemes: Sequence[str],
    frequencies: Mapping[str, float],
    matching_rows: float,
    total_rows: float,
    budget_rows: float = TEXT_BUDGET_ROWS,
) -> list[str]:
    """The query lexemes the full-text ranking uses, so that it scores about ``budget_rows``.

    Every lexeme when the rows passing the filters fit the budget. Otherwise lexemes are taken
    rarest first while the rows they can match in the whole table (summed document frequency x
    ``total_rows``: an upper bound whatever the filters correlate with) fit the budget. Common
    lexemes discriminate little (ts_rank has no IDF) and are what makes ranking slow. A lexeme
    missing from ``frequencies`` (the statistics' most common ones) is at most as frequent as
    the rarest listed.
    """
    if matching_rows <= budget_rows or not frequencies:
        return list(lexemes)
    floor = min(frequencies.values())
    ranked = sorted(lexemes, key=lambda lexeme: (frequencies.get(lexeme, floor), lexeme))
    kept: list[str] = []
    expected = 0.0
    for lexeme in ranked:
        expected += frequencies.get(lexeme, floor) * total_rows
        if expected > budget_rows:
            break
        kept.append(lexeme)
    return kept
