"""Credentials a server must refuse: none, the wrong scheme, garbage, and the user's own token
altered (signature flipped, or re-sent unsigned with alg "none")."""

from __future__ import annotations

import base64
import json


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _tampered_signature(token: str) -> str:
    header, payload, signature = token.split(".")
    flipped = "A" if signature[:1] != "A" else "B"
    return f"{header}.{payload}.{flipped}{signature[1:]}"


def _unsigned(token: str) -> str:
    payload = token.split(".")[1]
    return f"{_b64(json.dumps({'alg': 'none', 'typ': 'JWT'}).encode())}.{payload}."


def refused_headers(token: str) -> dict[str, dict[str, str]]:
    """name -> headers carrying a credential that must get a 401."""
    return {
        "no-authorization": {},
        "bearer-without-token": {"Authorization": "Bearer"},
        "basic-scheme": {"Authorization": "Basic " + base64.b64encode(b"user:password").decode()},
        "garbage-token": {"Authorization": "Bearer not-a-jwt"},
        "tampered-signature": {"Authorization": f"Bearer {_tampered_signature(token)}"},
        "alg-none": {"Authorization": f"Bearer {_unsigned(token)}"},
    }
