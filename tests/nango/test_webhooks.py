"""Nango's sync webhooks: shape, sorted keys, both signatures, where they go, the delivery log, retries."""

from __future__ import annotations

import hashlib
import hmac
import json

import pytest
from starlette.testclient import TestClient

from paragon_emulator import create_app
from paragon_emulator.nango.keys import secret_keys
from tests.conftest import PROJECT, advance, make_settings
from tests.http.test_webhooks import Receiver, wait_for
from tests.nango.conftest import Nango

UPSTREAM = f"/_emulator/upstream/{PROJECT}/alice/googledrive/files"


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()


@pytest.fixture
def setup(receiver):
    settings = make_settings(webhook_retry_schedule=[10, 20], webhook_timeout_seconds=2)
    with TestClient(create_app(settings)) as client:
        nango = Nango(client, secret_keys(settings)[PROJECT])
        nango.connect("conn-1", "alice")
        nango.ok("PATCH", "/connections/conn-1", params={"provider_config_key": "google-drive"},
                 json={"webhook_url_override": receiver.url})
        yield client, nango


def nango_events(receiver):
    return [(headers, body) for headers, body in receiver.received if json.loads(body).get("from") == "nango"]


def settled(client, count):
    """The log's Nango deliveries once `count` are there and none is still in flight."""
    def ready():
        data = client.get("/_emulator/webhooks/events", params={"type": "nango_sync"}).json()["data"]
        return data if len(data) >= count and all(d["status"] == "delivered" for d in data) else None
    return wait_for(ready, f"{count} settled Nango deliveries")


def test_a_run_with_changes_sends_one_signed_sync_webhook_per_model(setup, receiver):
    client, nango = setup
    nango.start()
    advance(client, 5)  # initial run: 09:00:01 to 09:00:03
    settled(client, 2)
    events = nango_events(receiver)
    assert len(events) == 2  # one per model (Nango's fact sheet, section 5), and no more
    bodies = {json.loads(body)["model"]: (headers, body) for headers, body in events}
    assert set(bodies) == {"Document", "File"}
    for model, sync_name in (("Document", "documents"), ("File", "files")):
        headers, body = bodies[model]
        payload = json.loads(body)
        assert payload == {
            "from": "nango", "type": "sync", "connectionId": "conn-1", "providerConfigKey": "google-drive",
            "syncName": sync_name, "syncVariant": "base", "model": model, "syncType": "INITIAL",
            "success": True, "responseResults": {"added": 25, "updated": 0, "deleted": 0},
            "modifiedAfter": "2026-01-05T09:00:01.000Z", "queryTimeStamp": "2026-01-05T09:00:01.000Z",
        }
        # Keys sorted, no spaces: the SDK's legacy check re-serializes the parsed body and must get the same bytes.
        assert body == json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()
        key = nango.key
        assert headers["X-Nango-Hmac-Sha256"] == hmac.new(key.encode(), body, hashlib.sha256).hexdigest()
        assert headers["X-Nango-Signature"] == hashlib.sha256(key.encode() + body).hexdigest()
        # modifiedAfter reads exactly what the run wrote, in the webhook's model.
        records = nango.records(model=model, modified_after=payload["modifiedAfter"], limit=100).json()["records"]
        assert len(records) == 25
        assert sorted(r["id"] for r in records) == sorted(i["externalId"] for i in client.get(UPSTREAM).json()["items"])


def test_quiet_runs_send_nothing_and_incremental_changes_are_counted(setup, receiver):
    client, nango = setup
    nango.start()
    advance(client, 5)
    settled(client, 2)
    advance(client, 300)  # five incremental runs with nothing to read
    items = sorted(client.get(UPSTREAM).json()["items"], key=lambda i: i["externalId"])
    client.patch(UPSTREAM + f"/items/{items[0]['externalId']}", json={"fields": {"name": "x.txt"}})
    client.post(UPSTREAM + "/items", json={"fields": {"name": "new.txt"}})
    advance(client, 60)
    settled(client, 4)
    events = [json.loads(body) for _, body in nango_events(receiver)[2:]]
    assert len(events) == 2 and {e["model"] for e in events} == {"Document", "File"}
    for payload in events:
        assert payload["syncType"] == "INCREMENTAL" and payload["responseResults"] == {"added": 1, "updated": 1, "deleted": 0}
        changed = nango.records(model=payload["model"], modified_after=payload["modifiedAfter"]).json()["records"]
        assert sorted(r["_nango_metadata"]["last_action"] for r in changed) == ["ADDED", "UPDATED"]
    [status] = nango.status()
    assert status["latestResult"] == {"Document": {"added": 1, "updated": 1, "deleted": 0}}


def test_a_failed_run_sends_success_false_and_the_log_keeps_every_delivery(setup, receiver):
    client, nango = setup
    nango.start()
    advance(client, 5)
    [status] = nango.status()
    fault = client.post("/_emulator/faults/sync", json={"syncId": status["id"], "kind": "credential_revoked"})
    assert fault.status_code == 200, fault.text
    advance(client, 60)
    events = wait_for(lambda: [json.loads(b) for _, b in nango_events(receiver) if not json.loads(b)["success"]], "a failure webhook")
    assert events[0]["error"]["type"] == "sync_error" and "no longer valid" in events[0]["error"]["description"]
    assert nango.status()[0]["status"] == "ERROR"
    logged = settled(client, 4)
    assert sorted((d["payload"]["model"], d["payload"]["success"]) for d in logged) == [
        ("Document", False), ("Document", True), ("File", False), ("File", True)]
    assert {d["syncId"] for d in logged} == {status["id"]}


def test_a_failing_receiver_is_retried_on_the_clock(setup, receiver):
    client, nango = setup
    receiver.mode = "fail"
    nango.start()
    advance(client, 5)
    wait_for(lambda: receiver.attempts >= 1, "the first attempt")
    wait_for(lambda: any(d["status"] == "pending" for d in client.get("/_emulator/webhooks/events", params={"type": "nango_sync"}).json()["data"]),
             "the delivery to wait for its retry")
    receiver.mode = "ok"
    advance(client, 30)
    # The receiver has the body before the emulator has its answer: wait for the log to settle.
    deliveries = {d["payload"]["model"]: d for d in settled(client, 2)}
    assert len(deliveries["Document"]["attempts"]) == 2
    assert {json.loads(body)["model"] for _, body in nango_events(receiver)} == {"Document", "File"}


def test_a_crm_run_sends_one_webhook_for_its_model(setup, receiver):
    client, nango = setup
    nango.connect("crm-1", "alice", "hubspot")
    nango.ok("PATCH", "/connections/crm-1", params={"provider_config_key": "hubspot"}, json={"webhook_url_override": receiver.url})
    nango.start("crm-1", "hubspot", ["deals"])
    advance(client, 5)
    [delivery] = settled(client, 1)
    assert len(nango_events(receiver)) == 1
    payload = json.loads(nango_events(receiver)[0][1])
    assert (payload["providerConfigKey"], payload["syncName"], payload["model"], payload["success"]) == ("hubspot", "deals", "Deal", True)
    written = nango.records("crm-1", "hubspot", model="Deal", modified_after=payload["modifiedAfter"], limit=1000).json()["records"]
    assert payload["responseResults"] == {"added": len(written), "updated": 0, "deleted": 0} and written


def test_an_event_with_nowhere_to_go_still_waits_its_turn_behind_its_syncs_retry(receiver):
    """An event made while neither the connection nor the project has a URL is settled as it is
    made only when nothing of its sync waits before it; behind a retry it waits its turn, and a
    URL set meanwhile takes it."""
    settings = make_settings(webhook_retry_schedule=[3600])
    with TestClient(create_app(settings)) as client:
        nango = Nango(client, secret_keys(settings)[PROJECT])
        nango.connect("conn-1", "alice")
        override = {"provider_config_key": "google-drive"}
        nango.ok("PATCH", "/connections/conn-1", params=override, json={"webhook_url_override": receiver.url})
        receiver.mode = "fail"
        nango.start()
        advance(client, 5)

        def statuses():
            return [d["status"] for d in client.get("/_emulator/webhooks/events", params={"type": "nango_sync"}).json()["data"]]

        wait_for(lambda: statuses() == ["pending", "pending"] and receiver.attempts == 1, "the first model's failure")
        nango.ok("PATCH", "/connections/conn-1", params=override, json={"webhook_url_override": None})
        client.post(UPSTREAM + "/items", json={"fields": {"name": "new.txt"}})
        advance(client, 60)  # an incremental run: two more webhooks, with no URL of their own
        assert statuses() == ["pending"] * 4
        client.put("/_emulator/webhooks/config", json={"url": receiver.url})
        receiver.mode = "ok"
        advance(client, 3600 * 1.2 + 1)
        wait_for(lambda: statuses() == ["delivered"] * 4, "all four delivered")
        bodies = [json.loads(body) for _, body in nango_events(receiver)]
        assert [(b["model"], b["syncType"]) for b in bodies] == [
            ("Document", "INITIAL"), ("File", "INITIAL"), ("Document", "INCREMENTAL"), ("File", "INCREMENTAL")]
