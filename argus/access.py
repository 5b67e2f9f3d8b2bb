"""Who may call Argus: the bearer API keys, and the console's session cookie that a key buys.

Both front doors that face people (the HTTP API and the web console) check access here, so one
rule holds for both: no key configured means open; otherwise a request carries a configured key
(``Authorization: Bearer <key>``) or a session cookie signed with one.

A session is ``<key fingerprint>.<expiry>.<signature>``: the signature is an HMAC-SHA256 of the
fingerprint and expiry under the key itself, so it needs no server-side store, holds in every
process of the service, and dies with its key (remove the key from ARGUS_API_KEYS and every
session it signed is refused).
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Sequence

from pydantic import SecretStr

from argus.config import Settings

#: Name of the console's session cookie.
SESSION_COOKIE = "argus_session"
_CONTEXT = b"argus-console-session"


def is_open(settings: Settings) -> bool:
    """True when no API key is configured: everything is open, as the API."""
    return not settings.api_keys


def _keys(settings: Settings) -> list[bytes]:
    return [k.get_secret_value().encode() for k in settings.api_keys]


def key_matches(settings: Settings, token: bytes) -> bool:
    """True when ``token`` is one of the configured keys (compared in constant time)."""
    return any(hmac.compare_digest(token, key) for key in _keys(settings))


def key_accepted(keys: Sequence[SecretStr], authorization: str | None) -> bool:
    """Whether an ``Authorization`` header value carries one of ``keys``; True when no key is
    configured (open, as the API). Any header value (non-ASCII included) is a plain refusal,
    never an error."""
    if not keys:
        return True
    token = bearer_token(authorization or "")
    return token is not None and any(
        hmac.compare_digest(token, key.get_secret_value().encode()) for key in keys
    )


def bearer_token(header: str) -> bytes | None:
    """The token of a ``Bearer`` credential as the bytes sent (headers arrive latin-1
    decoded), or None for another scheme; the scheme is case-insensitive (RFC 7235)."""
    scheme, _, token = header.strip().partition(" ")
    if scheme.lower() != "bearer":
        return None
    return token.strip().encode("latin-1", errors="replace")


def _fingerprint(key: bytes) -> str:
    return hashlib.sha256(key).hexdigest()[:16]


def _signature(key: bytes, fingerprint: str, expires: int) -> str:
    message = _CONTEXT + b"|" + fingerprint.encode() + b"|" + str(expires).encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def issue_session(key: bytes, ttl_s: int, *, now: float | None = None) -> str:
    """A session cookie value for ``key`` (which must be a configured key) valid ``ttl_s``
    seconds from ``now``."""
    expires = int(now if now is not None else time.time()) + ttl_s
    fingerprint = _fingerprint(key)
    return f"{fingerprint}.{expires}.{_signature(key, fingerprint, expires)}"


def session_valid(settings: Settings, value: str, *, now: float | None = None) -> bool:
    """True when ``value`` is an unexpired session signed with a configured key; any other
    text (malformed, forged, expired, its key removed) is False, never an error."""
    fingerprint, _, rest = value.partition(".")
    expires_text, _, signature = rest.partition(".")
    if not expires_text.isdigit() or len(expires_text) > 12:
        return False
    expires = int(expires_text)
    if expires <= (now if now is not None else time.time()):
        return False
    for key in _keys(settings):
        if hmac.compare_digest(_fingerprint(key), fingerprint):
            return hmac.compare_digest(_signature(key, fingerprint, expires), signature)
    return False


def request_allowed(settings: Settings, authorization: str | None, session: str | None) -> bool:
    """True when a request may pass: access is open, or it carries a configured key in its
    ``Authorization`` header, or a valid session cookie."""
    if key_accepted(settings.api_keys, authorization):  # open when no key is configured
        return True
    return session is not None and session_valid(settings, session)
