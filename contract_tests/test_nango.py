"""The Nango part: checks any server that claims Nango's consumer API (the emulator's /nango door,
or Nango itself given NANGO_CONTRACT_* variables). HTTP only, like the rest of the suite."""

from __future__ import annotations

import base64
import os
import time
import uuid

import httpx
import pytest


def _env(name: str, default: str | None = None) -> str | None:
    return os.environ.get(name, "").strip() or default


@pytest.fixture(scope="module")
def nango(server) -> dict:
    base, key = _env("NANGO_CONTRACT_BASE_URL"), _env("NANGO_CONTRACT_SECRET_KEY")
    if base is None or key is None:
        if not server.is_emulator:
            pytest.skip("no Nango server: set NANGO_CONTRACT_BASE_URL and NANGO_CONTRACT_SECRET_KEY")
        info = httpx.get(f"{server.base_url}/_emulator/info", timeout=30).json()
        if not info.get("nango", {}).get("prefix"):
            pytest.skip("the emulator under test has its Nango front end off")
        base = base or server.base_url + info["nango"]["prefix"]
        key = key or info["nango"]["secretKeys"][server.project]
    client = httpx.Client(base_url=base.rstrip("/"), headers={"Authorization": f"Bearer {key}"}, timeout=60, trust_env=False)
    pck = _env("NANGO_CONTRACT_PROVIDER_CONFIG_KEY", "google-drive")
    connection = _env("NANGO_CONTRACT_CONNECTION_ID")
    yield {"client": client, "base": base.rstrip("/"), "pck": pck, "connection": connection, "server": server}
    client.close()


@pytest.fixture(scope="module")
def connection(nango) -> str:
    """A connection whose documents sync has run: the one named, or one imported into the emulator."""
    if nango["connection"]:
        return nango["connection"]
    if not nango["server"].is_emulator or nango["server"].control is None:
        pytest.skip("no connection to read (NANGO_CONTRACT_CONNECTION_ID)")
    client, pck = nango["client"], nango["pck"]
    connection_id = f"contract-{uuid.uuid4().hex[:8]}"
    created = client.post("/connections", json={
        "provider_config_key": pck, "connection_id": connection_id, "end_user": {"id": connection_id},
        "credentials": {"type": "OAUTH2", "access_token": "contract"},
    })
    assert created.status_code == 201, created.text
    started = client.post("/sync/start", json={"provider_config_key": pck, "connection_id": connection_id, "syncs": ["documents"]})
    assert started.json() == {"success": True}
    deadline = time.monotonic() + 120
    params = {"provider_config_key": pck, "connection_id": connection_id, "syncs": "documents"}
    while client.get("/sync/status", params=params).json()["syncs"][0]["status"] != "SUCCESS":
        assert time.monotonic() < deadline, "the documents sync did not succeed within 120 s"
        nango["server"].control.advance(30)
    return connection_id


@pytest.mark.parametrize(
    "authorization, code",
    [(None, "missing_auth_header"), ("Bearer not-a-uuid", "invalid_secret_key_format"), ("Bearer 3f2b8c1e-9d4a-4e7b-a1c2-5e6f7a8b9c0d", "unknown_account")],
)
def test_authentication_errors(nango, authorization, code):
    headers = {"Authorization": authorization} if authorization else {}
    response = httpx.get(nango["base"] + "/connections", headers=headers, timeout=30, trust_env=False)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == code


def test_unknown_query_parameters_are_refused(nango):
    response = nango["client"].get("/connections", params={"not_a_parameter": "1"})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_query_params"


def test_records_of_an_unknown_connection(nango):
    response = nango["client"].get("/records", params={"model": "Document"},
                                   headers={"Connection-Id": f"nope-{uuid.uuid4().hex}", "Provider-Config-Key": nango["pck"]})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "unknown_connection"


def test_sync_commands_on_an_unknown_connection(nango):
    response = nango["client"].post("/sync/pause", json={
        "provider_config_key": nango["pck"], "connection_id": f"nope-{uuid.uuid4().hex}", "syncs": ["documents"]})
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "unknown_connection"


def test_the_records_feed_pages_in_order_to_a_null_cursor(nango, connection):
    client, headers = nango["client"], {"Connection-Id": connection, "Provider-Config-Key": nango["pck"]}
    seen, keys, cursor = [], [], None
    for _ in range(1000):
        params = {"model": "Document", "limit": 7, **({"cursor": cursor} if cursor else {})}
        page = client.get("/records/", params=params, headers=headers)
        assert page.status_code == 200, page.text
        body = page.json()
        assert set(body) == {"next_cursor", "records"}
        for record in body["records"]:
            meta = record["_nango_metadata"]
            assert {"first_seen_at", "last_modified_at", "last_action", "deleted_at", "pruned_at", "cursor"} <= set(meta)
            assert meta["last_action"] in ("ADDED", "UPDATED", "DELETED")
            seen.append(record["id"])
            keys.append((meta["last_modified_at"], base64.b64decode(meta["cursor"]).decode().rpartition("||")[2]))
        cursor = body["next_cursor"]
        if cursor is None:
            break
        assert cursor == body["records"][-1]["_nango_metadata"]["cursor"]
    else:
        pytest.fail("next_cursor never became null")
    assert len(seen) == len(set(seen)) and seen
    assert keys == sorted(keys)
    # The cursor is exclusive: after the last record there is nothing.
    last = client.get("/records", params={"model": "Document", "cursor": body_cursor(client, headers)}, headers=headers).json()
    assert last == {"next_cursor": None, "records": []}


def body_cursor(client: httpx.Client, headers: dict) -> str:
    """The cursor of the newest record (the last of an unfiltered read)."""
    cursor, last = None, None
    while True:
        body = client.get("/records", params={"model": "Document", "limit": 1000, **({"cursor": cursor} if cursor else {})}, headers=headers).json()
        if body["records"]:
            last = body["records"][-1]["_nango_metadata"]["cursor"]
        cursor = body["next_cursor"]
        if cursor is None:
            return last
