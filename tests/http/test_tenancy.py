"""One tenant (project, user) never sees or changes another's syncs."""

from __future__ import annotations

from starlette.testclient import TestClient

from paragon_emulator import create_app
from tests.conftest import PROJECT, make_settings

OTHER_PROJECT = "1ea8024c-23a7-4885-b925-c50d0faf9318"


def test_two_users_and_two_projects_are_isolated(auth):
    settings = make_settings(project_ids=[PROJECT, OTHER_PROJECT])
    with TestClient(create_app(settings)) as client:
        tenants = {
            "alice@p1": auth("alice", PROJECT),
            "bob@p1": auth("bob", PROJECT),
            "alice@p2": auth("alice", OTHER_PROJECT),
        }
        ids = {}
        for name, headers in tenants.items():
            response = client.post("/api/syncs", json={"integration": "hubspot", "pipeline": "contacts"}, headers=headers)
            assert response.status_code == 200, response.text
            ids[name] = response.json()["id"]
        assert len(set(ids.values())) == 3  # same integration + pipeline, different tenants, different ids

        for name, headers in tenants.items():
            listed = client.get("/api/syncs", headers=headers).json()["data"]
            assert [s["id"] for s in listed] == [ids[name]]
            for other, other_id in ids.items():
                if other == name:
                    continue
                for method, path in [
                    ("GET", f"/api/syncs/{other_id}"),
                    ("POST", f"/api/syncs/{other_id}/disable"),
                    ("PATCH", f"/api/syncs/{other_id}"),
                    ("DELETE", f"/api/syncs/{other_id}"),
                    ("GET", f"/api/syncs/{other_id}/records"),
                ]:
                    body = {"incrementalAccumulatorFrequency": "5m"} if method == "PATCH" else None
                    response = client.request(method, path, json=body, headers=headers)
                    assert response.status_code == 404, (name, other, method, path)

        # Nothing another tenant tried changed anything.
        for name, headers in tenants.items():
            status = client.get(f"/api/syncs/{ids[name]}", headers=headers).json()
            assert status["status"] == "INITIALIZING" and "incrementalAccumulatorFrequency" not in status

        tenants_view = client.get("/_emulator/tenants").json()["data"]
        assert {(t["projectId"], t["userId"]) for t in tenants_view} == {
            (PROJECT, "alice"),
            (PROJECT, "bob"),
            (OTHER_PROJECT, "alice"),
        }


def test_reset_of_one_user_leaves_the_others(client, auth):
    for user in ("alice", "bob"):
        client.post("/api/syncs", json={"integration": "box", "pipeline": "files"}, headers=auth(user))
    response = client.post("/_emulator/reset", json={"projectId": PROJECT, "userId": "alice"})
    assert response.status_code == 200 and response.json() == {"syncsRemoved": 1}
    assert client.get("/api/syncs", headers=auth("alice")).json() == {"data": []}
    assert len(client.get("/api/syncs", headers=auth("bob")).json()["data"]) == 1
    assert client.post("/_emulator/reset").json() == {"syncsRemoved": 1}
    assert client.get("/_emulator/clock").json()["pendingTimers"] == 0
    bad = client.post("/_emulator/reset", json={"userId": "bob"})
    assert bad.status_code == 400 and bad.json()["errors"][0]["path"] == "$.projectId"


def test_resetting_a_user_drops_everything_it_owns(client, auth):
    """Its faults and webhook log go with its syncs: the same sync enabled again starts clean."""
    headers = auth("alice")
    body = {"integration": "hubspot", "pipeline": "contacts"}
    sync_id = client.post("/api/syncs", json=body, headers=headers).json()["id"]
    bob_id = client.post("/api/syncs", json=body, headers=auth("bob")).json()["id"]
    client.post("/_emulator/clock/advance", json={"seconds": 5})
    fault = client.post("/_emulator/faults/sync", json={"syncId": sync_id, "kind": "credential_revoked", "once": False})
    assert fault.status_code == 200, fault.text
    client.post("/_emulator/faults/sync", json={"syncId": bob_id, "kind": "rate_limited", "once": False})
    client.post("/_emulator/upstream/" + PROJECT + "/alice/hubspot/contacts/items", json={"fields": {"firstName": "Ann"}})
    client.post("/_emulator/clock/advance", json={"seconds": 65})
    assert client.get(f"/api/syncs/{sync_id}", headers=headers).json()["status"] == "ERRORED"

    reset = client.post("/_emulator/reset", json={"projectId": PROJECT, "userId": "alice"})
    assert reset.json() == {"syncsRemoved": 1}
    faults = client.get("/_emulator/faults").json()["sync"]
    assert [f["syncId"] for f in faults] == [bob_id]  # bob's stays
    assert client.get("/_emulator/webhooks/events", params={"syncId": sync_id}).json()["data"] == []
    account = client.get("/_emulator/upstream/" + PROJECT + "/alice/hubspot/contacts").json()
    assert account["changes"] == 0  # the upstream account was alice's too

    again = client.post("/api/syncs", json=body, headers=headers).json()
    assert again["id"] == sync_id  # deterministic ids: the same sync
    client.post("/_emulator/clock/advance", json={"seconds": 70})
    status = client.get(f"/api/syncs/{sync_id}", headers=headers).json()
    assert status["status"] in ("IDLE", "ACTIVE") and "reason" not in status
    assert [e["type"] for e in client.get("/_emulator/webhooks/events", params={"syncId": sync_id}).json()["data"]] == [
        "sync_complete"
    ]


def test_a_reset_user_takes_its_webhook_queue_and_retries_with_it(auth):
    """A sync whose webhooks wait on a failing receiver: resetting its user drops the waiting
    deliveries and their retry timers, and the same sync enabled again delivers from a clean queue."""
    from tests.http.test_webhooks import Receiver, wait_for

    receiver = Receiver()
    settings = make_settings(webhook_retry_schedule=[600, 600, 600], webhook_timeout_seconds=2)
    try:
        with TestClient(create_app(settings)) as client:
            client.put("/_emulator/webhooks/config", json={"url": receiver.url})
            receiver.mode = "fail"
            body = {"integration": "box", "pipeline": "files"}
            sync_id = client.post("/api/syncs", json=body, headers=auth("alice")).json()["id"]
            client.post("/_emulator/clock/advance", json={"seconds": 5})
            for _ in range(3):
                client.post("/_emulator/webhooks/trigger", json={"syncId": sync_id, "event": "record_updated"})

            def waiting():
                data = client.get("/_emulator/webhooks/events").json()["data"]
                return data and data[0]["status"] == "pending" and data[0]["attempts"] and data

            assert len(wait_for(waiting, "alice's first delivery to fail and wait for its retry")) == 4
            timers = client.get("/_emulator/clock").json()["pendingTimers"]

            assert client.post("/_emulator/reset", json={"projectId": PROJECT, "userId": "alice"}).json() == {
                "syncsRemoved": 1
            }
            assert client.get("/_emulator/webhooks/events").json()["data"] == []
            # The retry timer went with the tenant (and the sync's own timers with its syncs).
            assert client.get("/_emulator/clock").json()["pendingTimers"] < timers
            assert client.get("/_emulator/clock").json()["pendingTimers"] == 0

            receiver.mode = "ok"
            assert client.post("/api/syncs", json=body, headers=auth("alice")).json()["id"] == sync_id
            client.post("/_emulator/clock/advance", json={"seconds": 5})
            wait_for(lambda: receiver.received, "the re-enabled sync's first webhook")
            assert [e["event"] for e in receiver.events()] == ["sync_complete"]
            [delivery] = client.get("/_emulator/webhooks/events").json()["data"]
            assert delivery["status"] == "delivered" and len(delivery["attempts"]) == 1
    finally:
        receiver.close()
