"""A corpus of hostile requests: what a careless or malicious client can send.

Each entry is a request (method, path, headers, body as bytes) built against a live emulator
(it needs a sync, a record and a token to aim at). The bar for every one of them: an answer
that is not a 5xx and that the spec describes. Run against a server in strict mode, a response
outside the spec is itself a 500, so "no 5xx" covers both. Used by `reliability.py` (the
benchmark) and by the test suite (tests/test_reliability.py).
"""

from __future__ import annotations

import base64
import json
import time
from dataclasses import dataclass, field
from typing import Any, Callable

import jwt


@dataclass
class Hostile:
    name: str
    method: str
    path: str
    body: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)
    auth: bool = True  # send the target user's good token unless the entry brings its own


@dataclass
class Target:
    """What the corpus aims at: a live sync of the token's user and one of its records."""

    token: str
    sync_id: str
    record_id: str
    project_id: str
    private_key_pem: str  # the development key, to sign tokens that are wrong in one way each


def _json(value: Any) -> bytes:
    return json.dumps(value).encode()


def _b64(value: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()


def token_matrix(target: Target) -> list[tuple[str, str]]:
    """(name, Authorization header) pairs, each wrong in one way."""
    now = int(time.time())
    good = jwt.decode(target.token, options={"verify_signature": False})

    def signed(**changes: Any) -> str:
        claims = {**good, **changes}
        for key in [k for k, v in changes.items() if v is None]:
            claims.pop(key)
        return "Bearer " + jwt.encode(claims, target.private_key_pem, algorithm="RS256")

    return [
        ("no scheme", target.token),
        ("basic", "Basic " + base64.b64encode(b"user:pass").decode()),
        ("empty bearer", "Bearer "),
        ("garbage", "Bearer not.a.token"),
        ("alg none", "Bearer " + _b64({"alg": "none", "typ": "JWT"}) + "." + _b64(good) + "."),
        ("hs256 with the public key", "Bearer " + jwt.encode(good, "a-shared-secret-of-enough-length-32b", algorithm="HS256")),
        ("expired", signed(exp=now - 3600, iat=now - 7200)),
        ("not yet valid", signed(nbf=now + 3600)),
        ("exp as a string", signed(exp=str(now + 3600))),
        ("no exp", signed(exp=None)),
        ("wrong audience", signed(aud="https://elsewhere.example/" + target.project_id)),
        ("unknown project", signed(aud="useparagon.com/00000000-0000-4000-8000-000000000000")),
        ("no sub", signed(sub=None)),
        ("sub an object", signed(sub={"id": "alice"})),
        ("kid a number", "Bearer " + _b64({"alg": "RS256", "kid": 5}) + "." + _b64(good) + ".c2ln"),
        ("crit header", "Bearer " + _b64({"alg": "RS256", "crit": ["exp"]}) + "." + _b64(good) + ".c2ln"),
        ("100 KB token", "Bearer " + "a" * 100_000),
        ("bad signature", "Bearer " + target.token.rsplit(".", 1)[0] + ".AAAA"),
    ]


def corpus(target: Target) -> list[Hostile]:
    sync = f"/api/syncs/{target.sync_id}"
    upstream = f"/_emulator/upstream/{target.project_id}/alice/box/files"
    items: list[Hostile] = []
    for name, header in token_matrix(target):
        items.append(Hostile(f"token: {name}", "GET", "/api/syncs", headers={"Authorization": header}, auth=False))
    enable = {"integration": "box", "pipeline": "files"}
    for depth in (100, 1_000, 20_000):
        nested = b'{"integration":"box","pipeline":"files","configuration":' + b"[" * depth + b"]" * depth + b"}"
        items.append(Hostile(f"JSON nested {depth} deep", "POST", "/api/syncs", nested))
    items += [
        Hostile("NaN in a fault", "POST", "/_emulator/faults/api", b'{"status":503,"fraction":NaN}'),
        Hostile("Infinity in an advance", "POST", "/_emulator/clock/advance", b'{"seconds":Infinity}'),
        Hostile("lone surrogate", "POST", "/api/syncs", b'{"integration":"\\ud800","pipeline":"files"}'),
        Hostile("invalid UTF-8", "POST", "/api/syncs", b'{"integration":"\xff\xfe","pipeline":"files"}'),
        Hostile("not JSON", "POST", "/api/syncs", b"{integration: box"),
        Hostile("JSON as text/plain", "POST", "/api/syncs", _json(enable), {"Content-Type": "text/plain"}),
        Hostile("a form", "POST", "/api/syncs", b"integration=box&pipeline=files",
                {"Content-Type": "application/x-www-form-urlencoded"}),
        Hostile("an array body", "POST", "/api/syncs", b"[]"),
        Hostile("8 MB string", "POST", "/api/syncs", _json({**enable, "configurationName": "x" * 8_000_000})),
        Hostile("10,000 unknown fields", "POST", "/api/syncs", _json({**enable, **{f"f{i}": i for i in range(10_000)}})),
        Hostile("a 16 KB header", "GET", "/api/syncs", headers={"X-Padding": "p" * 16_000}),
        Hostile("pageSize in Arabic digits", "GET", f"{sync}/records?pageSize=%D9%A1"),
        Hostile("pageSize negative", "GET", f"{sync}/records?pageSize=-1"),
        Hostile("pageSize 10^30", "GET", f"{sync}/records?pageSize=1000000000000000000000000000000"),
        Hostile("cursor garbage", "GET", f"{sync}/records?cursor=" + "A" * 10_000),
        Hostile("cursor of base64 JSON", "GET", f"{sync}/records?cursor=" + _b64({"t": "x", "i": -1})),
        Hostile("repeated parameters", "GET", f"{sync}/records?pageSize=1&pageSize=abc&cursor=&cursor=x"),
        Hostile("sync id NUL", "GET", "/api/syncs/%00"),
        Hostile("sync id traversal", "GET", "/api/syncs/..%2F..%2Fetc"),
        Hostile("sync id 10 KB", "GET", "/api/syncs/" + "s" * 10_000),
        Hostile("record id unicode", "GET", f"{sync}/records/%F0%9F%98%80"),
        Hostile("content of a missing record", "GET", f"{sync}/records/nope/content"),
        Hostile("wrong method", "PUT", "/api/syncs", _json(enable)),
        Hostile("unknown route", "GET", "/api/nothing-here"),
        Hostile("webhook URL without a host", "PUT", "/_emulator/webhooks/config", _json({"url": "http://"})),
        Hostile("webhook URL bracket", "PUT", "/_emulator/webhooks/config", _json({"url": "http://[::1/h"})),
        Hostile("webhook URL NUL", "PUT", "/_emulator/webhooks/config", _json({"url": "http://a\u0000b/"})),
        Hostile("webhook secret not base64", "PUT", "/_emulator/webhooks/config", _json({"secret": "whsec_abcde"})),
        Hostile("advance 10^9 days", "POST", "/_emulator/clock/advance", _json({"duration": "1000000000d"})),
        Hostile("advance 1e308 s", "POST", "/_emulator/clock/advance", _json({"seconds": 1e308})),
        Hostile("advance backwards", "POST", "/_emulator/clock/advance", _json({"seconds": -1})),
        Hostile("clock to year 9999", "PUT", "/_emulator/clock", _json({"now": "9999-12-31T23:59:59Z"})),
        Hostile("clock rate 1e12", "PUT", "/_emulator/clock", _json({"mode": "accelerated", "rate": 1e12})),
        Hostile("reset a user of no project", "POST", "/_emulator/reset", _json({"userId": "alice"})),
        Hostile("token living 10^12 s", "POST", "/_emulator/tokens", _json({"userId": "a", "expiresIn": 10**12})),
        Hostile("item fields nested 900 deep", "POST", upstream + "/items",
                b'{"fields":{"name":' + b"[" * 900 + b"]" * 900 + b"}}"),
        Hostile("item of a huge size", "PUT", upstream, _json({"size": 10**12})),
        Hostile("10,000 batch checks", "POST", f"/api/permissions/{target.sync_id}/batch-check",
                _json({"checks": [{"user": "user:a@b.c", "role": "can_read", "object": target.record_id}] * 10_000})),
        Hostile("check of an empty object", "POST", f"/api/permissions/{target.sync_id}/check",
                _json({"user": "user:a@b.c", "role": "can_read", "object": ""})),
        Hostile("check of a typed nothing", "POST", f"/api/permissions/{target.sync_id}/check",
                _json({"user": "user:", "role": "can_read", "object": "file:"})),
        Hostile("fault of an unknown kind", "POST", "/_emulator/faults/sync", _json({"syncId": target.sync_id, "kind": "x"})),
        Hostile("trigger on a missing sync", "POST", "/_emulator/webhooks/trigger", _json({"syncId": "x", "event": "sync_complete"})),
        Hostile("scenario path traversal", "POST", "/_emulator/scenarios/..%2F..%2Fetc%2Fpasswd"),
    ]
    return items


@dataclass
class Outcome:
    hostile: Hostile
    status: int | None  # None: the connection ended without an answer
    detail: str = ""


def run(send: Callable[[Hostile], tuple[int | None, str]], target: Target) -> list[Outcome]:
    """Send every entry; `send` returns (status or None, a short detail)."""
    outcomes = []
    for hostile in corpus(target):
        if hostile.auth and "Authorization" not in hostile.headers:
            hostile.headers["Authorization"] = "Bearer " + target.token
        if hostile.body is not None and "Content-Type" not in hostile.headers:
            hostile.headers["Content-Type"] = "application/json"
        status, detail = send(hostile)
        outcomes.append(Outcome(hostile, status, detail))
    return outcomes


def failures(outcomes: list[Outcome]) -> list[Outcome]:
    """What breaks the bar: a 5xx (in strict mode, that includes an answer outside the spec)."""
    return [o for o in outcomes if o.status is not None and o.status >= 500]
