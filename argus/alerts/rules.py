"""Alert rules, channels and silences as users write them (API bodies and the GitOps YAML).

A rule's ``category`` is a report category (:data:`argus.report.Category`): diagnoses carry that
vocabulary, and every knowledge category maps onto it (``argus.knowledge.categories``), so a
rule can only name a category a diagnosis can have.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    StringConstraints,
    ValidationInfo,
    field_validator,
)

from argus.report import Category

Severity = Literal["info", "warning", "critical"]
#: Severities in rising order: an escalation moves a notification one step up (at least).
SEVERITIES: tuple[Severity, ...] = ("info", "warning", "critical")
#: The batch labels a rule may match on (``source`` is the batch's source).
LabelName = Literal["platform", "firmware", "vehicle", "source"]
#: Facts of a diagnosis that a fingerprint may be built from.
FingerprintField = Literal[
    "source", "module", "category", "platform", "firmware", "vehicle", "error_code"
]
ChannelKind = Literal["webhook", "slack", "dingtalk"]

_NAME = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$"


def _storable(text: str) -> str:
    """Text PostgreSQL can store: valid UTF-8 (no lone surrogate), no NUL."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ValueError("must be valid Unicode text") from exc
    return text


#: A channel URL: http(s), a host name or IPv4 address, an optional port, then anything.
URL_PATTERN = r"^https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?([/?#][^\x00]*)?$"
#: The name of a rule or a channel.
Name = Annotated[str, StringConstraints(pattern=_NAME)]
#: A short text of a rule or silence (a module, a label value, an error code, a reason).
Text = Annotated[
    str, StringConstraints(max_length=500, pattern=r"^[^\x00]*$"), AfterValidator(_storable)
]
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$")
_UNIT_S = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}


def seconds(value: object) -> float:
    """A duration in seconds from a number or a text: ``90``, ``30s``, ``15m``, ``2h``, ``1d``."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, str):
        match = _DURATION.match(value)
        if match:
            return float(match[1]) * _UNIT_S[match[2] or "s"]
    raise ValueError(f"not a duration: {str(value)[:40]!r} (use e.g. 90, 30s, 15m, 2h, 1d)")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Match(_Strict):
    """What a diagnosis must show for a rule to fire; every field set must hold (lists: any of)."""

    incident: bool | None = Field(True, description="incident flag; null: either")
    categories: list[Category] = Field(default_factory=list, max_length=50)
    modules: list[Text] = Field(default_factory=list, max_length=200)
    min_confidence: float = Field(0.0, ge=0.0, le=1.0)
    labels: dict[LabelName, list[Text]] = Field(
        default_factory=dict, description="label -> accepted values (source: the batch source)"
    )
    error_codes: list[Text] = Field(
        default_factory=list, max_length=200, description="any of them among the report's codes"
    )


class Escalation(_Strict):
    """``repeats`` occurrences within ``within_s`` raise the severity and notify again."""

    repeats: int = Field(ge=2, le=100_000)
    within_s: float = Field(gt=0, le=30 * 86400)
    severity: Severity = "critical"

    @field_validator("within_s", mode="before")
    @classmethod
    def _duration(cls, value: object) -> float:
        return seconds(value)


def _default_fingerprint() -> list[FingerprintField]:
    return ["source", "module", "category"]


class RuleSpec(_Strict):
    """One alert rule."""

    name: str = Field(pattern=_NAME)
    enabled: bool = True
    match: Match = Field(default_factory=Match)
    severity: Severity = "warning"
    fingerprint: list[FingerprintField] = Field(
        default_factory=_default_fingerprint,
        min_length=1,
        description="facts whose values tell one alert from another (repeats share them)",
    )
    suppress_s: float = Field(
        3600.0, ge=0, le=30 * 86400, description="repeats within this long are counted, not sent"
    )
    escalation: Escalation | None = None
    channels: list[Name] = Field(min_length=1, max_length=20)

    @field_validator("suppress_s", mode="before")
    @classmethod
    def _duration(cls, value: object) -> float:
        return seconds(value)


class ChannelSpec(_Strict):
    """Where notifications go. ``secret``: the HMAC key of a webhook, the signing secret of a
    DingTalk robot; the URL of Slack and DingTalk holds a token too. Neither is ever shown."""

    name: str = Field(pattern=_NAME)
    kind: ChannelKind
    url: SecretStr = Field(
        description="http(s) URL; never shown back (it may hold a token)",
        json_schema_extra={"pattern": URL_PATTERN, "maxLength": 2000},
    )
    secret: SecretStr | None = Field(
        None,
        description="signing secret; never shown back",
        json_schema_extra={"pattern": r"^[^\x00]*$", "maxLength": 2000},
    )

    @field_validator("url", "secret")
    @classmethod
    def _storable_secret(cls, value: SecretStr | None, info: ValidationInfo) -> SecretStr | None:
        if value is None:
            return None
        text = value.get_secret_value()
        if len(text) > 2000 or "\x00" in text:
            raise ValueError("at most 2000 characters, no NUL")
        _storable(text)
        if info.field_name == "url" and not re.match(URL_PATTERN, text):
            raise ValueError("not an http(s) URL with a host name (or address) and a port")
        return value


class SilenceSpec(_Strict):
    """Mutes matching alerts until ``expires_at``; every field set must equal the alert's."""

    rule: str | None = Field(None, pattern=_NAME)
    fingerprint: str | None = Field(None, pattern=r"^[0-9a-f]{1,64}$")
    source: Text | None = None
    module: Text | None = None
    category: Category | None = None
    expires_at: datetime
    reason: Text = Field(min_length=1)
    created_by: Text = "api"


class AlertsFile(_Strict):
    """The GitOps file of ``argus alerts apply``: channels and rules (silences stay in the API).

    A channel may give ``secret_env``/``url_env`` instead of the values, so that no secret needs
    to be committed; they are read when the file is applied."""

    channels: list[ChannelFile] = Field(default_factory=list)
    rules: list[RuleSpec] = Field(default_factory=list)
    prune: bool = Field(False, description="delete rules and channels the file does not list")


class ChannelFile(_Strict):
    """A channel as the YAML file gives it (values, or names of environment variables)."""

    name: str = Field(pattern=_NAME)
    kind: ChannelKind
    url: str | None = None
    url_env: str | None = None
    secret: str | None = None
    secret_env: str | None = None


AlertsFile.model_rebuild()
