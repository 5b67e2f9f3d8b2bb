"""Delivering one notification to one channel over HTTP: a generic webhook (JSON body signed
with HMAC-SHA256 over the body), a Slack incoming webhook, a DingTalk robot (signed form).

Every request carries the notification's ``Idempotency-Key``, so a receiver can drop the repeat
of a delivery whose answer was lost. An attempt's error names the status or the kind of fault,
never the URL, the secret or the receiver's body (the URLs of Slack and DingTalk hold tokens).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import urllib.parse
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import httpx

from argus.alerts.message import AlertMessage
from argus.alerts.rules import ChannelKind

SIGNATURE_HEADER = "X-Argus-Signature"  #: "sha256=<hex HMAC-SHA256 of the body>" (webhook)
IDEMPOTENCY_HEADER = "Idempotency-Key"
#: Answers that a retry may change; any other 4xx is final (the request itself is refused).
_RETRYABLE_4XX = frozenset({408, 409, 425, 429})


@dataclass(frozen=True, kw_only=True)
class Channel:
    """A channel with its secrets, in memory only while delivering (repr shows neither)."""

    name: str
    kind: ChannelKind
    url: str = field(repr=False)
    secret: str | None = field(default=None, repr=False)


@dataclass(frozen=True, kw_only=True)
class Attempt:
    """The outcome of one request."""

    ok: bool
    error: str | None = None  #: short, safe to store and show
    retry_after_s: float | None = None  #: the receiver's Retry-After, when it gave one
    final: bool = False  #: a refusal no retry changes


@dataclass(frozen=True, kw_only=True)
class Request:
    """One HTTP request as it will be sent."""

    url: str
    body: bytes
    headers: dict[str, str]


def webhook_signature(secret: str, body: bytes) -> str:
    """The webhook signature header's value: ``sha256=`` and the hex HMAC-SHA256 of the body."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """DingTalk's signature: base64 of HMAC-SHA256 keyed by the secret over
    ``"<timestamp>\\n<secret>"`` (sent URL-encoded as the ``sign`` query parameter)."""
    digest = hmac.new(
        secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256
    ).digest()
    return base64.b64encode(digest).decode()


def slack_escape(text: str) -> str:
    """Text Slack shows as it is: ``&``, ``<`` and ``>`` escaped, so that log text quoted in a
    summary cannot become a mention (``<!channel>``) or a link."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def build_request(
    channel: Channel, message: AlertMessage, key: str, now_ms: int | None = None
) -> Request:
    """The request delivering ``message`` to ``channel`` with idempotency key ``key``."""
    headers = {"Content-Type": "application/json", IDEMPOTENCY_HEADER: key}
    url = channel.url
    if channel.kind == "webhook":
        doc = {"idempotency_key": key, **message.model_dump(mode="json")}
        body = json.dumps(doc, separators=(",", ":")).encode()
        if channel.secret:
            headers[SIGNATURE_HEADER] = webhook_signature(channel.secret, body)
    elif channel.kind == "slack":
        body = json.dumps({"text": slack_escape(message.text())}).encode()
    else:
        body = json.dumps({"msgtype": "text", "text": {"content": message.text()}}).encode()
        if channel.secret:
            ts = now_ms if now_ms is not None else int(time.time() * 1000)
            sign = urllib.parse.quote_plus(dingtalk_sign(channel.secret, ts))
            url += ("&" if "?" in url else "?") + f"timestamp={ts}&sign={sign}"
    return Request(url=url, body=body, headers=headers)


async def deliver(
    client: httpx.AsyncClient, channel: Channel, message: AlertMessage, key: str, timeout_s: float
) -> Attempt:
    """Send once; the outcome says whether it arrived, and if not, whether to retry and when."""
    request = build_request(channel, message, key)
    try:
        answer = await client.post(
            request.url, content=request.body, headers=request.headers, timeout=timeout_s
        )
    except httpx.TimeoutException:
        return Attempt(ok=False, error=f"no answer within {timeout_s:g} s")
    except httpx.HTTPError as exc:
        return Attempt(ok=False, error=f"request failed: {type(exc).__name__}")
    except (httpx.InvalidURL, ValueError) as exc:  # a URL no retry can make usable
        return Attempt(ok=False, error=f"unusable URL: {type(exc).__name__}", final=True)
    return _judge(channel, answer)


def _judge(channel: Channel, answer: httpx.Response) -> Attempt:
    status = answer.status_code
    if 200 <= status < 300:
        if channel.kind == "dingtalk":
            return _dingtalk_answer(answer)
        return Attempt(ok=True)
    retry_after = retry_after_s(answer.headers.get("Retry-After"))
    final = 400 <= status < 500 and status not in _RETRYABLE_4XX
    return Attempt(ok=False, error=f"HTTP {status}", retry_after_s=retry_after, final=final)


def _dingtalk_answer(answer: httpx.Response) -> Attempt:
    """DingTalk answers 200 with ``errcode`` 0 on success and another code on a refusal."""
    try:
        code = json.loads(answer.content).get("errcode", 0)
    except (ValueError, AttributeError):
        return Attempt(ok=False, error="DingTalk answer is not JSON")
    if code == 0:
        return Attempt(ok=True)
    return Attempt(ok=False, error=f"DingTalk errcode {str(code)[:20]}")


def retry_after_s(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date); None if absent
    or unreadable."""
    if not value:
        return None
    text = value.strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())
