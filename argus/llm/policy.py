"""Retry with back-off and a circuit breaker: explicit policy objects around every LLM call.

The async call path (agents, chat) is :func:`argus.llm.guard.guarded_call`; ``RetryPolicy.call``
serves the synchronous template drafter. Breakers are shared per process and LLM endpoint
(:func:`shared_breaker`), so a dead endpoint is skipped by every later diagnosis.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import httpx
from tenacity import (
    Retrying,
    retry_if_exception,
    stop_after_attempt,
    wait_exponential,
)

from argus.errors import LLMUnavailable

T = TypeVar("T")


def is_transient(exc: BaseException) -> bool:
    """Errors worth retrying: timeouts, connection failures, 429 and 5xx answers."""
    if isinstance(exc, httpx.TransportError | TimeoutError | ConnectionError):
        return True
    try:
        import openai
    except ImportError:  # pragma: no cover - langchain-openai brings it
        return False
    if isinstance(exc, openai.APIConnectionError | openai.APITimeoutError | openai.RateLimitError):
        return True
    return isinstance(exc, openai.APIStatusError) and exc.status_code >= 500


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently a transient LLM failure is retried."""

    attempts: int = 3  #: total attempts, the first included
    initial_wait_s: float = 0.5  #: wait before the second attempt
    max_wait_s: float = 8.0  #: cap of the exponential back-off

    def call(self, fn: Callable[[], T]) -> T:
        """Run ``fn``, retrying transient errors with exponential back-off."""
        return Retrying(**self._options())(fn)

    def backoff_s(self, attempt: int) -> float:
        """The wait after failed attempt number ``attempt`` (1-based): exponential, capped."""
        return min(self.max_wait_s, self.initial_wait_s * 2.0 ** (attempt - 1))

    def _options(self) -> dict[str, Any]:
        return {
            "stop": stop_after_attempt(self.attempts),
            "wait": wait_exponential(multiplier=self.initial_wait_s, max=self.max_wait_s),
            "retry": retry_if_exception(is_transient),
            "reraise": True,
        }


@dataclass
class CircuitBreaker:
    """Stops calling an LLM that keeps failing, for ``cooldown_s``, then lets one call probe it."""

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

    def guard(self, fn: Callable[[], T]) -> T:
        """Run ``fn`` unless the circuit is open; count its outcome."""
        if self.is_open:
            raise LLMUnavailable("the LLM circuit breaker is open after repeated failures")
        try:
            result = fn()
        except Exception:
            self.record(False)
            raise
        self.record(True)
        return result


_SHARED: dict[str, CircuitBreaker] = {}
_SHARED_LOCK = threading.Lock()


def shared_breaker(endpoint: str, threshold: int, cooldown_s: float) -> CircuitBreaker:
    """The one breaker of ``endpoint`` in this process, made on first use; ``threshold`` and
    ``cooldown_s`` (from the settings) apply from this call on."""
    with _SHARED_LOCK:
        breaker = _SHARED.setdefault(endpoint, CircuitBreaker())
        breaker.threshold, breaker.cooldown_s = threshold, cooldown_s
        return breaker
