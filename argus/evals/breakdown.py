"""The scores of a set of outcomes, with counts per fault type, for the studies of the method.

Every figure comes from :mod:`argus.evals.scoring`; this module only gathers them (and counts
hits per expected category, the fault type of a case) in one typed value.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from argus.evals.scoring import (
    Outcome,
    accuracy_at,
    category_accuracy,
    detection_rate,
    false_alarms,
    macro_f1,
)

#: Weight of one false alarm in :meth:`Scores.objective`.
FALSE_ALARM_COST = 1.0


@dataclass(frozen=True, kw_only=True)
class FaultTypeCounts:
    """Hits among the cases of one expected category."""

    category: str  #: the expected category (``none``: fault-free cases)
    cases: int  #: cases of that category
    top1: int  #: cases whose expected module is ranked first (none cases: no incident claimed)
    top3: int  #: cases whose expected module is within the first three
    category_hits: int  #: cases whose predicted category is right


@dataclass(frozen=True, kw_only=True)
class Scores:
    """The figures of a set of outcomes (see :mod:`argus.evals.scoring` for definitions)."""

    cases: int  #: outcomes scored
    failed: int  #: of which the diagnosis raised
    accuracy_at_1: float  #: module accuracy@1
    accuracy_at_3: float  #: module accuracy@3
    detection_rate: float  #: share of fault cases called an incident
    category_accuracy: float  #: share of cases with the right category
    macro_f1: float  #: category macro-F1 over the expected categories
    category_f1: dict[str, float]  #: F1 of each expected category
    false_alarms: int  #: fault-free cases called an incident
    none_cases: int  #: fault-free cases
    fault_types: list[FaultTypeCounts]  #: hits per expected category, sorted by category

    @classmethod
    def of(cls, outcomes: Iterable[Outcome]) -> Scores:
        """Score ``outcomes``."""
        kept = list(outcomes)
        f1, per_category = macro_f1(kept)
        return cls(
            cases=len(kept),
            failed=sum(o.error is not None for o in kept),
            accuracy_at_1=accuracy_at(kept, 1),
            accuracy_at_3=accuracy_at(kept, 3),
            detection_rate=detection_rate(kept),
            category_accuracy=category_accuracy(kept),
            macro_f1=f1,
            category_f1=per_category,
            false_alarms=false_alarms(kept),
            none_cases=sum(o.expected_module is None for o in kept),
            fault_types=fault_type_counts(kept),
        )

    @property
    def objective(self) -> float:
        """What settings are chosen by: accuracy@3 + accuracy@1 + macro-F1 - 1 per false alarm."""
        return (
            self.accuracy_at_3
            + self.accuracy_at_1
            + self.macro_f1
            - FALSE_ALARM_COST * self.false_alarms
        )

    def fault_type(self, category: str) -> FaultTypeCounts | None:
        """The counts of one expected category, None when no case has it."""
        return next((f for f in self.fault_types if f.category == category), None)


def fault_type_counts(outcomes: Iterable[Outcome]) -> list[FaultTypeCounts]:
    """Cases and hits per expected category, sorted by category."""
    groups: dict[str, list[Outcome]] = {}
    for outcome in outcomes:
        groups.setdefault(outcome.expected_category, []).append(outcome)
    return [
        FaultTypeCounts(
            category=category,
            cases=len(group),
            top1=sum(o.module_hit(1) for o in group),
            top3=sum(o.module_hit(3) for o in group),
            category_hits=sum(o.category_hit for o in group),
        )
        for category, group in sorted(groups.items())
    ]
