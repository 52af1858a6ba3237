"""Bearer Paragon User Token -> Principal(project_id, user_id), or a 401 that says why."""

from __future__ import annotations

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
