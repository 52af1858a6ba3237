"""GET /records with Nango's semantics, and a hypothesis test that a client following next_cursor
(and one using modified_after) ends with exactly the upstream state, tombstones included."""

from __future__ import annotations

import base64
from datetime import datetime, timedelta

from hypothesis import HealthCheck, given, settings as hsettings, strategies as st
from starlette.testclient import TestClient

from paragon_emulator import create_app
from paragon_emulator.nango.keys import secret_keys
from tests.conftest import PROJECT, START, advance, make_settings
from tests.nango.conftest import Nango

UPSTREAM = f"/_emulator/upstream/{PROJECT}/alice/googledrive/files"


def started(nango, client):
    nango.connect("conn-1", "alice")
    nango.start()
    advance(client, 5)


def page(nango, **params):
    response = nango.records(**params)
    assert response.status_code == 200, response.text
    return response.json()


def all_pages(nango, limit, **params):
    """Every page until next_cursor is null; the records and the cursor of the last one."""
    found, cursor = [], params.pop("cursor", None)
    while True:
        body = page(nango, model="Document", limit=limit, **params, **({"cursor": cursor} if cursor else {}))
        assert len(body["records"]) <= limit
        found += body["records"]
        if body["next_cursor"] is None:
            return found
        assert body["next_cursor"] == body["records"][-1]["_nango_metadata"]["cursor"]
        cursor = body["next_cursor"]


def key(record):
    meta = record["_nango_metadata"]
    return meta["last_modified_at"], base64.b64decode(meta["cursor"]).decode().split("||")[1]


def test_records_are_in_nangos_order_with_microsecond_metadata(nango, emulator_client):
    started(nango, emulator_client)
    records = all_pages(nango, 7)
    assert len(records) == 25
    assert [key(r) for r in records] == sorted(key(r) for r in records)  # (last modified, internal id)
    meta = records[0]["_nango_metadata"]
    assert meta == {
        "first_seen_at": "2026-01-05T09:00:03.000000+00:00", "last_modified_at": "2026-01-05T09:00:03.000000+00:00",
        "last_action": "ADDED", "deleted_at": None, "pruned_at": None, "cursor": meta["cursor"],
    }
    assert base64.b64decode(meta["cursor"]).decode().startswith("2026-01-05T09:00:03.000000+00:00||")
    assert set(records[0]) == {"id", "url", "title", "mimeType", "updatedAt", "_nango_metadata"}
    files = page(nango, model="File", limit=1)["records"][0]
    assert files["id"] == records[0]["id"] and {"name", "mimeType", "size", "createdAt"} <= set(files)


def test_cursor_is_exclusive_and_modified_after_inclusive(nango, emulator_client):
    started(nango, emulator_client)
    first = page(nango, model="Document", limit=3)
    after = page(nango, model="Document", limit=3, cursor=first["next_cursor"])
    assert after["records"][0]["id"] != first["records"][-1]["id"]
    assert [r["id"] for r in all_pages(nango, 25)][3:6] == [r["id"] for r in after["records"]]
    # Whole sync at one instant: modified_after at that instant returns all of it, a microsecond later none.
    assert len(all_pages(nango, 100, modified_after="2026-01-05T09:00:03.000000+00:00")) == 25
    assert all_pages(nango, 100, modified_after="2026-01-05T09:00:03.000001Z") == []
    last = page(nango, model="Document", limit=100)
    assert last["next_cursor"] is None
    assert page(nango, model="Document", cursor=last["records"][-1]["_nango_metadata"]["cursor"]) == {"next_cursor": None, "records": []}


def test_updates_deletions_filters_and_ids(nango, emulator_client):
    started(nango, emulator_client)
    items = sorted(emulator_client.get(UPSTREAM).json()["items"], key=lambda i: i["externalId"])
    changed, gone = items[0]["externalId"], items[1]["externalId"]
    emulator_client.patch(UPSTREAM + f"/items/{changed}", json={"fields": {"name": "changed.txt"}})
    emulator_client.delete(UPSTREAM + f"/items/{gone}")
    nango.ok("POST", "/sync/trigger", json={"provider_config_key": "google-drive", "connection_id": "conn-1",
                                            "syncs": ["documents"], "opts": {"reset": True}})
    advance(emulator_client, 5)
    records = {r["id"]: r for r in all_pages(nango, 10)}
    assert records[changed]["title"] == "changed.txt" and records[changed]["_nango_metadata"]["last_action"] == "UPDATED"
    tomb = records[gone]["_nango_metadata"]
    assert tomb["last_action"] == "DELETED" and tomb["deleted_at"] == tomb["last_modified_at"] == "2026-01-05T09:00:07.000000+00:00"

    def ids(**params):
        return sorted(r["id"] for r in all_pages(nango, 100, **params))

    assert ids(filter="deleted") == [gone]
    assert ids(filter="UPDATED") == [changed]
    assert len(ids(filter="added")) == 23
    assert len(ids(filter="added,updated")) == 24
    assert ids(ids=[changed, gone, "nope"]) == sorted([changed, gone])
    [status] = nango.status()
    assert status["recordCount"] == {"Document": 24}  # live records only


def test_record_refusals(nango, emulator_client):
    started(nango, emulator_client)
    unknown = nango.records(connection_id="nope", model="Document")
    assert unknown.status_code == 400 and unknown.json()["error"] == {
        "code": "unknown_connection", "message": "Provided ConnectionId and ProviderConfigKey does not match a valid connection"}
    no_headers = nango.request("GET", "/records", params={"model": "Document"})
    assert no_headers.status_code == 400 and no_headers.json()["error"]["code"] == "invalid_headers"
    for params in ({"model": "document"}, {"model": "Document", "limit": 0}, {"model": "Document", "limit": 10001},
                   {"model": "Document", "filter": "created"}, {"model": "Document", "cursor": "x" * 1001},
                   {"model": "Document", "ids": [str(i) for i in range(101)]}, {"model": "Document", "cursor": "bm9wZQ=="},
                   {"model": "Document", "modified_after": "yesterday"},
                   {"model": "Document", "modified_after": (START - timedelta(days=366)).isoformat()}):
        response = nango.records(**params)
        assert response.status_code == 400, params
        assert response.json()["error"]["code"] == "invalid_query_params", params
    assert page(nango, model="Contact") == {"next_cursor": None, "records": []}


def test_prune_empties_payloads_up_to_the_cursor(nango, emulator_client):
    started(nango, emulator_client)
    records = all_pages(nango, 100)
    headers = {"Connection-Id": "conn-1", "Provider-Config-Key": "google-drive"}
    body = {"model": "Document", "until_cursor": records[9]["_nango_metadata"]["cursor"], "limit": 6}
    assert nango.ok("PATCH", "/records/prune", json=body, headers=headers) == {"count": 6, "has_more": True}
    assert nango.ok("PATCH", "/records/prune", json=body, headers=headers) == {"count": 4, "has_more": False}
    after = all_pages(nango, 100)
    assert [set(r) for r in after[:10]] == [{"id", "_nango_metadata"}] * 10
    assert all(r["_nango_metadata"]["pruned_at"] == "2026-01-05T09:00:05.000000+00:00" for r in after[:10])
    assert after[10] == records[10]


# -- the feed against upstream, under hypothesis -------------------------------------------------------------
steps = st.lists(
    st.one_of(
        st.tuples(st.just("create"), st.integers(0, 10**6)),
        st.tuples(st.just("rename"), st.integers(0, 10**6)),
        st.tuples(st.just("delete"), st.integers(0, 10**6)),
        st.tuples(st.just("trigger"), st.just(0)),
        st.tuples(st.just("reset"), st.just(0)),
        st.tuples(st.just("wait"), st.integers(1, 120)),
        st.tuples(st.just("pull"), st.integers(1, 7)),
    ),
    max_size=25,
)


class Follower:
    """A consumer's local copy, kept by next_cursor (or by modified_after) as Nango's docs describe."""

    def __init__(self, nango: Nango, by_time: bool):
        self.nango, self.by_time = nango, by_time
        self.view: dict[str, dict] = {}
        self.cursor: str | None = None
        self.since: str | None = None

    def catch_up(self, limit: int) -> None:
        params = {"modified_after": self.since} if self.by_time and self.since else {}
        cursor = None if self.by_time else self.cursor
        while True:
            body = page(self.nango, model="Document", limit=limit, **params, **({"cursor": cursor} if cursor else {}))
            for record in body["records"]:
                self.view[record["id"]] = record
                self.cursor = record["_nango_metadata"]["cursor"]
                self.since = max(self.since or "", record["_nango_metadata"]["last_modified_at"])
            if body["next_cursor"] is None:
                return
            cursor = body["next_cursor"]

    def live(self) -> dict[str, str]:
        return {i: r["title"] for i, r in self.view.items() if r["_nango_metadata"]["deleted_at"] is None}

    def tombstones(self) -> set[str]:
        return {i for i, r in self.view.items() if r["_nango_metadata"]["last_action"] == "DELETED"}


@hsettings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(steps=steps, size=st.integers(0, 10), per_record=st.sampled_from([0, 0.5]))
def test_followers_end_with_exactly_the_upstream_state(steps, size, per_record):
    settings = make_settings(account_size=size, seconds_per_record=per_record)
    with TestClient(create_app(settings)) as client:
        nango = Nango(client, secret_keys(settings)[PROJECT])
        started(nango, client)
        by_cursor, by_time = Follower(nango, False), Follower(nango, True)
        trigger = {"provider_config_key": "google-drive", "connection_id": "conn-1", "syncs": ["documents"]}
        ever: set[str] = set()

        def upstream() -> dict[str, str]:
            items = client.get(UPSTREAM, params={"limit": 1000}).json()["items"]
            return {item["externalId"]: item["name"] for item in items}

        ever |= set(upstream())
        for action, number in steps:
            existing = sorted(upstream())
            if action == "create":
                client.post(UPSTREAM + "/items", json={"fields": {"name": f"new-{number}.txt"}})
                ever |= set(upstream())
            elif action == "rename" and existing:
                client.patch(UPSTREAM + f"/items/{existing[number % len(existing)]}", json={"fields": {"name": f"r-{number}.txt"}})
            elif action == "delete" and existing:
                client.delete(UPSTREAM + f"/items/{existing[number % len(existing)]}")
            elif action in ("trigger", "reset"):
                nango.ok("POST", "/sync/trigger", json={**trigger, **({"opts": {"reset": True}} if action == "reset" else {})})
                advance(client, 2)
            elif action == "wait":
                advance(client, number)
            elif action == "pull":
                (by_cursor if number % 2 else by_time).catch_up(number)
        # A full run brings the records in line with upstream; then both catch up.
        nango.ok("POST", "/sync/trigger", json={**trigger, "opts": {"reset": True}})
        advance(client, 3600)
        final = upstream()
        for follower in (by_cursor, by_time):
            follower.catch_up(3)
            assert follower.live() == final
            synced_then_gone = {i for i in follower.view if i not in final}
            assert follower.tombstones() == synced_then_gone
        # Both saw the same records, and nothing is left after the last cursor.
        assert by_cursor.view == by_time.view
        assert page(nango, model="Document", cursor=by_cursor.cursor)["records"] == []


def test_documents_match_the_paragon_records_of_the_same_sync(nango, emulator_client, auth):
    """The Document fast path (generated items rendered straight from upstream) against the simple
    one: the Paragon door's normalized File record of the same sync, mapped field by field."""
    started(nango, emulator_client)
    items = sorted(emulator_client.get(UPSTREAM).json()["items"], key=lambda i: i["externalId"])
    emulator_client.patch(UPSTREAM + f"/items/{items[0]['externalId']}", json={"fields": {"name": "changed.txt"}})
    nango.ok("POST", "/sync/trigger", json={"provider_config_key": "google-drive", "connection_id": "conn-1", "syncs": ["documents"]})
    advance(emulator_client, 5)
    # The Nango door reads first: the Paragon door's reading would leave normalized records to reuse.
    documents = {r["id"]: {k: v for k, v in r.items() if k != "_nango_metadata"} for r in all_pages(nango, 4)}
    headers = auth("alice")
    [sync] = emulator_client.get("/api/syncs", headers=headers).json()["data"]
    paragon = emulator_client.get(f"/api/syncs/{sync['id']}/records", params={"pageSize": 1000}, headers=headers).json()["data"]
    expected = {
        r["externalId"]: {"id": r["externalId"], "url": r["url"], "title": r["name"], "mimeType": r["mimeType"], "updatedAt": r["updatedAt"]}
        for r in paragon
    }
    assert documents == expected and expected[items[0]["externalId"]]["title"] == "changed.txt"
