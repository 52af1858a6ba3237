"""One user never sees, nor changes, another user's syncs: their ids are 404 to everyone else.

Needs a second user's token (PARAGON_CONTRACT_OTHER_TOKEN or _OTHER_TOKEN_COMMAND; the started
emulator mints one).
"""

from __future__ import annotations

import pytest


def test_another_users_syncs_are_not_listed(other_api, idle_sync):
    assert idle_sync["id"] not in {sync["id"] for sync in other_api.list()}


@pytest.mark.parametrize("method, path", [
    ("GET", "/api/syncs/{sync}"),
    ("GET", "/api/syncs/{sync}/records"),
    ("GET", "/api/syncs/{sync}/records/{record}"),
    ("GET", "/api/syncs/{sync}/records/{record}/content"),
    ("PATCH", "/api/syncs/{sync}"),
    ("POST", "/api/syncs/{sync}/disable"),
    ("POST", "/api/syncs/{sync}/reenable"),
    ("DELETE", "/api/syncs/{sync}"),
])
def test_another_users_sync_is_404(other_api, api, idle_sync, method, path):
    record = api.page(idle_sync["id"], 1)["data"]
    url = path.format(sync=idle_sync["id"], record=record[0]["id"] if record else "none")
    body = {"incrementalAccumulatorFrequency": "5m"} if method == "PATCH" else None
    response = other_api.call(method, url, json=body)
    assert response.status_code == 404, f"{method} {url} as another user: {response.status_code} {response.text}"
    # Still there and not paused (an incremental run may be ACTIVE at any moment).
    assert api.status(idle_sync["id"])["status"] in {"ACTIVE", "IDLE"}, "another user's request changed the sync"
