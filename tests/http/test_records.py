"""Records: exact cursors and paging, change detection, determinism, content downloads."""

from __future__ import annotations

import hashlib
import io
import json
import uuid
import zipfile

import pytest

from hypothesis import HealthCheck, given, settings as hsettings, strategies as st
from starlette.testclient import TestClient

from paragon_emulator import create_app
from paragon_emulator.tokens import mint
from tests.conftest import PROJECT, advance, make_settings

UPSTREAM = f"/_emulator/upstream/{PROJECT}/alice/googledrive/files"
GOOGLE_EXPORTS = {
    "application/vnd.google-apps.document": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.google-apps.spreadsheet": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.google-apps.presentation": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}


def enable(client, headers, integration="googledrive", pipeline="files", **configuration):
    response = client.post(
        "/api/syncs", json={"integration": integration, "pipeline": pipeline, "configuration": configuration}, headers=headers
    )
    assert response.status_code == 200, response.text
    return response.json()["id"]


def catch_up(client, headers, sync_id, view, cursor, page_size):
    """Follow the cursor to the end, checking the paging numbers on every page; returns the new cursor."""
    remaining = None
    while True:
        params = {"pageSize": page_size, **({"cursor": cursor} if cursor else {})}
        response = client.get(f"/api/syncs/{sync_id}/records", params=params, headers=headers)
        assert response.status_code == 200, response.text
        page = response.json()
        paging = page["paging"]
        if remaining is not None:
            assert paging["remainingRecords"] == remaining - len(page["data"])
        remaining = paging["remainingRecords"]
        assert len(page["data"]) <= page_size
        for record in page["data"]:
            view[record["id"]] = record
        if page["data"]:
            cursor = paging["cursor"]
        if not page["data"]:
            assert paging["remainingRecords"] == 0
            # Caught up: every record ever synced is in the view, tombstones included.
            assert paging["totalRecords"] == len(view)
            assert paging["totalActiveRecords"] == sum(1 for r in view.values() if not r.get("deleted"))
            return cursor


def upstream_names(client):
    items = client.get(UPSTREAM, params={"limit": 1000}).json()["items"]
    return {item["externalId"]: item["name"] for item in items}


def live_names(view):
    return {r["externalId"]: r["name"] for r in view.values() if not r.get("deleted")}


steps = st.lists(
    st.one_of(
        st.tuples(st.just("create"), st.integers(0, 10**6)),
        st.tuples(st.just("rename"), st.integers(0, 10**6)),
        st.tuples(st.just("delete"), st.integers(0, 10**6)),
        st.tuples(st.just("incremental"), st.just(0)),
        st.tuples(st.just("full"), st.just(0)),
        st.tuples(st.just("pull"), st.integers(1, 7)),
    ),
    max_size=25,
)


@hsettings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=steps, size=st.integers(0, 12))
def test_a_cursor_follower_ends_with_exactly_the_upstream_state(auth, steps, size):
    settings = make_settings(account_size=size)
    with TestClient(create_app(settings)) as client:
        headers = auth()
        sync_id = enable(client, headers)
        advance(client, 3)
        view: dict = {}
        cursor = catch_up(client, headers, sync_id, view, None, 5)
        assert live_names(view) == upstream_names(client)
        pending_deletes = set()
        for action, number in steps:
            existing = sorted(upstream_names(client))
            if action == "create":
                client.post(UPSTREAM + "/items", json={"fields": {"name": f"new-{number}.txt", "size": 10 + number % 500}})
            elif action == "rename" and existing:
                target = existing[number % len(existing)]
                response = client.patch(UPSTREAM + f"/items/{target}", json={"fields": {"name": f"renamed-{number}.txt"}})
                assert response.status_code == 200, response.text
            elif action == "delete" and existing:
                target = existing[number % len(existing)]
                assert client.delete(UPSTREAM + f"/items/{target}").status_code == 200
                pending_deletes.add(target)
            elif action == "incremental":
                advance(client, 62)  # a due incremental run and its 2 s
                cursor = catch_up(client, headers, sync_id, view, cursor, 3)
                # Creations and updates are seen; deletions wait for the full sync.
                names = live_names(view)
                for external_id, name in upstream_names(client).items():
                    assert names.get(external_id) == name
                assert set(names) - set(upstream_names(client)) <= pending_deletes
            elif action == "full":
                advance(client, 24 * 3600 + 10)  # the full run may wait for an incremental one
                pending_deletes.clear()
                cursor = catch_up(client, headers, sync_id, view, cursor, 4)
                assert live_names(view) == upstream_names(client)
            elif action == "pull":
                cursor = catch_up(client, headers, sync_id, view, cursor, number)
        advance(client, 24 * 3600 + 10)
        cursor = catch_up(client, headers, sync_id, view, cursor, 50)
        assert live_names(view) == upstream_names(client)
        params = {"cursor": cursor} if cursor else {}
        again = client.get(f"/api/syncs/{sync_id}/records", params=params, headers=headers).json()
        assert again["data"] == [] and again["paging"]["remainingRecords"] == 0


def test_a_held_cursor_returns_exactly_what_changed_after_it(client, auth):
    headers = auth()
    sync_id = enable(client, headers)
    advance(client, 3)
    first = client.get(f"/api/syncs/{sync_id}/records", params={"pageSize": 1000}, headers=headers).json()
    cursor = first["paging"]["cursor"]
    target = first["data"][-1]
    client.patch(UPSTREAM + f"/items/{target['externalId']}", json={"fields": {"name": "changed.txt"}})
    created = client.post(UPSTREAM + "/items", json={"fields": {"name": "brand-new.txt"}}).json()
    # Not visible before the next sync that would see it.
    assert client.get(f"/api/syncs/{sync_id}/records", params={"cursor": cursor}, headers=headers).json()["data"] == []
    advance(client, 62)
    after = client.get(f"/api/syncs/{sync_id}/records", params={"cursor": cursor}, headers=headers).json()
    assert [(r["externalId"], r["name"]) for r in after["data"]] == [
        (target["externalId"], "changed.txt"),
        (created["externalId"], "brand-new.txt"),
    ]
    one = client.get(f"/api/syncs/{sync_id}/records/{target['id']}", headers=headers).json()
    assert one["data"]["name"] == "changed.txt"


def test_deleted_records_are_tombstones(client, auth):
    headers = auth()
    sync_id = enable(client, headers)
    advance(client, 3)
    records = client.get(f"/api/syncs/{sync_id}/records", params={"pageSize": 1000}, headers=headers).json()
    victim = next(r for r in records["data"] if "hash" in r)
    client.delete(UPSTREAM + f"/items/{victim['externalId']}")
    advance(client, 120)  # incremental syncs do not see deletions
    assert "deleted" not in client.get(f"/api/syncs/{sync_id}/records/{victim['id']}", headers=headers).json()["data"]
    advance(client, 24 * 3600)
    tomb = client.get(f"/api/syncs/{sync_id}/records/{victim['id']}", headers=headers).json()["data"]
    assert tomb["deleted"] is True and tomb["externalId"] == victim["externalId"]
    paging = client.get(f"/api/syncs/{sync_id}/records", headers=headers).json()["paging"]
    assert paging["totalRecords"] == paging["totalActiveRecords"] + 1
    gone = client.get(f"/api/syncs/{sync_id}/records/{victim['id']}/content", headers=headers)
    assert gone.status_code == 404


def test_unshared_files_disappear_at_the_full_sync(client, auth):
    headers = auth()
    sync_id = enable(client, headers)
    advance(client, 3)
    some = client.get(f"/api/syncs/{sync_id}/records", headers=headers).json()["data"][-1]
    client.post(UPSTREAM + f"/items/{some['externalId']}/unshare")
    advance(client, 24 * 3600 + 10)
    assert client.get(f"/api/syncs/{sync_id}/records/{some['id']}", headers=headers).json()["data"]["deleted"] is True


def test_same_seed_same_bytes_and_different_users_differ(auth):
    bodies = []
    for user in ("alice", "alice", "bob"):
        with TestClient(create_app(make_settings())) as client:
            sync_id = enable(client, auth(user))
            advance(client, 3)
            bodies.append(client.get(f"/api/syncs/{sync_id}/records", headers=auth(user)).content)
    assert bodies[0] == bodies[1]
    assert bodies[0] != bodies[2]


def test_content_matches_size_and_type_and_a_folder_is_a_clean_4xx(auth):
    with TestClient(create_app(make_settings(account_size=120))) as client:
        headers = auth()
        sync_id = enable(client, headers)
        advance(client, 3)
        records = client.get(f"/api/syncs/{sync_id}/records", params={"pageSize": 1000}, headers=headers).json()["data"]
        kinds = set()
        for record in records:
            response = client.get(f"/api/syncs/{sync_id}/records/{record['id']}/content", headers=headers)
            if record["mimeType"] == "application/vnd.google-apps.folder":
                assert response.status_code == 400 and response.json()["code"] == "NO_CONTENT"
                continue
            assert response.status_code == 200
            exported = GOOGLE_EXPORTS.get(record["mimeType"], record["mimeType"])  # Google-native: the Office export
            assert response.headers["content-type"].split(";")[0] == exported
            assert len(response.content) == record["size"] == int(response.headers["content-length"])
            kinds.add(record["mimeType"])
            if record["mimeType"] == "application/pdf":
                assert response.content.startswith(b"%PDF-1.") and response.content.rstrip().endswith(b"%%EOF")
            if record["mimeType"].startswith("text/"):
                response.content.decode("utf-8")
        assert {"application/pdf", "text/plain", "text/csv"} <= kinds
        assert any(r["mimeType"] == "application/vnd.google-apps.folder" for r in records)


def test_a_folder_filter_syncs_only_that_subtree(auth):
    with TestClient(create_app(make_settings(account_size=200))) as client:
        headers = auth()
        everything = enable(client, headers)
        advance(client, 3)
        records = client.get(f"/api/syncs/{everything}/records", params={"pageSize": 1000}, headers=headers).json()["data"]
        by_id = {r["id"]: r for r in records}
        folder = next(r for r in records if r["mimeType"].endswith("folder") and "parentFolderId" not in r)
        scoped = client.post(
            "/api/syncs",
            json={"integration": "googledrive", "pipeline": "files", "configurationName": "one-folder",
                  "configuration": {"folderId": folder["externalId"]}},
            headers=headers,
        ).json()["id"]
        advance(client, 3)
        inside = client.get(f"/api/syncs/{scoped}/records", params={"pageSize": 1000}, headers=headers).json()["data"]

        def under(record):
            parent = record.get("parentFolderId")
            while parent is not None:
                if by_id[parent]["externalId"] == folder["externalId"]:
                    return True
                parent = by_id[parent].get("parentFolderId")
            return False

        expected = sorted(r["externalId"] for r in records if under(r))
        assert expected and sorted(r["externalId"] for r in inside) == expected


def test_crm_rows_relate_and_tickets_download_as_zip(client, auth):
    headers = auth()
    companies = enable(client, headers, "hubspot", "companies")
    deals = enable(client, headers, "hubspot", "deals")
    tickets = enable(client, headers, "jira", "tickets", projectId="10001")
    advance(client, 3)
    company_ids = {r["externalId"] for r in client.get(f"/api/syncs/{companies}/records", headers=headers).json()["data"]}
    deal_rows = client.get(f"/api/syncs/{deals}/records", headers=headers).json()["data"]
    assert deal_rows and all(d["accountId"] in company_ids for d in deal_rows)
    assert all(d["statusType"] in {"open", "closed_won", "closed_lost"} for d in deal_rows)
    ticket = client.get(f"/api/syncs/{tickets}/records", headers=headers).json()["data"][0]
    assert ticket["priority"] in {"low", "normal", "high", "urgent"} and isinstance(ticket["status"], dict)
    archive = client.get(f"/api/syncs/{tickets}/records/{ticket['id']}/content", headers=headers)
    assert archive.headers["content-type"] == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(archive.content)).namelist()
    assert f"{ticket['externalId']}.md" in names and "attachments/" in names


def test_page_size_is_clamped_and_defaults_to_100(auth):
    with TestClient(create_app(make_settings(account_size=1100))) as client:
        headers = auth()
        sync_id = enable(client, headers)
        advance(client, 3)
        default = client.get(f"/api/syncs/{sync_id}/records", headers=headers).json()
        assert len(default["data"]) == 100 and default["paging"]["remainingRecords"] == 1000
        huge = client.get(f"/api/syncs/{sync_id}/records", params={"pageSize": 5000}, headers=headers).json()
        assert len(huge["data"]) == 1000 and huge["paging"]["remainingRecords"] == 100
        bad = client.get(f"/api/syncs/{sync_id}/records", params={"cursor": "garbage!"}, headers=headers)
        assert bad.status_code == 400 and bad.json()["errors"][0]["path"] == "cursor"
        # A repeated parameter: its first value is validated and used (it was a 500 when the last was used).
        twice = client.get(f"/api/syncs/{sync_id}/records?pageSize=7&pageSize=abc", headers=headers)
        assert twice.status_code == 200 and len(twice.json()["data"]) == 7
        assert client.get(f"/api/syncs/{sync_id}/records?pageSize=abc&pageSize=7", headers=headers).status_code == 400


def test_counts_grow_while_the_initial_sync_runs_and_a_disabled_one_carries_on(auth):
    settings = make_settings(account_size=5000, seconds_per_record=0.01)  # 10 s per 1000 items
    with TestClient(create_app(settings)) as client:
        headers = auth()
        sync_id = enable(client, headers)
        advance(client, 3)  # INITIALIZING, then the base run time: the first batch is read
        counts = []
        for _ in range(3):
            status = client.get(f"/api/syncs/{sync_id}", headers=headers).json()
            assert status["status"] == "ACTIVE"
            counts.append(status["summary"]["syncedRecordsCount"])
            advance(client, 10)
        assert counts == [1000, 2000, 3000]
        before = client.get(f"/api/syncs/{sync_id}", headers=headers).json()["summary"]["syncedRecordsCount"]
        client.post(f"/api/syncs/{sync_id}/disable", headers=headers)
        advance(client, 3600)
        assert client.get(f"/api/syncs/{sync_id}", headers=headers).json()["summary"]["syncedRecordsCount"] == before
        client.post(f"/api/syncs/{sync_id}/reenable", headers=headers)
        advance(client, 30)
        done = client.get(f"/api/syncs/{sync_id}", headers=headers).json()
        assert done["status"] == "IDLE" and done["summary"]["syncedRecordsCount"] == 5000
        pages = client.get(f"/api/syncs/{sync_id}/records", params={"pageSize": 1000}, headers=headers).json()
        assert pages["paging"]["totalRecords"] == 5000  # nothing was read twice


@hsettings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 2**32), user=st.text("abcdefghij.-_0123456789", min_size=1, max_size=20))
def test_a_record_id_is_the_documented_uuid5_of_the_sync_and_the_external_id(seed, user):
    """README: record ids are UUIDv5 of the sync id and `externalId` (built without uuid's objects, so checked here)."""
    settings = make_settings(account_size=3, seed=seed)
    headers = {"Authorization": f"Bearer {mint(settings, user)[0]}"}
    with TestClient(create_app(settings)) as client:
        sync_id = client.post("/api/syncs", json={"integration": "hubspot", "pipeline": "contacts"}, headers=headers).json()["id"]
        advance(client, 5)
        records = client.get(f"/api/syncs/{sync_id}/records", headers=headers).json()["data"]
        assert len(records) == 3
        assert all(r["id"] == str(uuid.uuid5(uuid.UUID(sync_id), r["externalId"])) for r in records)


def pull(client, headers, sync_id, **params):
    response = client.get(f"/api/syncs/{sync_id}/records", params=params, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def test_a_page_past_the_end_echoes_the_cursor_it_was_given(client, auth):
    """A follower that holds the cursor of an empty page can keep polling with it."""
    headers = auth()
    sync_id = enable(client, headers)
    empty = pull(client, headers, sync_id)  # nothing synced yet: no cursor to give
    assert empty["data"] == [] and "cursor" not in empty["paging"] and empty["paging"]["lastSeen"] == 0
    advance(client, 3)
    last = pull(client, headers, sync_id, pageSize=1000)["paging"]["cursor"]
    caught_up = pull(client, headers, sync_id, cursor=last)
    assert caught_up["data"] == [] and caught_up["paging"]["cursor"] == last
    assert caught_up["paging"]["remainingRecords"] == 0 and caught_up["paging"]["lastSeen"] == 0
    client.post(UPSTREAM + "/items", json={"fields": {"name": "later.txt"}})
    advance(client, 62)
    [later] = pull(client, headers, sync_id, cursor=caught_up["paging"]["cursor"])["data"]
    assert later["name"] == "later.txt"


def test_the_latest_cursor_is_the_cursor_of_the_newest_record(client, auth):
    headers = auth()
    sync_id = enable(client, headers)
    advance(client, 1.5)  # the initial sync is running: no record yet, no latestCursor
    assert "latestCursor" not in client.get(f"/api/syncs/{sync_id}", headers=headers).json()["summary"]
    advance(client, 1.5)
    cursor, newest = None, None
    while True:  # pages of 4: the last page's cursor is the cursor of the newest record
        page = pull(client, headers, sync_id, pageSize=4, **({"cursor": cursor} if cursor else {}))
        if not page["data"]:
            break
        cursor, newest = page["paging"]["cursor"], page["data"][-1]
    summary = client.get(f"/api/syncs/{sync_id}", headers=headers).json()["summary"]
    assert summary["latestCursor"] == cursor
    assert pull(client, headers, sync_id, pageSize=1, cursor=summary["latestCursor"])["data"] == []
    # An update makes that record the newest, and moves the latest cursor past it.
    client.patch(UPSTREAM + f"/items/{newest['externalId']}", json={"fields": {"name": "renamed.txt"}})
    first = pull(client, headers, sync_id, pageSize=1)["data"][0]
    client.patch(UPSTREAM + f"/items/{first['externalId']}", json={"fields": {"name": "first-renamed.txt"}})
    advance(client, 62)
    after = client.get(f"/api/syncs/{sync_id}", headers=headers).json()["summary"]["latestCursor"]
    changed = pull(client, headers, sync_id, cursor=cursor)
    assert [r["name"] for r in changed["data"]] == ["renamed.txt", "first-renamed.txt"]
    assert changed["paging"]["cursor"] == after


def test_a_record_unshared_and_shared_again_comes_back_under_its_own_id(client, auth):
    headers = auth()
    sync_id = enable(client, headers)
    advance(client, 3)
    victim = next(r for r in pull(client, headers, sync_id, pageSize=1000)["data"] if "hash" in r)
    client.post(UPSTREAM + f"/items/{victim['externalId']}/unshare")
    advance(client, 24 * 3600 + 10)  # the full sync tombstones it
    assert client.get(f"/api/syncs/{sync_id}/records/{victim['id']}", headers=headers).json()["data"]["deleted"] is True
    held = pull(client, headers, sync_id, pageSize=1000)["paging"]
    assert (held["totalRecords"], held["totalActiveRecords"]) == (25, 24)

    client.post(UPSTREAM + f"/items/{victim['externalId']}/share")
    advance(client, 62)  # an incremental run sees it again
    back = client.get(f"/api/syncs/{sync_id}/records/{victim['id']}", headers=headers).json()["data"]
    assert "deleted" not in back and back["name"] == victim["name"]
    # A follower of the held cursor gets it once more, live; the totals count it once.
    [again] = pull(client, headers, sync_id, cursor=held["cursor"])["data"]
    assert again["id"] == victim["id"] and "deleted" not in again
    paging = pull(client, headers, sync_id)["paging"]
    assert (paging["totalRecords"], paging["totalActiveRecords"]) == (25, 25)
    events = client.get("/_emulator/webhooks/events", params={"syncId": sync_id}).json()["data"]
    assert [(e["type"], e["payload"]["data"]["recordId"]) for e in events if e["type"].startswith("record_")] == [
        ("record_deleted", victim["id"]), ("record_updated", victim["id"]),
    ]
    advance(client, 24 * 3600)  # and the next full sync leaves it alone
    assert "deleted" not in client.get(f"/api/syncs/{sync_id}/records/{victim['id']}", headers=headers).json()["data"]


def test_unsharing_and_sharing_a_file_again_leaves_its_content_alone(client, auth):
    headers = auth()
    sync_id = enable(client, headers)
    advance(client, 3)
    victim = next(r for r in pull(client, headers, sync_id, pageSize=1000)["data"] if "hash" in r)
    before = client.get(f"/api/syncs/{sync_id}/records/{victim['id']}/content", headers=headers).content
    client.post(UPSTREAM + f"/items/{victim['externalId']}/unshare")
    client.post(UPSTREAM + f"/items/{victim['externalId']}/share")
    advance(client, 62)
    assert client.get(f"/api/syncs/{sync_id}/records/{victim['id']}", headers=headers).json()["data"]["hash"] == victim["hash"]
    assert client.get(f"/api/syncs/{sync_id}/records/{victim['id']}/content", headers=headers).content == before


def test_a_record_failing_midway_through_a_full_run_keeps_its_old_version_until_the_next_one(auth):
    """The full run meets a failing record in its second batch of 1,000: the rest is stored (nothing
    is tombstoned), the failed record stays as it was synced, and the next full run brings it in."""
    with TestClient(create_app(make_settings(account_size=2500))) as client:
        headers = auth()
        sync_id = enable(client, headers)
        advance(client, 3)
        items = client.get(UPSTREAM, params={"offset": 1500, "limit": 2}).json()["items"]
        failing, neighbour = items[0]["externalId"], items[1]["externalId"]
        for external_id in (failing, neighbour):
            client.patch(UPSTREAM + f"/items/{external_id}", json={"fields": {"name": f"{external_id}.txt"}})
        record = {e: str(uuid.uuid5(uuid.UUID(sync_id), e)) for e in (failing, neighbour)}
        fault = {"syncId": sync_id, "kind": "record_error", "recordId": failing, "once": False}
        assert client.post("/_emulator/faults/sync", json=fault).status_code == 200
        advance(client, 24 * 3600 + 10)  # the incremental runs and the full run all meet the fault
        status = client.get(f"/api/syncs/{sync_id}", headers=headers).json()
        assert status["status"] == "IDLE" and "lastPeriodicFullSyncedAt" in status["summary"]
        assert status["summary"]["totalRecords"] == status["summary"]["syncedRecordsCount"] == 2500
        kept = client.get(f"/api/syncs/{sync_id}/records/{record[failing]}", headers=headers).json()["data"]
        assert "deleted" not in kept and kept["name"] != f"{failing}.txt"  # as first synced
        renamed = client.get(f"/api/syncs/{sync_id}/records/{record[neighbour]}", headers=headers).json()["data"]
        assert renamed["name"] == f"{neighbour}.txt"
        errored = client.get("/_emulator/webhooks/events", params={"type": "record_errored"}).json()["data"]
        assert errored and {e["payload"]["error"]["recordId"] for e in errored} == {record[failing]}
        client.delete("/_emulator/faults")
        advance(client, 62)  # an incremental run does not see it: nothing changed upstream since
        assert client.get(f"/api/syncs/{sync_id}/records/{record[failing]}", headers=headers).json()["data"]["name"] != f"{failing}.txt"
        advance(client, 24 * 3600)  # the next full run does
        fixed = client.get(f"/api/syncs/{sync_id}/records/{record[failing]}", headers=headers).json()["data"]
        assert fixed["name"] == f"{failing}.txt"


def test_the_content_of_a_changed_or_created_file_is_the_version_synced(client, auth):
    headers = auth()
    sync_id = enable(client, headers)
    advance(client, 3)
    record = next(r for r in pull(client, headers, sync_id, pageSize=1000)["data"] if "hash" in r and r["mimeType"] != "text/csv")
    client.patch(UPSTREAM + f"/items/{record['externalId']}", json={"fields": {"size": 333, "mimeType": "text/csv"}})
    created = client.post(UPSTREAM + "/items", json={"fields": {"name": "n.json", "mimeType": "application/json", "size": 77}}).json()
    before = client.get(f"/api/syncs/{sync_id}/records/{record['id']}/content", headers=headers)
    assert len(before.content) == record["size"]  # not synced yet: the bytes of the version synced
    advance(client, 62)
    after = client.get(f"/api/syncs/{sync_id}/records/{record['id']}/content", headers=headers)
    assert len(after.content) == 333 and after.headers["content-type"].startswith("text/csv")
    synced = client.get(f"/api/syncs/{sync_id}/records/{record['id']}", headers=headers).json()["data"]
    assert synced["hash"]["value"] == hashlib.md5(after.content).hexdigest()  # the record's MD5 is of these bytes
    new = str(uuid.uuid5(uuid.UUID(sync_id), created["externalId"]))
    body = client.get(f"/api/syncs/{sync_id}/records/{new}/content", headers=headers)
    assert len(body.content) == 77 and body.headers["content-type"].startswith("application/json")
    new_record = client.get(f"/api/syncs/{sync_id}/records/{new}", headers=headers).json()["data"]
    assert new_record["hash"]["value"] == hashlib.md5(body.content).hexdigest()
    json.loads(body.content)  # a real JSON document of that size
