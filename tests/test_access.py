"""Access: keys and the console's session cookie (signed, expiring, dying with its key)."""

from __future__ import annotations

from pydantic import SecretStr

from argus import access
from argus.config import Settings


def _settings(*keys: str) -> Settings:
    return Settings(api_keys=[SecretStr(k) for k in keys])


def test_no_key_configured_means_open() -> None:
    assert access.request_allowed(_settings(), None, None)


def test_a_session_holds_until_it_expires() -> None:
    settings = _settings("alpha", "beta")
    cookie = access.issue_session(b"beta", ttl_s=60, now=1_000)
    assert access.session_valid(settings, cookie, now=1_059)
    assert not access.session_valid(settings, cookie, now=1_060)
    assert access.request_allowed(settings, None, access.issue_session(b"alpha", ttl_s=60))


def test_a_forged_or_altered_session_is_refused() -> None:
    settings = _settings("alpha")
    cookie = access.issue_session(b"alpha", ttl_s=3600)
    fingerprint, expires, signature = cookie.split(".")
    later = str(int(expires) + 10**6)
    assert not access.session_valid(settings, f"{fingerprint}.{later}.{signature}")
    assert not access.session_valid(settings, access.issue_session(b"not-a-key", ttl_s=3600))
    for junk in ("", "...", "x.y.z", f"{fingerprint}.-5.{signature}", "é.1.2"):
        assert not access.session_valid(settings, junk)


def test_removing_a_key_ends_its_sessions() -> None:
    cookie = access.issue_session(b"old", ttl_s=3600)
    assert access.session_valid(_settings("old", "new"), cookie)
    assert not access.session_valid(_settings("new"), cookie)


def test_a_bearer_key_is_taken_and_any_other_header_refused() -> None:
    settings = _settings("alpha")
    assert access.request_allowed(settings, "Bearer alpha", None)
    assert access.request_allowed(settings, "bearer  alpha ", None)
    assert not access.request_allowed(settings, "Basic alpha", None)
    assert not access.request_allowed(settings, "Bearer alphä", None)
    assert not access.request_allowed(settings, None, None)
