"""Scores of an eval run (DESIGN.md §8): pure functions over per-case outcomes.

Retrieval precision and recall are the ID-based context precision / recall of ragas
(``IDBasedContextPrecision``: share of retrieved ids that are expected; ``IDBasedContextRecall``:
share of expected ids that were retrieved), offline; see :mod:`argus.evals.ragas_ids`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from argus.evals.ragas_ids import precision_recall
from argus.report import Category


@dataclass(kw_only=True)
class Outcome:
    """One case's expectation and prediction."""

    case_id: str  #: case id
    expected_module: str | None  #: labelled root-cause module (None: no incident)
    expected_category: Category  #: labelled category (the report vocabulary)
    predicted_modules: list[str] = field(default_factory=list)  #: ranked (root cause first)
    predicted_category: Category = "unknown"  #: the report's category ("none" when no incident)
    incident: bool = False  #: the report claims an incident
    expected_knowledge: list[str] = field(default_factory=list)  #: expected knowledge ids
    retrieved_knowledge: list[str] = field(default_factory=list)  #: ids the report cites
    latency_s: float = 0.0  #: wall time of the diagnosis
    llm_calls: int = 0  #: LLM calls made
    tokens: int = 0  #: LLM tokens used
    error: str | None = None  #: why the case failed (the diagnosis raised)

    def module_hit(self, k: int) -> bool:
        """True when the expected module is within the first ``k`` ranked modules.

        This is localisation: the report's ranking counts even when it claims no incident
        (detection is scored apart, see :func:`detection_rate` and :meth:`strict_hit`). A
        fault-free case is a hit when the report claims no incident.
        """
        if self.error is not None:
            return False
        if self.expected_module is None:
            return not self.incident
        return self.expected_module in self.predicted_modules[:k]

    def strict_hit(self, k: int) -> bool:
        """:meth:`module_hit`, and for a fault case the report also claims an incident."""
        return self.module_hit(k) and (self.expected_module is None or self.incident)

    @property
    def category_hit(self) -> bool:
        """True when the predicted category is the expected one."""
        return self.error is None and self.predicted_category == self.expected_category

    @property
    def correct(self) -> bool:
        """Module at rank 1 and category both right."""
        return self.module_hit(1) and self.category_hit


def accuracy_at(outcomes: Sequence[Outcome], k: int) -> float:
    """Share of cases whose expected module is in the top ``k`` (none cases: no incident)."""
    return _share([o.module_hit(k) for o in outcomes])


def strict_accuracy_at(outcomes: Sequence[Outcome], k: int) -> float:
    """:func:`accuracy_at` counting a fault case only when the report also claims an incident."""
    return _share([o.strict_hit(k) for o in outcomes])


def detection_rate(outcomes: Sequence[Outcome]) -> float:
    """Share of fault cases for which the report claims an incident."""
    return _share([o.incident and o.error is None for o in outcomes if o.expected_module])


def category_accuracy(outcomes: Sequence[Outcome]) -> float:
    """Share of cases with the right category."""
    return _share([o.category_hit for o in outcomes])


def macro_f1(outcomes: Sequence[Outcome]) -> tuple[float, dict[str, float]]:
    """Macro-averaged F1 over the expected categories, and the F1 of each."""
    labels = sorted({o.expected_category for o in outcomes})
    per: dict[str, float] = {}
    for label in labels:
        tp = sum(o.expected_category == label and o.category_hit for o in outcomes)
        fp = sum(
            o.predicted_category == label and o.expected_category != label
            for o in outcomes
            if o.error is None
        )
        fn = sum(o.expected_category == label and not o.category_hit for o in outcomes)
        per[label] = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
    return (sum(per.values()) / len(per) if per else 0.0), per


def false_alarms(outcomes: Sequence[Outcome]) -> int:
    """Fault-free cases for which the report claims an incident."""
    return sum(o.expected_module is None and o.incident for o in outcomes if o.error is None)


def retrieval(outcomes: Sequence[Outcome]) -> tuple[float | None, float | None]:
    """Mean ID-based precision and recall over cases with expected knowledge ids (else None)."""
    scored = [o for o in outcomes if o.expected_knowledge]
    if not scored:
        return None, None
    pairs = [precision_recall(o.retrieved_knowledge, o.expected_knowledge) for o in scored]
    return sum(p for p, _ in pairs) / len(pairs), sum(r for _, r in pairs) / len(pairs)


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0-100) with linear interpolation; 0.0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100.0
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def _share(hits: Sequence[bool]) -> float:
    return sum(hits) / len(hits) if hits else 0.0
