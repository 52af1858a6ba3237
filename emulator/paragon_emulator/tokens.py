"""Paragon User Tokens: mint them with the bundled development key, verify them like the real service."""

from __future__ import annotations

import time
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives.serialization import load_pem_private_key, load_pem_public_key

from .settings import Settings


@dataclass(frozen=True)
class Principal:
    project_id: str
    user_id: str

    @property
    def tenant(self) -> tuple[str, str]:
        return (self.project_id, self.user_id)


class AuthError(Exception):
    """Why a token was refused: a code per reason and a message a developer can act on."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


@lru_cache(maxsize=None)
def dev_private_key() -> str:
    return resources.files("paragon_emulator").joinpath("keys/dev_private.pem").read_text()


@lru_cache(maxsize=None)
def dev_public_key() -> str:
    return resources.files("paragon_emulator").joinpath("keys/dev_public.pem").read_text()


@lru_cache(maxsize=16)
def _signing_key(pem: str) -> Any:
    # Parsing an RSA key costs tens of milliseconds, mostly its consistency check: do it once per
    # key, and skip the check (this key only signs test tokens; a broken key fails to verify).
    return load_pem_private_key(pem.encode(), password=None, unsafe_skip_rsa_key_validation=True)


def _load_public_key(value: str) -> Any:
    text = value if "-----BEGIN" in value else Path(value).expanduser().read_text()
    return load_pem_public_key(text.encode())


MAX_TOKEN_SECONDS = 10 * 365 * 86400  # a lifetime past this overflows dates soon enough to be a mistake


def mint(
    settings: Settings,
    user_id: str,
    project_id: str | None = None,
    expires_in: int = 3600,
    audience_host: str | None = None,
    claims: dict[str, Any] | None = None,
    private_key: str | None = None,
    now: float | None = None,
) -> tuple[str, int]:
    """A token signed with the development key (or `private_key`); returns (token, exp)."""
    issued = int(now if now is not None else time.time())
    payload: dict[str, Any] = {
        "sub": user_id,
        "aud": f"{audience_host or settings.audience_hosts[0]}/{project_id or settings.default_project_id}",
        "iat": issued,
        "exp": issued + expires_in,
    }
    payload.update(claims or {})
    return jwt.encode(payload, _signing_key(private_key or dev_private_key()), algorithm="RS256"), payload["exp"]


class TokenVerifier:
    """Checks a bearer token against the configured keys, audiences and projects."""

    def __init__(self, settings: Settings):
        self.algorithms = list(settings.jwt_algorithms)
        self.leeway = settings.jwt_leeway_seconds
        self.hosts = set(settings.audience_hosts)
        self.projects = set(settings.project_ids)
        keys = [_load_public_key(k) for k in settings.public_keys]
        if settings.dev_key:
            keys.append(_load_public_key(dev_public_key()))
        self.keys = keys

    def verify(self, token: str) -> Principal:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.InvalidTokenError as exc:  # DecodeError, and headers it refuses ("kid": 5, "crit": [...])
            raise AuthError("AUTH_MALFORMED_TOKEN", f"the bearer token is not a JWT: {exc}") from None
        alg = header.get("alg")
        if alg not in self.algorithms:
            raise AuthError(
                "AUTH_ALGORITHM_REFUSED",
                f"tokens signed with alg '{alg}' are refused; sign with {', '.join(self.algorithms)}",
            )
        claims = self._decode(token)
        for name in ("exp", "nbf", "iat"):
            # RFC 7519 NumericDate: a JSON number; pyjwt would also take "1767225600" or true.
            value = claims.get(name)
            if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float))):
                raise AuthError("AUTH_INVALID_TOKEN", f"the token's '{name}' is {value!r}, not a number of seconds (NumericDate)")
        sub = claims.get("sub")
        if not isinstance(sub, str) or not sub:
            raise AuthError("AUTH_MISSING_CLAIM", "the token has no 'sub' claim (the connected user's id)")
        return Principal(self._project(claims.get("aud")), sub)

    def _decode(self, token: str) -> dict[str, Any]:
        options = {"require": ["exp"], "verify_aud": False}
        last: Exception | None = None
        for key in self.keys:
            try:
                return jwt.decode(token, key, algorithms=self.algorithms, options=options, leeway=self.leeway)
            except jwt.InvalidSignatureError as exc:
                last = exc  # maybe another configured key signed it
            except jwt.ExpiredSignatureError:
                raise AuthError("AUTH_TOKEN_EXPIRED", "the token has expired (its 'exp' is in the past)") from None
            except jwt.ImmatureSignatureError:
                raise AuthError("AUTH_TOKEN_NOT_YET_VALID", "the token is not valid yet ('nbf' is in the future)") from None
            except jwt.InvalidIssuedAtError:
                raise AuthError("AUTH_TOKEN_NOT_YET_VALID", "the token was issued in the future ('iat')") from None
            except jwt.MissingRequiredClaimError as exc:
                raise AuthError("AUTH_MISSING_CLAIM", f"the token has no '{exc.claim}' claim") from None
            except jwt.DecodeError as exc:
                raise AuthError("AUTH_MALFORMED_TOKEN", f"the bearer token cannot be decoded: {exc}") from None
            except jwt.InvalidTokenError as exc:
                raise AuthError("AUTH_INVALID_TOKEN", f"the token is invalid: {exc}") from None
        raise AuthError(
            "AUTH_BAD_SIGNATURE", "the token's signature does not match any accepted public key"
        ) from last

    def _project(self, aud: Any) -> str:
        audiences = aud if isinstance(aud, list) else [aud]
        if not audiences or aud is None:
            raise AuthError("AUTH_MISSING_CLAIM", "the token has no 'aud' claim; expected '<host>/<projectId>'")
        unknown: list[str] = []
        for value in audiences:
            host, _, project = str(value).rpartition("/")
            if host not in self.hosts or not project:
                continue
            if project in self.projects:
                return project
            unknown.append(project)
        if unknown:
            raise AuthError(
                "AUTH_UNKNOWN_PROJECT", f"project '{unknown[0]}' is not a project of this emulator (see project_ids)"
            )
        raise AuthError(
            "AUTH_WRONG_AUDIENCE",
            f"aud {aud!r} is not '<host>/<projectId>' with host one of {', '.join(sorted(self.hosts))}",
        )
