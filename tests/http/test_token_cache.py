"""Authenticated headers are remembered until their token expires; refusals never are."""

from __future__ import annotations

import time

from paragon_emulator.http import routing


def _counting(monkeypatch) -> list[str]:
    calls: list[str] = []
    real = routing.authenticate

    def counted(headers, verifier):
        calls.append(headers.get("authorization", ""))
        return real(headers, verifier)

    monkeypatch.setattr(routing, "authenticate", counted)
    return calls


def test_a_token_is_verified_once_until_it_expires(client, token, monkeypatch):
    calls = _counting(monkeypatch)
    headers = {"Authorization": f"Bearer {token('alice', expires_in=600)}"}
    for _ in range(3):
        assert client.get("/api/syncs", headers=headers).status_code == 200
    assert len(calls) == 1

    # Past its exp (by the wall clock) the header is authenticated again, by the real check.
    later = time.time() + 601
    monkeypatch.setattr(routing.time, "time", lambda: later)
    assert client.get("/api/syncs", headers=headers).status_code == 200  # PyJWT's own clock still says valid
    assert len(calls) == 2


def test_each_user_is_their_own_and_refusals_are_not_remembered(client, token, auth, monkeypatch):
    calls = _counting(monkeypatch)
    bob = client.post("/api/syncs", json={"integration": "box", "pipeline": "files"}, headers=auth("bob")).json()
    assert client.get(f"/api/syncs/{bob['id']}", headers=auth("alice")).status_code == 404
    assert client.get(f"/api/syncs/{bob['id']}", headers=auth("bob")).status_code == 200
    expired = {"Authorization": f"Bearer {token('alice', expires_in=-60)}"}
    for _ in range(2):
        response = client.get("/api/syncs", headers=expired)
        assert response.status_code == 401 and response.json()["code"] == "AUTH_TOKEN_EXPIRED"
    assert calls.count(expired["Authorization"]) == 2



def test_a_full_cache_starts_over(settings, token, monkeypatch):
    from starlette.requests import Request

    from paragon_emulator.tokens import TokenVerifier

    calls = _counting(monkeypatch)
    cache, verifier = routing.VerifiedTokens(size=2), TokenVerifier(settings)

    headers = {user: f"Bearer {token(user)}".encode() for user in ("u1", "u2", "u3")}

    def request(user: str) -> Request:
        return Request({"type": "http", "method": "GET", "path": "/", "headers": [(b"authorization", headers[user])]})

    for user in ["u1", "u2", "u1", "u2", "u3", "u3", "u1"]:
        assert cache.principal(request(user), verifier).user_id == user
    # u3 found it full and started it over, so u1 was verified again: never wrong, only slower.
    assert [call.split(" ")[1] for call in calls] == [headers[u].decode().split(" ")[1] for u in ("u1", "u2", "u3", "u1")]
