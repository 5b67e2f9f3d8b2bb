"""Retry back-off and the circuit breaker: the policy objects of the one LLM call path,
:func:`argus.llm.guard.guarded_call` (through :class:`argus.llm.runtime.LLMRuntime`), which
decides what is retried and what counts as a failure. Breakers are shared per process and LLM
endpoint (:func:`shared_breaker`), so a dead endpoint is skipped by every later diagnosis.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field


@dataclass(frozen=True, kw_only=True)
class RetryPolicy:
    """How often and how patiently a transient LLM failure is retried."""

    attempts: int = 3  #: total attempts, the first included
    initial_wait_s: float = 0.5  #: wait before the second attempt
    max_wait_s: float = 8.0  #: cap of the exponential back-off

    def backoff_s(self, attempt: int) -> float:
        """The wait after failed attempt number ``attempt`` (1-based): exponential, capped."""
        return min(self.max_wait_s, self.initial_wait_s * 2.0 ** (attempt - 1))


@dataclass(kw_only=True)
class CircuitBreaker:
    """Stops calling an LLM that keeps failing, for ``cooldown_s``, then lets one call probe it.

    It only counts what it is told (:meth:`record`); argus.llm.guard holds the rule of what
    counts as a failure."""

    threshold: int = 3  #: consecutive failures that open the circuit
    cooldown_s: float = 60.0  #: how long it stays open
    failures: int = 0  #: consecutive failures so far
    opened_at: float | None = None  #: monotonic time it opened, None when closed
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def is_open(self) -> bool:
        """True while calls should not be attempted."""
        with self._lock:
            if self.opened_at is None:
                return False
            if time.monotonic() - self.opened_at >= self.cooldown_s:
                self.opened_at = None  # half-open: the next call probes
                self.failures = self.threshold - 1
                return False
            return True

    def record(self, ok: bool) -> None:
        """Count the outcome of one call."""
        with self._lock:
            if ok:
                self.failures, self.opened_at = 0, None
                return
            self.failures += 1
            if self.failures >= self.threshold:
                self.opened_at = time.monotonic()


_SHARED: dict[str, CircuitBreaker] = {}
_SHARED_LOCK = threading.Lock()


def shared_breaker(endpoint: str, threshold: int, cooldown_s: float) -> CircuitBreaker:
    """The one breaker of ``endpoint`` in this process, made on first use; ``threshold`` and
    ``cooldown_s`` (from the settings) apply from this call on."""
    with _SHARED_LOCK:
        breaker = _SHARED.setdefault(endpoint, CircuitBreaker())
        breaker.threshold, breaker.cooldown_s = threshold, cooldown_s
        return breaker
