"""Scenarios: bundled upstream worlds loadable by name, at start-up or through the control plane."""

from __future__ import annotations

from starlette.testclient import TestClient

from paragon_emulator import create_app
from tests.conftest import advance, make_settings


def test_bundled_scenarios_are_listed(client):
    names = {s["name"] for s in client.get("/_emulator/scenarios").json()["data"]}
    assert {"empty", "shared-drive", "crm"} <= names


def test_shared_drive_at_start_up_with_nested_folders(auth):
    with TestClient(create_app(make_settings(scenario="shared-drive"))) as client:
        syncs = client.get("/api/syncs", headers=auth()).json()["data"]
        assert len(syncs) == 1
        advance(client, 5)
        records = client.get(f"/api/syncs/{syncs[0]['id']}/records", params={"pageSize": 1000}, headers=auth()).json()
        assert records["paging"]["totalRecords"] == 60 + 7
        by_name = {r["name"]: r for r in records["data"]}
        onboarding = by_name["Onboarding.pdf"]
        assert onboarding["parentFolderId"] == by_name["Handbook"]["id"]
        assert by_name["Handbook"]["parentFolderId"] == by_name["Team"]["id"]
        # Its sharing: Team is for everyone (lee directly, sam through design inside everyone).
        check = lambda obj, user, role: client.post(  # noqa: E731
            f"/api/permissions/{syncs[0]['id']}/check", json={"object": by_name[obj]["id"], "user": user, "role": role},
            headers=auth(),
        ).json()["hasAccess"]
        assert check("Onboarding.pdf", "lee@northwind.example", "can_read")
        assert not check("Onboarding.pdf", "lee@northwind.example", "can_write")
        assert check("Onboarding.pdf", "sam@northwind.example", "can_write")
        assert check("Roadmap 2026.csv", "pat@partner.example", "can_read")
        assert not check("Onboarding.pdf", "pat@partner.example", "can_read")
        assert check("Launch notes.txt", "anyone@anywhere.example", "can_read")
        # A full reset returns to the start-up scenario.
        assert client.post("/_emulator/reset").json() == {"syncsRemoved": 1}
        assert len(client.get("/api/syncs", headers=auth()).json()["data"]) == 1


def test_crm_scenario_through_the_control_plane(client, auth):
    loaded = client.post("/_emulator/scenarios/crm").json()
    assert loaded["name"] == "crm" and len(loaded["syncIds"]) == 3
    advance(client, 5)
    totals = sorted(
        client.get(f"/api/syncs/{sync_id}/records", headers=auth()).json()["paging"]["totalRecords"]
        for sync_id in loaded["syncIds"]
    )
    assert totals == [40, 120, 300]
    again = client.post("/_emulator/scenarios/crm")
    assert again.status_code == 400  # the accounts exist already
    assert client.post("/_emulator/scenarios/nope").status_code == 404


def test_empty_scenario_gives_empty_accounts(client, auth):
    client.post("/_emulator/scenarios/empty")
    sync = client.post("/api/syncs", json={"integration": "salesforce", "pipeline": "deals"}, headers=auth()).json()
    advance(client, 5)
    status = client.get(f"/api/syncs/{sync['id']}", headers=auth()).json()
    assert status["status"] == "IDLE" and status["summary"]["totalRecords"] == 0
