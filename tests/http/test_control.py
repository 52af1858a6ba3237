"""The control plane: health, info, clock modes and advances, tokens."""

from __future__ import annotations

import time
from datetime import datetime, timedelta

from starlette.testclient import TestClient

from paragon_emulator import create_app
from tests.conftest import make_settings


def test_health_and_info(client):
    assert client.get("/_emulator/health").json() == {"status": "ok"}
    info = client.get("/_emulator/info").json()
    assert info["seed"] == 0 and info["strict"] is True and info["clock"]["mode"] == "manual"
    assert info["audienceHosts"] == ["useparagon.com", "dashboard.useparagon.com"]


def test_advance_by_duration_and_seconds_and_refusals(client):
    before = client.get("/_emulator/clock").json()["now"]
    assert before == "2026-01-05T09:00:00.000Z"
    moved = client.post("/_emulator/clock/advance", json={"duration": "1h30m"}).json()
    assert moved["clock"]["now"] == "2026-01-05T10:30:00.000Z" and moved["timersRun"] == 0
    moved = client.post("/_emulator/clock/advance", json={"seconds": 0.5}).json()
    assert moved["clock"]["now"] == "2026-01-05T10:30:00.500Z"
    for bad in ({"seconds": -1}, {"duration": "soon"}, {}, {"seconds": 1, "duration": "1s"}, {"seconds": 1e300}):
        response = client.post("/_emulator/clock/advance", json=bad)
        assert response.status_code == 400, (bad, response.text)
    assert client.get("/_emulator/clock").json()["now"] == "2026-01-05T10:30:00.500Z"


def test_set_clock_moves_forward_only_and_runs_due_timers(client, auth):
    client.post("/api/syncs", json={"integration": "box", "pipeline": "files"}, headers=auth())
    response = client.put("/_emulator/clock", json={"now": "2026-01-05T10:00:00Z"})
    assert response.status_code == 200 and response.json()["now"] == "2026-01-05T10:00:00.000Z"
    sync = client.get("/api/syncs", headers=auth()).json()["data"][0]
    assert client.get(f"/api/syncs/{sync['id']}", headers=auth()).json()["status"] == "IDLE"
    back = client.put("/_emulator/clock", json={"now": "2026-01-01T00:00:00Z"})
    assert back.status_code == 400 and back.json()["errors"][0]["path"] == "$.now"


def test_accelerated_clock_runs_timers_on_its_own(auth):
    settings = make_settings(clock_mode="accelerated", clock_rate=200_000)  # a day in under a second
    with TestClient(create_app(settings)) as client:
        sync = client.post("/api/syncs", json={"integration": "box", "pipeline": "files"}, headers=auth()).json()
        deadline = time.monotonic() + 30
        status = {}
        while time.monotonic() < deadline:
            status = client.get(f"/api/syncs/{sync['id']}", headers=auth()).json()
            if "lastPeriodicFullSyncedAt" in status["summary"]:
                break
            time.sleep(0.05)
        assert "lastPeriodicFullSyncedAt" in status["summary"], status  # 24 emulated hours passed


def test_switching_modes(client):
    response = client.put("/_emulator/clock", json={"mode": "accelerated", "rate": 60})
    assert response.json()["mode"] == "accelerated" and response.json()["rate"] == 60
    response = client.put("/_emulator/clock", json={"mode": "manual"})
    assert response.json()["mode"] == "manual" and response.json()["rate"] == 1
    response = client.put("/_emulator/clock", json={"rate": 5})
    assert response.status_code == 400 and "accelerated" in response.json()["message"]
    response = client.put("/_emulator/clock", json={"mode": "sideways"})
    assert response.status_code == 400 and response.json()["errors"][0]["rule"] == "enum"


def test_minted_token_works(client):
    response = client.post("/_emulator/tokens", json={"userId": "carol", "expiresIn": 120})
    assert response.status_code == 200
    token = response.json()["token"]
    assert client.get("/api/syncs", headers={"Authorization": f"Bearer {token}"}).status_code == 200


def test_an_accelerated_rate_is_kept_until_changed(client):
    assert client.put("/_emulator/clock", json={"mode": "accelerated", "rate": 60}).json()["rate"] == 60
    assert client.put("/_emulator/clock", json={"mode": "accelerated"}).json()["rate"] == 60  # no rate: the same
    changed = client.put("/_emulator/clock", json={"rate": 30}).json()  # no mode: the same
    assert (changed["mode"], changed["rate"]) == ("accelerated", 30)
    assert client.put("/_emulator/clock", json={"mode": "real"}).json()["rate"] == 1
    assert client.put("/_emulator/clock", json={"mode": "accelerated"}).json()["rate"] == 1  # real ran at 1


def test_switching_to_manual_stops_the_clock_where_the_timers_are(client, auth):
    """A clock running much faster than its timers is behind them; manual stops it at the last
    instant every timer ran up to (settled), not ahead of them."""
    for name in ("a", "b", "c"):
        body = {"integration": "box", "pipeline": "files", "configurationName": name}
        client.post("/api/syncs", json=body, headers=auth())
    client.put("/_emulator/clock", json={"mode": "accelerated", "rate": 1_000_000})
    stopped = client.put("/_emulator/clock", json={"mode": "manual"}).json()
    assert stopped["mode"] == "manual" and stopped["now"] == stopped["settled"]
    again = client.get("/_emulator/clock").json()
    assert again["now"] == stopped["now"] == again["settled"] and again["behindSeconds"] == 0


def test_the_clock_may_be_set_to_its_own_reading_or_exactly_a_century_ahead(client):
    now = client.get("/_emulator/clock").json()["now"]
    same = client.put("/_emulator/clock", json={"now": now})
    assert same.status_code == 200 and same.json()["now"] == now
    exact = datetime(2026, 1, 5, 9) + timedelta(days=100 * 365)  # a century is 36,500 days
    assert client.put("/_emulator/clock", json={"now": (exact + timedelta(seconds=1)).isoformat() + "Z"}).status_code == 400
    moved = client.put("/_emulator/clock", json={"now": exact.isoformat() + "Z"})
    assert moved.status_code == 200 and moved.json()["now"] == exact.isoformat(timespec="milliseconds") + "Z"
