"""The digest: windows, error templates and codes, bursts, and the baseline comparison."""

from __future__ import annotations

from argus.tools.statistics import build_digest, window_minutes
from argus.tools.textsignals import error_codes
from tests.tools.frames import stats, steady

TEXTS = {
    1: "user <*> logged in",
    2: "order <*> created",
    3: "payment failed: DB-POOL-EXHAUSTED after <*> ms",
    4: "request to upstream returned HTTP 503",
}


def test_window_is_first_to_last_line() -> None:
    current = stats(steady(1, "api", 10, 3), TEXTS)
    assert round(window_minutes(current.buckets), 2) == 2.98


def test_digest_lists_error_templates_by_level_and_words_and_their_codes() -> None:
    rows = steady(1, "api", 10, 2) + steady(3, "pay", 2, 2, "INFO") + steady(4, "api", 1, 2, "WARN")
    digest = build_digest(stats(rows, TEXTS))
    why = {t.template_id: t.why for t in digest.error_templates}
    assert why == {3: "words", 4: "level+words"}
    assert "DB-POOL-EXHAUSTED" in digest.error_codes and "HTTP 503" in digest.error_codes
    assert [m.module for m in digest.modules] == ["api", "pay"]
    assert digest.changes == [] and not digest.has_baseline


def test_error_codes_are_generic() -> None:
    codes = error_codes(["open failed: ECONNREFUSED (errno 111)", "E1234 bad header", "UTF-8 ok"])
    assert codes == ["ECONNREFUSED", "errno 111", "E1234"]


def test_a_new_error_template_is_reported_as_new() -> None:
    baseline = stats(steady(1, "api", 10, 3) + steady(2, "db", 5, 3), TEXTS)
    current = stats(steady(1, "api", 10, 3) + steady(2, "db", 5, 3) + steady(3, "db", 4, 3), TEXTS)
    digest = build_digest(current, baseline)
    assert [(c.template_id, c.kind, c.error) for c in digest.changes] == [(3, "new", True)]


def test_a_longer_window_is_not_a_spike() -> None:
    """Same rate per minute over 1 minute (baseline) and 5 minutes (batch): no change."""
    baseline = stats(steady(1, "api", 20, 1) + steady(3, "db", 6, 1), TEXTS)
    current = stats(steady(1, "api", 20, 5) + steady(3, "db", 6, 5), TEXTS)
    digest = build_digest(current, baseline)
    assert digest.changes == []
    assert 0.9 < digest.traffic_factor < 1.1


def test_a_real_spike_is_flagged() -> None:
    baseline = stats(steady(1, "api", 20, 3) + steady(3, "db", 1, 3), TEXTS)
    current = stats(steady(1, "api", 20, 3) + steady(3, "db", 15, 3), TEXTS)
    [change] = build_digest(current, baseline).changes
    assert (change.template_id, change.kind) == (3, "spike")
    assert change.current_per_min > 10 * change.baseline_per_min


def test_busier_traffic_everywhere_is_not_a_spike() -> None:
    baseline = stats(steady(1, "api", 10, 3) + steady(2, "db", 10, 3), TEXTS)
    current = stats(steady(1, "api", 40, 3) + steady(2, "db", 40, 3), TEXTS)
    digest = build_digest(current, baseline)
    assert digest.changes == [] and digest.traffic_factor > 3.5


def test_a_vanished_template_is_a_drop_and_a_burst_is_found() -> None:
    baseline = stats(steady(1, "api", 20, 3) + steady(2, "db", 10, 3), TEXTS)
    rows = [*steady(1, "api", 20, 3), (2, "db", "INFO", 0, 1), (1, "api", "INFO", 3, 200)]
    digest = build_digest(stats(rows, TEXTS), baseline)
    assert ("drop", 2) in {(c.kind, c.template_id) for c in digest.changes}
    assert [(b.template_id, b.count) for b in digest.bursts] == [(1, 200)]


def test_a_one_word_variant_of_a_known_error_weighs_little() -> None:
    texts = {**TEXTS, 5: "no instances available for billing", 6: "no instances available for cart"}
    baseline = stats(steady(1, "api", 10, 3) + steady(5, "api", 2, 3, "ERROR"), texts)
    current = stats(steady(1, "api", 10, 3) + steady(6, "web", 2, 3, "ERROR"), texts)
    [change] = [c for c in build_digest(current, baseline).changes if c.kind == "new"]
    assert change.variant_of == 5
