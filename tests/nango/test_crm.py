"""CRM connections (salesforce, hubspot): their syncs and models, a records feed that followers end
in line with upstream, payloads equal to the Paragon door's records, and refusals."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings as hsettings, strategies as st
from starlette.testclient import TestClient

from paragon_emulator import create_app
from paragon_emulator.nango.keys import secret_keys
from tests.conftest import PROJECT, advance, make_settings
from tests.nango.conftest import Nango

CONTACTS = f"/_emulator/upstream/{PROJECT}/alice/hubspot/contacts"
TRIGGER = {"provider_config_key": "hubspot", "connection_id": "crm-1", "syncs": ["contacts"]}


def records_page(nango, **params):
    response = nango.records("crm-1", "hubspot", **params)
    assert response.status_code == 200, response.text
    return response.json()


def pull_all(nango, model, limit, cursor=None):
    """(records, last cursor) following next_cursor from `cursor` until it is null."""
    found = []
    while True:
        body = records_page(nango, model=model, limit=limit, **({"cursor": cursor} if cursor else {}))
        found += body["records"]
        if found:
            cursor = found[-1]["_nango_metadata"]["cursor"]
        if body["next_cursor"] is None:
            return found, cursor
        assert body["next_cursor"] == body["records"][-1]["_nango_metadata"]["cursor"]


steps = st.lists(
    st.one_of(
        st.tuples(st.just("create"), st.integers(0, 10**6)),
        st.tuples(st.just("rename"), st.integers(0, 10**6)),
        st.tuples(st.just("delete"), st.integers(0, 10**6)),
        st.tuples(st.just("trigger"), st.just(0)),
        st.tuples(st.just("wait"), st.integers(1, 120)),
        st.tuples(st.just("pull"), st.integers(1, 7)),
    ),
    max_size=20,
)


@hsettings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps=steps, size=st.integers(0, 8))
def test_a_hubspot_contacts_follower_ends_with_exactly_the_upstream_state(steps, size):
    settings = make_settings(account_size=size)
    with TestClient(create_app(settings)) as client:
        nango = Nango(client, secret_keys(settings)[PROJECT])
        nango.connect("crm-1", "alice", "hubspot")
        nango.start("crm-1", "hubspot", ["contacts"])
        advance(client, 5)
        view: dict[str, dict] = {}
        cursor = None

        def catch_up(limit):
            nonlocal cursor
            found, cursor = pull_all(nango, "Contact", limit, cursor)
            for record in found:
                view[record["id"]] = record

        def upstream() -> dict[str, dict]:
            return {i["externalId"]: i for i in client.get(CONTACTS, params={"limit": 1000}).json()["items"]}

        for action, number in steps:
            existing = sorted(upstream())
            if action == "create":
                assert client.post(CONTACTS + "/items", json={"fields": {"firstName": f"New{number}"}}).status_code < 300
            elif action == "rename" and existing:
                target = existing[number % len(existing)]
                assert client.patch(CONTACTS + f"/items/{target}", json={"fields": {"firstName": f"R{number}"}}).status_code < 300
            elif action == "delete" and existing:
                assert client.delete(CONTACTS + f"/items/{existing[number % len(existing)]}").status_code < 300
            elif action == "trigger":
                nango.ok("POST", "/sync/trigger", json=TRIGGER)
                advance(client, 2)
            elif action == "wait":
                advance(client, number)
            elif action == "pull":
                catch_up(number)
        nango.ok("POST", "/sync/trigger", json={**TRIGGER, "opts": {"reset": True}})  # a full run: in line with upstream
        advance(client, 3600)
        catch_up(3)
        final = upstream()
        live = {i: r for i, r in view.items() if r["_nango_metadata"]["deleted_at"] is None}
        assert sorted(live) == sorted(final)
        for external_id, record in live.items():
            item = final[external_id]
            assert record["firstName"] == item["firstName"] and record["emails"] == item["emails"]
        gone = {i for i, r in view.items() if r["_nango_metadata"]["last_action"] == "DELETED"}
        assert gone == {i for i in view if i not in final}
        assert records_page(nango, model="Contact", cursor=cursor)["records"] == []


def test_crm_models_are_the_paragon_records_with_the_upstream_id(nango, emulator_client, auth):
    nango.connect("sf-1", "alice", "salesforce")
    assert nango.ok("POST", "/sync/start", json={"provider_config_key": "salesforce", "connection_id": "sf-1", "syncs": []}) == {"success": True}
    advance(emulator_client, 10)
    statuses = nango.status("sf-1", "salesforce", "*")
    assert [(s["name"], s["status"], list(s["recordCount"])) for s in statuses] == [
        ("contacts", "SUCCESS", ["Contact"]), ("companies", "SUCCESS", ["Company"]), ("deals", "SUCCESS", ["Deal"])]
    headers = auth("alice")
    syncs = {s["pipeline"]: s["id"] for s in emulator_client.get("/api/syncs", headers=headers).json()["data"]}
    assert set(syncs) == {"contacts", "companies", "deals"}
    for model, pipeline in (("Contact", "contacts"), ("Company", "companies"), ("Deal", "deals")):
        found = {r["id"]: {k: v for k, v in r.items() if k != "_nango_metadata"}
                 for r in nango.records("sf-1", "salesforce", model=model, limit=1000).json()["records"]}
        paragon = emulator_client.get(f"/api/syncs/{syncs[pipeline]}/records", params={"pageSize": 1000}, headers=headers).json()["data"]
        expected = {r["externalId"]: {"id": r["externalId"], **{k: v for k, v in r.items() if k not in ("id", "externalId")}} for r in paragon}
        assert found == expected and len(found) > 0


def test_crm_refusals_and_file_syncs_stay_apart(nango, emulator_client):
    nango.connect("crm-1", "alice", "hubspot")
    nango.connect("g-1", "alice", "google-drive")
    wrong = nango.request("POST", "/sync/start", json={"provider_config_key": "hubspot", "connection_id": "crm-1", "syncs": ["documents"]})
    assert wrong.status_code == 400 and wrong.json()["error"]["code"] == "no_syncs_found"
    wrong = nango.request("POST", "/sync/start", json={"provider_config_key": "google-drive", "connection_id": "g-1", "syncs": ["deals"]})
    assert wrong.status_code == 400 and wrong.json()["error"]["code"] == "no_syncs_found"
    assert nango.status("crm-1", "hubspot", "documents") == []
    assert [s["name"] for s in nango.status("g-1", "google-drive", "*")] == ["documents", "files"]
    nango.start("crm-1", "hubspot", ["deals"])
    advance(emulator_client, 5)
    assert records_page(nango, model="Document")["records"] == []  # not a model of a CRM connection
    assert len(records_page(nango, model="Deal", limit=1000)["records"]) > 0
    assert records_page(nango, model="Contact")["records"] == []  # its sync was never started
