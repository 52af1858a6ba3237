"""Bearer Paragon User Token -> Principal(project_id, user_id), or a 401 that says why; and the
control plane's own token, when one is set."""

from __future__ import annotations

import hmac

from starlette.datastructures import Headers

from ..tokens import AuthError, Principal, TokenVerifier


def authenticate(headers: Headers, verifier: TokenVerifier) -> Principal:
    value = headers.get("authorization")
    if not value:
        raise AuthError("AUTH_MISSING", "no Authorization header; send 'Authorization: Bearer <Paragon User Token>'")
    scheme, _, token = value.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise AuthError("AUTH_MALFORMED_HEADER", "the Authorization header must be 'Bearer <Paragon User Token>'")
    return verifier.verify(token.strip())


def check_control_token(headers: Headers, expected: str) -> None:
    """The control plane's token, compared in constant time."""
    scheme, _, token = headers.get("authorization", "").strip().partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(token.strip().encode(), expected.encode()):
        raise AuthError(
            "CONTROL_TOKEN_REQUIRED",
            "this emulator's control plane needs its control token: send 'Authorization: Bearer <control token>'",
        )
