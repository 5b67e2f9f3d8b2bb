"""Knowledge-base metrics: how often diagnoses cite entries, which entries, and how precise
the cited entries are where feedback gives the truth.

* hit rate: completed diagnoses citing at least one entry, over all completed diagnoses;
* citations per entry: diagnoses citing an entry, averaged over the entries cited at least once
  (and the most cited entries by name);
* precision: of the entries cited by diagnoses whose batch has feedback, the share that fit the
  truth: the truth is an incident, and the entry's category (mapped to the report's vocabulary)
  and module, where the entry has them, are the true ones.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import psycopg

from argus.knowledge.categories import Category, report_category
from argus.metrics import (
    KNOWLEDGE_CITATIONS,
    KNOWLEDGE_CITATIONS_PER_ENTRY,
    KNOWLEDGE_HIT_RATE,
    KNOWLEDGE_PRECISION,
)
from argus.store import feedback as store
from argus.store.feedback import EntryCitations, JudgedCitation


@dataclass(frozen=True, kw_only=True)
class KnowledgeStats:
    """The knowledge metrics at one moment."""

    diagnoses: int  #: completed diagnoses
    citing_diagnoses: int  #: of them, citing at least one entry
    hit_rate: float | None  #: citing / diagnoses (None without a diagnosis)
    citations: int  #: (diagnosis, entry) pairs
    entries: int  #: entries in the knowledge base
    cited_entries: int  #: entries cited at least once
    citations_per_cited_entry: float | None  #: citations / cited entries
    judged_citations: int  #: citations by diagnoses whose truth is known
    relevant_citations: int  #: of them, entries that fit the truth
    precision: float | None  #: relevant / judged (None when nothing is judged)
    most_cited: list[EntryCitations]  #: the most cited entries, most first


def fits_truth(cited: JudgedCitation) -> bool:
    """Whether a cited entry fits its diagnosis's truth (see the module's docstring)."""
    if cited.expected_category == "none":
        return False
    if cited.category is not None:
        try:
            kind = report_category(Category(cited.category))
        except ValueError:
            return False
        if kind != cited.expected_category:
            return False
    return cited.module is None or cited.module == cited.expected_module


async def knowledge_stats(conn: psycopg.AsyncConnection[Any], *, top: int = 10) -> KnowledgeStats:
    """The knowledge metrics now, with the ``top`` most cited entries."""
    counts = await store.citation_counts(conn)
    judged = await store.judged_citations(conn)
    relevant = sum(1 for c in judged if fits_truth(c))
    return KnowledgeStats(
        diagnoses=counts.diagnoses,
        citing_diagnoses=counts.citing,
        hit_rate=_ratio(counts.citing, counts.diagnoses),
        citations=counts.citations,
        entries=counts.entries,
        cited_entries=counts.cited_entries,
        citations_per_cited_entry=_ratio(counts.citations, counts.cited_entries),
        judged_citations=len(judged),
        relevant_citations=relevant,
        precision=_ratio(relevant, len(judged)),
        most_cited=await store.most_cited(conn, top),
    )


def publish(stats: KnowledgeStats) -> None:
    """Set the knowledge gauges of /metrics (a ratio without data is NaN)."""
    for gauge, value in (
        (KNOWLEDGE_HIT_RATE, stats.hit_rate),
        (KNOWLEDGE_CITATIONS, stats.citations),
        (KNOWLEDGE_CITATIONS_PER_ENTRY, stats.citations_per_cited_entry),
        (KNOWLEDGE_PRECISION, stats.precision),
    ):
        gauge.set(math.nan if value is None else value)


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None
