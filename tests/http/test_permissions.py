"""The Permissions API: errors, when upstream sharing changes become visible, the change feed, streams."""

from __future__ import annotations

import json
import uuid

import pytest
from starlette.testclient import TestClient

from paragon_emulator import create_app
from tests.conftest import PROJECT, advance, make_settings

UPSTREAM = f"/_emulator/upstream/{PROJECT}/alice/googledrive/files"
FOLDER = "application/vnd.google-apps.folder"


def enable(client, headers, integration="googledrive", **configuration):
    body = {"integration": integration, "pipeline": "files", "configuration": configuration}
    response = client.post("/api/syncs", json=body, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()["id"]


def create(client, upstream=UPSTREAM, **fields):
    response = client.post(f"{upstream}/items", json={"fields": fields})
    assert response.status_code == 200, response.text
    return response.json()["externalId"]


def record_ids(client, headers, sync):
    records = client.get(f"/api/syncs/{sync}/records", params={"pageSize": 1000}, headers=headers).json()["data"]
    return {r["externalId"]: r["id"] for r in records}


@pytest.fixture
def small(auth):
    with TestClient(create_app(make_settings(account_size=0))) as client:
        yield client


def team_folder_with_a_plan(client, headers):
    """Ann's Team folder holding plan.txt, synced: (folder, doc, sync id, record id by external id)."""
    folder = create(client, name="Team", mimeType=FOLDER, owner="ann@acme.test")
    doc = create(client, name="plan.txt", owner="ann@acme.test", parentExternalId=folder)
    sync = enable(client, headers)
    advance(client, 10)
    return folder, doc, sync, record_ids(client, headers, sync)


def ask(client, headers, sync, op, **body):
    return client.post(f"/api/permissions/{sync}/{op}", json=body, headers=headers)


def test_errors_name_the_field_and_unknown_objects_are_simply_not_shared(client, auth):
    files = enable(client, auth())
    crm = client.post("/api/syncs", json={"integration": "hubspot", "pipeline": "contacts"}, headers=auth()).json()["id"]
    question = {"object": "a657df3b-17e2-5989-bc5f-13ddb7fdab41", "user": "jane@acme.com", "role": "can_read"}

    unknown = ask(client, auth(), "nope", "check", **question)
    assert unknown.status_code == 404 and unknown.json()["code"] == "SYNC_NOT_FOUND"
    other_tenant = ask(client, auth("bob"), files, "check", **question)
    assert other_tenant.status_code == 404
    not_files = ask(client, auth(), crm, "list-objects", objectType="file", user="jane@acme.com", role="can_read")
    assert not_files.status_code == 400 and not_files.json()["code"] == "PERMISSIONS_NOT_SUPPORTED"
    bad_role = ask(client, auth(), files, "check", **{**question, "role": "owner"})
    assert bad_role.status_code == 400 and bad_role.json()["errors"][0]["path"] == "$.role"
    bad_type = ask(client, auth(), files, "check", **{**question, "object": "space:abc"})
    assert bad_type.status_code == 400 and bad_type.json()["errors"][0]["path"] == "$.object"
    bad_user = ask(client, auth(), files, "list-objects", objectType="file", user="group:eng", role="can_read")
    assert bad_user.status_code == 400 and bad_user.json()["errors"][0]["path"] == "$.user"
    bad_object_type = ask(client, auth(), files, "list-objects", objectType="space", user="jane@acme.com", role="can_read")
    assert bad_object_type.status_code == 400 and bad_object_type.json()["errors"][0]["path"] == "$.objectType"
    bad_relation = ask(client, auth(), files, "expand", object=question["object"], relation="cousin")
    assert bad_relation.status_code == 400 and bad_relation.json()["errors"][0]["path"] == "$.relation"

    # Like OpenFGA, an object the sync never stored is shared with nobody.
    assert ask(client, auth(), files, "check", **question).json() == {"hasAccess": False}
    assert ask(client, auth(), files, "list-users", object=question["object"], role="can_read").json() == {"users": []}

    # One bad check in a batch gets its own error; the others are answered; every request is echoed.
    checks = [question, {**question, "role": "admin"}, {**question, "object": "doc:1"}, {**question, "user": "nobody"}]
    result = ask(client, auth(), files, "batch-check", checks=checks)
    assert result.status_code == 200
    answers = result.json()["result"]
    assert [a["request"] for a in answers] == checks
    assert [a["allowed"] for a in answers] == [False] * 4
    assert "error" not in answers[0]
    assert "role" in answers[1]["error"] and "doc" in answers[2]["error"] and "email" in answers[3]["error"]
    too_many = ask(client, auth(), files, "batch-check", checks=[question] * 101)
    assert too_many.status_code == 400 and too_many.json()["errors"][0]["path"] == "$.checks"


def test_sharing_changes_become_visible_only_after_the_sync_that_sees_them(small, auth):
    client, headers = small, auth()
    folder, doc, sync, rid = team_folder_with_a_plan(client, headers)
    bob_reads = {"object": rid[doc], "user": "bob@acme.test", "role": "can_read"}
    assert ask(client, headers, sync, "check", **bob_reads).json() == {"hasAccess": False}

    # Share the folder with a group and put bob in a group nested inside it.
    client.put(f"{UPSTREAM}/directory/groups/eng@acme.test", json={"members": ["group:core@acme.test"]})
    client.put(f"{UPSTREAM}/directory/groups/core@acme.test", json={"members": ["user:bob@acme.test"]})
    shared = client.post(f"{UPSTREAM}/items/{folder}/share", json={"type": "group", "email": "eng@acme.test", "role": "writer"})
    assert shared.status_code == 200 and shared.json()["version"] == 0  # sharing does not change the file
    assert ask(client, headers, sync, "check", **bob_reads).json() == {"hasAccess": False}
    advance(client, 30)
    assert ask(client, headers, sync, "check", **bob_reads).json() == {"hasAccess": False}
    advance(client, 35)  # the incremental run at 60 s sees the share and the memberships
    assert ask(client, headers, sync, "check", **bob_reads).json() == {"hasAccess": True}
    assert ask(client, headers, sync, "check", **{**bob_reads, "role": "can_write"}).json() == {"hasAccess": True}
    assert ask(client, headers, sync, "check", **{**bob_reads, "role": "is_owner"}).json() == {"hasAccess": False}
    assert "bob@acme.test" in ask(client, headers, sync, "list-users", object=rid[doc], role="can_write").json()["users"]
    objects = ask(client, headers, sync, "list-objects", objectType="file", user="bob@acme.test", role="can_read")
    assert objects.json() == {"objects": [rid[doc]]}

    # A membership change alone, then an unshare: each waits for the next run.
    client.put(f"{UPSTREAM}/directory/groups/core@acme.test", json={"members": []})
    assert ask(client, headers, sync, "check", **bob_reads).json() == {"hasAccess": True}
    advance(client, 62)
    assert ask(client, headers, sync, "check", **bob_reads).json() == {"hasAccess": False}
    client.post(f"{UPSTREAM}/items/{doc}/share", json={"type": "anyone"})
    advance(client, 62)
    assert ask(client, headers, sync, "check", **{**bob_reads, "user": "stranger@else.test"}).json() == {"hasAccess": True}
    unshared = client.post(f"{UPSTREAM}/items/{doc}/unshare", json={"type": "anyone"})
    assert unshared.status_code == 200
    assert ask(client, headers, sync, "check", **{**bob_reads, "user": "stranger@else.test"}).json() == {"hasAccess": True}
    advance(client, 62)
    assert ask(client, headers, sync, "check", **{**bob_reads, "user": "stranger@else.test"}).json() == {"hasAccess": False}
    again = client.post(f"{UPSTREAM}/items/{doc}/unshare", json={"type": "anyone"})
    assert again.status_code == 400


def test_the_change_feed_pages_ends_with_the_same_token_and_binds_it_to_the_type(small, auth):
    client, headers = small, auth()
    folder, doc, sync, rid = team_folder_with_a_plan(client, headers)
    feed = f"/api/permissions/{sync}/changes"

    seen, token = [], None
    while True:
        params = {"pageSize": 2, **({"continuationToken": token} if token else {})}
        page = client.get(feed, params=params, headers=headers).json()
        if not page["changes"]:
            assert page["continuationToken"] == token  # the end: same token back, to poll with later
            break
        seen += page["changes"]
        token = page["continuationToken"]
    tuples = {(c["tupleKey"]["user"], c["tupleKey"]["relation"], c["tupleKey"]["object"]) for c in seen}
    assert ("user:ann@acme.test", "owner", f"file:{rid[doc]}") in tuples
    assert (f"folder:{rid[folder]}", "parent", f"file:{rid[doc]}") in tuples
    assert all(c["operation"] == "write" for c in seen)

    client.post(f"{UPSTREAM}/items/{doc}/share", json={"type": "user", "email": "bob@acme.test", "role": "reader"})
    client.post(f"{UPSTREAM}/items/{doc}/share", json={"type": "user", "email": "bob@acme.test", "role": "writer"})
    assert client.get(feed, params={"continuationToken": token}, headers=headers).json()["changes"] == []
    advance(client, 62)
    later = client.get(feed, params={"continuationToken": token}, headers=headers).json()
    assert [(c["operation"], c["tupleKey"]) for c in later["changes"]] == [
        ("write", {"user": "user:bob@acme.test", "relation": "editor", "object": f"file:{rid[doc]}"})
    ]
    assert later["changes"][0]["timestamp"] > seen[-1]["timestamp"]  # stamped when the run saw it

    folders_only = client.get(feed, params={"type": "folder"}, headers=headers).json()
    assert folders_only["changes"] and all(c["tupleKey"]["object"].startswith("folder:") for c in folders_only["changes"])
    mismatch = client.get(feed, params={"continuationToken": folders_only["continuationToken"]}, headers=headers)
    assert mismatch.status_code == 400 and mismatch.json()["code"] == "PERMISSION_CHANGES_CURSOR_TYPE_MISMATCH"
    invalid = client.get(feed, params={"continuationToken": "bm9wZQ=="}, headers=headers)
    assert invalid.status_code == 400 and invalid.json()["code"] == "PERMISSION_CHANGES_CURSOR_INVALID"
    start = later["changes"][0]["timestamp"]
    since = client.get(feed, params={"startTime": start}, headers=headers).json()["changes"]
    assert since == later["changes"]


def test_streams_are_ndjson_and_the_all_syncs_stream_reports_a_failed_sync_and_carries_on(small, auth):
    client, headers = small, auth()
    doc = create(client, name="plan.txt", owner="ann@acme.test", permissions=[{"type": "domain", "domain": "acme.test"}])
    drive = enable(client, headers)
    box = enable(client, headers, integration="box")
    client.post("/api/syncs", json={"integration": "hubspot", "pipeline": "contacts"}, headers=headers)
    box_upstream = f"/_emulator/upstream/{PROJECT}/alice/box/files"
    create(client, box_upstream, name="box.txt", owner="zed@acme.test")
    advance(client, 10)
    rid = record_ids(client, headers, drive)
    question = {"objectType": "file", "user": "bob@acme.test", "role": "can_read"}

    streamed = client.post(f"/api/permissions/{drive}/streamed-list-objects", json=question, headers=headers)
    assert streamed.status_code == 200 and streamed.headers["content-type"].startswith("application/x-ndjson")
    assert [json.loads(line) for line in streamed.text.splitlines()] == [{"object": rid[doc]}]

    client.post("/_emulator/faults/sync", json={"syncId": box, "kind": "credential_revoked"})
    client.patch(f"/api/syncs/{box}", json={"credentialId": "a-new-credential"}, headers=headers)
    advance(client, 5)
    assert client.get(f"/api/syncs/{box}", headers=headers).json()["status"] == "ERRORED"
    everything = client.post("/api/permissions/streamed-list-objects", json=question, headers=headers)
    lines = {line["syncInstanceId"]: line for line in map(json.loads, everything.text.splitlines())}
    assert lines[drive] == {"syncInstanceId": drive, "integration": "googledrive", "object": rid[doc]}
    assert lines[box]["integration"] == "box" and "ERRORED" in lines[box]["error"]
    assert len(lines) == 2  # the CRM sync keeps no permissions and is skipped


def test_access_inherited_from_above_a_folder_sync_counts_and_dropbox_groups_need_org_wide_sync(small, auth):
    client, headers = small, auth()
    root = create(client, name="Root", mimeType=FOLDER, owner="ann@acme.test",
                  permissions=[{"type": "user", "email": "bob@acme.test", "role": "reader"}])
    inner = create(client, name="inner.txt", owner="ann@acme.test", parentExternalId=root)
    sync = enable(client, headers, folderId=root)
    advance(client, 10)
    rid = record_ids(client, headers, sync)
    assert set(rid) == {inner}  # the root folder itself is not a synced record ...
    reads = {"object": rid[inner], "user": "bob@acme.test", "role": "can_read"}
    assert ask(client, headers, sync, "check", **reads).json() == {"hasAccess": True}  # ... but passes access down
    objects = ask(client, headers, sync, "list-objects", objectType="folder", user="bob@acme.test", role="can_read")
    assert objects.json() == {"objects": []}

    dropbox = f"/_emulator/upstream/{PROJECT}/alice/dropbox/files"
    client.put(f"{dropbox}/directory/groups/eng@acme.test", json={"members": ["user:bob@acme.test"]})
    shared = create(client, dropbox, name="d.txt", owner="ann@acme.test",
                    permissions=[{"type": "group", "email": "eng@acme.test", "role": "reader"}])
    personal = enable(client, headers, integration="dropbox")
    team = client.post("/api/syncs", headers=headers, json={
        "integration": "dropbox", "pipeline": "files", "configurationName": "team", "configuration": {"orgWideSync": True},
    }).json()["id"]
    advance(client, 10)
    for sync_id, expected in ((personal, False), (team, True)):
        ids = record_ids(client, headers, sync_id)
        answer = ask(client, headers, sync_id, "check", object=ids[shared], user="bob@acme.test", role="can_read")
        assert answer.json() == {"hasAccess": expected}


def test_generated_accounts_share_realistically(client, auth):
    headers = auth()
    sync = enable(client, headers)
    advance(client, 10)
    records = client.get(f"/api/syncs/{sync}/records", params={"pageSize": 1000}, headers=headers).json()["data"]
    directory = client.get(f"{UPSTREAM}/directory").json()
    assert len(directory["users"]) >= 12 and len(directory["groups"]) >= 3
    nested = [m for g in directory["groups"] for m in g["members"] if m.startswith("group:")]
    assert nested  # teams sit inside staff
    upstream = {i["externalId"]: i for i in client.get(UPSTREAM, params={"limit": 1000}).json()["items"]}
    owners = {upstream[r["externalId"]]["owner"] for r in records}
    some = records[-1]
    owner = upstream[some["externalId"]]["owner"]
    assert ask(client, headers, sync, "check", object=some["id"], user=owner, role="is_owner").json() == {"hasAccess": True}
    reach = {u: ask(client, headers, sync, "list-objects", objectType="file", user=u, role="can_read").json()["objects"]
             for u in directory["users"][:8]}
    # Owners reach their own files; not everyone reaches everything.
    assert all(reach[u] for u in owners if u in reach)
    files = [r for r in records if r["mimeType"] != "application/vnd.google-apps.folder"]
    assert any(len(objects) < len(files) for objects in reach.values())


def test_permissions_can_be_switched_off_for_huge_accounts(auth):
    with TestClient(create_app(make_settings(permissions=False))) as client:
        sync = enable(client, auth())
        advance(client, 10)
        answer = ask(client, auth(), sync, "check", object="x", user="a@b.test", role="can_read")
        assert answer.status_code == 400 and "PERMISSIONS=false" in answer.json()["message"]


def test_a_folder_the_account_loses_still_passes_access_to_what_stays_synced(small, auth):
    client, headers = small, auth()
    folder, doc, sync, rid = team_folder_with_a_plan(client, headers)
    client.post(f"{UPSTREAM}/items/{folder}/share", json={"type": "user", "email": "bob@acme.test"})
    advance(client, 62)
    bob_reads = {"object": rid[doc], "user": "bob@acme.test", "role": "can_read"}
    assert ask(client, headers, sync, "check", **bob_reads).json() == {"hasAccess": True}
    client.post(f"{UPSTREAM}/items/{folder}/unshare")  # the connected account loses the folder, not the file
    advance(client, 24 * 3600 + 10)
    assert client.get(f"/api/syncs/{sync}/records/{rid[folder]}", headers=headers).json()["data"]["deleted"] is True
    assert ask(client, headers, sync, "check", **bob_reads).json() == {"hasAccess": True}
    listed = ask(client, headers, sync, "list-objects", objectType="folder", user="ann@acme.test", role="can_read")
    assert listed.json() == {"objects": []}  # the folder is no synced object any more
    viewers = ask(client, headers, sync, "expand", object=f"folder:{rid[folder]}", relation="viewer").json()
    assert viewers["tree"]["root"]["leaf"]["users"]["users"] == ["user:bob@acme.test"]  # but explains the access


def test_a_thousand_folders_above_a_synced_file_are_walked_without_recursion(small, auth):
    client, headers = small, auth()
    parent = create(client, name="top", mimeType=FOLDER, owner="ann@acme.test",
                    permissions=[{"type": "user", "email": "bob@acme.test"}])
    for n in range(1100):
        parent = create(client, name=f"level-{n}", mimeType=FOLDER, owner="ann@acme.test", parentExternalId=parent)
    deep = create(client, name="deep.txt", owner="ann@acme.test", parentExternalId=parent)
    sync = enable(client, headers, fileIds=[deep])
    assert advance(client, 10)["clock"]
    rid = record_ids(client, headers, sync)
    assert set(rid) == {deep}
    answer = ask(client, headers, sync, "check", object=rid[deep], user="bob@acme.test", role="can_read")
    assert answer.json() == {"hasAccess": True}


def test_a_token_of_a_deleted_sync_is_refused_by_the_sync_enabled_again_with_the_same_id(small, auth):
    client, headers = small, auth()
    _, _, sync, _ = team_folder_with_a_plan(client, headers)
    token = client.get(f"/api/permissions/{sync}/changes", headers=headers).json()["continuationToken"]
    assert client.delete(f"/api/syncs/{sync}", headers=headers).status_code == 200
    assert enable(client, headers) == sync
    advance(client, 10)
    stale = client.get(f"/api/permissions/{sync}/changes", params={"continuationToken": token}, headers=headers)
    assert stale.status_code == 400 and stale.json()["code"] == "PERMISSION_CHANGES_CURSOR_INVALID"


def test_control_plane_sharing_errors_name_the_field(small, auth):
    client = small
    doc = create(client, name="a.txt")
    bad = client.post(f"{UPSTREAM}/items/{doc}/share", json={"type": "user", "email": "not-an-email"})
    assert bad.status_code == 400 and bad.json()["errors"][0]["path"] == "$.email"
    nested = client.patch(f"{UPSTREAM}/items/{doc}", json={"fields": {"permissions": [{"type": "team"}]}})
    assert nested.status_code == 400 and nested.json()["errors"][0]["path"] == "$.fields.permissions[0].type"
    crm = client.get(f"/_emulator/upstream/{PROJECT}/alice/hubspot/contacts/directory")
    assert crm.status_code == 400 and crm.json()["errors"][0]["location"] == "path"
    cycle = client.put(f"{UPSTREAM}/directory/groups/a@x.test", json={"members": ["group:a@x.test"]})
    assert cycle.status_code == 400
    owner = client.patch(f"{UPSTREAM}/items/{doc}", json={"fields": {"owner": "Ann@ACME.test"}})
    assert owner.json()["owner"] == "ann@acme.test"


def test_only_folders_pass_access_down_a_folder_turned_into_a_file_stops(small, auth):
    client, headers = small, auth()
    folder, doc, sync, rid = team_folder_with_a_plan(client, headers)
    client.post(f"{UPSTREAM}/items/{folder}/share", json={"type": "user", "email": "bob@acme.test"})
    advance(client, 62)
    reads = {"object": rid[doc], "user": "bob@acme.test", "role": "can_read"}
    files = {"objectType": "file", "user": "bob@acme.test", "role": "can_read"}
    assert ask(client, headers, sync, "check", **reads).json() == {"hasAccess": True}
    assert ask(client, headers, sync, "list-objects", **files).json() == {"objects": [rid[doc]]}
    assert "bob@acme.test" in ask(client, headers, sync, "list-users", object=rid[doc], role="can_read").json()["users"]

    # Upstream, the folder becomes a file (its MIME type changes); plan.txt still names it its parent.
    client.patch(f"{UPSTREAM}/items/{folder}", json={"fields": {"mimeType": "text/plain"}})
    advance(client, 62)
    assert ask(client, headers, sync, "check", **reads).json() == {"hasAccess": False}
    assert ask(client, headers, sync, "list-objects", **files).json() == {"objects": [rid[folder]]}  # the file itself
    assert "bob@acme.test" not in ask(client, headers, sync, "list-users", object=rid[doc], role="can_read").json()["users"]
    # Ann owns both: she still reads each, as owner, not through the parent.
    assert ask(client, headers, sync, "check", **{**reads, "user": "ann@acme.test"}).json() == {"hasAccess": True}


def test_expand_of_a_group_lists_its_members_one_level_deep(small, auth):
    client, headers = small, auth()
    client.put(f"{UPSTREAM}/directory/groups/eng@acme.test",
               json={"members": ["user:bob@acme.test", "group:core@acme.test"]})
    client.put(f"{UPSTREAM}/directory/groups/core@acme.test", json={"members": ["user:cy@acme.test"]})
    _, _, sync, _ = team_folder_with_a_plan(client, headers)
    for target, relation in (("group:eng@acme.test", "member"), ("group:ENG@acme.test", None)):
        body = {"object": target, **({"relation": relation} if relation else {})}
        answer = ask(client, headers, sync, "expand", **body)
        assert answer.status_code == 200, answer.text
        assert answer.json() == {"tree": {"root": {
            "name": "group:eng@acme.test#member",
            "leaf": {"users": {"users": ["group:core@acme.test#member", "user:bob@acme.test"]}},
        }}}
    unknown = ask(client, headers, sync, "expand", object="group:nobody@acme.test").json()
    assert unknown["tree"]["root"]["leaf"]["users"]["users"] == []
    wrong = ask(client, headers, sync, "expand", object="group:eng@acme.test", relation="owner")
    assert wrong.status_code == 400 and wrong.json()["errors"][0]["path"] == "$.relation"


def test_a_share_on_a_folder_above_a_folder_sync_reaches_it_at_the_next_run(small, auth):
    client, headers = small, auth()
    root = create(client, name="Root", mimeType=FOLDER, owner="ann@acme.test")
    inner = create(client, name="inner.txt", owner="ann@acme.test", parentExternalId=root)
    sync = enable(client, headers, folderId=root)
    advance(client, 10)
    reads = {"object": record_ids(client, headers, sync)[inner], "user": "bob@acme.test", "role": "can_read"}
    assert ask(client, headers, sync, "check", **reads).json() == {"hasAccess": False}
    client.post(f"{UPSTREAM}/items/{root}/share", json={"type": "user", "email": "bob@acme.test", "role": "writer"})
    advance(client, 62)  # the incremental run reads the root (outside the scope) for what it passes down
    assert ask(client, headers, sync, "check", **reads).json() == {"hasAccess": True}
    assert ask(client, headers, sync, "check", **{**reads, "role": "can_write"}).json() == {"hasAccess": True}
    assert set(record_ids(client, headers, sync)) == {inner}  # and the root is still no synced record ...
    above = str(uuid.uuid5(uuid.UUID(sync), root))
    assert ask(client, headers, sync, "check", object=above, user="bob@acme.test", role="can_read").json() == {"hasAccess": False}
    folders = ask(client, headers, sync, "list-objects", objectType="folder", user="bob@acme.test", role="can_read")
    assert folders.json() == {"objects": []}  # ... nor a permissions object
    feed = client.get(f"/api/permissions/{sync}/changes", params={"pageSize": 1000}, headers=headers).json()["changes"]
    assert feed[-1] == {"tupleKey": {"user": "user:bob@acme.test", "relation": "editor", "object": f"folder:{above}"},
                        "operation": "write", "timestamp": "2026-01-05T09:01:05.000Z"}  # read by the run from +63 s


def test_list_objects_stops_at_a_thousand_and_the_stream_does_not(auth):
    with TestClient(create_app(make_settings(account_size=6000))) as client:
        headers = auth()
        sync = enable(client, headers)
        advance(client, 10)
        items = [i for offset in range(0, 6000, 1000)
                 for i in client.get(UPSTREAM, params={"offset": offset, "limit": 1000}).json()["items"]]
        owners = [i["owner"] for i in items if i["mimeType"] != FOLDER]
        owner = max(set(owners), key=owners.count)  # five owners share the files
        question = {"objectType": "file", "user": owner, "role": "is_owner"}
        streamed = ask(client, headers, sync, "streamed-list-objects", **question).text.splitlines()
        every = [json.loads(line)["object"] for line in streamed]
        assert len(every) > 1000 and every == sorted(every)
        listed = ask(client, headers, sync, "list-objects", **question).json()["objects"]
        assert listed == every[:1000]


def test_only_synced_objects_of_the_type_named_are_answered_for(small, auth):
    client, headers = small, auth()
    root = create(client, name="Root", mimeType=FOLDER, owner="ann@acme.test")
    inner = create(client, name="inner.txt", owner="ann@acme.test", parentExternalId=root)
    sync = enable(client, headers, folderId=root)
    advance(client, 10)
    doc = record_ids(client, headers, sync)[inner]
    above = str(uuid.uuid5(uuid.UUID(sync), root))  # the root is kept for what it passes down, unlisted
    owner = {"user": "ann@acme.test", "role": "is_owner"}
    assert ask(client, headers, sync, "check", object=doc, **owner).json() == {"hasAccess": True}
    assert ask(client, headers, sync, "check", object=f"file:{doc}", **owner).json() == {"hasAccess": True}
    assert ask(client, headers, sync, "check", object=f"folder:{doc}", **owner).json() == {"hasAccess": False}
    assert ask(client, headers, sync, "list-users", object=f"folder:{doc}", role="can_read").json() == {"users": []}
    assert ask(client, headers, sync, "check", object=above, **owner).json() == {"hasAccess": False}
    assert ask(client, headers, sync, "list-users", object=above, role="can_read").json() == {"users": []}
    # Only the first colon separates a type: an id may hold colons of its own.
    answer = ask(client, headers, sync, "batch-check", checks=[{"object": "file:a:b", "user": "ann@acme.test", "role": "can_read"}])
    assert answer.json()["result"][0] == {"allowed": False, "request": {"object": "file:a:b", "user": "ann@acme.test", "role": "can_read"}}


def test_a_share_with_a_group_the_directory_does_not_know_reaches_nobody(small, auth):
    client, headers = small, auth()
    doc = create(client, name="d.txt", owner="ann@acme.test",
                 permissions=[{"type": "group", "email": "ghost@acme.test", "role": "reader"}])
    client.put(f"{UPSTREAM}/directory/groups/eng@acme.test", json={"members": ["user:bob@acme.test", "group:ghost@acme.test"]})
    sync = enable(client, headers)
    advance(client, 10)
    rid = record_ids(client, headers, sync)[doc]
    assert ask(client, headers, sync, "list-users", object=rid, role="can_read").json() == {"users": ["ann@acme.test"]}
    assert ask(client, headers, sync, "check", object=rid, user="bob@acme.test", role="can_read").json() == {"hasAccess": False}


def test_folders_that_contain_each_other_upstream_are_answered_for(small, auth):
    client, headers = small, auth()
    a = create(client, name="A", mimeType=FOLDER, owner="ann@acme.test",
               permissions=[{"type": "user", "email": "bob@acme.test", "role": "reader"}])
    b = create(client, name="B", mimeType=FOLDER, owner="ann@acme.test", parentExternalId=a)
    doc = create(client, name="in-b.txt", owner="cy@acme.test", parentExternalId=b)
    client.patch(f"{UPSTREAM}/items/{a}", json={"fields": {"parentExternalId": b}})  # A in B in A
    sync = enable(client, headers)
    advance(client, 10)
    rid = record_ids(client, headers, sync)
    question = {"object": rid[doc], "user": "bob@acme.test", "role": "can_read"}
    assert ask(client, headers, sync, "check", **question).json() == {"hasAccess": True}
    assert ask(client, headers, sync, "check", **{**question, "user": "dee@acme.test"}).json() == {"hasAccess": False}
    assert ask(client, headers, sync, "list-users", object=rid[doc], role="can_read").json()["users"] == [
        "ann@acme.test", "bob@acme.test", "cy@acme.test"
    ]


def test_expand_names_an_object_it_does_not_know_by_the_type_asked_for(small, auth):
    client, headers = small, auth()
    _, _, sync, _ = team_folder_with_a_plan(client, headers)
    for target, name in (("nope", "file:nope"), ("file:nope", "file:nope"), ("folder:nope", "folder:nope")):
        viewers = ask(client, headers, sync, "expand", object=target, relation="viewer").json()
        assert viewers == {"tree": {"root": {"name": f"{name}#viewer", "leaf": {"users": {"users": []}}}}}
        reads = ask(client, headers, sync, "expand", object=target).json()["tree"]["root"]
        assert reads["name"] == f"{name}#can_read"
        assert reads["union"]["nodes"][-1]["leaf"]["tupleToUserset"] == {"tupleset": f"{name}#parent", "computed": []}


def test_an_empty_change_feed_gives_a_token_that_polls_it(auth):
    """A Dropbox sync without orgWideSync of an empty account has written no tuple yet."""
    with TestClient(create_app(make_settings(account_size=0))) as client:
        headers = auth()
        sync = enable(client, headers, integration="dropbox")
        advance(client, 10)
        feed = f"/api/permissions/{sync}/changes"
        first = client.get(feed, headers=headers).json()
        assert first["changes"] == []
        again = client.get(feed, params={"continuationToken": first["continuationToken"]}, headers=headers)
        assert again.status_code == 200, again.text
        assert again.json() == first
        create(client, f"/_emulator/upstream/{PROJECT}/alice/dropbox/files", name="a.txt", owner="ann@acme.test")
        advance(client, 62)
        later = client.get(feed, params={"continuationToken": first["continuationToken"]}, headers=headers).json()
        assert [c["tupleKey"]["user"] for c in later["changes"]] == ["user:ann@acme.test"]
