"""The bearer-key check shared by every HTTP front door (the API and the MCP server)."""

from __future__ import annotations

import hmac
from collections.abc import Sequence

from pydantic import SecretStr


def key_accepted(keys: Sequence[SecretStr], authorization: str | None) -> bool:
    """Whether an ``Authorization`` header value carries one of ``keys``; True when no key is
    configured (the service is open, and says so at start).

    The scheme is case-insensitive (RFC 7235); the token is compared as bytes in constant time,
    so any header value (non-ASCII included) is a plain refusal, never an error."""
    if not keys:
        return True
    token = bearer_token(authorization or "")
    if token is None:
        return False
    return any(hmac.compare_digest(token, key.get_secret_value().encode()) for key in keys)


def bearer_token(header: str) -> bytes | None:
    """The token of a ``Bearer`` credential as the bytes sent (headers arrive latin-1
    decoded), or None for another scheme."""
    scheme, _, token = header.strip().partition(" ")
    if scheme.lower() != "bearer":
        return None
    return token.strip().encode("latin-1", errors="replace")
