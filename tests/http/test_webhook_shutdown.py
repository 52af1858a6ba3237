"""Shutting down in process: a stop asked for (SIGTERM's path: `Emulator.stop()`, then the app's
lifespan ends) gives undelivered webhooks one more try within the grace period and logs what is
left; a closed emulator, or a state a reset forgot, sends nothing more.

tests/cli/test_shutdown.py checks the same through a real process and SIGTERM; these run in
process, so mutation testing (docs/mutation.md) sees them.
"""

from __future__ import annotations

import logging
import time

import pytest
from starlette.testclient import TestClient

from paragon_emulator import create_app
from paragon_emulator.emulator import Emulator
from tests.conftest import advance, make_settings
from tests.http.test_webhooks import SECRET, Receiver, wait_for

LOGGER = "paragon_emulator"
USERS = ("ann", "ben", "cat")


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()


def make_emulator(**overrides) -> Emulator:
    # An emulated hour before any retry: on a manual clock it never falls due by itself.
    values = {"webhook_secret": SECRET, "webhook_retry_schedule": [3600], "webhook_shutdown_grace_seconds": 20}
    values.update(overrides)
    return Emulator(make_settings(**values))


def statuses(emulator: Emulator) -> list[str]:
    return [d.status for d in emulator.webhook_log()]


def attempts(emulator: Emulator) -> list[int]:
    return [len(d.attempts) for d in emulator.webhook_log()]


def failed_once_each(client: TestClient, emulator: Emulator, auth, receiver: Receiver, users=USERS) -> list[str]:
    """One sync per user, each sync_complete refused once and waiting an hour for its retry."""
    client.put("/_emulator/webhooks/config", json={"url": receiver.url})
    receiver.mode = "fail"
    for user in users:
        client.post("/api/syncs", json={"integration": "box", "pipeline": "files"}, headers=auth(user))
    advance(client, 3)
    wait_for(lambda: statuses(emulator) == ["pending"] * len(users) and attempts(emulator) == [1] * len(users),
             "every first attempt to fail")
    return [d.event.id for d in emulator.webhook_log()]


def shutdown_lines(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == LOGGER and "shutdown" in r.getMessage()]


def test_a_stop_delivers_what_waits_once_the_receiver_is_back(auth, receiver, caplog):
    caplog.set_level(logging.INFO, LOGGER)
    emulator = make_emulator()
    with TestClient(create_app(emulator)) as client:
        ids = failed_once_each(client, emulator, auth, receiver)
        receiver.mode = "ok"  # back, but the retries are an emulated hour away
        emulator.stop()
    assert sorted(h["webhook-id"] for h, _ in receiver.received) == sorted(ids)
    assert statuses(emulator) == ["delivered"] * 3 and attempts(emulator) == [2] * 3  # one more try each
    assert shutdown_lines(caplog) == ["every webhook was delivered before shutdown"]


def test_a_stop_logs_in_event_order_what_is_still_undelivered_and_tries_each_only_once(auth, receiver, caplog):
    # The grace try leaves one retry to wait. A long grace period: the stop must not wait it out
    # once nothing is in flight (a shutdown that did would hang this test for five minutes).
    emulator = make_emulator(webhook_retry_schedule=[3600, 3600], webhook_shutdown_grace_seconds=300)
    with TestClient(create_app(emulator)) as client:
        ids = failed_once_each(client, emulator, auth, receiver)
        timers = emulator.clock_state()["pendingTimers"]
        emulator.stop()
    assert receiver.attempts == 6 and receiver.received == []
    # The try replaced each one's retry: one timer each still, the retry after the grace try.
    assert emulator.clock_state()["pendingTimers"] == timers == 3
    assert statuses(emulator) == ["pending"] * 3 and attempts(emulator) == [2] * 3
    assert shutdown_lines(caplog) == [f"3 webhook deliveries were still undelivered at shutdown: {', '.join(ids)}"]


def test_a_delivery_whose_grace_try_was_its_last_is_reported_too(auth, receiver, caplog):
    # One retry only: the grace period's try uses it and the event fails (and the stop does not
    # wait out the long grace period once nothing is in flight).
    emulator = make_emulator(webhook_shutdown_grace_seconds=300)
    with TestClient(create_app(emulator)) as client:
        ids = failed_once_each(client, emulator, auth, receiver)
        emulator.stop()
    assert statuses(emulator) == ["failed"] * 3 and receiver.attempts == 6
    assert shutdown_lines(caplog) == [f"3 webhook deliveries were still undelivered at shutdown: {', '.join(ids)}"]


def test_what_queued_behind_a_retry_goes_out_too_in_order(auth, receiver, caplog):
    caplog.set_level(logging.INFO, LOGGER)
    emulator = make_emulator()
    with TestClient(create_app(emulator)) as client:
        [first] = failed_once_each(client, emulator, auth, receiver, users=["ann"])
        sync_id = emulator.webhook_log()[0].event.sync_id
        client.post("/_emulator/webhooks/trigger", json={"syncId": sync_id, "event": "record_created"})
        client.post("/_emulator/webhooks/trigger", json={"syncId": sync_id, "event": "sync_errored"})
        assert attempts(emulator) == [1, 0, 0]  # one sync's events wait their turn
        receiver.mode = "ok"
        emulator.stop()
    assert [e["event"] for e in receiver.events()] == ["sync_complete", "record_created", "sync_errored"]
    assert receiver.received[0][0]["webhook-id"] == first
    assert statuses(emulator) == ["delivered"] * 3 and attempts(emulator) == [2, 1, 1]
    assert shutdown_lines(caplog) == ["every webhook was delivered before shutdown"]


def test_a_receiver_that_hangs_past_the_grace_period_is_reported_and_the_stop_goes_on(auth, receiver, caplog):
    emulator = make_emulator(webhook_shutdown_grace_seconds=0.3, webhook_timeout_seconds=120)
    with TestClient(create_app(emulator)) as client:
        [held] = failed_once_each(client, emulator, auth, receiver, users=["ann"])
        receiver.mode = "hold"  # answers only once the test opens the gate, after the stop
        emulator.stop()
    assert receiver.attempts == 2 and receiver.received == []
    assert statuses(emulator) == ["delivering"]
    assert shutdown_lines(caplog) == [f"1 webhook deliveries were still undelivered at shutdown: {held}"]


def test_without_a_stop_asked_for_closing_tries_nothing_more_and_logs_what_waits(auth, receiver, caplog):
    emulator = make_emulator()
    with TestClient(create_app(emulator)) as client:
        ids = failed_once_each(client, emulator, auth, receiver, users=["ann", "ben"])
        receiver.mode = "ok"
    assert receiver.attempts == 2 and receiver.received == []  # no grace period: nothing more was sent
    assert statuses(emulator) == ["pending", "pending"]
    assert shutdown_lines(caplog) == [f"2 webhook deliveries were still undelivered at shutdown: {', '.join(ids)}"]


def test_the_log_names_twenty_deliveries_at_most(auth, receiver, caplog):
    users = [f"u{n:02}" for n in range(21)]
    emulator = make_emulator()
    with TestClient(create_app(emulator)) as client:
        ids = failed_once_each(client, emulator, auth, receiver, users=users)
    assert shutdown_lines(caplog) == [f"21 webhook deliveries were still undelivered at shutdown: {', '.join(ids[:20])} ..."]


def nothing_more_arrives(receiver: Receiver, count: int, seconds: float = 1.0) -> None:
    """A sender that should be silent stays so for a while (a wrong one sends within milliseconds;
    a slow machine can only make this check weaker, never fail it wrongly)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert receiver.attempts == count, "a closed dispatcher sent a webhook"
        time.sleep(0.02)


def test_after_a_full_reset_what_queued_behind_an_in_flight_delivery_is_never_sent(auth, receiver):
    # The old state's tenants are dropped: the held delivery's answer moves no queue on.
    emulator = make_emulator(webhook_timeout_seconds=120)
    with TestClient(create_app(emulator)) as client:
        client.put("/_emulator/webhooks/config", json={"url": receiver.url})
        receiver.mode = "hold"
        sync = client.post("/api/syncs", json={"integration": "box", "pipeline": "files"}, headers=auth()).json()
        advance(client, 3)
        client.post("/_emulator/webhooks/trigger", json={"syncId": sync["id"], "event": "record_created"})
        wait_for(lambda: receiver.attempts == 1, "the first delivery to be held")
        assert client.post("/_emulator/reset", json={}).status_code == 200
        receiver.gate.set()  # the held delivery succeeds; what queued behind it belongs to a forgotten state
        wait_for(lambda: len(receiver.received) == 1, "the held delivery to finish")
        nothing_more_arrives(receiver, 1)
        assert emulator.webhook_log() == []


def test_a_closed_emulator_sends_no_retry(auth, receiver):
    emulator = make_emulator(webhook_retry_schedule=[10])
    with TestClient(create_app(emulator)) as client:
        failed_once_each(client, emulator, auth, receiver, users=["ann"])
    receiver.mode = "ok"
    emulator.advance(seconds=3600)  # the retry falls due on the closed emulator's clock
    nothing_more_arrives(receiver, 1)
    assert receiver.received == []


def test_one_endpoint_takes_a_lanes_worth_of_deliveries_at_once_and_a_close_drops_what_queued_behind(auth, receiver):
    from paragon_emulator.webhooks.delivery import LANE_WORKERS

    users = [f"u{n}" for n in range(LANE_WORKERS + 2)]
    emulator = make_emulator(webhook_timeout_seconds=120)
    with TestClient(create_app(emulator)) as client:
        client.put("/_emulator/webhooks/config", json={"url": receiver.url})
        receiver.mode = "hold"
        for user in users:  # a sync each: one sync's events go one at a time, several syncs' at once
            client.post("/api/syncs", json={"integration": "box", "pipeline": "files"}, headers=auth(user))
        advance(client, 3)
        wait_for(lambda: receiver.attempts == LANE_WORKERS, "a lane's worth of deliveries held at once")
    # Closed: the two sends queued behind the busy lane are dropped, never sent.
    receiver.gate.set()
    wait_for(lambda: len(receiver.received) == LANE_WORKERS, "the held deliveries to finish")
    nothing_more_arrives(receiver, LANE_WORKERS)
