"""The auth matrix: every refusal is a 401 with its own reason; a valid token is served."""

from __future__ import annotations

import base64
import json
import time

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from paragon_emulator.tokens import dev_private_key, dev_public_key
from tests.conftest import PROJECT

# Tokens are minted in each test, against the wall clock the emulator checks them with (exp, nbf
# and iat are real time), an hour away from the instant that matters: a slow run cannot flip them.
HOUR = 3600


@pytest.fixture
def now() -> int:
    return int(time.time())


def _claims(now: int, **overrides):
    claims = {"sub": "alice", "aud": f"useparagon.com/{PROJECT}", "iat": now, "exp": now + HOUR}
    claims.update(overrides)
    return {k: v for k, v in claims.items() if v is not None}


def _sign(claims, key=None, alg="RS256", headers=None):
    return jwt.encode(claims, key or dev_private_key(), algorithm=alg, headers=headers)


def _other_key():
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())


def _b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def _unsigned(claims):
    return f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(claims)}."


def _hs256_with_public_key(claims):
    import hashlib
    import hmac

    signing_input = f"{_b64({'alg': 'HS256', 'typ': 'JWT'})}.{_b64(claims)}"
    mac = hmac.new(dev_public_key().encode(), signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{base64.urlsafe_b64encode(mac).rstrip(b'=').decode()}"


# name -> (the Authorization header made at `now`, or None for none; the code of the 401)
CASES = {
    "no header": (lambda now: None, "AUTH_MISSING"),
    "not bearer": (lambda now: "Basic YWxpY2U6c2VjcmV0", "AUTH_MALFORMED_HEADER"),
    "empty bearer": (lambda now: "Bearer ", "AUTH_MALFORMED_HEADER"),
    "malformed token": (lambda now: "Bearer not-a-jwt", "AUTH_MALFORMED_TOKEN"),
    "wrong key": (lambda now: "Bearer " + _sign(_claims(now), key=_other_key()), "AUTH_BAD_SIGNATURE"),
    "expired": (lambda now: "Bearer " + _sign(_claims(now, iat=now - 2 * HOUR, exp=now - HOUR)), "AUTH_TOKEN_EXPIRED"),
    "not yet valid": (lambda now: "Bearer " + _sign(_claims(now, nbf=now + HOUR)), "AUTH_TOKEN_NOT_YET_VALID"),
    "issued in the future": (lambda now: "Bearer " + _sign(_claims(now, iat=now + HOUR, exp=now + 2 * HOUR)), "AUTH_TOKEN_NOT_YET_VALID"),
    "no exp": (lambda now: "Bearer " + _sign(_claims(now, exp=None)), "AUTH_MISSING_CLAIM"),
    "no sub": (lambda now: "Bearer " + _sign(_claims(now, sub=None)), "AUTH_MISSING_CLAIM"),
    "no aud": (lambda now: "Bearer " + _sign(_claims(now, aud=None)), "AUTH_MISSING_CLAIM"),
    "empty aud list": (lambda now: "Bearer " + _sign(_claims(now, aud=[])), "AUTH_MISSING_CLAIM"),
    "wrong aud host": (lambda now: "Bearer " + _sign(_claims(now, aud=f"evil.example/{PROJECT}")), "AUTH_WRONG_AUDIENCE"),
    "aud without project": (lambda now: "Bearer " + _sign(_claims(now, aud="useparagon.com")), "AUTH_WRONG_AUDIENCE"),
    "unknown project": (lambda now: "Bearer " + _sign(_claims(now, aud="useparagon.com/not-a-project")), "AUTH_UNKNOWN_PROJECT"),
    "alg none": (lambda now: "Bearer " + _unsigned(_claims(now)), "AUTH_ALGORITHM_REFUSED"),
    "HS256 with the public key": (lambda now: "Bearer " + _hs256_with_public_key(_claims(now)), "AUTH_ALGORITHM_REFUSED"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_refused_tokens_get_401_with_a_distinct_reason(client, now, case):
    make, code = CASES[case]
    header = make(now)
    headers = {"Authorization": header} if header is not None else {}
    response = client.get("/api/syncs", headers=headers)
    assert response.status_code == 401, response.text
    body = response.json()
    assert body["code"] == code
    assert body["message"]
    assert response.headers["www-authenticate"] == "Bearer"


def test_reasons_are_distinct_messages(client, now):
    messages = set()
    for make, _ in CASES.values():
        header = make(now)
        headers = {"Authorization": header} if header is not None else {}
        messages.add(client.get("/api/syncs", headers=headers).json()["message"])
    assert len(messages) >= 10


@pytest.mark.parametrize(
    "overrides,headers",
    [
        ({}, None),
        ({"aud": f"dashboard.useparagon.com/{PROJECT}"}, None),
        ({"extra": {"anything": 1}, "urn:useparagon:connect:permissions": ["x"]}, {"kid": "paragon"}),
        ({"aud": ["other.example/x", f"useparagon.com/{PROJECT}"]}, None),
        # An unknown project named first does not hide a known one after it.
        ({"aud": ["useparagon.com/not-a-project", f"useparagon.com/{PROJECT}"]}, None),
        ({"sub": "org:acme|user 42"}, None),
    ],
)
def test_valid_tokens_are_served(client, now, overrides, headers):
    token = _sign(_claims(now, **overrides), headers=headers)
    response = client.get("/api/syncs", headers={"Authorization": "Bearer " + token})
    assert response.status_code == 200, response.text


def test_every_api_operation_requires_auth(client):
    spec = client.get("/openapi.json").json()
    for path, item in spec["paths"].items():
        if not path.startswith("/api/"):
            continue
        for method in item:
            if method not in {"get", "post", "patch", "put", "delete"}:
                continue
            url = path.replace("{syncId}", "s1").replace("{recordId}", "r1")
            response = client.request(method.upper(), url, json={})
            assert response.status_code == 401, (method, path, response.text)


def test_a_configured_key_and_project_are_accepted(tmp_path, now):
    from starlette.testclient import TestClient

    from paragon_emulator import create_app
    from tests.conftest import make_settings

    private = _other_key()
    public = (
        serialization.load_pem_private_key(private, None)
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    key_file = tmp_path / "public.pem"
    key_file.write_bytes(public)
    # Given your own key, the bundled development key is off unless asked for (issue 16, item 9).
    settings = make_settings(project_ids=["my-project"], public_keys=[str(key_file)])
    with TestClient(create_app(settings)) as client:
        own = _sign(_claims(now, aud="useparagon.com/my-project"), key=private)
        assert client.get("/api/syncs", headers={"Authorization": f"Bearer {own}"}).status_code == 200
        dev = _sign(_claims(now, aud="useparagon.com/my-project"))
        refused = client.get("/api/syncs", headers={"Authorization": f"Bearer {dev}"})
        assert refused.status_code == 401 and refused.json()["code"] == "AUTH_BAD_SIGNATURE"
    both = make_settings(project_ids=["my-project"], public_keys=[str(key_file)], dev_key=True)
    with TestClient(create_app(both)) as client:
        for token in (own, dev):
            assert client.get("/api/syncs", headers={"Authorization": f"Bearer {token}"}).status_code == 200
