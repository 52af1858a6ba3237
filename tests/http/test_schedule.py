"""The schedule to the second: when the periodic full sync comes (and not before), what a credential
change or a full sync does when it meets a run in progress, and the status moves around ERRORED."""

from __future__ import annotations

from datetime import datetime

import pytest
from starlette.testclient import TestClient

from paragon_emulator import create_app
from tests.conftest import PROJECT, START, advance, make_settings
from tests.http.test_lifecycle import enable, iso, status

DAY = 86400
UPSTREAM = f"/_emulator/upstream/{PROJECT}/alice/googledrive/files"


def advance_to(client, seconds: float) -> None:
    """Move the manual clock to START + seconds."""
    now = datetime.fromisoformat(client.get("/_emulator/clock").json()["now"].replace("Z", "+00:00"))
    advance(client, seconds - (now - START).total_seconds())


def summary(client, headers, sync_id):
    return status(client, headers, sync_id)["summary"]


@pytest.mark.parametrize("interval", [DAY, 3 * 3600])
def test_the_periodic_full_sync_comes_exactly_one_interval_after_the_initial_sync_and_not_before(auth, interval):
    with TestClient(create_app(make_settings(full_sync_interval_seconds=interval))) as client:
        headers = auth()
        sync_id = enable(client, headers)["id"]
        advance(client, 3)  # the initial sync ran from +1 s to +3 s
        advance_to(client, 3 + interval - 1)
        assert "lastPeriodicFullSyncedAt" not in summary(client, headers, sync_id)
        advance_to(client, 3 + interval + 1)  # the full run started at +3 s + interval; 2 s long
        assert status(client, headers, sync_id)["status"] == "ACTIVE"
        advance_to(client, 3 + interval + 2)
        assert summary(client, headers, sync_id)["lastPeriodicFullSyncedAt"] == iso(3 + interval + 2)
        # The next one comes a whole interval after the first began, not sooner.
        advance_to(client, 3 + 2 * interval - 1)
        assert summary(client, headers, sync_id)["lastPeriodicFullSyncedAt"] == iso(3 + interval + 2)
        advance_to(client, 3 + 2 * interval + 2)
        assert summary(client, headers, sync_id)["lastPeriodicFullSyncedAt"] == iso(3 + 2 * interval + 2)


@pytest.mark.parametrize("when", [0.5, 2])  # INITIALIZING, then ACTIVE in the initial run (+1 s to +3 s)
def test_a_credential_change_during_a_run_brings_a_full_sync_right_after_it(client, auth, when):
    headers = auth()
    sync_id = enable(client, headers)["id"]
    advance(client, when)
    before = status(client, headers, sync_id)["status"]
    assert before == ("INITIALIZING" if when < 1 else "ACTIVE")
    changed = client.patch(f"/api/syncs/{sync_id}", json={"credentialId": "c-new"}, headers=headers)
    assert changed.status_code == 200 and status(client, headers, sync_id)["status"] == before  # not restarted
    advance_to(client, 4)  # the initial run ended at +3 s; the full one runs from +3 s to +5 s
    now = status(client, headers, sync_id)
    assert now["status"] == "ACTIVE" and now["summary"]["lastSyncedAt"] == iso(3)
    assert "lastPeriodicFullSyncedAt" not in now["summary"]
    advance_to(client, 5)
    done = summary(client, headers, sync_id)
    assert done["lastPeriodicFullSyncedAt"] == iso(5) == done["lastSyncedAt"]
    # One full run, not one per change: the next incremental comes on the schedule of the initial run.
    advance_to(client, 62)
    assert summary(client, headers, sync_id)["lastSyncedAt"] == iso(5)
    advance_to(client, 65)
    assert summary(client, headers, sync_id)["lastSyncedAt"] == iso(65)


@pytest.mark.parametrize("upstream_change", [False, True])
def test_a_full_sync_falling_due_during_an_incremental_run_starts_when_that_run_ends(client, auth, upstream_change):
    headers = auth()
    sync_id = enable(client, headers)["id"]
    advance(client, 3)  # the full sync is due at +3 s + 24 h
    full_due = 3 + DAY
    # An hourly incremental schedule set one hour before the full sync is due minus a second: the
    # incremental run starts at full_due - 1 and runs 2 s, so the full sync falls due inside it.
    advance_to(client, full_due - 1 - 3600)
    client.patch(f"/api/syncs/{sync_id}", json={"incrementalAccumulatorFrequency": "1h"}, headers=headers)
    if upstream_change:  # the incremental run then reads something (a run executed step by step)
        client.post(UPSTREAM + "/items", json={"fields": {"name": "late.txt"}})
    advance_to(client, full_due + 0.5)
    now = status(client, headers, sync_id)
    assert now["status"] == "ACTIVE" and "lastPeriodicFullSyncedAt" not in now["summary"]
    advance_to(client, full_due + 1.5)  # the incremental run ended at full_due + 1; the full one began then
    now = status(client, headers, sync_id)
    assert now["status"] == "ACTIVE" and now["summary"]["lastSyncedAt"] == iso(full_due + 1)
    advance_to(client, full_due + 3)
    done = status(client, headers, sync_id)
    assert done["status"] == "IDLE"
    assert done["summary"]["lastPeriodicFullSyncedAt"] == iso(full_due + 3) == done["summary"]["lastSyncedAt"]
    if upstream_change:
        assert done["summary"]["totalRecords"] == 26


def test_an_errored_sync_can_be_disabled_and_then_reenabled(client, auth):
    headers = auth()
    sync_id = enable(client, headers)["id"]
    advance(client, 3)
    client.post("/_emulator/faults/sync", json={"syncId": sync_id, "kind": "credential_revoked", "once": False})
    advance(client, 61)
    assert status(client, headers, sync_id)["status"] == "ERRORED"
    disabled = client.post(f"/api/syncs/{sync_id}/disable", headers=headers)
    assert disabled.status_code == 200, disabled.text
    assert disabled.json()["status"] == "DISABLED" and "reason" not in disabled.json()
    advance(client, 3600)
    assert status(client, headers, sync_id)["status"] == "DISABLED"
    client.delete("/_emulator/faults")
    assert client.post(f"/api/syncs/{sync_id}/reenable", headers=headers).json()["status"] == "IDLE"
    advance(client, 62)  # back on the schedule: an incremental run a minute after re-enabling, 2 s long
    assert summary(client, headers, sync_id)["lastSyncedAt"] == iso(3 + 61 + 3600 + 62)


def test_only_a_disabled_or_errored_sync_can_be_reenabled(client, auth):
    headers = auth()
    sync_id = enable(client, headers)["id"]
    client.post("/_emulator/faults/sync", json={"syncId": sync_id, "kind": "rate_limited", "backoffMs": 5000})
    seen = []
    for seconds in (0, 1, 5, 2, 62):  # INITIALIZING, RATE_LIMITED, ACTIVE, IDLE, IDLE after an incremental run
        advance(client, seconds)
        current = status(client, headers, sync_id)["status"]
        seen.append(current)
        refused = client.post(f"/api/syncs/{sync_id}/reenable", headers=headers)
        assert refused.status_code == 409, refused.text
        assert refused.json()["code"] == "ILLEGAL_TRANSITION" and current in refused.json()["message"]
        assert status(client, headers, sync_id)["status"] == current  # and nothing moved
    assert seen == ["INITIALIZING", "RATE_LIMITED", "ACTIVE", "IDLE", "IDLE"]
