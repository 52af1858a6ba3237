"""A long clock advance never stops the server: other requests are answered, SIGTERM ends it promptly."""

from __future__ import annotations

import signal
import threading
import time

import httpx

from tests.cli.test_cli import Served, run_cli, serve


def _manual_server() -> tuple[Served, str, dict[str, str]]:
    """A served emulator on a manual clock, its base URL, and alice's token headers."""
    served = serve("--clock-mode", "manual")
    token = run_cli("token", "--user", "alice").stdout.strip()
    return served, served.base_url, {"Authorization": f"Bearer {token}"}


def test_requests_are_answered_during_a_long_advance_and_sigterm_stops_it():
    served, base, headers = _manual_server()
    process = served.process
    try:
        ids = []
        for name in range(12):
            body = {"integration": "hubspot", "pipeline": "contacts", "configurationName": f"c{name}"}
            ids.append(httpx.post(f"{base}/api/syncs", json=body, headers=headers).json()["id"])
        httpx.post(f"{base}/_emulator/clock/advance", json={"seconds": 5})
        for sync_id in ids:  # every sync backs off every emulated second: a day of them is real work
            fault = {"syncId": sync_id, "kind": "rate_limited", "once": False, "backoffMs": 1000}
            assert httpx.post(f"{base}/_emulator/faults/sync", json=fault).status_code == 200

        answer: dict[str, object] = {}

        def advance() -> None:
            try:
                answer["response"] = httpx.post(f"{base}/_emulator/clock/advance", json={"duration": "30d"}, timeout=300)
            except httpx.HTTPError as exc:
                answer["error"] = exc

        # 30 days of twelve syncs backing off every second is tens of millions of timers: the advance
        # does not end by itself in any test run, so whatever is answered is answered during it.
        before = httpx.get(f"{base}/_emulator/clock", timeout=60).json()["settled"]
        mover = threading.Thread(target=advance)
        mover.start()
        deadline = time.monotonic() + 120
        while httpx.get(f"{base}/_emulator/clock", timeout=60).json()["settled"] == before:  # under way
            assert time.monotonic() < deadline, "the advance never started"
        seen = set()
        for _ in range(10):
            assert httpx.get(f"{base}/_emulator/health", timeout=60).json() == {"status": "ok"}
            seen.add(httpx.get(f"{base}/api/syncs/{ids[0]}", headers=headers, timeout=60).json()["status"])
            assert mover.is_alive(), "the advance ended: the requests may have waited for it"
        assert seen <= {"RATE_LIMITED", "ACTIVE"}
        clock = httpx.get(f"{base}/_emulator/clock", timeout=60).json()
        assert clock["settled"] > before  # the advance is part way: the clock shows where

        process.send_signal(signal.SIGTERM)
        process.wait(timeout=120)  # the advance stops at its next slice: the server does not run it out
        mover.join(timeout=120)
        response = answer.get("response")
        assert response is None or response.status_code == 503  # the advance was cut short, and says so
    finally:
        served.stop()


def test_an_accelerated_clock_faster_than_its_timers_falls_behind_and_says_so():
    served, base, headers = _manual_server()
    process = served.process
    try:
        ids = [
            httpx.post(f"{base}/api/syncs", json={"integration": "jira", "pipeline": "tickets",
                                                   "configuration": {"projectId": "P"}, "configurationName": f"t{n}"},
                       headers=headers).json()["id"]
            for n in range(10)
        ]
        httpx.post(f"{base}/_emulator/clock/advance", json={"seconds": 5})
        for sync_id in ids:
            httpx.post(f"{base}/_emulator/faults/sync", json={"syncId": sync_id, "kind": "rate_limited", "once": False, "backoffMs": 1})
        moved = httpx.put(f"{base}/_emulator/clock", json={"mode": "accelerated", "rate": 1_000_000}, timeout=30)
        assert moved.status_code == 200, moved.text
        behind = []
        for _ in range(10):
            clock = httpx.get(f"{base}/_emulator/clock", timeout=60).json()
            assert httpx.get(f"{base}/api/syncs/{ids[0]}", headers=headers, timeout=60).status_code == 200
            behind.append(clock["behindSeconds"])
            time.sleep(0.1)
        assert max(behind) > 0  # a million emulated seconds a second of 1 ms back-offs cannot keep up
        back = httpx.put(f"{base}/_emulator/clock", json={"mode": "manual"}, timeout=30).json()
        assert back["mode"] == "manual" and back["behindSeconds"] == 0
    finally:
        served.stop()
