"""Input a client can send that once made the emulator answer 500 or accept nonsense (issue 16, 1-4)."""

from __future__ import annotations

import base64
import json

import pytest

from tests.conftest import PROJECT


def _b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


@pytest.mark.parametrize("header", [{"alg": "RS256", "kid": 5}, {"alg": "RS256", "crit": ["exp"]}])
def test_a_token_header_pyjwt_refuses_is_a_401(client, header):
    token = f"{_b64(header)}.{_b64({'sub': 'alice'})}.c2lnbmF0dXJl"
    response = client.get("/api/syncs", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401, response.text
    assert response.json()["code"] == "AUTH_MALFORMED_TOKEN"


@pytest.mark.parametrize("depth", [100, 1_000, 5_000])
def test_deeply_nested_json_is_a_400_naming_the_depth(client, auth, depth):
    body = '{"integration": "googledrive", "pipeline": "files", "configuration": ' + "[" * depth + "]" * depth + "}"
    response = client.post("/api/syncs", content=body, headers={**auth(), "Content-Type": "application/json"})
    assert response.status_code == 400, response.text
    assert response.json()["errors"][0]["rule"] == "depth"
    nested = {"fields": {"name": json.loads("[" * 900 + "]" * 900)}}
    upstream = client.post(f"/_emulator/upstream/{PROJECT}/alice/googledrive/files/items", content=json.dumps(nested),
                           headers={"Content-Type": "application/json"})
    assert upstream.status_code == 400 and upstream.json()["errors"][0]["rule"] == "depth"
    assert client.get("/api/syncs", headers=auth()).json() == {"data": []}  # nothing changed


def test_a_lone_surrogate_is_a_400_and_a_pair_is_a_character(client, auth):
    lone = b'{"integration": "\\ud800", "pipeline": "files"}'
    response = client.post("/api/syncs", content=lone, headers={**auth(), "Content-Type": "application/json"})
    assert response.status_code == 400, response.text
    assert "surrogate" in response.json()["errors"][0]["message"]
    pair = b'{"integration": "google\\ud83d\\ude00drive", "pipeline": "files"}'
    response = client.post("/api/syncs", content=pair, headers={**auth(), "Content-Type": "application/json"})
    assert response.status_code == 400 and "\U0001F600" in response.json()["message"]  # an unknown integration, said back


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinity_are_refused_and_change_nothing(client, constant):
    body = '{"status": 503, "fraction": %s}' % constant
    response = client.post("/_emulator/faults/api", content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 400, response.text
    assert constant.lstrip("-") in response.json()["errors"][0]["message"]
    assert client.get("/_emulator/faults").json()["api"] == []


@pytest.mark.parametrize(
    "config, field",
    [
        ({"url": "http://[::1/h"}, "url"),
        ({"url": "http://exa mple.com/"}, "url"),
        ({"url": "http://example.com/\u0000"}, "url"),
        ({"url": "ftp://example.com/hooks"}, "url"),
        ({"url": "/hooks"}, "url"),
        ({"secret": "whsec_abcde"}, "secret"),
    ],
)
def test_a_webhook_config_that_cannot_deliver_is_refused(client, config, field):
    before = client.get("/_emulator/webhooks/config").json()
    response = client.put("/_emulator/webhooks/config", json=config)
    assert response.status_code == 400, response.text
    assert response.json()["errors"][0]["path"] == f"$.{field}"
    assert client.get("/_emulator/webhooks/config").json() == before


def test_a_secret_that_cannot_sign_says_why(client):
    response = client.put("/_emulator/webhooks/config", json={"secret": "whsec_abcde"})
    assert response.status_code == 400, response.text
    assert response.json()["errors"][0]["message"] == (
        "a whsec_ secret is whsec_ and base64 (Standard Webhooks); this one is not valid base64"
    )


def test_a_good_webhook_config_is_kept(client):
    response = client.put("/_emulator/webhooks/config", json={"url": "http://127.0.0.1:9/hooks", "secret": "whsec_c2VjcmV0"})
    assert response.status_code == 200, response.text
    assert response.json()["url"] == "http://127.0.0.1:9/hooks"


def test_a_client_that_disconnects_mid_body_gets_one_log_line_not_a_traceback(settings, auth, caplog):
    import asyncio

    from paragon_emulator import create_app

    app = create_app(settings)
    sent: list[dict] = []
    headers = [(k.lower().encode(), v.encode()) for k, v in {**auth(), "Content-Type": "application/json",
                                                              "Content-Length": "100"}.items()]
    scope = {"type": "http", "method": "POST", "path": "/api/syncs", "raw_path": b"/api/syncs", "query_string": b"",
             "headers": headers, "scheme": "http", "server": ("127.0.0.1", 80), "client": ("127.0.0.1", 5),
             "http_version": "1.1", "root_path": "", "app": app}

    async def receive() -> dict:
        return {"type": "http.disconnect"}

    async def send(message: dict) -> None:
        sent.append(message)

    with caplog.at_level("INFO"):
        asyncio.run(app(scope, receive, send))  # raises nothing
    assert any("disconnected" in r.getMessage() for r in caplog.records)
    assert not any(r.levelname == "ERROR" for r in caplog.records)


@pytest.mark.parametrize("claim", ["exp", "nbf", "iat"])
def test_a_numeric_date_given_as_a_string_is_a_401(client, settings, claim):
    import time

    from paragon_emulator.tokens import mint

    value = str(int(time.time()) + (3600 if claim == "exp" else -60))
    token = mint(settings, "alice", claims={claim: value})[0]
    response = client.get("/api/syncs", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401, response.text
    assert claim in response.json()["message"]


@pytest.mark.parametrize("value", ["\u0661", "\u0969\u0966", "\uff15", "NaN"])
def test_a_number_parameter_in_other_digits_is_a_400(client, auth, value):
    sync = client.post("/api/syncs", json={"integration": "box", "pipeline": "files"}, headers=auth()).json()
    client.post("/_emulator/clock/advance", json={"seconds": 60})
    response = client.get(f"/api/syncs/{sync['id']}/records", params={"pageSize": value}, headers=auth())
    assert response.status_code == 400, response.text
    [error] = response.json()["errors"]
    assert (error["location"], error["path"]) == ("query", "pageSize")
    assert client.get(f"/api/syncs/{sync['id']}/records", params={"pageSize": "1"}, headers=auth()).status_code == 200
    fault = client.post("/_emulator/faults/api", json={"status": 503, "count": 1, "operations": ["listSyncs"]}).json()
    assert client.delete(f"/_emulator/faults/api/{value}").status_code == 400
    assert client.get("/_emulator/faults").json()["api"][0]["id"] == fault["id"]  # nothing changed


def test_a_control_token_guards_the_control_plane_but_not_health_or_the_api(auth):
    from starlette.testclient import TestClient

    from paragon_emulator import create_app
    from tests.conftest import make_settings

    with TestClient(create_app(make_settings(control_token="s3cret-control"))) as client:
        for method, path in [("GET", "/_emulator/info"), ("POST", "/_emulator/reset"), ("POST", "/_emulator/tokens"),
                             ("GET", "/_emulator/webhooks/config")]:
            for headers in ({}, {"Authorization": "Bearer wrong-token"}, {"Authorization": "s3cret-control"}):
                response = client.request(method, path, json={"userId": "mallory"}, headers=headers)
                assert response.status_code == 401, (method, path, headers, response.text)
                assert response.json()["code"] == "CONTROL_TOKEN_REQUIRED"
        good = {"Authorization": "Bearer s3cret-control"}
        assert client.get("/_emulator/info", headers=good).status_code == 200
        assert client.post("/_emulator/tokens", json={"userId": "alice"}, headers=good).status_code == 200
        assert client.get("/_emulator/health").status_code == 200
        assert client.get("/api/syncs", headers=auth()).status_code == 200  # the API keeps its own auth
