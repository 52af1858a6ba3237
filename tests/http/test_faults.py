"""Faults: each one gives the documented status, summary fields, webhook and recovery; API faults
hit exactly the chosen calls; the contract report is exact."""

from __future__ import annotations

import pytest

from tests.conftest import advance


def enable(client, headers, **configuration):
    body = {"integration": "googledrive", "pipeline": "files", "configuration": configuration}
    return client.post("/api/syncs", json=body, headers=headers).json()["id"]


def status(client, headers, sync_id):
    return client.get(f"/api/syncs/{sync_id}", headers=headers).json()


def events(client, **query):
    return client.get("/_emulator/webhooks/events", params=query).json()["data"]


def test_revoked_credential_errors_the_sync_until_fixed_and_reenabled(client, auth):
    headers = auth()
    sync_id = enable(client, headers)
    advance(client, 3)
    fault = client.post("/_emulator/faults/sync", json={"syncId": sync_id, "kind": "credential_revoked", "once": False})
    assert fault.status_code == 200
    advance(client, 61)  # the next incremental run meets it
    errored = status(client, headers, sync_id)
    assert errored["status"] == "ERRORED"
    assert errored["reason"] == f"Credential ID [{errored['credentialId']}] is no longer valid or has been deleted."
    [webhook] = events(client, type="sync_errored")
    assert webhook["payload"]["error"] == {"message": errored["reason"]}
    assert client.get("/_emulator/clock").json()["pendingTimers"] == 0  # an ERRORED sync stops
    assert client.get("/api/syncs", headers=headers).json()["data"][0]["reason"] == errored["reason"]
    # Re-enabled while still revoked: errors again at the next run.
    client.post(f"/api/syncs/{sync_id}/reenable", headers=headers)
    advance(client, 61)
    assert status(client, headers, sync_id)["status"] == "ERRORED"
    # Fixed (fault cleared) and re-enabled: back to normal.
    client.delete("/_emulator/faults")
    assert client.post(f"/api/syncs/{sync_id}/reenable", headers=headers).json()["status"] == "IDLE"
    advance(client, 62)
    healthy = status(client, headers, sync_id)
    assert healthy["status"] == "IDLE" and "reason" not in healthy


def test_root_missing_errors_with_code_10007(client, auth):
    headers = auth()
    sync_id = enable(client, headers)
    client.post("/_emulator/faults/sync", json={"syncId": sync_id, "kind": "root_missing"})
    advance(client, 3)  # the initial run meets it
    errored = status(client, headers, sync_id)
    assert errored["status"] == "ERRORED" and "10007" in errored["reason"]
    [webhook] = events(client, type="sync_errored")
    assert webhook["payload"]["error"]["code"] == 10007
    assert events(client, type="sync_complete") == []


@pytest.mark.parametrize(
    "integration,pipeline,configuration,root",
    [
        ("googledrive", "files", {}, "the account root"),
        ("googledrive", "files", {"folderId": "F1"}, "folderId F1"),
        ("sharepoint", "files", {"siteId": "S1"}, "siteId S1"),
        ("sharepoint", "files", {"siteId": "S1", "folderId": "F2"}, "folderId F2"),  # the narrowest root
        ("confluence", "files", {"spaceId": "SP"}, "spaceId SP"),
        ("amazons3", "files", {"bucket": "b-1"}, "bucket b-1"),
        ("jira", "tickets", {"projectId": "P9"}, "projectId P9"),
        ("monday", "tickets", {"boardId": "B3"}, "boardId B3"),
        ("clickup", "tickets", {"listId": "L4"}, "listId L4"),
        ("onedrive", "files", {"driveId": "D5"}, "driveId D5"),
    ],
)
def test_root_missing_names_the_root_the_sync_was_created_with(client, auth, integration, pipeline, configuration, root):
    body = {"integration": integration, "pipeline": pipeline, "configuration": configuration}
    sync_id = client.post("/api/syncs", json=body, headers=auth()).json()["id"]
    client.post("/_emulator/faults/sync", json={"syncId": sync_id, "kind": "root_missing"})
    advance(client, 3)
    assert status(client, auth(), sync_id)["reason"] == (
        f"The root resource this sync was created with ({root}) is no longer accessible; "
        "recreate the sync with a valid root (error code 10007)."
    )


def test_rate_limited_backs_off_then_recovers_on_its_own(client, auth):
    headers = auth()
    sync_id = enable(client, headers)
    client.post("/_emulator/faults/sync", json={"syncId": sync_id, "kind": "rate_limited", "backoffMs": 30000})
    advance(client, 1)
    limited = status(client, headers, sync_id)
    assert limited["status"] == "RATE_LIMITED" and limited["rateLimitBackoffMs"] == 30000
    advance(client, 29)
    assert status(client, headers, sync_id)["status"] == "RATE_LIMITED"
    advance(client, 1)
    assert status(client, headers, sync_id)["status"] == "ACTIVE"
    advance(client, 2)
    done = status(client, headers, sync_id)
    assert done["status"] == "IDLE" and "rateLimitBackoffMs" not in done
    assert len(events(client, type="sync_complete")) == 1 and events(client, type="sync_errored") == []


def test_a_failing_record_emits_record_errored_and_the_rest_syncs(client, auth):
    headers = auth()
    sync_id = enable(client, headers)
    client.post("/_emulator/faults/sync", json={"syncId": sync_id, "kind": "record_error"})
    advance(client, 3)
    assert status(client, headers, sync_id)["status"] == "IDLE"
    [errored] = events(client, type="record_errored")
    failed_id = errored["payload"]["error"]["recordId"]
    assert errored["payload"]["error"]["model"] == "files" and errored["payload"]["error"]["message"]
    paging = client.get(f"/api/syncs/{sync_id}/records", headers=headers).json()["paging"]
    assert paging["totalRecords"] == 24  # 25 upstream, one failed
    assert client.get(f"/api/syncs/{sync_id}/records/{failed_id}", headers=headers).status_code == 404
    advance(client, 24 * 3600 + 10)  # one-shot: the full sync picks it up
    assert client.get(f"/api/syncs/{sync_id}/records/{failed_id}", headers=headers).status_code == 200


def test_api_faults_hit_exactly_the_chosen_calls(client, auth):
    headers = auth()
    rule = client.post("/_emulator/faults/api", json={"operations": ["listSyncs"], "status": 429, "count": 2, "retryAfter": 7})
    assert rule.status_code == 200
    first = client.get("/api/syncs", headers=headers)
    assert first.status_code == 429 and first.headers["retry-after"] == "7"
    assert client.post("/api/syncs", json={"integration": "box", "pipeline": "files"}, headers=headers).status_code == 200
    assert client.get("/api/syncs", headers=headers).status_code == 429
    assert client.get("/api/syncs", headers=headers).status_code == 200  # the two calls are used up
    assert client.get("/_emulator/faults").json()["api"] == []
    client.post("/_emulator/faults/api", json={"status": 503})  # every operation until cleared
    assert client.get("/api/syncs", headers=headers).status_code == 503
    assert client.get("/_emulator/health").status_code == 200  # never the control plane
    assert client.delete("/_emulator/faults").json() == {"cleared": 1}
    assert client.get("/api/syncs", headers=headers).status_code == 200


def test_a_seeded_fraction_is_reproducible(settings, auth):
    from starlette.testclient import TestClient

    from paragon_emulator import create_app

    outcomes = []
    for _ in range(2):
        with TestClient(create_app(settings)) as client:
            client.post("/_emulator/faults/api", json={"operations": ["listSyncs"], "status": 500, "fraction": 0.3})
            outcomes.append([client.get("/api/syncs", headers=auth()).status_code for _ in range(60)])
    assert outcomes[0] == outcomes[1]
    assert 5 <= outcomes[0].count(500) <= 35


def test_delays_and_global_latency(client, auth):
    import time

    client.post("/_emulator/faults/api", json={"operations": ["listSyncs"], "delayMs": 300, "count": 1})
    started = time.monotonic()
    assert client.get("/api/syncs", headers=auth()).status_code == 200
    assert time.monotonic() - started >= 0.3
    client.put("/_emulator/faults/latency", json={"latencyMs": 200})
    started = time.monotonic()
    client.get("/api/syncs", headers=auth())
    assert time.monotonic() - started >= 0.2
    assert client.get("/_emulator/faults").json()["latencyMs"] == 200


def test_bad_fault_requests_are_refused(client, auth):
    assert client.post("/_emulator/faults/api", json={"operations": ["nope"], "status": 500}).status_code == 400
    assert client.post("/_emulator/faults/api", json={"status": 418}).status_code == 400
    assert client.post("/_emulator/faults/api", json={"operations": ["listSyncs"]}).status_code == 400
    assert client.post("/_emulator/faults/sync", json={"syncId": "nope", "kind": "root_missing"}).status_code == 404
    assert client.delete("/_emulator/faults/sync/99").status_code == 404


def test_the_contract_report_is_exact(client, auth):
    headers = auth()
    client.delete("/_emulator/contract")
    client.get("/api/syncs", headers=headers)  # valid
    client.get("/api/syncs", params={"page_size": 5}, headers=headers)  # unknown parameter: served, noted
    client.post("/api/syncs", json={"integration": "box"}, headers=headers)  # missing pipeline
    client.post("/api/syncs", json={"pipeline": "files"}, headers=headers)  # missing integration
    client.post("/api/syncs", json={"integration": "box"}, headers=headers)  # missing pipeline again
    client.get("/api/syncs")  # no token
    report = client.get("/_emulator/contract").json()
    assert report["requests"] == 6 and report["invalidRequests"] == 5
    found = {(v["operation"], v["field"], v["rule"]): v["count"] for v in report["violations"]}
    assert found == {
        ("listSyncs", "page_size", "unknownParameter"): 1,
        ("enableSync", "$.pipeline", "required"): 2,
        ("enableSync", "$.integration", "required"): 1,
        ("listSyncs", "Authorization", "AUTH_MISSING"): 1,
    }
    first = next(v for v in report["violations"] if v["field"] == "$.pipeline")["firstExample"]
    assert first["method"] == "POST" and first["path"] == "/api/syncs"
    assert report["coverage"]["used"] == ["enableSync", "listSyncs"]
    assert "pullRecords" in report["coverage"]["unused"] and "health" not in report["coverage"]["unused"]


def test_strict_client_refuses_what_is_otherwise_only_noted(auth):
    from starlette.testclient import TestClient

    from paragon_emulator import create_app
    from tests.conftest import make_settings

    with TestClient(create_app(make_settings(strict_client=True))) as client:
        response = client.get("/api/syncs", params={"limit": 5}, headers=auth())
        assert response.status_code == 400 and response.json()["errors"][0]["rule"] == "unknownParameter"
