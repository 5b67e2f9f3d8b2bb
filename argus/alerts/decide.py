"""What a rule decides about one diagnosis: pure functions of the rule, the diagnosis, the alert's
state so far, the active silences and the time (the worker stores what they return).

Per (rule, fingerprint) the state remembers when a notification was last sent, how many repeats
were held back since, and the recent occurrences an escalation counts. A decision is one of:
``notify`` (first occurrence, or the suppression window has passed), ``suppressed`` (a repeat
inside the window: counted, not sent), ``escalated`` (``repeats`` occurrences within the
escalation window: severity raised and sent again, at most once per escalation window) and
``silenced`` (an active silence matches: nothing sent, the state left as it was).
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Literal

from argus.alerts.rules import SEVERITIES, FingerprintField, RuleSpec, Severity, SilenceSpec

Outcome = Literal["notify", "suppressed", "escalated", "silenced"]


@dataclass(frozen=True, kw_only=True)
class Diagnosed:
    """The facts of one stored diagnosis that rules read."""

    batch_id: uuid.UUID
    source: str
    labels: dict[str, str] = field(default_factory=dict)
    incident: bool
    module: str | None
    category: str
    confidence: float
    error_codes: tuple[str, ...] = ()
    summary: str = ""

    def label(self, name: str) -> str | None:
        """A batch label by name; ``source`` is the batch's source."""
        return self.source if name == "source" else self.labels.get(name)


@dataclass(frozen=True, kw_only=True)
class AlertState:
    """What one (rule, fingerprint) remembers between diagnoses."""

    last_sent_at: datetime | None = None  #: the last notification (sent or escalated)
    suppressed: int = 0  #: repeats held back since then
    recent: tuple[datetime, ...] = ()  #: occurrences inside the escalation window, oldest first
    escalated_at: datetime | None = None  #: the last escalation


@dataclass(frozen=True, kw_only=True)
class ActiveSilence:
    """A stored silence."""

    silence_id: int
    spec: SilenceSpec


@dataclass(frozen=True, kw_only=True)
class Decision:
    """A rule's decision about one diagnosis, and the alert state to store with it."""

    outcome: Outcome
    severity: Severity
    held_back: int  #: repeats suppressed before this one (sent with a notification)
    state: AlertState
    silence_id: int | None = None

    @property
    def sends(self) -> bool:
        """True when this decision notifies the rule's channels."""
        return self.outcome in ("notify", "escalated")


def matches(rule: RuleSpec, facts: Diagnosed) -> bool:
    """True when every condition the rule sets holds for the diagnosis."""
    m = rule.match
    if m.incident is not None and facts.incident != m.incident:
        return False
    if m.categories and facts.category not in m.categories:
        return False
    if m.modules and facts.module not in m.modules:
        return False
    if facts.confidence < m.min_confidence:
        return False
    for name, accepted in m.labels.items():
        if facts.label(name) not in accepted:
            return False
    return not m.error_codes or any(code in m.error_codes for code in facts.error_codes)


def fingerprint(rule: RuleSpec, facts: Diagnosed) -> str:
    """The alert's identity: the rule and the values of its fingerprint fields (32 hex digits)."""
    parts = [rule.name] + [f"{name}={_fact(facts, name)}" for name in rule.fingerprint]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]


def _fact(facts: Diagnosed, name: FingerprintField) -> str:
    if name == "module":
        return facts.module or ""
    if name == "category":
        return facts.category
    if name == "error_code":
        return ",".join(sorted(set(facts.error_codes)))
    return facts.label(name) or ""


def silencing(
    silences: list[ActiveSilence], rule: RuleSpec, print_: str, facts: Diagnosed, now: datetime
) -> ActiveSilence | None:
    """The first unexpired silence whose every set field equals the alert's, or None."""
    for silence in silences:
        s = silence.spec
        if s.expires_at <= now:
            continue
        checks = (
            (s.rule, rule.name),
            (s.fingerprint, print_),
            (s.source, facts.source),
            (s.module, facts.module),
            (s.category, facts.category),
        )
        if all(want is None or want == got for want, got in checks):
            return silence
    return None


def decide(
    rule: RuleSpec, state: AlertState, now: datetime, silence: ActiveSilence | None = None
) -> Decision:
    """The decision about a matching diagnosis at ``now`` given the alert's state so far."""
    if silence is not None:
        return Decision(
            outcome="silenced",
            severity=rule.severity,
            held_back=state.suppressed,
            state=state,
            silence_id=silence.silence_id,
        )
    recent = _recent(rule, state, now)
    esc = rule.escalation
    if (
        esc is not None
        and len(recent) >= esc.repeats
        and (state.escalated_at is None or now - state.escalated_at >= _td(esc.within_s))
    ):
        return Decision(
            outcome="escalated",
            severity=_higher(rule.severity, esc.severity),
            held_back=state.suppressed,
            state=AlertState(last_sent_at=now, suppressed=0, recent=(), escalated_at=now),
        )
    if state.last_sent_at is None or now - state.last_sent_at >= _td(rule.suppress_s):
        return Decision(
            outcome="notify",
            severity=rule.severity,
            held_back=state.suppressed,
            state=replace(state, last_sent_at=now, suppressed=0, recent=recent),
        )
    return Decision(
        outcome="suppressed",
        severity=rule.severity,
        held_back=state.suppressed,
        state=replace(state, suppressed=state.suppressed + 1, recent=recent),
    )


def _recent(rule: RuleSpec, state: AlertState, now: datetime) -> tuple[datetime, ...]:
    """Occurrences inside the escalation window, this one included (at most ``repeats``)."""
    esc = rule.escalation
    if esc is None:
        return ()
    window = _td(esc.within_s)
    kept = [t for t in state.recent if now - t < window] + [now]
    return tuple(kept[-esc.repeats :])


def _higher(a: Severity, b: Severity) -> Severity:
    return a if SEVERITIES.index(a) >= SEVERITIES.index(b) else b


def _td(s: float) -> timedelta:
    return timedelta(seconds=s)
