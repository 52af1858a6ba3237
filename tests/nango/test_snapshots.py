"""A snapshot keeps what was done through the Nango door: connections, started and paused syncs,
frequencies, variants and pruned records come back alike from a restore."""

from __future__ import annotations

from starlette.testclient import TestClient

from paragon_emulator import create_app
from paragon_emulator.nango.keys import secret_keys
from tests.conftest import PROJECT, make_settings
from tests.nango.conftest import Nango

PROVIDER = "google-drive"


def views(nango: Nango) -> dict:
    """What a Nango client can read of the state."""
    seen = {"connections": nango.ok("GET", "/connections")}
    for conn in ("conn-1", "conn-2"):
        seen[f"status {conn}"] = nango.status(conn)
        seen[f"connection {conn}"] = nango.ok("GET", f"/connections/{conn}", params={"provider_config_key": PROVIDER})
        pages, cursor = [], None
        for _ in range(50):
            answer = nango.records(conn, model="Document", limit=7, **({"cursor": cursor} if cursor else {}))
            assert answer.status_code == 200, answer.text
            pages.append(answer.json())
            cursor = answer.json()["next_cursor"]
            if cursor is None:
                break
        seen[f"records {conn}"] = pages
    seen["paragon events"] = nango.client.get("/_emulator/webhooks/events").json()
    return seen


def test_what_the_nango_door_did_comes_back_from_a_snapshot():
    settings = make_settings()
    key = secret_keys(settings)[PROJECT]
    with TestClient(create_app(settings)) as a, TestClient(create_app(settings)) as b:
        nango = Nango(a, key)
        nango.connect("conn-1", "alice")
        nango.connect("conn-2", "bob")
        nango.start("conn-1")
        nango.start("conn-2")
        a.post("/_emulator/clock/advance", json={"seconds": 3600})
        body = {"provider_config_key": PROVIDER, "connection_id": "conn-1", "sync_name": "documents", "frequency": "every 2 hours"}
        nango.ok("PUT", "/sync/update-connection-frequency", json=body)
        nango.ok("PATCH", "/connections/conn-2", params={"provider_config_key": PROVIDER}, json={"tags": {"plan": "pro"}})
        first = nango.records("conn-1", model="Document", limit=5).json()
        prune = {"model": "Document", "until_cursor": first["next_cursor"]}
        headers = {"Connection-Id": "conn-1", "Provider-Config-Key": PROVIDER}
        assert nango.ok("PATCH", "/records/prune", json=prune, headers=headers)["count"] == 5
        nango.ok("POST", "/sync/pause", json={"provider_config_key": PROVIDER, "connection_id": "conn-2", "syncs": ["documents"]})
        a.post(f"/_emulator/upstream/{PROJECT}/alice/googledrive/files/items", json={"fields": {"name": "new.txt"}})
        a.post("/_emulator/clock/advance", json={"seconds": 3 * 3600})

        document = a.get("/_emulator/snapshot").json()
        assert any(e["op"].startswith("nango.") for e in document["journal"])
        answer = b.put("/_emulator/snapshot", json=document)
        assert answer.status_code == 200, answer.text
        copy = Nango(b, key)
        assert views(copy) == views(nango)
        for client in (a, b):  # the same future: conn-1 runs every 2 hours, conn-2 stays paused
            client.post(f"/_emulator/upstream/{PROJECT}/alice/googledrive/files/items", json={"fields": {"name": "later.txt"}})
            client.post("/_emulator/clock/advance", json={"seconds": 86400})
        assert views(copy) == views(nango)
