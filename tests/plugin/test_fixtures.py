"""The plugin's fixtures in this suite's own session (the plugin is installed, so it is loaded)."""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
import time
import uuid

import httpx
import pytest

from paragon_emulator.pytest_plugin import WEBHOOK_SECRET, ParagonEmulator, WebhookReceiver

BOX = {"integration": "box", "pipeline": "files"}


def until(predicate, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def test_importing_the_plugin_imports_nothing_heavy() -> None:
    # Every pytest run of every project with the package installed imports the plugin.
    code = (
        "import sys, pytest; before = set(sys.modules); import paragon_emulator.pytest_plugin; "
        "print(sorted(set(sys.modules) - before))"
    )
    loaded = json.loads(subprocess.check_output([sys.executable, "-c", code], text=True).replace("'", '"'))
    assert loaded == ["paragon_emulator", "paragon_emulator.pytest_plugin"]


def test_each_test_starts_at_the_configured_instant_on_a_manual_clock(paragon_emulator: ParagonEmulator) -> None:
    settings = paragon_emulator.emulator.settings
    assert paragon_emulator.now == settings.clock_start
    assert paragon_emulator.clock_state()["mode"] == "manual"
    paragon_emulator.advance(duration="1h30m")
    assert (paragon_emulator.now - settings.clock_start).total_seconds() == 5400
    paragon_emulator.reset()
    assert paragon_emulator.now == settings.clock_start


def test_the_request_log_records_method_path_query_and_status(paragon_emulator, paragon_client) -> None:
    paragon_client.get("/api/syncs", params={"credentialId": "c-1"})
    paragon_client.post("/api/syncs", json={"integration": "nope", "pipeline": "files"})
    paragon_client.delete("/api/nowhere")
    assert [tuple(r) for r in paragon_emulator.requests] == [
        ("GET", "/api/syncs", 200, "credentialId=c-1"),
        ("POST", "/api/syncs", 400, ""),
        ("DELETE", "/api/nowhere", 404, ""),
    ]
    paragon_emulator.reset()
    assert paragon_emulator.requests == []


def test_clients_for_other_users_see_only_their_own_syncs(paragon_emulator, paragon_client, paragon_client_for) -> None:
    mine = paragon_client.post("/api/syncs", json=BOX).json()
    bob = paragon_client_for("bob")
    assert bob.get("/api/syncs").json()["data"] == []
    assert bob.get(f"/api/syncs/{mine['id']}").status_code == 404
    anonymous = paragon_client_for(None)
    assert anonymous.get("/api/syncs").json()["code"] == "AUTH_MISSING"
    assert str(paragon_client.base_url).rstrip("/") == paragon_emulator.base_url


def test_the_token_factory_takes_user_project_expiry_and_claims(paragon_emulator, paragon_token) -> None:
    import jwt

    token = paragon_token("carol", expires_in=120, claims={"plan": "pro"})
    claims = jwt.decode(token, options={"verify_signature": False})
    assert claims["sub"] == "carol" and claims["plan"] == "pro" and claims["exp"] - claims["iat"] == 120
    assert claims["aud"] == f"useparagon.com/{paragon_emulator.project_id}"
    elsewhere = paragon_token("carol", project="p-2")
    assert jwt.decode(elsewhere, options={"verify_signature": False})["aud"] == "useparagon.com/p-2"
    response = httpx.get(paragon_emulator.url("/api/syncs"), headers={"Authorization": f"Bearer {elsewhere}"}, trust_env=False)
    assert response.json()["code"] == "AUTH_UNKNOWN_PROJECT"


def test_upstream_changes_from_python_reach_the_api(paragon_emulator, paragon_client) -> None:
    paragon_emulator.size_upstream("alice", "box", "files", 3)
    sync = paragon_client.post("/api/syncs", json=BOX).json()
    paragon_emulator.advance(seconds=10)
    assert paragon_client.get(f"/api/syncs/{sync['id']}").json()["summary"]["totalRecords"] == 3
    item = paragon_emulator.change_upstream("alice", "box", "files", "create", fields={"name": "new.txt"})
    paragon_emulator.advance(duration="1m")
    assert paragon_client.get(f"/api/syncs/{sync['id']}").json()["summary"]["totalRecords"] == 4
    paragon_emulator.change_upstream("alice", "box", "files", "update", item["externalId"], {"name": "renamed.txt"})
    paragon_emulator.advance(duration="1m")
    names = [r["name"] for r in paragon_client.get(f"/api/syncs/{sync['id']}/records").json()["data"]]
    assert "renamed.txt" in names and "new.txt" not in names


def test_what_python_changes_upstream_is_copied_so_later_edits_reach_nothing(paragon_emulator, paragon_client) -> None:
    paragon_emulator.size_upstream("alice", "hubspot", "contacts", 0)
    fields = {"emails": [{"type": "work", "email": "one@x.test"}]}
    item = paragon_emulator.change_upstream("alice", "hubspot", "contacts", "create", fields=fields)
    sync = paragon_client.post("/api/syncs", json={"integration": "hubspot", "pipeline": "contacts"}).json()
    paragon_emulator.advance(seconds=10)
    first = paragon_client.get(f"/api/syncs/{sync['id']}/records").content  # its JSON is kept from here on
    fields["emails"][0]["email"] = "two@x.test"
    item["emails"].append({"type": "home", "email": "three@x.test"})
    paragon_emulator.advance(duration="1m")
    assert paragon_client.get(f"/api/syncs/{sync['id']}/records").content == first
    record = json.loads(first)["data"][0]
    assert record["emails"] == [{"type": "work", "email": "one@x.test"}]
    assert paragon_client.get(f"/api/syncs/{sync['id']}/records/{record['id']}").json()["data"] == record
    upstream = paragon_client.get(f"/_emulator/upstream/{paragon_emulator.project_id}/alice/hubspot/contacts").json()
    assert [i["emails"] for i in upstream["items"]] == [[{"type": "work", "email": "one@x.test"}]]


def test_sharing_from_python_reaches_the_permissions_api(paragon_emulator, paragon_client) -> None:
    paragon_emulator.size_upstream("alice", "box", "files", 0)
    doc = paragon_emulator.change_upstream("alice", "box", "files", "create", fields={"name": "a.txt", "owner": "ann@x.test"})
    sync = paragon_client.post("/api/syncs", json=BOX).json()
    paragon_emulator.advance(seconds=10)
    record = paragon_client.get(f"/api/syncs/{sync['id']}/records").json()["data"][0]
    question = {"object": record["id"], "user": "bob@x.test", "role": "can_read"}
    paragon_emulator.set_upstream_group("alice", "box", "eng@x.test", ["user:bob@x.test"])
    assert "eng@x.test" in [g["email"] for g in paragon_emulator.upstream_directory("alice", "box")["groups"]]
    paragon_emulator.change_upstream("alice", "box", "files", "grant", doc["externalId"], {"type": "group", "email": "eng@x.test"})
    assert paragon_client.post(f"/api/permissions/{sync['id']}/check", json=question).json() == {"hasAccess": False}
    paragon_emulator.advance(duration="1m")
    assert paragon_client.post(f"/api/permissions/{sync['id']}/check", json=question).json() == {"hasAccess": True}


def test_faults_and_the_contract_report_from_python(paragon_emulator, paragon_client) -> None:
    sync = paragon_client.post("/api/syncs", json=BOX).json()
    paragon_emulator.inject_api_fault(["getSyncStatus"], status=503, count=1)
    assert paragon_client.get(f"/api/syncs/{sync['id']}").status_code == 503
    assert paragon_client.get(f"/api/syncs/{sync['id']}").status_code == 200
    paragon_emulator.inject_sync_fault(sync["id"], "credential_revoked")
    paragon_emulator.advance(seconds=10)
    assert paragon_client.get(f"/api/syncs/{sync['id']}").json()["status"] == "ERRORED"
    assert paragon_emulator.clear_faults() == 0  # both were one-shot and are used up
    paragon_client.get("/api/syncs", params={"nonsense": "1"})
    report = paragon_emulator.contract_report()
    assert report["requests"] == 5 and report["invalidRequests"] == 1
    assert report["violations"][0]["rule"] == "unknownParameter"


def test_webhooks_arrive_signed_and_wait_for_returns_the_payload(paragon_emulator, paragon_client, paragon_webhooks) -> None:
    sync = paragon_client.post("/api/syncs", json=BOX).json()
    paragon_emulator.advance(seconds=10)
    done = paragon_webhooks.wait_for("sync_complete", sync_id=sync["id"])
    assert done["syncInstanceId"] == sync["id"] and done["user"] == {"id": "alice"}
    [webhook] = paragon_webhooks.received
    assert webhook.verified and webhook.headers["webhook-id"] == paragon_emulator.webhook_log[0].event.id
    assert paragon_webhooks.payloads == [done]
    trigger = paragon_emulator.trigger(sync["id"], "sync_errored", message="boom")
    assert paragon_webhooks.wait_for("sync_errored")["error"]["message"] == "boom"
    assert trigger.event.type == "sync_errored"


def test_a_failing_receiver_is_retried_on_the_clock(paragon_emulator, paragon_client, paragon_webhooks) -> None:
    paragon_webhooks.status_code = 500
    sync = paragon_client.post("/api/syncs", json=BOX).json()
    paragon_emulator.advance(seconds=10)
    until(lambda: paragon_emulator.webhook_log[0].status == "pending")  # the first attempt failed
    with pytest.raises(pytest.fail.Exception, match="sync_complete +sync .* pending, 1 attempt\\(s\\), last: HTTP 500"):
        paragon_webhooks.wait_for("sync_complete", timeout=0.1)
    paragon_webhooks.status_code = 200
    paragon_emulator.advance(seconds=15)  # the first retry is due after 10 s +-20%
    assert paragon_webhooks.wait_for("sync_complete", sync_id=sync["id"])


def test_deliveries_with_a_bad_signature_are_refused(paragon_emulator, paragon_client, paragon_webhooks) -> None:
    paragon_emulator.configure_webhooks(secret="whsec_" + "d3Jvbmctc2VjcmV0")  # not the receiver's secret
    paragon_client.post("/api/syncs", json=BOX)
    paragon_emulator.advance(seconds=10)
    until(lambda: paragon_webhooks.rejected)
    with pytest.raises(pytest.fail.Exception, match="(?s)Refused 1 delivery\\(ies\\) with a bad signature:.*does not match"):
        paragon_webhooks.wait_for("sync_complete", timeout=0.1)
    assert paragon_webhooks.received == [] and not paragon_webhooks.rejected[0].verified
    assert paragon_webhooks.secret == WEBHOOK_SECRET


def test_a_reset_mid_test_keeps_the_receiver_and_the_tests_scenarios(paragon_emulator, paragon_client, paragon_webhooks) -> None:
    paragon_emulator.scenarios = ("shared-drive",)  # as the marker would set them
    paragon_emulator.reset()
    [sync] = paragon_client.get("/api/syncs").json()["data"]
    paragon_emulator.advance(seconds=10)
    assert paragon_webhooks.wait_for("sync_complete", sync_id=sync["id"])


def test_two_receivers_the_last_one_configured_wins(paragon_emulator, paragon_client, paragon_webhooks) -> None:
    second = WebhookReceiver(paragon_emulator)
    try:
        paragon_client.post("/api/syncs", json=BOX)
        paragon_emulator.advance(seconds=10)
        assert second.wait_for("sync_complete")
        assert paragon_webhooks.received == []
    finally:
        second.close()


@pytest.mark.paragon_scenario("crm")
def test_the_scenario_marker_loads_a_scenario_for_one_test(paragon_client) -> None:
    syncs = paragon_client.get("/api/syncs").json()["data"]
    assert {s["integration"] for s in syncs} == {"hubspot"} and len(syncs) == 3


@pytest.mark.paragon_scenario("shared-drive")
def test_the_marker_alone_resets_and_loads(request) -> None:
    handle = request.getfixturevalue("paragon_emulator")
    assert [s.integration for s in handle.emulator.syncs.all()] == ["googledrive"]


@pytest.mark.paragon_scenario("crm")
class TestMarkersOnAClass:
    @pytest.mark.paragon_scenario("shared-drive")
    def test_class_and_function_markers_both_apply(self, paragon_emulator) -> None:
        assert paragon_emulator.scenarios == ("crm", "shared-drive")
        assert {s.integration for s in paragon_emulator.emulator.syncs.all()} == {"hubspot", "googledrive"}


def test_without_a_marker_no_scenario_is_loaded(paragon_emulator) -> None:
    assert paragon_emulator.scenarios == () and paragon_emulator.emulator.syncs.all() == []


def test_the_asgi_client_talks_to_the_same_emulator(paragon_emulator, paragon_asgi_client) -> None:
    sync = paragon_asgi_client.post("/api/syncs", json=BOX).json()
    assert [s.id for s in paragon_emulator.emulator.syncs.all()] == [sync["id"]]
    assert paragon_emulator.requests[-1] == ("POST", "/api/syncs", 200, "")


@pytest.mark.anyio
async def test_the_async_client_over_the_asgi_transport(paragon_emulator, paragon_async_client) -> None:
    async with paragon_async_client as client:
        sync = (await client.post("/api/syncs", json=BOX)).json()
        paragon_emulator.advance(seconds=10)
        page = (await client.get(f"/api/syncs/{sync['id']}/records", params={"pageSize": 5})).json()
    assert len(page["data"]) == 5 and page["paging"]["totalRecords"] == 25


def test_syncs_are_enabled_listed_and_deleted_from_python(paragon_emulator: ParagonEmulator) -> None:
    sync = paragon_emulator.enable_sync("dana", "hubspot", "contacts", configuration_name="crm")
    with paragon_emulator.client("dana") as client:
        listed = client.get("/api/syncs").json()["data"]
        assert [s["id"] for s in listed] == [sync.id] and listed[0]["configurationName"] == "crm"
        paragon_emulator.advance(duration="24h1m")  # the full sync is due 24 h after the initial one ends
        status = client.get(f"/api/syncs/{sync.id}").json()
        assert status["status"] in ("IDLE", "ACTIVE") and "lastPeriodicFullSyncedAt" in status["summary"]
    assert [s.id for s in paragon_emulator.list_syncs("dana")] == [sync.id]
    assert paragon_emulator.list_syncs("erin") == []
    paragon_emulator.delete_sync("dana", sync.id)
    assert paragon_emulator.list_syncs("dana") == []


def test_the_event_and_webhook_logs_keep_the_newest_ten_thousand(paragon_emulator, paragon_client) -> None:
    """Every record of a 10,001-item account fails (a standing record_error), so the initial sync
    emits 10,002 events: the two oldest leave both logs, the rest stay in order."""
    paragon_emulator.size_upstream("alice", "box", "files", 10_001)
    sync = paragon_client.post("/api/syncs", json=BOX).json()
    paragon_emulator.inject_sync_fault(sync["id"], "record_error", once=False)
    paragon_emulator.advance(seconds=120)  # 1 + 2 s, plus 0.01 s an item
    assert paragon_client.get(f"/api/syncs/{sync['id']}").json()["status"] == "IDLE"
    account = paragon_emulator.emulator.upstream_account(paragon_emulator.project_id, "alice", "box", "files")
    first = [str(uuid.uuid5(uuid.UUID(sync["id"]), e)) for e in itertools.islice(account.external_ids(), 3)]
    events, log = paragon_emulator.events, paragon_emulator.webhook_log
    assert len(events) == len(log) == 10_000
    assert [e.id for e in events] == [d.event.id for d in log]
    assert [e.data["recordId"] for e in events[:1]] == first[2:]  # items 0 and 1 are gone
    assert events[-1].type == "sync_complete" and events[-2].type == "record_errored"
    assert paragon_emulator.emulator.webhook_log(type_="record_errored")[0].event.data["recordId"] == first[2]


def test_python_callers_meet_the_checks_the_http_schema_makes_first(paragon_emulator, paragon_client) -> None:
    """Over HTTP the spec refuses these before the domain sees them; from Python the domain does."""
    from datetime import datetime, timezone

    from paragon_emulator.domain.errors import InvalidInput

    with pytest.raises(InvalidInput) as bad:
        paragon_emulator.advance(duration="5m!")
    assert (bad.value.field, bad.value.message) == ("duration", "'5m!' is not a duration like 90s, 5m or 1h30m")
    paragon_emulator.set_clock(now=datetime(2030, 1, 1, 12))  # naive: read as UTC
    assert paragon_emulator.now == datetime(2030, 1, 1, 12, tzinfo=timezone.utc)
    sync = paragon_client.post("/api/syncs", json=BOX).json()
    with pytest.raises(InvalidInput) as unknown:
        paragon_emulator.inject_sync_fault(sync["id"], "meteor")
    assert (unknown.value.field, unknown.value.message) == (
        "kind", "unknown fault 'meteor'; one of credential_revoked, root_missing, rate_limited, record_error"
    )
    with pytest.raises(InvalidInput) as empty:  # over HTTP the spec's minLength refuses it first
        paragon_emulator.configure_webhooks(secret="whsec_")
    assert (empty.value.field, empty.value.message) == ("secret", "the secret is empty")
