"""The one text-to-category classifier."""

from __future__ import annotations

import pytest

from argus.report import CATEGORIES
from argus.tools.textsignals import category_of_text


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("java.net.SocketTimeoutException: Read timed out", "code_exception"),
        ("Traceback (most recent call last)", "code_exception"),
        ("java.lang.OutOfMemoryError: Java heap space", "resource_memory"),
        ("container OOMKilled", "resource_memory"),
        ("write failed: No space left on device", "resource_disk"),
        ("cpu throttled for <*> ms", "resource_cpu"),
        ("accept4: too many open files; retrying in 1s", "config"),
        ("HikariPool-1 - pool exhausted after 30000ms", "database"),
        ("Timeout waiting for connection from pool", "database"),  # the pool is the cause
        ("pool timeout code=DB-POOL-EXHAUSTED", "database"),
        ("request to <*> timed out after <*> ms", "network_latency"),
        ("slow response from upstream", "network_latency"),
        ("db query failed: connection refused", "unknown"),
        ("GET /cart ok", "unknown"),
    ],
)
def test_the_words_name_the_category(text: str, category: str) -> None:
    assert category_of_text(text) == category


def test_the_classifier_answers_in_the_report_vocabulary_and_never_none() -> None:
    texts = ["", "none", "ERROR", "heap space exhausted, cpu throttled", "x" * 5000]
    assert all(category_of_text(t) in set(CATEGORIES) - {"none"} for t in texts)
