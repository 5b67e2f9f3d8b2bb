"""Requests of each channel kind: signatures, idempotency keys, Retry-After, back-off."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import urllib.parse
import uuid
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

from argus.alerts.backoff import RetryPolicy
from argus.alerts.channels import Channel, build_request, retry_after_s
from argus.alerts.message import AlertMessage, idempotency_key

MESSAGE = AlertMessage(
    rule="db",
    severity="warning",
    escalated=False,
    fingerprint="ab" * 16,
    batch_id=uuid.uuid4(),
    source="car-7",
    labels={},
    incident=True,
    module="payment",
    category="database",
    confidence=0.8,
    error_codes=["E42"],
    summary="pool exhausted",
    held_back=2,
    decided_at=datetime(2026, 12, 1, tzinfo=UTC),
)


def test_a_webhook_body_is_signed_with_the_channel_secret() -> None:
    ch = Channel(name="ops", kind="webhook", url="http://r/hook", secret="s3cret")
    req = build_request(ch, MESSAGE, "key-1")
    want = hmac.new(b"s3cret", req.body, hashlib.sha256).hexdigest()
    assert req.headers["X-Argus-Signature"] == f"sha256={want}"
    assert req.headers["Idempotency-Key"] == "key-1"
    assert json.loads(req.body)["idempotency_key"] == "key-1"
    assert json.loads(req.body)["module"] == "payment"


def test_dingtalk_is_sent_in_its_signed_form() -> None:
    ch = Channel(name="dt", kind="dingtalk", url="http://r/robot?access_token=t", secret="SEC")
    req = build_request(ch, MESSAGE, "k", now_ms=1_700_000_000_000)
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(req.url).query)
    assert query["access_token"] == ["t"] and query["timestamp"] == ["1700000000000"]
    digest = hmac.new(b"SEC", b"1700000000000\nSEC", hashlib.sha256).digest()
    assert query["sign"] == [base64.b64encode(digest).decode()]
    assert json.loads(req.body)["msgtype"] == "text"


def test_slack_gets_text_and_no_secret_leaks_into_a_repr() -> None:
    ch = Channel(name="sl", kind="slack", url="http://r/services/T/B/XYZ")
    assert "payment" in json.loads(build_request(ch, MESSAGE, "k").body)["text"]
    assert "XYZ" not in repr(ch)
    assert "s3" not in repr(Channel(name="w", kind="webhook", url="http://r", secret="s3"))


def test_retry_after_is_read_as_seconds_or_a_date() -> None:
    now = datetime(2026, 12, 1, tzinfo=UTC)
    assert retry_after_s("7") == 7.0
    assert retry_after_s(format_datetime(now + timedelta(seconds=30), usegmt=True), now) == 30.0
    assert retry_after_s("soon") is None and retry_after_s(None) is None


def test_back_off_doubles_and_honours_a_longer_retry_after_up_to_its_cap() -> None:
    p = RetryPolicy(max_attempts=5, first_s=1.0, max_s=8.0, retry_after_cap_s=60.0)
    assert [p.wait_s(n, None) for n in (1, 2, 3, 4, 5)] == [1.0, 2.0, 4.0, 8.0, 8.0]
    assert p.wait_s(1, 20.0) == 20.0 and p.wait_s(4, 2.0) == 8.0 and p.wait_s(1, 999) == 60.0
    assert not p.dead(4) and p.dead(5)


def test_one_idempotency_key_per_rule_diagnosis_and_channel() -> None:
    b = uuid.uuid4()
    assert idempotency_key("r", b, "c") == idempotency_key("r", b, "c")
    assert (
        len(
            {
                idempotency_key("r", b, "c"),
                idempotency_key("r", b, "d"),
                idempotency_key("q", b, "c"),
            }
        )
        == 3
    )


def test_log_text_in_a_summary_cannot_mention_everyone_on_slack() -> None:
    loud = MESSAGE.model_copy(update={"summary": "error <!channel> see <http://x|here>"})
    ch = Channel(name="sl", kind="slack", url="http://r/services/T/B/XYZ")
    text = json.loads(build_request(ch, loud, "k").body)["text"]
    assert "<!channel>" not in text and "&lt;!channel&gt;" in text
