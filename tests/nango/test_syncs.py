"""Syncs through the Nango door: start, pause, trigger (opts and legacy forms), status, frequency."""

from __future__ import annotations

import pytest

from tests.conftest import PROJECT, advance

UPSTREAM = f"/_emulator/upstream/{PROJECT}/alice/googledrive/files"


def test_a_sync_is_paused_until_started_then_runs_on_the_emulated_clock(nango, emulator_client):
    nango.connect()
    [before] = nango.status()
    assert before["status"] == "PAUSED" and before["recordCount"] == {"Document": 0} and before["nextScheduledSyncAt"] is None
    nango.start()
    [running] = nango.status()
    assert running["status"] == "RUNNING" and "finishedAt" not in running
    advance(emulator_client, 5)
    [done] = nango.status()
    assert done["status"] == "SUCCESS" and done["type"] == "INITIAL" and done["recordCount"] == {"Document": 25}
    assert done["finishedAt"] == "2026-01-05T09:00:03.000Z"
    assert done["nextScheduledSyncAt"] == "2026-01-05T09:01:03.000Z" and done["frequency"] == "every minute"
    advance(emulator_client, 60)
    assert nango.status()[0]["type"] == "INCREMENTAL"
    nango.ok("POST", "/sync/pause", json={"provider_config_key": "google-drive", "connection_id": "conn-1", "syncs": ["documents"]})
    assert nango.status()[0]["status"] == "PAUSED"
    nango.start()
    assert nango.status()[0]["status"] == "SUCCESS"


def test_status_leaves_unknown_names_out_and_star_lists_every_sync(nango):
    nango.connect()
    assert nango.status(syncs="nope") == []
    assert [s["name"] for s in nango.status(syncs="*")] == ["documents", "files"]
    missing = nango.request("GET", "/sync/status", params={"provider_config_key": "google-drive", "connection_id": "x", "syncs": "*"})
    assert missing.status_code == 400 and missing.json()["error"] == {"code": "invalid_body", "message": "Connection not found"}


@pytest.mark.parametrize(
    "body, status, code",
    [
        ({"provider_config_key": "google-drive", "connection_id": "nope", "syncs": ["documents"]}, 404, "unknown_connection"),
        ({"provider_config_key": "nope", "connection_id": "conn-1", "syncs": ["documents"]}, 400, "unknown_provider_config"),
        ({"provider_config_key": "google-drive", "connection_id": "conn-1", "syncs": ["contacts"]}, 400, "no_syncs_found"),
        ({"provider_config_key": "google-drive", "syncs": [{"name": "documents"}]}, 400, "invalid_body"),
    ],
)
def test_start_refusals(nango, body, status, code):
    nango.connect()
    response = nango.request("POST", "/sync/start", json=body)
    assert response.status_code == status and response.json()["error"]["code"] == code
    assert nango.status()[0]["status"] == "PAUSED"


def test_unknown_connection_carries_nangos_payload(nango):
    response = nango.request("POST", "/sync/pause", json={"provider_config_key": "google-drive", "connection_id": "x", "syncs": []})
    assert response.json()["error"]["payload"] == {"connectionId": "x", "providerConfigKey": "google-drive"}


def records(nango, **params):
    response = nango.records(model="Document", limit=1000, **params)
    assert response.status_code == 200, response.text
    return response.json()["records"]


def test_trigger_runs_now_and_reset_with_empty_cache_rebuilds_the_records(nango, emulator_client):
    nango.connect()
    trigger = {"provider_config_key": "google-drive", "connection_id": "conn-1", "syncs": ["documents"]}
    nango.ok("POST", "/sync/trigger", json=trigger)  # a sync that never ran: its initial sync, now
    advance(emulator_client, 5)
    first = records(nango)
    assert len(first) == 25
    emulator_client.post(UPSTREAM + "/items", json={"fields": {"name": "new.txt"}})
    nango.ok("POST", "/sync/trigger", json=trigger)  # not waiting for the minute: runs now
    advance(emulator_client, 3)
    assert len(records(nango)) == 26
    nango.ok("POST", "/sync/trigger", json={**trigger, "opts": {"reset": True, "emptyCache": True}})
    assert records(nango) == []  # dropped first
    advance(emulator_client, 5)
    again = records(nango)
    assert len(again) == 26 and {r["_nango_metadata"]["last_action"] for r in again} == {"ADDED"}


def test_trigger_forms_and_refusals(nango, emulator_client):
    nango.connect()
    nango.start()
    advance(emulator_client, 5)
    base = {"syncs": ["documents"]}
    headers = {"Provider-Config-Key": "google-drive", "Connection-Id": "conn-1"}
    for extra in ({"full_resync": True}, {"sync_mode": "full_refresh"}, {"sync_mode": "incremental"}, {"syncs": ["documents::base"]}):
        assert nango.ok("POST", "/sync/trigger", json={**base, **extra}, headers=headers) == {"success": True}
    both = nango.request("POST", "/sync/trigger", json={**base, "opts": {"reset": True}, "sync_mode": "full_refresh"}, headers=headers)
    assert both.status_code == 400 and both.json()["error"]["code"] == "invalid_body"
    nokey = nango.request("POST", "/sync/trigger", json={**base, "connection_id": "conn-1"})
    assert nokey.status_code == 400 and nokey.json()["error"]["code"] == "missing_provider_config_key"


@pytest.mark.parametrize(
    "frequency, answer, seconds",
    [
        ("every hour", "1h", 3600), ("every 2 hours", "2 hours", 7200), ("every half hour", "30m", 1800),
        ("every 30 seconds", "30 seconds", 30), ("every day", "1d", 86400), ("5m", "5m", 300),
    ],
)
def test_frequency_overrides_move_the_schedule(nango, emulator_client, frequency, answer, seconds):
    nango.connect()
    nango.start()
    advance(emulator_client, 5)  # initial run ends at 09:00:03
    body = {"provider_config_key": "google-drive", "connection_id": "conn-1", "sync_name": "documents", "frequency": frequency}
    assert nango.ok("PUT", "/sync/update-connection-frequency", json=body) == {"frequency": answer}
    [status] = nango.status()
    assert status["frequency"] == frequency
    # The next run falls due `seconds` after the change (made at 09:00:05).
    from datetime import datetime, timedelta
    due = datetime.fromisoformat(status["nextScheduledSyncAt"].replace("Z", "+00:00"))
    assert due == datetime.fromisoformat("2026-01-05T09:00:05+00:00") + timedelta(seconds=seconds)


@pytest.mark.parametrize("frequency", ["every 29 seconds", "often", "every 3 fortnights", ""])
def test_frequencies_nango_would_not_take_are_refused(nango, frequency):
    nango.connect()
    body = {"provider_config_key": "google-drive", "connection_id": "conn-1", "sync_name": "documents", "frequency": frequency}
    response = nango.request("PUT", "/sync/update-connection-frequency", json=body)
    assert response.status_code == 400
    assert response.json()["error"] == {"code": "invalid_body", "message": "Sync interval is invalid"}


def test_frequency_refusals_for_unknown_connections_and_syncs(nango):
    nango.connect()
    body = {"provider_config_key": "google-drive", "connection_id": "conn-1", "sync_name": "documents", "frequency": None}
    assert nango.ok("PUT", "/sync/update-connection-frequency", json=body) == {"frequency": "1m"}
    for change, code in (({"connection_id": "x"}, "unknown_connection"), ({"sync_name": "contacts"}, "unknown_sync")):
        response = nango.request("PUT", "/sync/update-connection-frequency", json={**body, **change})
        assert response.status_code == 400 and response.json() == {"error": {"code": code}}
