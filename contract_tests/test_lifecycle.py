"""A new sync runs its initial sync and settles IDLE, with the status summary the docs describe."""

from __future__ import annotations

import pytest

from .harness.syncs import RUNNING, pull_all, wait_for_status


@pytest.fixture(scope="module")
def lifecycle(server, api, waiter, config):
    sync = api.enable(config.integration, config.pipeline, server.name("lifecycle"))
    first = api.status(sync["id"])
    idle = wait_for_status(api, waiter, sync["id"], "IDLE")
    return sync, first, idle


def test_enable_answers_the_new_sync(lifecycle, config, server):
    sync, _, _ = lifecycle
    assert sync["integration"] == config.integration
    assert sync["pipeline"] == config.pipeline
    assert sync["configurationName"] == server.name("lifecycle")
    assert sync["status"] in RUNNING


def test_before_its_first_run_ends_a_sync_has_no_last_synced_at(lifecycle):
    _, first, _ = lifecycle
    if first["status"] != "INITIALIZING":
        # ACTIVE could already be an incremental run, after the initial sync set lastSyncedAt.
        pytest.skip(f"the first look found the sync {first['status']}, no longer INITIALIZING")
    # Absent, not null: the docs type it as a date-time string.
    assert "lastSyncedAt" not in first["summary"]


def test_the_initial_sync_ends_idle_without_errors(lifecycle):
    _, _, idle = lifecycle
    assert set(idle.seen) <= RUNNING, idle.seen
    assert idle.seen[-1] == "IDLE"
    assert "reason" not in idle.status
    assert "rateLimitBackoffMs" not in idle.status


def test_an_idle_sync_summary_counts_every_record(lifecycle, api, config):
    sync, _, idle = lifecycle
    summary = idle.status["summary"]
    assert "lastSyncedAt" in summary
    assert summary["syncedRecordsCount"] == summary["totalRecords"]
    if summary["totalRecords"] > config.max_records:
        pytest.skip(f"more than PARAGON_CONTRACT_MAX_RECORDS={config.max_records} records to pull")
    pull = pull_all(api, sync["id"], 100)
    assert len(pull.records) == summary["totalRecords"]
    assert pull.pages[0]["paging"]["totalRecords"] == summary["totalRecords"]


def test_the_latest_cursor_is_the_end_of_the_records(lifecycle, api):
    sync, _, idle = lifecycle
    if idle.status["summary"]["totalRecords"] == 0:
        pytest.skip("the account has no records, so there is no cursor")
    for _ in range(3):  # a run that stores records between the two reads moves the cursor: read again
        latest = api.status(sync["id"])["summary"].get("latestCursor")
        assert latest, idle.status["summary"]
        page = api.page(sync["id"], 1, latest)
        if api.status(sync["id"])["summary"].get("latestCursor") == latest:
            break
    else:
        pytest.skip("records kept arriving; latestCursor never held still for two reads")
    # No record after the newest: not even one (a cursor a few records early would give them).
    assert page["data"] == [] and page["paging"]["remainingRecords"] == 0


def test_the_list_shows_the_sync_settled(lifecycle, api):
    sync, _, _ = lifecycle
    listed = {item["id"]: item for item in api.list()}
    assert listed[sync["id"]]["status"] in {"ACTIVE", "IDLE"}  # an incremental run may be going on
    assert listed[sync["id"]]["integration"] == sync["integration"]


def test_incremental_runs_move_last_synced_at(lifecycle, api, waiter):
    sync, _, idle = lifecycle
    before = idle.status["summary"]["lastSyncedAt"]
    later = wait_for_status(
        api, waiter, sync["id"], "IDLE", until=lambda status: status["summary"]["lastSyncedAt"] > before
    )
    assert later.status["summary"]["totalRecords"] == idle.status["summary"]["totalRecords"]


@pytest.mark.needs_control_plane
def test_the_periodic_full_sync_sets_last_periodic_full_synced_at(lifecycle, api, control, waiter):
    sync, _, _ = lifecycle
    assert "lastPeriodicFullSyncedAt" not in api.status(sync["id"])["summary"]
    control.advance(24 * 3600)  # the documented default period of the full sync
    done = wait_for_status(
        api, waiter, sync["id"], "IDLE", until=lambda status: "lastPeriodicFullSyncedAt" in status["summary"]
    )
    assert done.status["summary"]["lastPeriodicFullSyncedAt"] <= done.status["summary"]["lastSyncedAt"]
