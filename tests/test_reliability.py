"""The short form of the reliability suite (benchmarks/reliability.py has the long one): the hostile
corpus against a strict emulator, and concurrent clients whose every pull matches upstream."""

from __future__ import annotations

import threading

from starlette.testclient import TestClient

from benchmarks import hostile
from paragon_emulator import create_app
from paragon_emulator.tokens import dev_private_key
from tests.conftest import PROJECT, make_settings


def _target(client: TestClient, token: str) -> hostile.Target:
    headers = {"Authorization": "Bearer " + token}
    sync = client.post("/api/syncs", json={"integration": "box", "pipeline": "files"}, headers=headers).json()
    client.post("/_emulator/clock/advance", json={"seconds": 60})
    record = client.get(f"/api/syncs/{sync['id']}/records", params={"pageSize": 1}, headers=headers).json()["data"][0]
    return hostile.Target(token, sync["id"], record["id"], PROJECT, dev_private_key())


def test_no_hostile_request_gets_a_5xx_or_an_answer_outside_the_spec(token):
    with TestClient(create_app(make_settings(strict=True)), raise_server_exceptions=False) as client:
        target = _target(client, token("alice"))

        def send(h: hostile.Hostile) -> tuple[int | None, str]:
            response = client.request(h.method, h.path, content=h.body, headers=h.headers)
            return response.status_code, response.text[:300]

        outcomes = hostile.run(send, target)
        bad = hostile.failures(outcomes)
        assert not bad, "\n".join(f"{o.hostile.name}: {o.status} {o.detail}" for o in bad)
        assert len(outcomes) > 60
        # The emulator still answers, and the corpus changed nothing it should not have.
        status = client.get(f"/api/syncs/{target.sync_id}", headers={"Authorization": "Bearer " + target.token})
        assert status.status_code == 200 and status.json()["status"] == "IDLE"
        assert client.get("/_emulator/faults").json()["api"] == []


def test_concurrent_clients_changing_and_pulling_agree_with_upstream(token):
    users = [f"user{n}" for n in range(6)]
    with TestClient(create_app(make_settings())) as client:
        ids = {}
        for user in users:
            headers = {"Authorization": "Bearer " + token(user)}
            ids[user] = client.post("/api/syncs", json={"integration": "hubspot", "pipeline": "contacts"},
                                    headers=headers).json()["id"]
        client.post("/_emulator/clock/advance", json={"seconds": 60})
        errors: list[str] = []

        def work(user: str) -> None:
            headers = {"Authorization": "Bearer " + token(user)}
            account = f"/_emulator/upstream/{PROJECT}/{user}/hubspot/contacts"
            for n in range(15):
                created = client.post(f"{account}/items", json={"fields": {"firstName": f"N{n}"}})
                if created.status_code != 200:
                    errors.append(f"{user} create: {created.status_code} {created.text[:200]}")
                pulled = client.get(f"/api/syncs/{ids[user]}/records", params={"pageSize": 5}, headers=headers)
                if pulled.status_code != 200:
                    errors.append(f"{user} pull: {pulled.status_code} {pulled.text[:200]}")

        def clock() -> None:
            for _ in range(20):
                client.post("/_emulator/clock/advance", json={"seconds": 61})

        threads = [threading.Thread(target=work, args=(u,)) for u in users] + [threading.Thread(target=clock)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(120)
        assert not errors, errors[:5]
        client.post("/_emulator/clock/advance", json={"seconds": 120})  # the last changes are read
        for user in users:
            headers = {"Authorization": "Bearer " + token(user)}
            upstream = client.get(f"/_emulator/upstream/{PROJECT}/{user}/hubspot/contacts").json()["count"]
            records, cursor = [], None
            while True:
                params = {"pageSize": 100, **({"cursor": cursor} if cursor else {})}
                page = client.get(f"/api/syncs/{ids[user]}/records", params=params, headers=headers).json()
                records += page["data"]
                if page["paging"]["remainingRecords"] == 0:
                    break
                cursor = page["paging"]["cursor"]
            assert len(records) == upstream == 25 + 15, (user, len(records), upstream)
            assert len({r["id"] for r in records}) == len(records)
