"""What the words of a template say: error, exception, latency, failure category, error codes.

Generic English and common log conventions only; nothing here knows a particular system.
:func:`category_of_text` is the one text-to-category classifier (suspects and the
template_mining agent both use it).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from argus.report import Category

#: Levels that mark a line as an error or a warning.
ERROR_LEVELS = frozenset(
    {
        "ERROR",
        "ERR",
        "E",
        "WARN",
        "WARNING",
        "W",
        "FATAL",
        "F",
        "CRITICAL",
        "CRIT",
        "ALERT",
        "EMERG",
        "SEVERE",
        "PANIC",
    }
)

_ERROR_WORDS = re.compile(
    r"(?i)\b(error|errors|fail|failed|failure|fatal|exception|refused|denied|unavailable|"
    r"timeout|timed out|abort|aborted|panic|crash|crashed|invalid|not found|cannot|can't|"
    r"unable|wrong|rejected|unreachable|no instances|overflow|exhausted|corrupt)\b|"
    r"(?i:\b(?:HTTP[/ ]?(?:\d\.\d )?|status(?: code)?[ :=]+)5\d\d\b)"
)
_EXCEPTION = re.compile(
    r"(?i)(\b\w*exception\b|traceback|\bpanic\b|stack ?trace|segmentation fault|\bthrew\b|"
    r"\bthrown\b|\bcaught\b|\bcatch\b|\braise[ds]?\b)"
)
_LATENCY = re.compile(
    r"(?i)\b(timeout|timed out|time out|deadline|slow|latency|took \d|elapsed|retry|retrying|"
    r"too long|delay(ed)?)\b"
)
_MEMORY = re.compile(r"(?i)\b(out of memory|oom\w*|heap space|outofmemory\w*)\b")
_DISK = re.compile(r"(?i)\b(no space left|disk full|disk quota)\b")
_CPU = re.compile(r"(?i)\b(cpu|throttl\w*|load average)\b")
_FILE_LIMIT = re.compile(r"(?i)\btoo many open files\b")
_POOL = re.compile(r"(?i)\b(pool[-_ ]?exhausted|connection pool|connections? from (?:the )?pool)\b")

#: Words to category, first match wins. An exception outranks the words it carries
#: (``SocketTimeoutException`` is an exception); an exhausted resource outranks the latency it
#: causes; timeouts are latency (a slow callee makes its callers time out). Words for the other
#: report categories (tls, auth, dns ...) are left out on purpose: the suspects read an error
#: template without the words above as a wrong return value, and adding them would change the
#: category of reports (a "connection refused" error template among them).
_CATEGORY_WORDS: tuple[tuple[re.Pattern[str], Category], ...] = (
    (_EXCEPTION, "code_exception"),
    (_MEMORY, "resource_memory"),
    (_DISK, "resource_disk"),
    (_CPU, "resource_cpu"),
    (_FILE_LIMIT, "config"),
    (_POOL, "database"),
    (_LATENCY, "network_latency"),
)

#: Error codes: prefixed numbers (E1234, ERR-42), HTTP statuses, errno names, UPPER-KEBAB codes.
_CODES = (
    re.compile(r"\b(?:HTTP[/ ]?(?:\d\.\d )?|status(?: code)?[ :=]+)([45]\d\d)\b", re.I),
    re.compile(r"\b([A-Z]{1,5}-?\d{3,6})\b"),
    re.compile(r"\b(E[A-Z]{3,12})\b"),  # errno names: ECONNREFUSED, ETIMEDOUT, ENOSPC ...
    re.compile(r"\b([A-Z][A-Z0-9]{1,15}(?:[-_][A-Z0-9]{2,15}){1,4})\b"),
    re.compile(r"\berrno[ :=]+(\d+)\b", re.I),
)
_NOT_CODES = frozenset({"UTF-8", "ISO-8859", "SHA-256", "HTTP", "GET", "POST", "PUT", "DELETE"})


def is_error_level(level: str | None) -> bool:
    """True for ERROR, WARN, FATAL and their spellings."""
    return bool(level) and level.strip().upper() in ERROR_LEVELS  # type: ignore[union-attr]


def has_error_words(text: str) -> bool:
    """True when ``text`` reads like a failure (error, failed, refused, not found ...)."""
    return _ERROR_WORDS.search(text) is not None


def category_of_text(text: str) -> Category:
    """The failure category the words of ``text`` name; "unknown" when they name none.

    Deterministic and total over strings; never "none" (a text names a failure or nothing).
    """
    for pattern, category in _CATEGORY_WORDS:
        if pattern.search(text):
            return category
    return "unknown"


def error_codes(texts: Iterable[str]) -> list[str]:
    """Codes found in ``texts`` (first-seen order, no duplicates): ``HTTP 503``, ``E1234`` ..."""
    seen: dict[str, None] = {}
    for text in texts:
        for index, pattern in enumerate(_CODES):
            for match in pattern.finditer(text):
                code = _normalise(index, match.group(1))
                if code and code not in _NOT_CODES:
                    seen.setdefault(code, None)
    return list(seen)


def _normalise(kind: int, raw: str) -> str | None:
    if kind == 0:
        return f"HTTP {raw}"
    if kind == 4:
        return f"errno {raw}"
    if kind == 3 and not any(c.isalpha() for c in raw.replace("-", "").replace("_", "")[:1]):
        return None
    return raw
