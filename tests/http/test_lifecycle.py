"""The full lifecycle of a sync under the manual clock, through HTTP."""

from __future__ import annotations

import uuid
from datetime import timedelta

from tests.conftest import PROJECT, START, advance


def iso(delta_seconds: float) -> str:
    when = START + timedelta(seconds=delta_seconds)
    return when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"


def enable(client, headers, **body):
    payload = {"integration": "googledrive", "pipeline": "files", **body}
    response = client.post("/api/syncs", json=payload, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def status(client, headers, sync_id):
    response = client.get(f"/api/syncs/{sync_id}", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def test_enable_answers_the_documented_shape(client, auth):
    sync = enable(client, auth())
    assert sync["status"] == "INITIALIZING"
    assert sync["integration"] == "googledrive" and sync["pipeline"] == "files"
    assert sync["userId"] == "alice"
    assert uuid.UUID(sync["id"]).version == 5
    assert {"id", "userId", "integration", "pipeline", "projectId", "status"} <= set(sync)


def test_lifecycle_initial_incremental_disable_reenable_delete(client, auth):
    headers = auth()
    sync_id = enable(client, headers)["id"]

    first = status(client, headers, sync_id)
    assert first["status"] == "INITIALIZING"
    assert "lastSyncedAt" not in first["summary"]
    assert "incrementalAccumulatorFrequency" not in first  # only shown once set explicitly

    advance(client, 1)  # the initial sync starts
    assert status(client, headers, sync_id)["status"] == "ACTIVE"
    advance(client, 2)  # ... and takes emulated time
    done = status(client, headers, sync_id)
    assert done["status"] == "IDLE"
    assert done["summary"]["lastSyncedAt"] == iso(3)
    assert "lastPeriodicFullSyncedAt" not in done["summary"]

    # Incremental syncs every minute by default: ACTIVE for the run, then IDLE again.
    advance(client, 60)
    assert status(client, headers, sync_id)["status"] == "ACTIVE"
    advance(client, 2)
    after = status(client, headers, sync_id)
    assert after["status"] == "IDLE" and after["summary"]["lastSyncedAt"] == iso(65)
    advance(client, 60)
    assert status(client, headers, sync_id)["summary"]["lastSyncedAt"] == iso(125)

    # Disabling stops the timers: nothing runs while disabled.
    response = client.post(f"/api/syncs/{sync_id}/disable", headers=headers)
    assert response.status_code == 200 and response.json()["status"] == "DISABLED"
    assert response.json()["id"] == sync_id
    assert client.get("/_emulator/clock").json()["pendingTimers"] == 0
    advance(client, 3600)
    paused = status(client, headers, sync_id)
    assert paused["status"] == "DISABLED" and paused["summary"]["lastSyncedAt"] == iso(125)

    # Re-enabling resumes the schedule where it stopped (the initial sync is not rerun).
    response = client.post(f"/api/syncs/{sync_id}/reenable", headers=headers)
    assert response.status_code == 200 and response.json()["status"] == "IDLE"
    advance(client, 62)
    assert status(client, headers, sync_id)["summary"]["lastSyncedAt"] == iso(125 + 3600 + 62)

    # Delete removes the sync and its timers.
    response = client.delete(f"/api/syncs/{sync_id}", headers=headers)
    assert response.status_code == 200 and response.json()["id"] == sync_id
    assert client.get(f"/api/syncs/{sync_id}", headers=headers).status_code == 404
    assert client.get("/_emulator/clock").json()["pendingTimers"] == 0
    assert client.get("/api/syncs", headers=headers).json() == {"data": []}


def test_frequency_update_changes_the_incremental_schedule(client, auth):
    headers = auth()
    sync_id = enable(client, headers)["id"]
    advance(client, 3)  # initial sync done at +3s
    response = client.patch(f"/api/syncs/{sync_id}", json={"incrementalAccumulatorFrequency": "5m"}, headers=headers)
    assert response.status_code == 200, response.text
    assert response.json() == {
        "id": sync_id,
        "data": {"incrementalAccumulatorFrequency": "5m"},
        "message": "Update request accepted and is being processed",
    }
    assert status(client, headers, sync_id)["incrementalAccumulatorFrequency"] == "5m"
    advance(client, 240)  # 4 minutes: no incremental run yet
    assert status(client, headers, sync_id)["summary"]["lastSyncedAt"] == iso(3)
    advance(client, 62)  # 5 minutes after the update, plus the run
    assert status(client, headers, sync_id)["summary"]["lastSyncedAt"] == iso(305)


def test_every_frequency_is_honoured(client, auth):
    for index, (frequency, seconds) in enumerate(
        [("1m", 60), ("5m", 300), ("10m", 600), ("30m", 1800), ("1h", 3600), ("3h", 10800), ("6h", 21600)]
    ):
        headers = auth(f"user-{index}")
        sync_id = enable(client, headers)["id"]
        advance(client, 3)
        client.patch(f"/api/syncs/{sync_id}", json={"incrementalAccumulatorFrequency": frequency}, headers=headers)
        synced = status(client, headers, sync_id)["summary"]["lastSyncedAt"]
        advance(client, seconds - 1)
        assert status(client, headers, sync_id)["summary"]["lastSyncedAt"] == synced, frequency
        advance(client, 3)
        assert status(client, headers, sync_id)["summary"]["lastSyncedAt"] != synced, frequency
        client.delete(f"/api/syncs/{sync_id}", headers=headers)


def test_periodic_full_sync_sets_its_own_timestamp(client, auth):
    headers = auth()
    sync_id = enable(client, headers)["id"]
    advance(client, 3)
    advance(client, 24 * 3600)
    summary = status(client, headers, sync_id)["summary"]
    advance(client, 10)
    summary = status(client, headers, sync_id)["summary"]
    assert "lastPeriodicFullSyncedAt" in summary
    assert summary["lastPeriodicFullSyncedAt"] >= iso(24 * 3600)


def test_credential_change_runs_a_full_resync(client, auth):
    headers = auth()
    sync_id = enable(client, headers)["id"]
    advance(client, 3)
    new_credential = "0aea7d3a-b5f7-4488-890e-d51a5cf4f8f1"
    response = client.patch(f"/api/syncs/{sync_id}", json={"credentialId": new_credential}, headers=headers)
    assert response.status_code == 200
    now = status(client, headers, sync_id)
    assert now["status"] == "ACTIVE" and now["credentialId"] == new_credential
    advance(client, 2)
    done = status(client, headers, sync_id)
    assert done["status"] == "IDLE" and done["summary"]["lastPeriodicFullSyncedAt"] == iso(5)
    listed = client.get("/api/syncs", params={"credentialId": new_credential}, headers=headers).json()["data"]
    assert [s["id"] for s in listed] == [sync_id]
    assert client.get("/api/syncs", params={"credentialId": "other"}, headers=headers).json() == {"data": []}


def test_disable_is_idempotent_and_reenable_of_a_running_sync_is_refused(client, auth):
    headers = auth()
    sync_id = enable(client, headers)["id"]
    response = client.post(f"/api/syncs/{sync_id}/reenable", headers=headers)
    assert response.status_code == 409
    assert response.json()["code"] == "ILLEGAL_TRANSITION"
    assert "INITIALIZING" in response.json()["message"]
    for _ in range(2):
        response = client.post(f"/api/syncs/{sync_id}/disable", headers=headers)
        assert response.status_code == 200 and response.json()["status"] == "DISABLED"
    # Disabled during INITIALIZING: re-enabling carries on with the initial sync.
    response = client.post(f"/api/syncs/{sync_id}/reenable", headers=headers)
    assert response.json()["status"] == "ACTIVE"
    advance(client, 2)
    assert status(client, headers, sync_id)["status"] == "IDLE"


def test_duplicate_enable_is_409_with_the_existing_id_and_delete_then_enable_gives_the_same_id(client, auth):
    headers = auth()
    first = enable(client, headers, configurationName="drive-config")
    response = client.post(
        "/api/syncs",
        json={"integration": "googledrive", "pipeline": "files", "configurationName": "drive-config"},
        headers=headers,
    )
    assert response.status_code == 409
    assert response.json()["code"] == "SYNC_ALREADY_EXISTS" and response.json()["syncId"] == first["id"]
    other = enable(client, headers, configurationName="second")
    assert other["id"] != first["id"]
    client.delete(f"/api/syncs/{first['id']}", headers=headers)
    again = enable(client, headers, configurationName="drive-config")
    assert again["id"] == first["id"] and again["status"] == "INITIALIZING"


def test_unknown_integration_and_pipeline_name_the_allowed_values(client, auth):
    response = client.post("/api/syncs", json={"integration": "myspace", "pipeline": "files"}, headers=auth())
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "UNKNOWN_INTEGRATION" and "googledrive" in body["allowed"]
    assert body["errors"][0]["path"] == "$.integration"
    response = client.post("/api/syncs", json={"integration": "googledrive", "pipeline": "deals"}, headers=auth())
    assert response.status_code == 400
    assert response.json()["code"] == "UNKNOWN_PIPELINE" and response.json()["allowed"] == ["files"]
    response = client.post(
        "/api/syncs", json={"integration": "jira", "pipeline": "tickets", "configuration": {}}, headers=auth()
    )
    assert response.status_code == 400 and response.json()["errors"][0]["path"] == "$.configuration.projectId"
    assert client.get("/api/syncs", headers=auth()).json() == {"data": []}


def test_same_seed_gives_the_same_ids_across_runs(settings, auth):
    from starlette.testclient import TestClient

    from paragon_emulator import create_app

    ids = []
    for _ in range(2):
        with TestClient(create_app(settings)) as fresh:
            ids.append(enable(fresh, auth())["id"])
    assert ids[0] == ids[1]


def test_ten_years_of_idle_syncs_pass_in_one_advance(client, auth):
    """An advance costs what happens in it: ten years of a quiet fleet, every timestamp where the schedule puts it."""
    headers = auth()
    ids = [
        enable(client, headers, integration="hubspot", pipeline="contacts", configurationName=f"c{n}")["id"]
        for n in range(8)
    ]
    advance(client, 3)  # initial syncs done at +3 s
    client.patch(f"/api/syncs/{ids[1]}", json={"incrementalAccumulatorFrequency": "1h"}, headers=headers)
    moved = client.post("/_emulator/clock/advance", json={"duration": "3650d"})
    assert moved.status_code == 200, moved.text
    ten_years = 3650 * 86400
    for sync_id in ids:
        summary = status(client, headers, sync_id)["summary"]
        # Full syncs every 24 h after the initial one ended (+3 s), each 2 s long.
        assert summary["lastPeriodicFullSyncedAt"] == iso(3 + (ten_years // 86400 - 1) * 86400 + 2)
    # The default 1m incremental runs: the last one started at a whole minute after +3 s and took 2 s.
    assert status(client, headers, ids[0])["summary"]["lastSyncedAt"] == iso(3 + ten_years - 60 + 2)


def test_an_advance_longer_than_a_slice_answers_with_the_clock_where_it_ended(auth):
    """An advance runs its first 20 ms slice at once and the rest on a worker thread; the answer is the end."""
    from starlette.testclient import TestClient

    from paragon_emulator import create_app
    from tests.conftest import make_settings

    with TestClient(create_app(make_settings(seconds_per_record=0.001))) as client:
        client.put(f"/_emulator/upstream/{PROJECT}/alice/googledrive/files", json={"size": 20_000})
        enable(client, auth())
        moved = client.post("/_emulator/clock/advance", json={"seconds": 90})  # 20 steps of 1,000 items, 1 s apart
        assert moved.status_code == 200, moved.text
        assert moved.json()["clock"]["now"] == iso(90) == moved.json()["clock"]["settled"]
        sync_id = client.get("/api/syncs", headers=auth()).json()["data"][0]["id"]
        assert status(client, auth(), sync_id)["status"] == "IDLE"  # 1 + 2 + 20 s: done well before 90 s
