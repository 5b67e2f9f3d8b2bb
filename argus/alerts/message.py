"""The notification a rule's decision sends: one JSON document, the same for every channel
(a webhook receives it as is; Slack and DingTalk receive its text)."""

from __future__ import annotations

import hashlib
import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict

from argus.alerts.decide import Decision, Diagnosed
from argus.alerts.rules import RuleSpec, Severity


class AlertMessage(BaseModel):
    """What a notification says (never a secret: it is stored and shown by the API)."""

    model_config = ConfigDict(frozen=True)

    rule: str
    severity: Severity
    escalated: bool
    fingerprint: str
    batch_id: uuid.UUID
    source: str
    labels: dict[str, str]
    incident: bool
    module: str | None
    category: str
    confidence: float
    error_codes: list[str]
    summary: str
    held_back: int  #: repeats suppressed since the previous notification of this alert
    decided_at: datetime

    @classmethod
    def of(
        cls, rule: RuleSpec, facts: Diagnosed, print_: str, decision: Decision, now: datetime
    ) -> AlertMessage:
        """The message of a sending decision."""
        return cls(
            rule=rule.name,
            severity=decision.severity,
            escalated=decision.outcome == "escalated",
            fingerprint=print_,
            batch_id=facts.batch_id,
            source=facts.source,
            labels=facts.labels,
            incident=facts.incident,
            module=facts.module,
            category=facts.category,
            confidence=facts.confidence,
            error_codes=list(facts.error_codes),
            summary=facts.summary[:2000],
            held_back=decision.held_back,
            decided_at=now,
        )

    def text(self) -> str:
        """A short human text (Slack, DingTalk)."""
        head = "ESCALATED " if self.escalated else ""
        where = self.module or "no module"
        more = f" (+{self.held_back} repeats held back)" if self.held_back else ""
        return (
            f"[{self.severity.upper()}] {head}Argus rule {self.rule}: {self.category} in {where}"
            f" — source {self.source}, confidence {self.confidence:.2f}{more}\n"
            f"{self.summary[:500]}\nbatch {self.batch_id}"
        )


def idempotency_key(rule: str, batch_id: uuid.UUID, channel: str) -> str:
    """The key of one notification: one per (rule, diagnosis, channel), whatever is retried."""
    return hashlib.sha256(f"{rule}\x1f{batch_id}\x1f{channel}".encode()).hexdigest()[:40]
