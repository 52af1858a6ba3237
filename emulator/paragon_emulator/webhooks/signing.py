"""Webhook signatures: Paragon's `x-paragon-signature: v1=<hex>` and the Standard Webhooks headers.

Managed Sync documents no signing; the emulator signs every delivery as its own feature, with
the scheme Paragon uses for its other webhooks, so receivers that check nothing are unaffected.
Use `verify()` in your tests to check a delivery the way a careful receiver would.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import time
from typing import Mapping


class InvalidSignature(Exception):
    pass


def _key(secret: str) -> bytes:
    # Standard Webhooks secrets are "whsec_<base64>"; any other string is used as UTF-8 bytes.
    if secret.startswith("whsec_"):
        return base64.b64decode(secret[len("whsec_"):], validate=True)
    return secret.encode()


def check_secret(secret: str) -> str | None:
    """Why the secret cannot sign, or None."""
    try:
        key = _key(secret)
    except (ValueError, binascii.Error):
        return "a whsec_ secret is whsec_ and base64 (Standard Webhooks); this one is not valid base64"
    return None if key else "the secret is empty"


def paragon_signature(body: bytes, secret: str) -> str:
    return "v1=" + hmac.new(_key(secret), body, hashlib.sha256).hexdigest()


def standard_signature(event_id: str, timestamp: int, body: bytes, secret: str) -> str:
    signed = f"{event_id}.{timestamp}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(_key(secret), signed, hashlib.sha256).digest()).decode()


def sign(event_id: str, body: bytes, secret: str, timestamp: int | None = None) -> dict[str, str]:
    """The headers of one delivery; the timestamp is the real send time (receivers check it)."""
    sent = int(timestamp if timestamp is not None else time.time())
    return {
        "x-paragon-signature": paragon_signature(body, secret),
        "webhook-id": event_id,
        "webhook-timestamp": str(sent),
        "webhook-signature": standard_signature(event_id, sent, body, secret),
    }


def verify(body: bytes, headers: Mapping[str, str], secret: str, tolerance_seconds: int = 300) -> None:
    """Raise InvalidSignature unless both signatures match and the timestamp is recent."""
    lower = {k.lower(): v for k, v in headers.items()}
    expected = paragon_signature(body, secret)
    if not hmac.compare_digest(lower.get("x-paragon-signature", ""), expected):
        raise InvalidSignature("x-paragon-signature does not match the body")
    try:
        event_id, sent = lower["webhook-id"], int(lower["webhook-timestamp"])
    except (KeyError, ValueError):
        raise InvalidSignature("webhook-id or webhook-timestamp is missing") from None
    if abs(time.time() - sent) > tolerance_seconds:
        raise InvalidSignature(f"webhook-timestamp {sent} is more than {tolerance_seconds} s from now")
    wanted = standard_signature(event_id, sent, body, secret).split(",", 1)[1]
    offered = [s.split(",", 1)[1] for s in lower.get("webhook-signature", "").split() if s.startswith("v1,")]
    if not any(hmac.compare_digest(o, wanted) for o in offered):
        raise InvalidSignature("webhook-signature does not match")
