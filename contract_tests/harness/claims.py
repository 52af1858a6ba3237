"""Reads a JWT's claims without verifying it: the suite needs only the user and the project."""

from __future__ import annotations

import base64
import json


def claims(token: str) -> dict:
    try:
        payload = token.split(".")[1]
        return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (IndexError, ValueError) as exc:
        raise ValueError("the token is not a JWT (header.payload.signature)") from exc


def user_and_project(token: str) -> tuple[str, str]:
    """(sub, projectId), the project being the part of `aud` after the last '/'."""
    values = claims(token)
    audience = values.get("aud", "")
    if isinstance(audience, list):
        audience = audience[0] if audience else ""
    return values.get("sub", ""), audience.rsplit("/", 1)[-1]
