"""The Nango door itself: where it is mounted, its keys, Nango's 401s, strictness and error body."""

from __future__ import annotations

import uuid

import pytest
from openapi_spec_validator import validate
from starlette.testclient import TestClient

from paragon_emulator import Settings, create_app
from paragon_emulator.nango.keys import secret_keys
from paragon_emulator.nango.spec import spec_dict
from tests.conftest import PROJECT, make_settings


def test_the_nango_spec_is_a_valid_openapi_document():
    validate(spec_dict())


def test_secret_keys_are_uuid4_deterministic_from_the_seed_and_configurable():
    first, again, other = (secret_keys(Settings(seed=s))[Settings().default_project_id] for s in (1, 1, 2))
    assert first == again != other
    assert uuid.UUID(first).version == 4
    chosen = str(uuid.uuid4())
    assert secret_keys(Settings(nango_secret_keys=[f"{PROJECT}={chosen}"]))[PROJECT] == chosen


def test_a_secret_key_that_is_not_uuid4_is_refused_by_the_settings():
    with pytest.raises(ValueError, match="UUID v4"):
        Settings(nango_secret_keys=[f"{PROJECT}=not-a-key"])


@pytest.mark.parametrize(
    "header, code",
    [
        (None, "missing_auth_header"),
        ("Basic abc", "malformed_auth_header"),
        ("Bearer ", "malformed_auth_header"),
        ("Bearer 1234", "invalid_secret_key_format"),
        (f"Bearer {uuid.UUID(int=1)}", "invalid_secret_key_format"),  # a UUID, but not version 4
        ("Bearer 3f2b8c1e-9d4a-4e7b-a1c2-5e6f7a8b9c0d", "unknown_account"),
    ],
)
def test_authentication_errors_are_nangos(nango, header, code):
    headers = {"Authorization": header} if header is not None else {}
    response = nango.client.get("/nango/connections", headers=headers)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == code
    assert response.json()["error"]["message"].startswith("Authentication failed.")


def test_the_sdks_extra_headers_are_tolerated(nango):
    headers = {"Nango-Is-Sync": "false", "Nango-Is-Script": "false", "Nango-Is-Dry-Run": "false",
               "User-Agent": "nango-node-client/0.71.10"}
    assert nango.ok("GET", "/connections", headers=headers) == {"connections": []}


def test_unknown_query_parameters_and_body_fields_are_400s_in_nangos_shape(nango):
    response = nango.request("GET", "/connections", params={"color": "red"})
    assert response.status_code == 400
    assert response.json() == {"error": {"code": "invalid_query_params", "errors": [
        {"code": "unrecognized_keys", "message": "Unrecognized key: 'color'", "path": ["color"]}
    ]}}
    nango.connect()
    response = nango.request("POST", "/sync/start", json={"provider_config_key": "google-drive", "syncs": [], "extra": 1})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid_body" and error["errors"][0]["path"] == ["extra"]
    assert nango.status()[0]["status"] == "PAUSED"  # the refused start changed nothing


def test_a_body_that_is_not_json_is_a_415(nango):
    response = nango.request("POST", "/connections", content=b"a=b", headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert response.status_code == 415
    assert response.json()["error"]["code"] == "invalid_content_type"


def test_unknown_routes_under_the_prefix_are_nangos_404(nango):
    response = nango.request("GET", "/proxy/anything")
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"
    response = nango.request("DELETE", "/sync/status")  # a known path, another method: Express has no 405
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"


def test_the_prefix_can_move_or_be_turned_off():
    moved = make_settings(nango_prefix="elsewhere/nango/")
    key = secret_keys(moved)[PROJECT]
    with TestClient(create_app(moved)) as client:
        assert client.get("/elsewhere/nango/connections", headers={"Authorization": f"Bearer {key}"}).status_code == 200
        assert client.get("/nango/connections", headers={"Authorization": f"Bearer {key}"}).status_code == 404
    with TestClient(create_app(make_settings(nango_prefix="off"))) as client:
        response = client.get("/nango/connections", headers={"Authorization": f"Bearer {key}"})
        assert response.status_code == 404 and response.json()["code"] == "ROUTE_NOT_FOUND"
    with pytest.raises(ValueError, match="hide"):
        Settings(nango_prefix="/api")
