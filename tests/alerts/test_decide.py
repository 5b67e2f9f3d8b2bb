"""Rule matching, fingerprints, suppression, escalation and silences: the pure decisions."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from argus.alerts.decide import (
    ActiveSilence,
    AlertState,
    Diagnosed,
    decide,
    fingerprint,
    matches,
    silencing,
)
from argus.alerts.rules import RuleSpec, SilenceSpec, seconds

T0 = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


def facts(**changes: object) -> Diagnosed:
    base: dict[str, object] = {
        "batch_id": uuid.uuid4(),
        "source": "car-7",
        "labels": {"platform": "x9", "firmware": "2.2.1", "vehicle": "V7"},
        "incident": True,
        "module": "payment",
        "category": "database",
        "confidence": 0.8,
        "error_codes": ("E42",),
    }
    base.update(changes)
    return Diagnosed(**base)  # type: ignore[arg-type]


def rule(**changes: object) -> RuleSpec:
    doc: dict[str, object] = {"name": "db", "channels": ["ops"], "suppress_s": "10m"}
    doc.update(changes)
    return RuleSpec.model_validate(doc)


def test_every_condition_set_must_hold() -> None:
    r = rule(
        match={
            "categories": ["database", "timeout"],
            "modules": ["payment"],
            "min_confidence": 0.7,
            "labels": {"platform": ["x9"], "source": ["car-7", "car-8"]},
            "error_codes": ["E42", "E43"],
        }
    )
    assert matches(r, facts())
    assert not matches(r, facts(incident=False))
    assert not matches(r, facts(category="dns"))
    assert not matches(r, facts(module="gateway"))
    assert not matches(r, facts(confidence=0.5))
    assert not matches(r, facts(labels={"platform": "x8"}))
    assert not matches(r, facts(source="car-9"))
    assert not matches(r, facts(error_codes=("E1",)))
    assert matches(rule(match={"incident": None}), facts(incident=False))


def test_a_rule_refuses_a_category_outside_the_report_vocabulary() -> None:
    with pytest.raises(ValidationError):
        rule(match={"categories": ["db_trouble"]})
    with pytest.raises(ValidationError):
        rule(match={"labels": {"colour": ["red"]}})


def test_durations_are_read_in_their_units() -> None:
    assert seconds("90") == 90 and seconds("15m") == 900 and seconds("2h") == 7200
    assert seconds(30) == 30.0
    with pytest.raises(ValueError):
        seconds("soon")


def test_the_fingerprint_follows_the_chosen_fields_only() -> None:
    r = rule(fingerprint=["module", "category"])
    assert fingerprint(r, facts()) == fingerprint(r, facts(source="car-8"))
    assert fingerprint(r, facts()) != fingerprint(r, facts(module="gateway"))
    assert fingerprint(r, facts()) != fingerprint(
        rule(name="other", fingerprint=["module", "category"]), facts()
    )


def test_repeats_inside_the_window_are_counted_not_sent() -> None:
    r = rule()
    first = decide(r, AlertState(), T0)
    assert first.outcome == "notify" and first.sends
    second = decide(r, first.state, T0 + timedelta(minutes=3))
    assert second.outcome == "suppressed" and not second.sends
    third = decide(r, second.state, T0 + timedelta(minutes=6))
    assert third.outcome == "suppressed" and third.state.suppressed == 2
    after = decide(r, third.state, T0 + timedelta(minutes=11))
    assert after.outcome == "notify" and after.held_back == 2 and after.state.suppressed == 0


def test_n_repeats_within_the_escalation_window_raise_severity_and_notify_again() -> None:
    r = rule(suppress_s="1h", escalation={"repeats": 3, "within_s": "30m", "severity": "critical"})
    state = AlertState()
    outcomes = []
    for minute in (0, 5, 10, 15, 20, 50):
        d = decide(r, state, T0 + timedelta(minutes=minute))
        outcomes.append((d.outcome, d.severity))
        state = d.state
    assert outcomes == [
        ("notify", "warning"),
        ("suppressed", "warning"),
        ("escalated", "critical"),  # the third within 30 minutes
        ("suppressed", "warning"),  # counted from the escalation again
        ("suppressed", "warning"),
        ("suppressed", "warning"),  # 3 more, but only 2 of them within 30 min of each other
    ]


def test_spread_out_repeats_never_escalate() -> None:
    r = rule(suppress_s="1h", escalation={"repeats": 3, "within_s": "10m"})
    state = AlertState()
    for minute in range(0, 60, 6):
        d = decide(r, state, T0 + timedelta(minutes=minute))
        assert d.outcome != "escalated"
        state = d.state


def test_a_silence_mutes_only_what_it_names_until_it_expires() -> None:
    r, f = rule(), facts()
    print_ = fingerprint(r, f)
    spec = SilenceSpec(module="payment", reason="maintenance", expires_at=T0 + timedelta(hours=1))
    silences = [ActiveSilence(silence_id=7, spec=spec)]
    found = silencing(silences, r, print_, f, T0)
    assert found is not None
    d = decide(r, AlertState(), T0, found)
    assert d.outcome == "silenced" and not d.sends and d.state == AlertState()
    assert silencing(silences, r, print_, facts(module="gateway"), T0) is None
    assert silencing(silences, r, print_, f, T0 + timedelta(hours=2)) is None
    other_rule = SilenceSpec(rule="other", reason="x", expires_at=T0 + timedelta(hours=1))
    assert silencing([ActiveSilence(silence_id=8, spec=other_rule)], r, print_, f, T0) is None
