"""Webhooks: every event from a real scenario, signed, delivered to a real receiver, retried, inspectable."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import socket
import threading
import time
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from starlette.testclient import TestClient

from paragon_emulator import create_app
from paragon_emulator.webhooks.signing import InvalidSignature, verify
from tests.conftest import PROJECT, advance, make_settings

SECRET = "whsec_" + base64.b64encode(b"test-secret-for-webhooks").decode()
STANDARD_FIELDS = {"event", "sync", "syncInstanceId", "user", "credentialId", "timestamp"}


class Receiver:
    """A webhook receiver on 127.0.0.1 whose answer the test switches: "ok", "fail" (500), "hold"
    (wait until the test opens the gate, then 200) or "stall" (wait for the gate, then 500, never
    recorded: the sender has long given up). Nothing depends on how long anything takes."""

    def __init__(self) -> None:
        self.mode = "ok"
        self.fail_status = 500
        self.gate = threading.Event()
        self.received: list[tuple[dict, bytes]] = []
        self.attempts = 0
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers["content-length"]))
                receiver.attempts += 1
                mode = receiver.mode
                if mode in ("hold", "stall"):
                    receiver.gate.wait()
                if mode not in ("ok", "hold"):
                    self.send_response(receiver.fail_status)
                    self.end_headers()
                    return
                receiver.received.append((dict(self.headers.items()), body))
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def events(self) -> list[dict]:
        return [json.loads(body) for _, body in self.received]

    def close(self) -> None:
        self.gate.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()


@pytest.fixture
def refusing_url():
    """A URL whose port is bound but not listening: every connection is refused, and no other
    process can take the port while the test runs."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield f"http://127.0.0.1:{sock.getsockname()[1]}/nothing-listens-here"


def wait_for(predicate, what: str, timeout: float = 20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


def log(client, **query):
    return client.get("/_emulator/webhooks/events", params=query).json()["data"]


def settled(client):
    return all(d["status"] not in ("delivering",) for d in log(client))


def make_client(**overrides):
    values = {"webhook_secret": SECRET, "webhook_retry_schedule": [10, 20, 40], "webhook_timeout_seconds": 0.5}
    values.update(overrides)
    return TestClient(create_app(make_settings(**values)))


def independent_check(headers: dict, body: bytes, sent_after: float) -> None:
    """Verify both signatures without the emulator's helper."""
    lower = {k.lower(): v for k, v in headers.items()}
    key = base64.b64decode(SECRET[len("whsec_"):])
    assert lower["x-paragon-signature"] == "v1=" + hmac.new(key, body, hashlib.sha256).hexdigest()
    signed = f"{lower['webhook-id']}.{lower['webhook-timestamp']}.".encode() + body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    assert lower["webhook-signature"] == f"v1,{expected}"
    assert int(sent_after) <= int(lower["webhook-timestamp"]) <= time.time()  # the real send time


def test_every_event_type_from_a_real_scenario_arrives_signed(auth, receiver):
    started = time.time()
    with make_client() as client:
        assert client.put("/_emulator/webhooks/config", json={"url": receiver.url}).status_code == 200
        headers = auth()
        sync = client.post("/api/syncs", json={"integration": "googledrive", "pipeline": "files"}, headers=headers).json()
        advance(client, 3)
        upstream = f"/_emulator/upstream/{PROJECT}/alice/googledrive/files"
        created = client.post(upstream + "/items", json={"fields": {"name": "hello.txt"}}).json()
        advance(client, 62)
        client.patch(upstream + f"/items/{created['externalId']}", json={"fields": {"name": "renamed.txt"}})
        advance(client, 62)
        client.delete(upstream + f"/items/{created['externalId']}")
        advance(client, 24 * 3600 + 10)
        # The errored events come from injected faults, as they would from a real upstream.
        client.post("/_emulator/faults/sync", json={"syncId": sync["id"], "kind": "record_error"})
        client.post(upstream + "/items", json={"fields": {"name": "broken.txt"}})
        advance(client, 62)
        client.post("/_emulator/faults/sync", json={"syncId": sync["id"], "kind": "credential_revoked"})
        advance(client, 62)
        assert client.get(f"/api/syncs/{sync['id']}", headers=headers).json()["status"] == "ERRORED"
        wanted = {"sync_complete", "record_created", "record_updated", "record_deleted", "sync_errored", "record_errored"}
        wait_for(lambda: wanted <= {e["event"] for e in receiver.events()}, "every event type")

        ids = set()
        for headers_received, body in receiver.received:
            verify(body, headers_received, SECRET)
            independent_check(headers_received, body, started)
            ids.add(headers_received["webhook-id"])
            payload = json.loads(body)
            assert payload["syncInstanceId"] == sync["id"] and payload["sync"] == "googledrive"
            assert payload["user"] == {"id": "alice"}
            extra = {"error"} if payload["event"].endswith("_errored") else {"data"}
            assert set(payload) == STANDARD_FIELDS | extra, payload
        assert len(ids) == len(receiver.received)  # a unique id per event
        by_type = {e["event"]: e for e in receiver.events()}
        assert set(by_type["sync_complete"]["data"]) == {"model", "syncedAt", "numRecords"}
        assert by_type["record_created"]["data"]["model"] == "files"
        assert set(by_type["record_updated"]["data"]) == {"recordId", "model"}
        deleted = by_type["record_deleted"]["data"]
        assert {"recordId", "model", "externalId", "id", "external_id"} == set(deleted)
        assert (deleted["id"], deleted["external_id"]) == (deleted["recordId"], deleted["externalId"])
        assert by_type["record_errored"]["error"]["recordId"]
        with pytest.raises(InvalidSignature):
            verify(receiver.received[0][1] + b" ", receiver.received[0][0], SECRET)


def test_trigger_makes_a_chosen_event_on_demand(auth, receiver):
    with make_client() as client:
        client.put("/_emulator/webhooks/config", json={"url": receiver.url})
        sync = client.post("/api/syncs", json={"integration": "box", "pipeline": "files"}, headers=auth()).json()
        advance(client, 3)
        for event in ("sync_errored", "record_errored", "record_created"):
            response = client.post("/_emulator/webhooks/trigger", json={"syncId": sync["id"], "event": event})
            assert response.status_code == 200 and response.json()["type"] == event
        wait_for(lambda: len(receiver.received) == 4, "the triggered events")
        assert [e["event"] for e in receiver.events()] == ["sync_complete", "sync_errored", "record_errored", "record_created"]
        missing = client.post("/_emulator/webhooks/trigger", json={"syncId": "nope", "event": "sync_complete"})
        assert missing.status_code == 404


def test_a_failing_receiver_gets_everything_in_order_once_it_recovers(auth, receiver):
    with make_client() as client:
        client.put("/_emulator/webhooks/config", json={"url": receiver.url})
        receiver.mode = "fail"
        headers = auth()
        sync = client.post("/api/syncs", json={"integration": "box", "pipeline": "files"}, headers=headers).json()
        advance(client, 3)
        for n in range(3):
            client.post("/_emulator/webhooks/trigger", json={"syncId": sync["id"], "event": "record_updated"})
        wait_for(lambda: log(client)[0]["attempts"] and log(client)[0]["status"] == "pending", "the first failure")
        first = log(client)[0]
        assert first["attempts"][0]["statusCode"] == 500 and "nextAttemptAt" in first
        assert all(not d["attempts"] for d in log(client)[1:])  # order per sync: the others wait
        advance(client, 15)  # first retry (10 s ± 20%)
        wait_for(lambda: len(log(client)[0]["attempts"]) == 2 and log(client)[0]["status"] == "pending", "a retry")
        receiver.mode = "ok"
        for _ in range(10):
            advance(client, 60)
            if wait_for(lambda: settled(client), "settled") and all(d["status"] == "delivered" for d in log(client)):
                break
        wait_for(lambda: len(receiver.received) == 4, "all four events")
        delivered = log(client)
        assert [d["status"] for d in delivered] == ["delivered"] * 4
        assert [e["event"] for e in receiver.events()] == ["sync_complete"] + ["record_updated"] * 3
        assert [h["webhook-id"] for h, _ in receiver.received] == [d["id"] for d in delivered]
        assert len(delivered[0]["attempts"]) == 3 and delivered[0]["attempts"][-1]["statusCode"] == 200


def test_refused_connections_and_timeouts_are_retried(auth, receiver, refusing_url):
    with make_client() as client:
        client.put("/_emulator/webhooks/config", json={"url": refusing_url})
        sync = client.post("/api/syncs", json={"integration": "box", "pipeline": "files"}, headers=auth()).json()
        advance(client, 3)
        wait_for(lambda: log(client)[0]["status"] == "pending" and log(client)[0]["attempts"], "a refused attempt")
        refused = log(client)[0]["attempts"][0]["error"]
        assert refused.startswith("ConnectError: ") and refused != "ConnectError: "  # the type and what it said
        receiver.mode = "stall"  # answers only once the test is over: the 0.5 s timeout always comes first
        client.put("/_emulator/webhooks/config", json={"url": receiver.url})
        advance(client, 15)
        wait_for(lambda: len(log(client)[0]["attempts"]) == 2 and log(client)[0]["status"] == "pending", "a timeout")
        assert "Timeout" in log(client)[0]["attempts"][1]["error"]
        receiver.mode = "ok"
        advance(client, 30)
        wait_for(lambda: log(client)[0]["status"] == "delivered", "delivery")
        assert receiver.events()[0]["syncInstanceId"] == sync["id"]


def test_after_the_last_attempt_the_event_is_failed_and_can_be_redelivered(auth, receiver):
    with make_client(webhook_retry_schedule=[10]) as client:
        client.put("/_emulator/webhooks/config", json={"url": receiver.url})
        receiver.mode = "fail"
        client.post("/api/syncs", json={"integration": "box", "pipeline": "files"}, headers=auth())
        advance(client, 3)
        wait_for(lambda: log(client)[0]["attempts"] and log(client)[0]["status"] == "pending", "first failure")
        advance(client, 15)
        wait_for(lambda: log(client)[0]["status"] == "failed", "failed")
        assert log(client, status="failed")[0]["type"] == "sync_complete"
        receiver.mode = "ok"
        event_id = log(client)[0]["id"]
        assert client.post(f"/_emulator/webhooks/events/{event_id}/redeliver").status_code == 200
        wait_for(lambda: log(client)[0]["status"] == "delivered", "redelivery")
        assert len(receiver.received) == 1
        assert client.post("/_emulator/webhooks/events/nope/redeliver").status_code == 404


def test_without_a_url_events_are_kept_in_the_log(auth):
    with make_client() as client:
        sync = client.post("/api/syncs", json={"integration": "box", "pipeline": "files"}, headers=auth()).json()
        advance(client, 3)
        kept = log(client, syncId=sync["id"], type="sync_complete")
        assert len(kept) == 1 and kept[0]["status"] == "no_url" and kept[0]["payload"]["event"] == "sync_complete"
        assert log(client, type="record_created") == []


def test_a_slow_receiver_does_not_stall_another_tenant(auth):
    from tests.http.test_tenancy import OTHER_PROJECT

    slow, fast = Receiver(), Receiver()
    slow.mode = "hold"  # answers 200 only once the test opens its gate
    try:
        with make_client(project_ids=[PROJECT, OTHER_PROJECT], webhook_timeout_seconds=120) as client:
            client.put("/_emulator/webhooks/config", json={"projectId": PROJECT, "url": slow.url})
            client.put("/_emulator/webhooks/config", json={"projectId": OTHER_PROJECT, "url": fast.url})
            for project in (PROJECT, OTHER_PROJECT):
                client.post("/api/syncs", json={"integration": "box", "pipeline": "files"}, headers=auth("u", project))
            advance(client, 3)
            wait_for(lambda: slow.attempts == 1, "the slow tenant's delivery to start")
            wait_for(lambda: len(fast.received) == 1, "the fast tenant's event while the slow one is held")
            assert not slow.received
            slow.gate.set()
            wait_for(lambda: len(slow.received) == 1, "the slow tenant's event")
    finally:
        slow.close()
        fast.close()


# The Standard Webhooks specification's own example (standardwebhooks.com, and Svix's docs): a
# delivery that any compliant verifier accepts, computed by neither the emulator nor this file.
REFERENCE = {
    "secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
    "id": "msg_p5jXN8AQM9LWM0D4loKWxJek",
    "timestamp": 1614265330,
    "body": b'{"test": 2432232314}',
    "signature": "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
}
FOREVER = 10**10  # the reference is from 2021: a tolerance that accepts its timestamp


def reference_headers(**changes) -> dict[str, str]:
    key = base64.b64decode(REFERENCE["secret"][len("whsec_"):])
    headers = {
        "x-paragon-signature": "v1=" + hmac.new(key, REFERENCE["body"], hashlib.sha256).hexdigest(),
        "webhook-id": REFERENCE["id"],
        "webhook-timestamp": str(REFERENCE["timestamp"]),
        "webhook-signature": REFERENCE["signature"],
    }
    headers.update(changes)
    return {k: v for k, v in headers.items() if v is not None}


def test_signatures_match_the_standard_webhooks_reference_example():
    from paragon_emulator.webhooks.signing import sign

    signed = sign(REFERENCE["id"], REFERENCE["body"], REFERENCE["secret"], timestamp=REFERENCE["timestamp"])
    assert signed == reference_headers()
    verify(REFERENCE["body"], reference_headers(), REFERENCE["secret"], tolerance_seconds=FOREVER)
    # Several signatures (a key rotation): one that matches is enough; other versions are ignored.
    rotated = reference_headers(**{"webhook-signature": "v1,bm90LWl0 v2,xyz " + REFERENCE["signature"]})
    verify(REFERENCE["body"], rotated, REFERENCE["secret"], tolerance_seconds=FOREVER)


BAD_SIGNATURE = "x-paragon-signature does not match the body"
NO_ID = "webhook-id or webhook-timestamp is missing"
NO_MATCH = "webhook-signature does not match"


@pytest.mark.parametrize(
    "body,changes,secret,tolerance,reason",
    [
        (REFERENCE["body"] + b" ", {}, REFERENCE["secret"], FOREVER, BAD_SIGNATURE),
        (REFERENCE["body"], {"webhook-id": "msg_other"}, REFERENCE["secret"], FOREVER, NO_MATCH),
        (REFERENCE["body"], {"webhook-timestamp": str(REFERENCE["timestamp"] + 1)}, REFERENCE["secret"], FOREVER, NO_MATCH),
        (REFERENCE["body"], {"webhook-signature": "v2," + REFERENCE["signature"][3:]}, REFERENCE["secret"], FOREVER, NO_MATCH),
        (REFERENCE["body"], {"webhook-signature": None}, REFERENCE["secret"], FOREVER, NO_MATCH),
        # One comma parts a version from its signature: anything after a second one is not the signature.
        (REFERENCE["body"], {"webhook-signature": REFERENCE["signature"] + ",extra"}, REFERENCE["secret"], FOREVER, NO_MATCH),
        (REFERENCE["body"], {"webhook-signature": "v1,extra," + REFERENCE["signature"][3:]}, REFERENCE["secret"], FOREVER,
         NO_MATCH),
        (REFERENCE["body"], {"x-paragon-signature": None}, REFERENCE["secret"], FOREVER, BAD_SIGNATURE),
        (REFERENCE["body"], {"webhook-id": None}, REFERENCE["secret"], FOREVER, NO_ID),
        (REFERENCE["body"], {"webhook-timestamp": "yesterday"}, REFERENCE["secret"], FOREVER, NO_ID),
        (REFERENCE["body"], {}, "whsec_" + base64.b64encode(b"another key").decode(), FOREVER, BAD_SIGNATURE),
        (REFERENCE["body"], {}, REFERENCE["secret"], 300,
         f"webhook-timestamp {REFERENCE['timestamp']} is more than 300 s from now"),  # too old for the default
    ],
    ids=["body", "id", "timestamp", "version", "no-signature", "comma-after", "comma-before", "no-paragon-signature", "no-id", "bad-timestamp",
         "secret", "stale"],
)
def test_verify_refuses_anything_changed_and_says_what(body, changes, secret, tolerance, reason):
    with pytest.raises(InvalidSignature) as refused:
        verify(body, reference_headers(**changes), secret, tolerance_seconds=tolerance)
    assert str(refused.value) == reason


def test_verify_takes_a_timestamp_five_minutes_old_by_default():
    from paragon_emulator.webhooks.signing import sign

    body = b'{"event":"sync_complete"}'
    recent = sign("evt_1", body, REFERENCE["secret"], timestamp=int(time.time()) - 240)
    verify(body, recent, REFERENCE["secret"])
    stale = sign("evt_1", body, REFERENCE["secret"], timestamp=int(time.time()) - 360)
    with pytest.raises(InvalidSignature, match="is more than 300 s from now"):
        verify(body, stale, REFERENCE["secret"])


def test_a_timestamp_exactly_the_tolerance_old_is_accepted_and_a_second_more_is_not(monkeypatch):
    # The real clock never lands on the boundary: it is frozen for the two checks.
    monkeypatch.setattr(time, "time", lambda: float(REFERENCE["timestamp"] + 300))
    verify(REFERENCE["body"], reference_headers(), REFERENCE["secret"], tolerance_seconds=300)
    with pytest.raises(InvalidSignature, match="is more than 299 s from now"):
        verify(REFERENCE["body"], reference_headers(), REFERENCE["secret"], tolerance_seconds=299)


def test_a_plain_string_secret_signs_with_its_utf8_bytes():
    from paragon_emulator.webhooks.signing import sign

    body, now = b'{"event":"sync_complete"}', int(time.time())
    headers = sign("evt_1", body, "plain secret", timestamp=now)
    assert headers["x-paragon-signature"] == "v1=" + hmac.new(b"plain secret", body, hashlib.sha256).hexdigest()
    expected = base64.b64encode(hmac.new(b"plain secret", f"evt_1.{now}.".encode() + body, hashlib.sha256).digest())
    assert headers["webhook-signature"] == "v1," + expected.decode()
    verify(body, headers, "plain secret")


def test_redelivering_an_event_still_pending_changes_nothing(auth, receiver):
    with make_client(webhook_retry_schedule=[10, 20]) as client:
        client.put("/_emulator/webhooks/config", json={"url": receiver.url})
        receiver.mode = "fail"
        client.post("/api/syncs", json={"integration": "box", "pipeline": "files"}, headers=auth())
        advance(client, 3)
        wait_for(lambda: log(client)[0]["status"] == "pending", "the first failure")
        [pending] = log(client)
        again = client.post(f"/_emulator/webhooks/events/{pending['id']}/redeliver")
        assert again.status_code == 200 and again.json()["status"] == "pending"
        assert again.json()["attempts"] == pending["attempts"] and again.json()["nextAttemptAt"] == pending["nextAttemptAt"]
        assert log(client) == [pending]  # no second delivery queued
        receiver.mode = "ok"
        advance(client, 15)  # the one scheduled retry
        wait_for(lambda: log(client)[0]["status"] == "delivered", "the retry")
        assert len(log(client)[0]["attempts"]) == 2 and receiver.attempts == 2 and len(receiver.received) == 1


def test_resetting_a_user_drops_its_pending_deliveries_and_their_retries(auth, receiver):
    with make_client() as client:
        client.put("/_emulator/webhooks/config", json={"url": receiver.url})
        receiver.mode = "fail"
        for user in ("alice", "bob"):
            client.post("/api/syncs", json={"integration": "box", "pipeline": "files"}, headers=auth(user))
        advance(client, 3)
        wait_for(lambda: len(log(client)) == 2 and all(d["status"] == "pending" for d in log(client)), "two failures")
        before = client.get("/_emulator/clock").json()["pendingTimers"]
        assert client.post("/_emulator/reset", json={"projectId": PROJECT, "userId": "alice"}).status_code == 200
        assert [d["userId"] for d in log(client)] == ["bob"]
        assert client.get("/_emulator/clock").json()["pendingTimers"] < before  # alice's retry is gone too
        receiver.mode = "ok"
        advance(client, 100)
        wait_for(lambda: log(client)[0]["status"] == "delivered", "bob's retry")
        assert [json.loads(body)["user"]["id"] for _, body in receiver.received] == ["bob"]


def test_a_delivery_is_json_and_only_a_2xx_answer_counts(auth, receiver):
    with make_client(webhook_retry_schedule=[10]) as client:
        client.put("/_emulator/webhooks/config", json={"url": receiver.url})
        receiver.mode, receiver.fail_status = "fail", 300  # a redirect is not a delivery
        client.post("/api/syncs", json={"integration": "box", "pipeline": "files"}, headers=auth())
        advance(client, 3)
        wait_for(lambda: log(client)[0]["status"] == "pending", "the first answer")
        first = log(client)[0]["attempts"][0]
        assert (first["statusCode"], first["error"]) == (300, "HTTP 300")
        receiver.mode = "ok"
        advance(client, 15)
        wait_for(lambda: log(client)[0]["status"] == "delivered", "the retry")
        [(headers, _)] = receiver.received
        assert {k.lower(): v for k, v in headers.items()}["content-type"] == "application/json"


def test_an_attempt_records_how_long_the_receiver_took(auth, receiver):
    with make_client() as client:
        client.put("/_emulator/webhooks/config", json={"url": receiver.url})
        receiver.mode = "hold"
        started = time.monotonic()
        client.post("/api/syncs", json={"integration": "box", "pipeline": "files"}, headers=auth())
        advance(client, 3)
        wait_for(lambda: receiver.attempts == 1, "the delivery to reach the receiver")
        time.sleep(0.05)  # held at least this long (it only makes the latency longer)
        receiver.gate.set()
        wait_for(lambda: log(client)[0]["status"] == "delivered", "the delivery")
        elapsed_ms = (time.monotonic() - started) * 1000
        latency = log(client)[0]["attempts"][0]["latencyMs"]
        assert isinstance(latency, float) and 50 <= latency <= elapsed_ms and latency == round(latency, 2)


def test_retries_wait_their_scheduled_delay_give_or_take_a_fifth(auth, receiver):
    schedule = [100, 1000, 10_000, 100_000]
    with make_client(webhook_retry_schedule=schedule) as client:
        client.put("/_emulator/webhooks/config", json={"url": receiver.url})
        receiver.mode = "fail"
        client.post("/api/syncs", json={"integration": "box", "pipeline": "files"}, headers=auth())
        advance(client, 3)
        waits = []
        for number, base in enumerate(schedule, start=1):
            wait_for(lambda: len(log(client)[0]["attempts"]) == number and log(client)[0]["status"] == "pending",
                     f"attempt {number} to fail")
            delivery = log(client)[0]
            at = datetime.fromisoformat(delivery["attempts"][-1]["at"].replace("Z", "+00:00"))
            due = datetime.fromisoformat(delivery["nextAttemptAt"].replace("Z", "+00:00"))
            waits.append((due - at).total_seconds() / base)
            advance(client, base * 1.2 + 1)
        wait_for(lambda: log(client)[0]["status"] == "failed", "the last attempt")
        assert all(0.8 <= w <= 1.2 for w in waits), waits
        assert len(set(waits)) == len(waits)  # jittered, not a fixed factor


def test_redelivered_events_of_one_sync_go_out_one_after_the_other_and_keep_their_attempts(auth, receiver):
    with make_client(webhook_retry_schedule=[]) as client:
        client.put("/_emulator/webhooks/config", json={"url": receiver.url})
        receiver.mode = "fail"
        sync = client.post("/api/syncs", json={"integration": "box", "pipeline": "files"}, headers=auth()).json()
        advance(client, 3)
        client.post("/_emulator/webhooks/trigger", json={"syncId": sync["id"], "event": "sync_errored"})
        wait_for(lambda: [d["status"] for d in log(client)] == ["failed", "failed"], "both to fail")
        receiver.mode = "ok"
        for delivery in log(client):
            assert client.post(f"/_emulator/webhooks/events/{delivery['id']}/redeliver").status_code == 200
        wait_for(lambda: [d["status"] for d in log(client)] == ["delivered", "delivered"], "both redelivered")
        assert [e["event"] for e in receiver.events()] == ["sync_complete", "sync_errored"]
        assert [[a["number"] for a in d["attempts"]] for d in log(client)] == [[1, 2], [1, 2]]
        assert [[a.get("statusCode") for a in d["attempts"]] for d in log(client)] == [[500, 200], [500, 200]]


def assert_config_refused(change: dict, reason: str) -> None:
    """Refused over HTTP with the config left as it was, and by the Python API (which no request
    schema guards) with `reason`."""
    with make_client() as client:
        before = client.get("/_emulator/webhooks/config").json()
        refused = client.put("/_emulator/webhooks/config", json=change)
        assert refused.status_code == 400, refused.text
        assert client.get("/_emulator/webhooks/config").json() == before
    from paragon_emulator.domain.errors import InvalidInput
    from paragon_emulator.emulator import Emulator

    with pytest.raises(InvalidInput, match=reason):
        Emulator(make_settings()).configure_webhooks(**change)


@pytest.mark.parametrize("url", ["http:///hooks", "http://", "https://", "ftp://example.com/hooks"])
def test_a_webhook_url_without_a_host_or_not_http_is_refused_and_changes_nothing(url):
    assert_config_refused({"url": url}, "must be an absolute http:// or https:// URL with a host")


def test_an_https_webhook_url_is_taken():
    with make_client() as client:
        taken = client.put("/_emulator/webhooks/config", json={"url": "https://hooks.example.com/paragon"})
        assert taken.status_code == 200 and taken.json()["url"] == "https://hooks.example.com/paragon"


@pytest.fixture
def untrusted_https_receiver(tmp_path):
    """An https receiver on 127.0.0.1 whose certificate no CA signed (self-signed)."""
    import datetime as dt
    import ipaddress
    import ssl

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        .sign(key, hashes.SHA256())
    )
    (tmp_path / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (tmp_path / "key.pem").write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    r = Receiver()
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(tmp_path / "cert.pem", tmp_path / "key.pem")
    r.server.socket = context.wrap_socket(r.server.socket, server_side=True)
    r.url = r.url.replace("http://", "https://")
    yield r
    r.close()


def test_an_https_receiver_with_an_untrusted_certificate_is_not_delivered_to(auth, untrusted_https_receiver):
    with make_client(webhook_retry_schedule=[]) as client:
        client.put("/_emulator/webhooks/config", json={"url": untrusted_https_receiver.url})
        client.post("/api/syncs", json={"integration": "box", "pipeline": "files"}, headers=auth())
        advance(client, 3)
        wait_for(lambda: log(client) and log(client)[0]["status"] == "failed", "the delivery to fail")
        assert "CERTIFICATE_VERIFY_FAILED" in log(client)[0]["attempts"][0]["error"]
        assert untrusted_https_receiver.received == []


def test_an_event_kept_without_a_url_can_be_redelivered_once_there_is_one(auth, receiver):
    with make_client() as client:
        client.post("/api/syncs", json={"integration": "box", "pipeline": "files"}, headers=auth())
        advance(client, 3)
        [kept] = log(client)
        again = client.post(f"/_emulator/webhooks/events/{kept['id']}/redeliver")
        assert again.status_code == 200 and again.json()["status"] == "no_url"  # still nowhere to send it
        assert [d["status"] for d in log(client)] == ["no_url"]
        client.put("/_emulator/webhooks/config", json={"url": receiver.url})
        assert client.post(f"/_emulator/webhooks/events/{kept['id']}/redeliver").status_code == 200
        wait_for(lambda: log(client)[0]["status"] == "delivered", "the redelivery")
        assert [h["webhook-id"] for h, _ in receiver.received] == [kept["id"]]


def test_a_delivered_webhook_is_not_logged_as_a_failure(auth, receiver):
    from tests.http.test_observe import events

    with make_client() as client:
        client.put("/_emulator/webhooks/config", json={"url": receiver.url})
        sync = client.post("/api/syncs", json={"integration": "box", "pipeline": "files"}, headers=auth()).json()
        advance(client, 3)
        wait_for(lambda: log(client)[0]["status"] == "delivered", "the delivery")
        assert events(client, syncId=sync["id"], type="WEBHOOK_DELIVERY_FAILED") == []


def test_the_answer_to_a_reset_tenants_delivery_is_not_logged(auth, receiver, caplog):
    caplog.set_level(logging.INFO, "paragon_emulator.webhooks")
    with make_client(webhook_timeout_seconds=60) as client:
        client.put("/_emulator/webhooks/config", json={"url": receiver.url})
        receiver.mode = "hold"
        client.post("/api/syncs", json={"integration": "box", "pipeline": "files"}, headers=auth())
        advance(client, 3)
        wait_for(lambda: receiver.attempts == 1, "the delivery to be held")
        client.post("/_emulator/reset", json={"projectId": PROJECT, "userId": "alice"})
        receiver.gate.set()
        wait_for(lambda: len(receiver.received) == 1, "the held delivery to be answered")
        deadline = time.monotonic() + 1.0  # the answer is settled within milliseconds; a slow machine only weakens this
        while time.monotonic() < deadline:
            assert not [r for r in caplog.records if r.name == "paragon_emulator.webhooks"], "a dropped tenant's attempt was logged"
            time.sleep(0.02)


@pytest.mark.parametrize("secret", ["whsec_c2VjcmV0*", "whsec_c2Vj cmV0", "whsec_c2VjcmV0!!"])
def test_a_whsec_secret_with_characters_outside_base64_is_refused_not_skipped(secret):
    assert_config_refused({"secret": secret}, "not valid base64")


def test_each_retry_waits_its_base_delay_times_a_seeded_uniform_factor_between_four_fifths_and_six_fifths(auth, receiver):
    """Against a reference: the seed's first draws, one per failed attempt, each scaling the base
    delay to [0.8, 1.2) of it (which attempt gets which draw is the order they settle in)."""
    import random

    seed, base, users = 11, 100, ("ann", "ben", "cat", "dan", "eve")
    draws = random.Random(seed)
    expected = sorted(base * (0.8 + 0.4 * draws.random()) for _ in users)
    receiver.mode = "fail"
    with make_client(seed=seed, webhook_retry_schedule=[base]) as client:
        client.put("/_emulator/webhooks/config", json={"url": receiver.url})
        for user in users:
            client.post("/api/syncs", json={"integration": "box", "pipeline": "files"}, headers=auth(user))
        advance(client, 3)
        wait_for(lambda: [d["status"] for d in log(client)] == ["pending"] * len(users), "every first failure")
        waits = sorted(
            (datetime.fromisoformat(d["nextAttemptAt"][:-1]) - datetime.fromisoformat(d["attempts"][-1]["at"][:-1])).total_seconds()
            for d in log(client)
        )
    assert waits == pytest.approx(expected, abs=0.002)  # timestamps are kept to the millisecond


def test_proxy_settings_in_the_environment_do_not_divert_webhooks(auth, receiver, refusing_url, monkeypatch):
    # A CI machine's proxy would refuse (or never reach) a receiver on 127.0.0.1.
    proxy = refusing_url.rsplit("/", 1)[0]
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.setenv(name, proxy)
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    with make_client() as client:
        client.put("/_emulator/webhooks/config", json={"url": receiver.url})
        client.post("/api/syncs", json={"integration": "box", "pipeline": "files"}, headers=auth())
        advance(client, 3)
        wait_for(lambda: log(client)[0]["status"] != "delivering", "the delivery")
        assert log(client)[0]["status"] == "delivered", log(client)[0]["attempts"]


def test_a_receiver_slower_than_the_http_clients_default_five_seconds_is_waited_for(auth, receiver):
    with make_client(webhook_timeout_seconds=30) as client:
        client.put("/_emulator/webhooks/config", json={"url": receiver.url})
        receiver.mode = "hold"
        client.post("/api/syncs", json={"integration": "box", "pipeline": "files"}, headers=auth())
        advance(client, 3)
        wait_for(lambda: receiver.attempts == 1, "the delivery to be held")
        time.sleep(5.5)  # past httpx's default timeout: only the configured 30 s may apply
        receiver.gate.set()
        wait_for(lambda: log(client)[0]["status"] != "delivering", "the answer")
        assert log(client)[0]["status"] == "delivered", log(client)[0]["attempts"]
