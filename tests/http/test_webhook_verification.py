"""Setting a webhook URL sends a webhook_verification probe, as Paragon does when a URL is saved."""

from __future__ import annotations

from starlette.testclient import TestClient

from paragon_emulator import create_app
from tests.conftest import PROJECT, make_settings
from tests.http.test_webhook_lanes import Hook, wait_for


def test_a_new_url_gets_a_probe_logged_like_any_event(auth):
    hook = Hook()
    try:
        with TestClient(create_app(make_settings(webhook_verification=True))) as client:
            assert client.put("/_emulator/webhooks/config", json={"url": hook.url}).status_code == 200
            wait_for(lambda: hook.arrived, "the probe", 15)
            assert hook.arrived[0].startswith(b'{"event":"webhook_verification","timestamp":"2026-01-05T09:00:00.000Z"}')
            [logged] = client.get("/_emulator/webhooks/events", params={"type": "webhook_verification"}).json()["data"]
            assert logged["projectId"] == PROJECT and logged["syncId"] == "" and logged["payload"] == {
                "event": "webhook_verification", "timestamp": "2026-01-05T09:00:00.000Z"
            }
            wait_for(lambda: client.get("/_emulator/webhooks/events").json()["data"][0]["status"] == "delivered",
                     "the probe's delivery to be logged", 15)
            # A change of secret alone is no new URL: no probe; a sync's events come after the probe.
            client.put("/_emulator/webhooks/config", json={"secret": "whsec_c2VjcmV0LWtleS0xMjM="})
            client.post("/api/syncs", json={"integration": "box", "pipeline": "files"}, headers=auth())
            client.post("/_emulator/clock/advance", json={"seconds": 5})
            wait_for(lambda: len(hook.arrived) == 2, "the sync's first webhook", 15)
            types = [d["type"] for d in client.get("/_emulator/webhooks/events").json()["data"]]
            assert types == ["webhook_verification", "sync_complete"]
    finally:
        hook.close()


def test_the_probe_can_be_switched_off(auth):
    hook = Hook()
    try:
        with TestClient(create_app(make_settings(webhook_verification=False))) as client:
            client.put("/_emulator/webhooks/config", json={"url": hook.url})
            client.post("/api/syncs", json={"integration": "box", "pipeline": "files"}, headers=auth())
            client.post("/_emulator/clock/advance", json={"seconds": 5})
            wait_for(lambda: hook.arrived, "the sync's webhook", 15)
            assert b'"event":"sync_complete"' in hook.arrived[0]
            assert [d["type"] for d in client.get("/_emulator/webhooks/events").json()["data"]] == ["sync_complete"]
    finally:
        hook.close()
