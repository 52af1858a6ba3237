"""Batch-check's echo: objects come back typed (`file:<id>`, `folder:<id>`), or bare by a setting."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from paragon_emulator import create_app
from tests.conftest import PROJECT, advance, make_settings

UPSTREAM = f"/_emulator/upstream/{PROJECT}/alice/googledrive/files"
FOLDER = "application/vnd.google-apps.folder"
UNKNOWN = "a657df3b-17e2-5989-bc5f-13ddb7fdab41"


def synced_folder_and_file(client, headers):
    """A folder holding a file, both Ann's, synced: (sync id, folder record id, file record id)."""
    folder = client.post(f"{UPSTREAM}/items", json={"fields": {"name": "Team", "mimeType": FOLDER, "owner": "ann@acme.test"}})
    plan = client.post(
        f"{UPSTREAM}/items",
        json={"fields": {"name": "plan.txt", "owner": "ann@acme.test", "parentExternalId": folder.json()["externalId"]}},
    )
    sync = client.post("/api/syncs", json={"integration": "googledrive", "pipeline": "files"}, headers=headers).json()["id"]
    advance(client, 10)
    records = client.get(f"/api/syncs/{sync}/records", headers=headers).json()["data"]
    rid = {r["externalId"]: r["id"] for r in records}
    return sync, rid[folder.json()["externalId"]], rid[plan.json()["externalId"]]


def batch(client, headers, sync, checks):
    response = client.post(f"/api/permissions/{sync}/batch-check", json={"checks": checks}, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()["result"]


@pytest.mark.parametrize("echo", [None, "typed", "bare"])
def test_the_echo_names_each_object_typed_unless_set_to_bare(auth, echo):
    settings = make_settings(account_size=0, **({"batch_check_echo": echo} if echo else {}))
    with TestClient(create_app(settings)) as client:
        headers = auth()
        sync, folder, plan = synced_folder_and_file(client, headers)
        checks = [
            {"object": plan, "user": "user:ANN@acme.test", "role": "can_read"},
            {"object": folder, "user": "ann@acme.test", "role": "is_owner"},
            {"object": f"folder:{plan}", "user": "ann@acme.test", "role": "can_read"},  # typed, wrongly: as sent
            {"object": UNKNOWN, "user": "ann@acme.test", "role": "can_read"},  # not held: its type is unknown
            {"object": plan, "user": "ann@acme.test", "role": "admin"},  # an error still echoes the object typed
        ]
        result = batch(client, headers, sync, checks)
        assert [r["allowed"] for r in result] == [True, True, False, False, False]
        assert "role" in result[4]["error"] and all("error" not in r for r in result[:4])
        sent_objects = [c["object"] for c in checks]
        if echo == "bare":
            assert [r["request"] for r in result] == checks
        else:
            typed = [f"file:{plan}", f"folder:{folder}", f"folder:{plan}", UNKNOWN, f"file:{plan}"]
            assert [r["request"]["object"] for r in result] == typed
            assert [{**r["request"], "object": o} for r, o in zip(result, sent_objects)] == checks  # user, role as sent
            # What Paragon's own RAG client does with the answer: keep the ids of allowed objects.
            assert [r["request"]["object"].split(":")[1] for r in result if r["allowed"]] == [plan, folder]


def test_a_bad_echo_setting_is_refused():
    with pytest.raises(ValueError, match="batch_check_echo"):
        make_settings(batch_check_echo="fancy")
