"""The Permissions API's surface: auth, validation and sync checks are real; answers are 501 for now."""

from __future__ import annotations


def test_permission_questions(client, auth):
    files = client.post("/api/syncs", json={"integration": "googledrive", "pipeline": "files"}, headers=auth()).json()
    crm = client.post("/api/syncs", json={"integration": "hubspot", "pipeline": "contacts"}, headers=auth()).json()
    question = {"object": "a657df3b-17e2-5989-bc5f-13ddb7fdab41", "user": "jane@acme.com", "role": "can_read"}

    unknown = client.post("/api/permissions/nope/check", json=question, headers=auth())
    assert unknown.status_code == 404 and unknown.json()["code"] == "SYNC_NOT_FOUND"
    not_files = client.post(f"/api/permissions/{crm['id']}/check", json=question, headers=auth())
    assert not_files.status_code == 400 and "file" in not_files.json()["message"]
    bad_role = client.post(f"/api/permissions/{files['id']}/check", json={**question, "role": "owner"}, headers=auth())
    assert bad_role.status_code == 400 and bad_role.json()["errors"][0]["path"] == "$.role"
    answer = client.post(f"/api/permissions/{files['id']}/check", json=question, headers=auth())
    assert answer.status_code == 501 and answer.json()["code"] == "NOT_IMPLEMENTED"
