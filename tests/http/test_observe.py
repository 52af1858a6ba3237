"""What the emulator saw, over HTTP: the Monitoring-style event log (/_emulator/logs), the request
journal (/_emulator/requests), and the log lines that tell the same story."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings as hypothesis_settings, strategies as st
from starlette.testclient import TestClient

from paragon_emulator import create_app
from tests.conftest import PROJECT, advance, make_settings
from tests.http.test_webhooks import log as webhook_log, refusing_url, wait_for  # noqa: F401 - a fixture

DRIVE = {"integration": "googledrive", "pipeline": "files"}
ITEMS = f"/_emulator/upstream/{PROJECT}/alice/googledrive/files/items"


def events(client: TestClient, **query: Any) -> list[dict[str, Any]]:
    """Every event the filters select, newest first, following nextCursor."""
    found: list[dict[str, Any]] = []
    cursor = None
    while True:
        params = {**query, **({"cursor": cursor} if cursor else {})}
        response = client.get("/_emulator/logs", params=params)
        assert response.status_code == 200, response.text
        body = response.json()
        found += body["data"]
        cursor = body["nextCursor"]
        if cursor is None:
            return found


def story(client: TestClient, auth) -> str:
    """alice's drive sync: initial run, a change picked up, a rate limit, then a revoked credential."""
    sync_id = client.post("/api/syncs", json=DRIVE, headers=auth()).json()["id"]
    client.post("/api/syncs", json={"integration": "hubspot", "pipeline": "contacts"}, headers=auth("bob"))
    advance(client, 60)
    client.post(ITEMS, json={"fields": {"name": "plan.txt"}})
    client.post("/_emulator/faults/sync", json={"syncId": sync_id, "kind": "rate_limited", "backoffMs": 5000})
    advance(client, 60)
    client.post("/_emulator/faults/sync", json={"syncId": sync_id, "kind": "credential_revoked"})
    advance(client, 60)
    return sync_id


def test_each_run_has_one_trace_id_from_start_to_end_and_paragons_event_names(client, auth):
    sync_id = story(client, auth)
    mine = list(reversed(events(client, syncId=sync_id)))  # oldest first
    assert [e["syncEvent"] for e in mine] == [
        "INITIAL_SYNC_STARTED", "INITIAL_SYNC_COMPLETED",
        "INCREMENTAL_SYNC_STARTED", "SYNC_RUN_RATE_LIMITED", "INCREMENTAL_SYNC_COMPLETED",
        "INCREMENTAL_SYNC_STARTED", "SYNC_RUN_ERROR",
    ]
    traces = [e["traceId"] for e in mine]
    assert traces[0] == traces[1] and traces[2] == traces[3] == traces[4] and traces[5] == traces[6]
    assert len(set(traces)) == 3
    initial, changed = mine[1], mine[4]
    assert initial["summary"]["created"] == initial["summary"]["records"] == 25
    assert initial["summary"]["durationMs"] == 2000  # the run time of make_settings, emulated
    assert changed["summary"]["created"] == 1 and changed["summary"]["records"] == 26
    assert changed["summary"]["durationMs"] == 7000  # 2 s of run and 5 s of back-off
    assert mine[3]["error"]["retryAfterMs"] == 5000 and mine[3]["syncStatus"] == "RATE_LIMITED"
    assert mine[6]["syncStatus"] == "ERRORED" and "no longer valid" in mine[6]["error"]["message"]
    assert {e["syncType"] for e in mine} == {"INITIAL", "INCREMENTAL"}
    assert all(e["userId"] == "alice" and e["integration"] == "googledrive" and e["pipeline"] == "files" for e in mine)


def test_filters_select_exactly_what_they_name(client, auth):
    sync_id = story(client, auth)
    every = events(client)
    assert [e["id"] for e in every] == sorted((e["id"] for e in every), reverse=True)

    def expect(query: dict[str, str], keep) -> None:
        assert events(client, **query) == [e for e in every if keep(e)], query

    expect({"syncId": sync_id}, lambda e: e["syncId"] == sync_id)
    expect({"userId": "bob"}, lambda e: e["userId"] == "bob")
    expect({"projectId": PROJECT, "userId": "alice"}, lambda e: e["userId"] == "alice")
    expect({"integration": "hubspot"}, lambda e: e["integration"] == "hubspot")
    expect({"type": "SYNC_RUN_ERROR"}, lambda e: e["syncEvent"] == "SYNC_RUN_ERROR")
    trace = every[-1]["traceId"]
    expect({"traceId": trace}, lambda e: e.get("traceId") == trace)
    expect({"since": "2026-01-05T09:01:00Z"}, lambda e: e["timestamp"] >= "2026-01-05T09:01:00.000Z")
    expect({"until": "2026-01-05T09:00:03Z"}, lambda e: e["timestamp"] <= "2026-01-05T09:00:03.000Z")
    assert events(client, userId="nobody") == []


@hypothesis_settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(limit=st.integers(1, 12))
def test_pages_of_any_size_give_every_event_once(client, auth, limit):
    if not events(client):
        story(client, auth)
    whole = client.get("/_emulator/logs", params={"limit": 1000}).json()["data"]
    assert events(client, limit=str(limit)) == whole


def test_the_event_log_keeps_at_most_its_size_and_a_reset_forgets_a_tenants_events(auth):
    with TestClient(create_app(make_settings(event_log_size=5))) as client:
        story(client, auth)
        kept = events(client)
        newest = kept[0]["id"]
        assert [e["id"] for e in kept] == list(range(newest, newest - 5, -1))  # the newest five stay
        client.post("/_emulator/reset", json={"projectId": PROJECT, "userId": "alice"})
        assert all(e["userId"] != "alice" for e in events(client))


@pytest.mark.parametrize("query", [
    {"limit": "0"}, {"limit": "1001"}, {"cursor": "abc"}, {"since": "yesterday"}, {"type": "SYNC_RUN_BORED"},
])
def test_bad_log_queries_are_a_clear_400(client, query):
    response = client.get("/_emulator/logs", params=query)
    assert response.status_code == 400, response.text
    assert response.json()["code"] == "VALIDATION_FAILED"


def test_many_computed_runs_are_one_event_that_says_how_many(client, auth):
    sync_id = client.post("/api/syncs", json=DRIVE, headers=auth()).json()["id"]
    advance(client, 3600)
    completed = events(client, syncId=sync_id, type="INCREMENTAL_SYNC_COMPLETED")
    runs = sum(e["summary"].get("runs", 1) for e in completed)
    assert runs == 59  # one a minute from 09:01:03 to 09:59:03, none of them changing anything
    assert all(e["summary"]["totalChanges"] == 0 for e in completed)


def test_a_failed_webhook_attempt_is_an_event_with_its_next_retry(auth, refusing_url):
    settings = make_settings(webhook_retry_schedule=[10], webhook_timeout_seconds=0.5)
    with TestClient(create_app(settings)) as client:
        client.put("/_emulator/webhooks/config", json={"url": refusing_url})
        sync_id = client.post("/api/syncs", json=DRIVE, headers=auth()).json()["id"]
        advance(client, 3)
        wait_for(lambda: webhook_log(client)[0]["status"] == "pending", "the first failure")
        advance(client, 15)
        wait_for(lambda: webhook_log(client)[0]["status"] == "failed", "the last failure")
        failed = list(reversed(events(client, syncId=sync_id, type="WEBHOOK_DELIVERY_FAILED")))
        assert [e["error"]["attempt"] for e in failed] == [1, 2]
        assert failed[0]["error"]["recoverable"] and "nextAttemptAt" in failed[0]["error"]
        assert not failed[1]["error"]["recoverable"] and "nextAttemptAt" not in failed[1]["error"]
        assert failed[0]["error"]["webhookEvent"] == "sync_complete"


# -- the request journal ------------------------------------------------------------------------
def journal(client: TestClient, **query: Any) -> list[dict[str, Any]]:
    response = client.get("/_emulator/requests", params=query)
    assert response.status_code == 200, response.text
    return response.json()["data"]


def test_the_journal_has_each_request_with_the_answer_and_its_reasons(client, auth):
    client.post("/api/syncs", json={"integration": "googledrive"}, headers=auth())
    client.get("/api/syncs", params={"pageSize": "3"}, headers=auth("bob"))
    client.get("/api/syncs", headers={"Authorization": "Bearer nope"})
    newest, bobs, refused = journal(client)[0:3][::-1][0], journal(client)[1], journal(client)[0]
    assert (newest["method"], newest["path"], newest["status"], newest["userId"]) == ("POST", "/api/syncs", 400, "alice")
    assert newest["violations"][0]["path"] == "$.pipeline"
    assert "'pipeline' is required" in newest["responseBody"]
    assert newest["requestBody"] == '{"integration":"googledrive"}'
    assert newest["durationMs"] >= 0 and newest["timestamp"] == "2026-01-05T09:00:00.000Z"
    assert bobs["query"] == "pageSize=3" and bobs["userId"] == "bob" and bobs["violations"][0]["rule"] == "unknownParameter"
    assert refused["status"] == 401 and "userId" not in refused
    assert [e["method"] for e in journal(client, userId="bob")] == ["GET"]
    assert [e["status"] for e in journal(client, status="400")] == [400]
    assert all("/_emulator/" not in e["path"] for e in journal(client))  # the control plane is not the API


def test_the_journal_cuts_bodies_keeps_its_size_and_forgets_a_reset_tenant(auth):
    with TestClient(create_app(make_settings(request_journal_size=3))) as client:
        client.post("/api/syncs", json={**DRIVE, "configuration": {"x": "y" * 5000}}, headers=auth())
        [entry] = journal(client)
        assert entry["requestBody"].startswith('{"integration"') and "more bytes)" in entry["requestBody"]
        assert len(entry["requestBody"]) < 2200
        for _ in range(4):
            client.get("/api/syncs", headers=auth("bob"))
        assert len(journal(client)) == 3 and all(e["userId"] == "bob" for e in journal(client))
        client.post("/_emulator/reset", json={"projectId": PROJECT, "userId": "bob"})
        assert journal(client) == []


@pytest.mark.parametrize("query", [{"limit": "0"}, {"cursor": "x"}, {"status": "99"}])
def test_bad_journal_queries_are_a_clear_400(client, query):
    assert client.get("/_emulator/requests", params=query).status_code == 400


# -- the log lines ------------------------------------------------------------------------------
def test_the_log_tells_transitions_runs_webhooks_and_control_actions(auth, refusing_url, caplog):
    caplog.set_level(logging.INFO, logger="paragon_emulator")
    settings = make_settings(webhook_retry_schedule=[10], webhook_timeout_seconds=0.5)
    with TestClient(create_app(settings)) as client:
        client.put("/_emulator/webhooks/config", json={"url": refusing_url})
        sync_id = client.post("/api/syncs", json=DRIVE, headers=auth()).json()["id"]
        advance(client, 3)
        wait_for(lambda: webhook_log(client)[0]["status"] == "pending", "the first failure")
    lines = {r.name: [] for r in caplog.records}
    for r in caplog.records:
        lines[r.name].append(r)
    moves = [r.fields for r in lines["paragon_emulator.sync"] if "to" in r.fields]
    assert [(m["from"], m["to"]) for m in moves] == [("INITIALIZING", "ACTIVE"), ("ACTIVE", "IDLE")]
    done = next(r for r in lines["paragon_emulator.sync"] if r.fields.get("syncEvent") == "INITIAL_SYNC_COMPLETED")
    assert done.emulated == "2026-01-05T09:00:03.000Z" and done.fields["syncId"] == sync_id
    assert "25 records" in done.getMessage() and "2 s emulated" in done.getMessage()
    assert done.fields["traceId"] in done.getMessage()
    [attempt] = lines["paragon_emulator.webhooks"]
    assert attempt.levelno == logging.WARNING and attempt.fields["attempt"] == 1
    assert attempt.fields["url"] == refusing_url and attempt.fields["nextAttemptAt"]
    assert "next attempt at" in attempt.getMessage() and "sync_complete" in attempt.getMessage()
    control = [r.getMessage() for r in lines["paragon_emulator.control"]]
    assert control[0].startswith("PUT /_emulator/webhooks/config") and control[0].endswith("-> 200")
    assert any(c.startswith('POST /_emulator/clock/advance {"seconds":3}') for c in control)


def test_a_refused_request_is_one_log_line_with_its_reason_and_a_success_none(client, auth, caplog):
    caplog.set_level(logging.INFO, logger="paragon_emulator")
    client.get("/api/syncs", headers=auth())
    client.post("/api/syncs", json={"integration": "googledrive"}, headers=auth())
    [line] = [r for r in caplog.records if r.name == "paragon_emulator.http"]
    assert line.getMessage() == (
        "POST /api/syncs (alice) -> 400: VALIDATION_FAILED invalid request: $.pipeline: 'pipeline' is required"
    )
    assert line.fields["violations"][0]["path"] == "$.pipeline"


def test_days_of_idle_cycles_account_for_every_full_run_and_each_run_keeps_one_trace(client, auth):
    sync_id = client.post("/api/syncs", json=DRIVE, headers=auth()).json()["id"]
    advance(client, 5 * 86400 + 600)
    mine = list(reversed(events(client, syncId=sync_id)))
    fulls = [e for e in mine if e["syncEvent"] == "FULL_SYNC_COMPLETED"]
    assert sum(e["summary"].get("runs", 1) for e in fulls) == 5  # one a day after the initial run
    started = {e["traceId"]: e for e in mine if e["syncEvent"].endswith("_STARTED")}
    for done in (e for e in mine if e["syncEvent"].endswith("_COMPLETED") and "runs" not in e["summary"]):
        begun = started[done["traceId"]]  # a run that completed one by one has its start under its trace
        assert begun["syncType"] == done["syncType"]
        assert 0 <= done["summary"]["durationMs"] <= 600_000


def test_a_sync_deleted_while_backing_off_and_enabled_again_starts_a_run_of_its_own(client, auth):
    sync_id = client.post("/api/syncs", json=DRIVE, headers=auth()).json()["id"]
    client.post("/_emulator/faults/sync", json={"syncId": sync_id, "kind": "rate_limited", "backoffMs": 60000})
    advance(client, 2)  # the initial run starts, meets the rate limit, and waits
    assert client.delete(f"/api/syncs/{sync_id}", headers=auth()).status_code == 200
    again = client.post("/api/syncs", json=DRIVE, headers=auth()).json()["id"]
    assert again == sync_id  # ids are name-based: the same sync id again
    advance(client, 10)
    mine = list(reversed(events(client, syncId=sync_id)))
    assert [e["syncEvent"] for e in mine] == [
        "INITIAL_SYNC_STARTED", "SYNC_RUN_RATE_LIMITED", "INITIAL_SYNC_STARTED", "INITIAL_SYNC_COMPLETED",
    ]
    assert mine[0]["traceId"] == mine[1]["traceId"] != mine[2]["traceId"] == mine[3]["traceId"]
