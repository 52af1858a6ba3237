"""Disable, re-enable and delete: the status moves as documented, and a deleted sync is gone."""

from __future__ import annotations

import pytest

from .harness.syncs import RUNNING, wait_for_status


@pytest.fixture
def idle(server, api, waiter, config, request):
    """A sync of this test's own that finished its initial sync."""
    sync = api.enable(config.integration, config.pipeline, server.name(request.node.name[5:40]))
    wait_for_status(api, waiter, sync["id"], "IDLE")
    return sync


def test_disable_pauses_and_reenable_resumes(api, waiter, idle):
    sync_id = idle["id"]
    records = api.status(sync_id)["summary"]["totalRecords"]
    disabled = api.disable(sync_id)
    assert disabled.status_code == 200, disabled.text
    assert disabled.json()["id"] == sync_id
    assert api.status(sync_id)["status"] == "DISABLED"
    assert {s["id"]: s["status"] for s in api.list()}[sync_id] == "DISABLED"

    again = api.disable(sync_id)  # a no-op (a project decision; the docs are silent)
    assert again.status_code == 200, again.text
    assert api.status(sync_id)["status"] == "DISABLED"

    resumed = api.reenable(sync_id)
    assert resumed.status_code == 200, resumed.text
    assert resumed.json()["id"] == sync_id
    # It carries on from where it stopped: its initial sync was over, so it does not start over.
    assert api.status(sync_id)["status"] in RUNNING - {"INITIALIZING"}
    back = wait_for_status(api, waiter, sync_id, "IDLE")
    assert back.status["summary"]["totalRecords"] == records


def test_reenable_is_refused_while_the_sync_is_not_paused(api, idle):
    refused = api.reenable(idle["id"])
    assert refused.status_code == 409, refused.text
    assert api.status(idle["id"])["status"] in RUNNING


@pytest.mark.needs_control_plane
def test_a_disabled_sync_does_not_run(api, control, idle):
    assert api.disable(idle["id"]).status_code == 200
    before = api.status(idle["id"])["summary"]
    control.advance(10 * 60)  # ten incremental periods at the default frequency
    after = api.status(idle["id"])
    assert after["status"] == "DISABLED"
    assert after["summary"] == before


def test_a_deleted_sync_is_gone_everywhere(api, idle):
    sync_id = idle["id"]
    deleted = api.delete(sync_id)
    assert deleted.status_code == 200, deleted.text
    assert deleted.json()["id"] == sync_id
    assert sync_id not in {s["id"] for s in api.list()}
    for method, path in [
        ("GET", f"/api/syncs/{sync_id}"),
        ("GET", f"/api/syncs/{sync_id}/records"),
        ("POST", f"/api/syncs/{sync_id}/disable"),
        ("POST", f"/api/syncs/{sync_id}/reenable"),
        ("PATCH", f"/api/syncs/{sync_id}"),
        ("DELETE", f"/api/syncs/{sync_id}"),
    ]:
        body = {"incrementalAccumulatorFrequency": "5m"} if method == "PATCH" else None
        response = api.call(method, path, json=body)
        assert response.status_code == 404, f"{method} {path} after delete: {response.status_code} {response.text}"


def test_enabling_a_deleted_sync_again_gives_the_same_id_and_a_fresh_start(api, waiter, idle):
    assert api.delete(idle["id"]).status_code == 200
    again = api.enable(idle["integration"], idle["pipeline"], idle["configurationName"])
    assert again["id"] == idle["id"]
    assert again["status"] in RUNNING
    done = wait_for_status(api, waiter, again["id"], "IDLE")
    assert done.status["summary"]["syncedRecordsCount"] == done.status["summary"]["totalRecords"]
