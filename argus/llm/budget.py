"""The LLM time budget of one diagnosis: every call and every retry wait is charged to it."""

from __future__ import annotations

from dataclasses import dataclass

from argus.errors import LLMBudgetSpent


@dataclass(kw_only=True)
class LLMClock:
    """Seconds of LLM time one diagnosis may spend (calls and retry waits, not the rest)."""

    budget_s: float = 120.0  #: the total (ARGUS_LLM_BUDGET_S)
    spent_s: float = 0.0  #: charged so far

    def remaining(self) -> float:
        """Seconds left, never negative."""
        return max(0.0, self.budget_s - self.spent_s)

    def spent(self) -> bool:
        """True once nothing is left: no further call may start."""
        return self.remaining() <= 0.0

    def charge(self, seconds: float) -> None:
        """Count ``seconds`` against the budget."""
        self.spent_s += max(0.0, seconds)

    def timeout_for(self, per_call_s: float) -> float:
        """The timeout of the next call: ``per_call_s`` or what is left, whichever is shorter.

        Raises LLMBudgetSpent when nothing is left.
        """
        if self.spent():
            raise LLMBudgetSpent(self.spent_message())
        return min(per_call_s, self.remaining())

    def spent_message(self) -> str:
        """The short reason a report gives for skipping the LLM."""
        return f"LLM time budget of {self.budget_s:g} s spent"
