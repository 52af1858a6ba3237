"""Variants: a second sync of the same connection, with its own schedule, status and records."""

from __future__ import annotations

from tests.conftest import advance

TARGET = {"provider_config_key": "google-drive", "connection_id": "conn-1"}


def test_a_variant_is_its_own_sync_on_the_same_account(nango, emulator_client, auth):
    nango.connect()
    created = nango.ok("POST", "/sync/documents/variant/eu", json=TARGET)
    assert created["name"] == "documents" and created["variant"] == "eu"
    assert [(s["variant"], s["status"]) for s in nango.status()] == [("base", "PAUSED"), ("eu", "PAUSED")]
    nango.ok("POST", "/sync/start", json={**TARGET, "syncs": [{"name": "documents", "variant": "eu"}]})
    advance(emulator_client, 5)
    by_variant = {s["variant"]: s for s in nango.status()}
    assert by_variant["eu"]["status"] == "SUCCESS" and by_variant["eu"]["id"] == created["id"]
    assert by_variant["base"]["status"] == "PAUSED"
    assert len(nango.records(model="Document", variant="eu", limit=100).json()["records"]) == 25
    assert nango.records(model="Document", limit=100).json()["records"] == []  # base never ran
    # On the Paragon side: a files sync with configurationName "eu".
    [sync] = emulator_client.get("/api/syncs", headers=auth("alice")).json()["data"]
    assert sync["configurationName"] == "eu" and sync["id"] == created["id"]
    body = {**TARGET, "sync_name": "documents", "sync_variant": "eu", "frequency": "every hour"}
    assert nango.ok("PUT", "/sync/update-connection-frequency", json=body) == {"frequency": "1h"}
    assert {s["variant"]: s["frequency"] for s in nango.status()}["eu"] == "every hour"
    assert nango.ok("DELETE", "/sync/documents/variant/eu", json=TARGET) == {"success": True}
    assert [s["variant"] for s in nango.status()] == ["base"]
    assert emulator_client.get("/api/syncs", headers=auth("alice")).json()["data"] == []


def test_variant_refusals(nango):
    nango.connect()
    unknown = nango.request("POST", "/sync/start", json={**TARGET, "syncs": [{"name": "documents", "variant": "nope"}]})
    assert unknown.status_code == 400 and unknown.json()["error"]["code"] == "no_syncs_found"
    nango.ok("POST", "/sync/documents/variant/eu", json=TARGET)
    again = nango.request("POST", "/sync/documents/variant/eu", json=TARGET)
    assert again.status_code == 400 and again.json()["error"]["code"] == "sync_variant_already_exists"
    base = nango.request("POST", "/sync/documents/variant/base", json=TARGET)
    assert base.status_code == 400
    bad_name = nango.request("POST", "/sync/documents/variant/e%20u", json=TARGET)
    assert bad_name.status_code == 400 and bad_name.json()["error"]["code"] == "invalid_uri_params"
    missing = nango.request("DELETE", "/sync/documents/variant/other", json=TARGET)
    assert missing.status_code == 404
    no_conn = nango.request("POST", "/sync/documents/variant/x", json={**TARGET, "connection_id": "nope"})
    assert no_conn.status_code == 404 and no_conn.json()["error"]["code"] == "unknown_connection"
    body = {**TARGET, "sync_name": "documents", "sync_variant": "nope", "frequency": "every hour"}
    wrong = nango.request("PUT", "/sync/update-connection-frequency", json=body)
    assert wrong.status_code == 400 and wrong.json() == {"error": {"code": "unknown_sync"}}
    assert nango.records(model="Document", variant="nope").json() == {"next_cursor": None, "records": []}
