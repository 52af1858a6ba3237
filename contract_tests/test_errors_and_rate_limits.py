"""What a client sees when upstream goes wrong: an ERRORED sync with a reason, resumed by
re-enabling once the cause is gone; a RATE_LIMITED one with rateLimitBackoffMs, which carries on
by itself. Needs the control plane to make upstream fail (its sync faults).
"""

from __future__ import annotations

import pytest

from .harness.syncs import RUNNING, wait_for_status

pytestmark = pytest.mark.needs_control_plane


@pytest.fixture
def idle(server, api, control, waiter, config, request):
    sync = api.enable(config.integration, config.pipeline, server.name(request.node.name[5:40]))
    wait_for_status(api, waiter, sync["id"], "IDLE")
    return sync


def test_a_revoked_credential_errors_the_sync_until_it_is_fixed_and_reenabled(api, control, waiter, idle):
    fault = control.inject_sync_fault(idle["id"], "credential_revoked", once=False)
    errored = wait_for_status(api, waiter, idle["id"], "ERRORED").status
    assert errored.get("reason"), errored
    listed = {sync["id"]: sync for sync in api.list()}[idle["id"]]
    assert listed["status"] == "ERRORED" and listed.get("reason"), listed

    control.clear_sync_fault(fault["id"])
    # It stays ERRORED by itself: an errored sync needs a re-enable once the cause is fixed.
    control.advance(5 * 60)
    assert api.status(idle["id"])["status"] == "ERRORED"

    resumed = api.reenable(idle["id"])
    assert resumed.status_code == 200, resumed.text
    back = wait_for_status(api, waiter, idle["id"], "IDLE").status
    assert "reason" not in back


def test_a_rate_limited_run_reports_its_backoff_and_carries_on(api, control, waiter, idle):
    control.inject_sync_fault(idle["id"], "rate_limited", backoffMs=30_000)
    limited = wait_for_status(api, waiter, idle["id"], "RATE_LIMITED", allowed=RUNNING).status
    assert limited["rateLimitBackoffMs"] > 0, limited
    back = wait_for_status(api, waiter, idle["id"], "IDLE").status
    assert "rateLimitBackoffMs" not in back
    assert "reason" not in back
