"""What went wrong in one LLM call, in the words a report can carry.

Whatever openai, httpx or langchain raise (an error status, a timeout, a refused or broken
connection, a body that is not a chat completion) becomes a :class:`Fault`: a short reason with
no upstream body in it, whether another attempt may help, and the server's Retry-After.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass
from email.utils import parsedate_to_datetime

import httpx

log = logging.getLogger(__name__)

#: Statuses another attempt may cure (the rest of 4xx will fail the same way again).
RETRYABLE_STATUS = frozenset({408, 409, 425, 429}) | frozenset(range(500, 600))


@dataclass(frozen=True, kw_only=True)
class Fault:
    """One failed attempt, classified."""

    reason: str  #: short, for the report ("LLM HTTP 500"); never the server's body
    retryable: bool  #: another attempt may succeed
    retry_after_s: float | None = None  #: the server's Retry-After, when it sent one


def classify(exc: BaseException, timeout_s: float) -> Fault:
    """The fault behind ``exc``, raised by a chat model call that had ``timeout_s`` seconds.

    Every exception maps to a fault: what is neither a status, a timeout nor a connection
    failure is taken for a malformed reply (not retried).
    """
    import openai  # langchain-openai's client; imported when a call has failed, not at start

    status = _status_fault(exc)
    if status is not None:
        return status
    if isinstance(exc, openai.APITimeoutError | httpx.TimeoutException | TimeoutError):
        return Fault(reason=f"LLM timed out after {timeout_s:g} s", retryable=True)
    if isinstance(exc, openai.APIConnectionError | httpx.TransportError | ConnectionError):
        return Fault(reason=f"LLM unreachable ({type(_root(exc)).__name__})", retryable=True)
    log.info("LLM reply not usable: %s: %.200s", type(exc).__name__, exc)
    return Fault(reason=f"LLM reply malformed ({_malformed(exc)})", retryable=False)


def _root(exc: BaseException) -> BaseException:
    """The innermost cause (langchain wraps openai's error, which wraps httpx's)."""
    for _ in range(10):
        if exc.__cause__ is None:
            break
        exc = exc.__cause__
    return exc


def _status_fault(exc: BaseException) -> Fault | None:
    """The fault of an error status (openai's client answers through httpx or httpx2)."""
    import openai

    if not isinstance(exc, openai.APIStatusError | httpx.HTTPStatusError):
        return None
    code = exc.response.status_code
    return Fault(
        reason=f"LLM HTTP {code}",
        retryable=code in RETRYABLE_STATUS,
        retry_after_s=retry_after(exc.response.headers),
    )


def _malformed(exc: BaseException) -> str:
    """What was wrong with the body, in a few words (the body itself is never quoted)."""
    import openai

    text = str(exc)
    if isinstance(exc, openai.APIResponseValidationError):
        return "not a chat completion"
    if isinstance(exc, json.JSONDecodeError):
        return "invalid JSON body"
    if isinstance(exc, TypeError | KeyError) and "choices" in text:
        return "no choices"
    if isinstance(exc, ValueError) and text.startswith("Unexpected response type"):
        return "not a JSON body"  # langchain-openai got the body as text
    return type(exc).__name__


def retry_after(headers: Mapping[str, str]) -> float | None:
    """Seconds the server asks to wait: ``retry-after-ms``, or ``Retry-After`` as seconds or
    as an HTTP date; None when absent or unreadable."""
    millis = headers.get("retry-after-ms")
    if millis is not None:
        try:
            return max(0.0, float(millis) / 1000)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError, IndexError):
        return None
