"""The compact record store and change feed answer every read byte for byte as the simple ones did.

Two emulators on the same settings get the same random story over HTTP: an upstream Drive of
generated files, items created, changed and deleted upstream, the clock advanced through
incremental and full syncs (tombstones), and reads in between: pages of every size from cursors
old and new, single records (deleted and unknown ones too), the sync's status. One sync keeps its
records in the compact store (domain/records.py), the other in tests/domain/reference_records.py,
the store as it was (one object per record, dicts, a sorted list). Likewise the sync's permissions
change feed: compact arrays (domain/feed.py) against a list of tuples (tests/domain/reference_feed.py),
read in pages of every size, by type, from continuation tokens and start times, while items are
shared and unshared upstream. Every answer must be the same bytes.
"""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings as hsettings, strategies as st
from starlette.testclient import TestClient

from paragon_emulator import create_app

from ..conftest import PROJECT, make_settings
from ..domain.reference_feed import ReferenceFeed
from ..domain.reference_records import ReferenceRecordStore
from paragon_emulator.tokens import mint

UPSTREAM = f"/_emulator/upstream/{PROJECT}/alice/googledrive/files"

actions = st.one_of(
    st.tuples(st.just("advance"), st.sampled_from([1, 30, 61, 600, 3600, 86400, 7 * 86400])),
    st.tuples(st.just("create"), st.integers(0, 10**6)),
    st.tuples(st.just("update"), st.integers(0, 10**6)),
    st.tuples(st.just("update"), st.integers(0, 10**6), st.integers(2, 12)),  # several in a row
    st.tuples(st.just("delete"), st.integers(0, 10**6)),
    st.tuples(st.just("pull"), st.sampled_from([1, 2, 3, 7, 50, 1000]), st.integers(-1, 10**6)),
    st.tuples(st.just("get"), st.integers(-1, 10**6)),
    st.tuples(st.just("status"), st.just(0)),
    st.tuples(st.just("grant"), st.integers(0, 10**6)),
    st.tuples(st.just("revoke"), st.integers(0, 10**6)),
    st.tuples(st.just("changes"), st.sampled_from([1, 2, 5, 37, 1000]), st.integers(-1, 10**6), st.sampled_from([None, "file", "folder"])),
)


def _answer(response: Any) -> tuple[int, bytes]:
    return response.status_code, response.content


class Story:
    """The same requests to both emulators; what the compact one answered steers what comes next."""

    def __init__(self, fast: TestClient, reference: TestClient, headers: dict[str, str], sync: str):
        self.fast, self.reference, self.headers, self.sync = fast, reference, headers, sync
        self.cursors: list[str] = []
        self.record_ids: list[str] = []
        self.external_ids: list[str] = []
        self.tokens: list[str] = []
        self.times: list[str] = []

    def both(self, method: str, path: str, **kwargs: Any) -> Any:
        got = self.fast.request(method, path, **kwargs)
        expected = self.reference.request(method, path, **kwargs)
        assert _answer(got) == _answer(expected), (method, path, kwargs)
        return got

    def act(self, action: tuple) -> None:
        kind, n, *rest = action
        api = f"/api/syncs/{self.sync}"
        if kind == "advance":
            self.both("POST", "/_emulator/clock/advance", json={"seconds": n})
        elif kind == "create":
            self.both("POST", UPSTREAM + "/items", json={"fields": {"name": f"note-{n}.txt", "size": n % 5000}})
        elif kind in ("update", "delete") and self.external_ids:
            for k in range(rest[0] if rest else 1):
                external_id = self.external_ids[(n + k) % len(self.external_ids)]
                if kind == "update":
                    self.both("PATCH", f"{UPSTREAM}/items/{external_id}", json={"fields": {"name": f"renamed-{n}.txt"}})
                else:
                    self.both("DELETE", f"{UPSTREAM}/items/{external_id}")
        elif kind == "pull":
            cursor = rest[0]
            params: dict[str, Any] = {"pageSize": n}
            if cursor >= 0 and self.cursors:
                params["cursor"] = self.cursors[cursor % len(self.cursors)]
            answer = self.both("GET", api + "/records", params=params, headers=self.headers)
            if answer.status_code == 200:
                body = answer.json()
                if body["paging"].get("cursor"):
                    self.cursors.append(body["paging"]["cursor"])
                for record in body["data"]:
                    self.record_ids.append(record["id"])
                    if not record.get("deleted"):
                        self.external_ids.append(record["externalId"])
        elif kind == "get":
            record_id = self.record_ids[n % len(self.record_ids)] if n >= 0 and self.record_ids else "no-such-record"
            self.both("GET", f"{api}/records/{record_id}", headers=self.headers)
        elif kind == "status":
            self.both("GET", api, headers=self.headers)
        elif kind in ("grant", "revoke") and self.external_ids:
            external_id = self.external_ids[n % len(self.external_ids)]
            grant = {"type": "user", "email": f"guest{n % 4}@elsewhere.example", "role": ("reader", "writer")[n % 2]}
            self.both("POST", f"{UPSTREAM}/items/{external_id}/{'share' if kind == 'grant' else 'unshare'}", json=grant)
        elif kind == "changes":
            start, type_ = rest
            params = {"pageSize": n, **({"type": type_} if type_ else {})}
            if start >= 0 and start % 2 and self.tokens:
                params["continuationToken"] = self.tokens[start % len(self.tokens)]
            elif start >= 0 and self.times:
                params["startTime"] = self.times[start % len(self.times)]
            answer = self.both("GET", f"/api/permissions/{self.sync}/changes", params=params, headers=self.headers)
            if answer.status_code == 200:
                body = answer.json()
                self.tokens.append(body["continuationToken"])
                self.times.extend(change["timestamp"] for change in body["changes"][:3])


@hsettings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(size=st.integers(0, 40), story=st.lists(actions, min_size=1, max_size=30))
def test_the_compact_store_answers_as_the_simple_one(size: int, story: list[tuple]) -> None:
    settings = make_settings(strict=False)
    fast_app, reference_app = create_app(settings), create_app(settings)
    headers = {"Authorization": "Bearer " + mint(settings, "alice", None, expires_in=3600)[0]}
    with TestClient(fast_app) as fast, TestClient(reference_app) as reference:
        for client in (fast, reference):
            client.put(UPSTREAM, json={"size": size}).raise_for_status()
        enable = {"integration": "googledrive", "pipeline": "files"}
        sync = fast.post("/api/syncs", json=enable, headers=headers).json()["id"]
        assert reference.post("/api/syncs", json=enable, headers=headers).json()["id"] == sync
        # Before the initial sync has stored anything, the reference sync gets the simple store.
        reference_app.state.emulator.syncs.find(sync).records = ReferenceRecordStore()
        reference_app.state.emulator.syncs.find(sync).permissions.feed = ReferenceFeed()
        run = Story(fast, reference, headers, sync)
        for action in story + [("advance", 3600), ("pull", 1000, -1), ("status", 0), ("changes", 1000, -1, None)]:
            run.act(action)


def test_a_story_reaches_tombstones_and_changed_records() -> None:
    """The differential test's moves do reach what it is about: deletions and changes show in a pull."""
    settings = make_settings(strict=False)
    headers = {"Authorization": "Bearer " + mint(settings, "alice", None, expires_in=3600)[0]}
    with TestClient(create_app(settings)) as client:
        client.put(UPSTREAM, json={"size": 5}).raise_for_status()
        sync = client.post("/api/syncs", json={"integration": "googledrive", "pipeline": "files"}, headers=headers).json()["id"]
        client.post("/_emulator/clock/advance", json={"seconds": 3600})
        first = client.get(f"/api/syncs/{sync}/records", headers=headers).json()
        ids = [r["externalId"] for r in first["data"]]
        client.patch(f"{UPSTREAM}/items/{ids[0]}", json={"fields": {"name": "renamed.txt"}}).raise_for_status()
        client.delete(f"{UPSTREAM}/items/{ids[1]}").raise_for_status()
        client.post("/_emulator/clock/advance", json={"seconds": 7 * 86400})
        after = client.get(f"/api/syncs/{sync}/records", params={"cursor": first["paging"]["cursor"]}, headers=headers).json()
        assert {(r["externalId"], r.get("deleted", False), r.get("name")) for r in after["data"]} >= {
            (ids[0], False, "renamed.txt"), (ids[1], True, None)
        }
