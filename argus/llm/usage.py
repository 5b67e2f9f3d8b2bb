"""Hard limits per diagnosis on graph steps, LLM calls and tokens (enforced, not advisory)."""

from __future__ import annotations

from dataclasses import dataclass

from argus.config import LimitSettings
from argus.errors import UsageLimitExceeded


@dataclass(frozen=True, kw_only=True)
class UsageLimits:
    """The most one diagnosis may use."""

    max_steps: int = 12  #: supervisor decisions
    max_llm_calls: int = 8  #: requests to the LLM, retries included
    max_tokens: int = 16_000  #: prompt + completion tokens

    @classmethod
    def from_settings(cls, limits: LimitSettings) -> UsageLimits:
        """The limits configured under ARGUS_LIMITS__*."""
        return cls(
            max_steps=limits.max_steps,
            max_llm_calls=limits.max_llm_calls,
            max_tokens=limits.max_tokens,
        )


@dataclass(kw_only=True)
class Usage:
    """What one diagnosis has used so far."""

    steps: int = 0  #: supervisor decisions taken
    llm_calls: int = 0  #: LLM requests made
    tokens: int = 0  #: tokens reported by the LLM server

    def llm_allowed(self, limits: UsageLimits) -> bool:
        """True while another LLM call fits within the limits."""
        return self.llm_calls < limits.max_llm_calls and self.tokens < limits.max_tokens

    def check_llm(self, limits: UsageLimits) -> None:
        """Raise UsageLimitExceeded when no further LLM call is allowed."""
        if not self.llm_allowed(limits):
            raise UsageLimitExceeded(
                f"LLM budget of this diagnosis spent ({self.llm_calls} calls, {self.tokens} tokens)"
            )

    def steps_left(self, limits: UsageLimits) -> bool:
        """True while the supervisor may take another step."""
        return self.steps < limits.max_steps
