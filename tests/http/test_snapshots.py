"""Snapshots: any state reached over the API, snapshotted and restored into a fresh emulator, answers
every read the same and sends the same webhooks from then on; a snapshot that cannot be applied
whole is refused and changes nothing."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings as hypothesis_settings, strategies as st
from starlette.testclient import TestClient

from paragon_emulator import create_app
from tests.conftest import PROJECT, make_settings
from tests.http.test_webhooks import SECRET, Receiver, wait_for

USERS = ("alice", "bob")
PIPELINES = (("googledrive", "files", {}), ("hubspot", "contacts", {}), ("jira", "tickets", {"projectId": "P1"}))
KIND = {"files": "files", "contacts": "contacts", "tickets": "tickets"}
NAME_FIELD = {"files": "name", "contacts": "firstName", "tickets": "title"}

step = st.one_of(
    st.tuples(st.just("enable"), st.sampled_from(USERS), st.sampled_from(range(len(PIPELINES)))),
    st.tuples(st.just("advance"), st.sampled_from([1, 5, 90, 3600, 6 * 3600, 86400])),
    st.tuples(st.just("upstream"), st.sampled_from(USERS), st.sampled_from(range(len(PIPELINES))),
              st.sampled_from(["create", "update", "delete"]), st.integers(0, 30)),
    st.tuples(st.just("sync"), st.integers(0, 9), st.sampled_from(["disable", "reenable", "delete", "frequency"])),
    st.tuples(st.just("fault"), st.integers(0, 9), st.sampled_from(["rate_limited", "credential_revoked", "record_error"])),
    st.tuples(st.just("trigger"), st.integers(0, 9)),
    st.tuples(st.just("clear_faults")),
    st.tuples(st.just("api_fault"), st.sampled_from([0.3, 0.7])),
    st.tuples(st.just("read"), st.sampled_from(USERS)),
    st.tuples(st.just("reset_user"), st.sampled_from(USERS)),
)


def headers(user: str) -> dict[str, str]:
    from paragon_emulator.tokens import mint

    return {"Authorization": f"Bearer {mint(make_settings(), user, None, expires_in=10**8)[0]}"}


def syncs_of(client: TestClient) -> list[tuple[str, str]]:
    return [(t["userId"], s["id"]) for t in client.get("/_emulator/tenants").json()["data"] for s in t["syncs"]]


def play(client: TestClient, steps: list[tuple]) -> None:
    """Drive the emulator over HTTP; refused steps (a 4xx) are part of the story too."""
    for s in steps:
        kind = s[0]
        if kind == "enable":
            integration, pipeline, configuration = PIPELINES[s[2]]
            body = {"integration": integration, "pipeline": pipeline, "configuration": configuration}
            client.post("/api/syncs", json=body, headers=headers(s[1]))
        elif kind == "advance":
            assert client.post("/_emulator/clock/advance", json={"seconds": s[1]}).status_code == 200
        elif kind == "upstream":
            integration, pipeline, _ = PIPELINES[s[2]]
            account = f"/_emulator/upstream/{PROJECT}/{s[1]}/{integration}/{KIND[pipeline]}"
            items = client.get(account, params={"limit": 40}).json()["items"]
            if s[3] == "create" or not items:
                assert client.post(account + "/items", json={"fields": {NAME_FIELD[pipeline]: f"made {s[4]}"}}).status_code == 200
            else:
                external = items[s[4] % len(items)]["externalId"]
                if s[3] == "update":
                    changed = client.patch(account + f"/items/{external}", json={"fields": {NAME_FIELD[pipeline]: f"renamed {s[4]}"}})
                    assert changed.status_code == 200, changed.text
                else:
                    assert client.delete(account + f"/items/{external}").status_code == 200
        elif kind in ("sync", "fault", "trigger"):
            known = syncs_of(client)
            if not known:
                continue
            user, sync_id = known[s[1] % len(known)]
            if kind == "fault":
                client.post("/_emulator/faults/sync", json={"syncId": sync_id, "kind": s[2]})
            elif kind == "trigger":
                client.post("/_emulator/webhooks/trigger", json={"syncId": sync_id, "event": "sync_complete"})
            elif s[2] == "frequency":
                client.patch(f"/api/syncs/{sync_id}", json={"incrementalAccumulatorFrequency": "1h"}, headers=headers(user))
            elif s[2] == "delete":
                client.delete(f"/api/syncs/{sync_id}", headers=headers(user))
            else:
                client.post(f"/api/syncs/{sync_id}/{s[2]}", headers=headers(user))
        elif kind == "clear_faults":
            client.delete("/_emulator/faults")
        elif kind == "api_fault":
            client.post("/_emulator/faults/api", json={"operations": ["getSyncStatus"], "status": 503, "fraction": s[1]})
        elif kind == "read":  # uses up seeded fault draws and fills the contract log
            for _, sync_id in syncs_of(client):
                client.get(f"/api/syncs/{sync_id}", headers=headers(s[1]))
        elif kind == "reset_user":
            client.post("/_emulator/reset", json={"projectId": PROJECT, "userId": s[1]})


def observe(client: TestClient) -> dict[str, Any]:
    """Every read an observer can make (the reads themselves fill the contract log on both sides alike)."""
    seen: dict[str, Any] = {
        "clock": client.get("/_emulator/clock").json(),
        "tenants": client.get("/_emulator/tenants").json(),
        "faults": client.get("/_emulator/faults").json(),
        "events": client.get("/_emulator/webhooks/events").json(),
    }
    for user in USERS:
        listed = client.get("/api/syncs", headers=headers(user))
        seen[f"list {user}"] = (listed.status_code, listed.json())
        for integration, pipeline, _ in PIPELINES:
            account = f"/_emulator/upstream/{PROJECT}/{user}/{integration}/{KIND[pipeline]}"
            seen[f"upstream {user} {integration}"] = client.get(account, params={"limit": 100}).json()
    for user, sync_id in syncs_of(client):
        status = client.get(f"/api/syncs/{sync_id}", headers=headers(user))
        seen[f"status {sync_id}"] = (status.status_code, status.json())
        pages, cursor = [], None
        for _ in range(40):
            params = {"pageSize": 9, **({"cursor": cursor} if cursor else {})}
            page = client.get(f"/api/syncs/{sync_id}/records", params=params, headers=headers(user))
            pages.append((page.status_code, page.json()))
            if page.status_code != 200 or page.json()["paging"]["remainingRecords"] == 0:
                break
            cursor = page.json()["paging"]["cursor"]
        seen[f"records {sync_id}"] = pages
        feed = client.get(f"/api/permissions/{sync_id}/changes", params={"pageSize": 1000}, headers=headers(user))
        seen[f"permission changes {sync_id}"] = (feed.status_code, feed.json())  # files syncs keep a graph
    seen["contract"] = client.get("/_emulator/contract").json()
    return seen


def restored_copy(client: TestClient, **overrides: Any) -> TestClient:
    document = client.get("/_emulator/snapshot").json()
    fresh = TestClient(create_app(make_settings(**overrides)))
    fresh.__enter__()
    answer = fresh.put("/_emulator/snapshot", json=json.loads(json.dumps(document)))
    assert answer.status_code == 200, answer.text
    return fresh


@hypothesis_settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(step, min_size=1, max_size=14))
@example(steps=[("enable", "alice", 1), ("api_fault", 0.5), ("read", "alice"), ("read", "alice"), ("read", "alice")])
@example(steps=[("enable", "bob", 0), ("advance", 3600), ("upstream", "bob", 0, "delete", 2), ("fault", 0, "record_error"),
                ("advance", 90), ("sync", 0, "disable"), ("advance", 86400), ("sync", 0, "reenable"), ("trigger", 0)])
@example(steps=[("enable", "alice", 2), ("enable", "bob", 2), ("advance", 5), ("reset_user", "alice"), ("advance", 3600),
                ("sync", 0, "frequency"), ("advance", 6 * 3600)])
def test_a_restored_snapshot_answers_every_read_alike_and_goes_on_alike(steps):
    with TestClient(create_app(make_settings())) as original:
        play(original, steps)
        if any(s[0] == "enable" for s in steps):  # the first enable of a fresh emulator always succeeds
            assert original.get("/_emulator/snapshot").json()["journal"]
        copy_ = restored_copy(original)
        try:
            assert observe(copy_) == observe(original)
            # The same future: the next runs, their records and their webhooks.
            for client in (original, copy_):
                client.post("/_emulator/upstream/" + PROJECT + "/alice/hubspot/contacts/items", json={"fields": {}})
                client.post("/_emulator/clock/advance", json={"seconds": 2 * 86400})
            assert observe(copy_) == observe(original)
        finally:
            copy_.__exit__(None, None, None)


def test_a_snapshot_of_a_snapshot_is_the_same_document():
    with TestClient(create_app(make_settings())) as original:
        play(original, [("enable", "alice", 0), ("advance", 3600), ("upstream", "alice", 0, "create", 1), ("advance", 90)])
        first = original.get("/_emulator/snapshot").json()
        copy_ = restored_copy(original)
        try:
            assert copy_.get("/_emulator/snapshot").json() == first
        finally:
            copy_.__exit__(None, None, None)


@pytest.mark.parametrize(
    "damage, status, says",
    [
        (lambda d: d.update(version=0), 400, "format version 0"),
        (lambda d: d.update(format="something-else"), 400, "not a paragon-emulator snapshot"),
        (lambda d: d.pop("journal"), 400, "incomplete or damaged"),
        (lambda d: d["journal"].append({"at": d["clock"]["now"], "op": "os.system", "args": {}}), 400, "does not know"),
        (lambda d: d["journal"][0]["args"].update(integration="nope"), 400, "change 1 of the snapshot"),
        (lambda d: d["state"]["syncs"].clear(), 409, "did not lead to the state it records"),
        (lambda d: d["settings"].update(seed=7), 409, "--seed 7"),
        (lambda d: d["clock"].update(now="yesterday"), 400, "incomplete or damaged"),
    ],
)
def test_a_snapshot_that_cannot_be_applied_whole_is_refused_and_changes_nothing(damage, status, says):
    with TestClient(create_app(make_settings())) as source, TestClient(create_app(make_settings())) as target:
        play(source, [("enable", "alice", 1), ("advance", 3600)])
        document = source.get("/_emulator/snapshot").json()
        play(target, [("enable", "bob", 0), ("advance", 600)])
        before = observe(target)
        broken = copy.deepcopy(document)
        damage(broken)
        answer = target.put("/_emulator/snapshot", json=broken)
        assert answer.status_code == status, answer.text
        assert says in answer.json()["message"]
        after = observe(target)
        del before["contract"], after["contract"]  # the refused PUT and the reads themselves are logged
        assert after == before


def test_pending_webhooks_survive_a_restore_and_arrive_once_the_receiver_is_back():
    receiver = Receiver()
    try:
        receiver.mode = "fail"
        values = {"webhook_url": receiver.url, "webhook_secret": SECRET, "webhook_retry_schedule": [60, 120, 240],
                  "webhook_timeout_seconds": 2}
        with TestClient(create_app(make_settings(**values))) as original:
            play(original, [("enable", "alice", 1), ("advance", 3600)])
            wait_for(lambda: all(d["status"] != "delivering" for d in original.get("/_emulator/webhooks/events").json()["data"]), "first attempts")
            events = original.get("/_emulator/webhooks/events").json()["data"]
            assert events and events[0]["status"] == "pending" and len(events[0]["attempts"]) == 1
            document = original.get("/_emulator/snapshot").json()
        receiver.mode = "ok"
        with TestClient(create_app(make_settings(**values))) as copy_:
            assert copy_.put("/_emulator/snapshot", json=document).status_code == 200
            restored = copy_.get("/_emulator/webhooks/events").json()["data"]
            assert [(e["id"], e["status"], len(e["attempts"])) for e in restored] == [
                (e["id"], e["status"], len(e["attempts"])) for e in events
            ]
            copy_.post("/_emulator/clock/advance", json={"seconds": 600})
            wait_for(lambda: len(receiver.received) == len(events), "every event delivered after the restore")
            ids = [json.loads(body)["syncInstanceId"] for _, body in receiver.received]
            assert len(ids) == len(events)
            # The receiver counts a delivery before its answer reaches the emulator: wait for the log too.
            def all_delivered():
                log = copy_.get("/_emulator/webhooks/events").json()["data"]
                return log if all(d["status"] == "delivered" for d in log) else None

            delivered = wait_for(all_delivered, "the log to say delivered")
            assert len(delivered) == len(events) and all(len(d["attempts"]) == 2 for d in delivered)
    finally:
        receiver.close()


def test_the_state_file_is_loaded_at_start_and_written_on_save(tmp_path):
    path = tmp_path / "state" / "emulator.json"
    with TestClient(create_app(make_settings(state_file=path))) as first:
        assert not path.exists()
        play(first, [("enable", "alice", 2), ("advance", 3600), ("upstream", "alice", 2, "create", 3), ("advance", 3600)])
        saved = first.post("/_emulator/snapshot/save").json()
        assert saved["path"] == str(path) and saved["changes"] == 2 and path.stat().st_size == saved["bytes"]
        expected = observe(first)
    with TestClient(create_app(make_settings(state_file=path))) as second:
        seen = observe(second)
        del seen["contract"], expected["contract"]
        assert seen == expected
    assert sorted(p.name for p in path.parent.iterdir()) == ["emulator.json"]  # no temporary file left


def test_saving_without_a_state_file_says_how_to_get_one():
    with TestClient(create_app(make_settings())) as client:
        answer = client.post("/_emulator/snapshot/save")
        assert answer.status_code == 409 and "--state-file" in answer.json()["message"]
