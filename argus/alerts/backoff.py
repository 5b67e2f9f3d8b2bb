"""When to try a failed delivery again: exponential back-off (tenacity's), or the receiver's
Retry-After when it asks for longer (capped, so a hostile header cannot park a notification)."""

from __future__ import annotations

from dataclasses import dataclass

import tenacity


@dataclass(frozen=True, kw_only=True)
class RetryPolicy:
    """Attempts and waits of one notification."""

    max_attempts: int  #: attempts before the notification is dead
    first_s: float  #: wait after the first failure; doubles after each further one
    max_s: float  #: longest back-off
    retry_after_cap_s: float  #: longest Retry-After honoured

    def wait_s(self, attempts: int, retry_after_s: float | None) -> float:
        """The wait after ``attempts`` failed attempts (1 or more)."""
        wait = tenacity.wait_exponential(multiplier=self.first_s, min=self.first_s, max=self.max_s)
        state = tenacity.RetryCallState(tenacity.AsyncRetrying(), None, (), {})
        state.attempt_number = max(1, attempts)
        backoff = float(wait(state))
        if retry_after_s is None:
            return backoff
        return max(backoff, min(retry_after_s, self.retry_after_cap_s))

    def dead(self, attempts: int) -> bool:
        """True when no attempt is left after ``attempts``."""
        return attempts >= self.max_attempts
