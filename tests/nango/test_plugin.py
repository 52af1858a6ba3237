"""The plugin's Nango fixtures, over the plugin's real server (the URL the Node SDK would get as `host`)."""

from __future__ import annotations

import uuid

import httpx

from paragon_emulator.pytest_plugin import ParagonEmulator


def test_nango_client_reaches_the_front_end_with_the_projects_key(paragon_emulator: ParagonEmulator, nango_client, nango_secret_key):
    assert uuid.UUID(nango_secret_key).version == 4
    assert str(nango_client.base_url).rstrip("/") == paragon_emulator.nango_url
    assert paragon_emulator.nango_url.endswith("/nango")
    created = nango_client.post("/connections", json={
        "provider_config_key": "google-drive", "connection_id": "c1", "end_user": {"id": "alice"},
        "credentials": {"type": "OAUTH2", "access_token": "t"},
    })
    assert created.status_code == 201, created.text
    assert nango_client.post("/sync/start", json={"provider_config_key": "google-drive", "connection_id": "c1", "syncs": ["documents"]}).json() == {"success": True}
    paragon_emulator.advance(5)
    # The same clock and engine: the connection's records, through the SDK's path with its trailing slash.
    records = nango_client.get("/records/", params={"model": "Document", "limit": 100},
                               headers={"Connection-Id": "c1", "Provider-Config-Key": "google-drive"}).json()
    assert len(records["records"]) == 25 and records["next_cursor"] is None
    wrong = httpx.get(paragon_emulator.nango_url + "/connections", headers={"Authorization": f"Bearer {uuid.uuid4()}"}, trust_env=False)
    assert wrong.status_code == 401


def test_a_reset_forgets_nango_connections(paragon_emulator: ParagonEmulator, nango_client):
    body = {"provider_config_key": "box", "connection_id": "c2", "credentials": {"type": "OAUTH2", "access_token": "t"}}
    assert nango_client.post("/connections", json=body).status_code == 201
    assert len(nango_client.get("/connections").json()["connections"]) == 1
    paragon_emulator.reset()
    assert nango_client.get("/connections").json() == {"connections": []}
