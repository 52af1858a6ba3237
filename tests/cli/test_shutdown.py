"""SIGTERM: webhooks still undelivered get one more try within the grace period, and what is left is logged."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGTERM")


class Receiver:
    def __init__(self) -> None:
        self.status = 500
        self.arrived: list[str] = []  # webhook-id of each delivery taken
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers["content-length"]))
                if receiver.status == 200:
                    receiver.arrived.append(self.headers["webhook-id"])
                self.send_response(receiver.status)
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()


def _serve(receiver: Receiver, **extra: str) -> tuple[subprocess.Popen, str]:
    env = {
        **os.environ,
        "PARAGON_EMULATOR_CLOCK_MODE": "manual",
        "PARAGON_EMULATOR_WEBHOOK_URL": receiver.url,
        "PARAGON_EMULATOR_WEBHOOK_RETRY_SCHEDULE": "3600",  # an hour of emulated time: never, on a manual clock
        "PARAGON_EMULATOR_WEBHOOK_SHUTDOWN_GRACE_SECONDS": "20",
        **extra,
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "paragon_emulator", "serve", "--port", "0"],
        stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True, env=env,
    )
    assert process.stderr is not None
    first = process.stderr.readline()
    found = re.search(r"serving on (http://127\.0\.0\.1:\d+)", first)
    if not found:
        process.kill()
        raise AssertionError(f"no address in the first line: {first!r}")
    return process, found.group(1)


def _three_waiting_deliveries(base: str) -> list[str]:
    with httpx.Client(base_url=base, trust_env=False, timeout=30) as client:
        for user in ("ann", "ben", "cat"):
            token = client.post("/_emulator/tokens", json={"userId": user}).json()["token"]
            body = {"integration": "box", "pipeline": "files"}
            client.post("/api/syncs", json=body, headers={"Authorization": f"Bearer {token}"}).raise_for_status()
        client.post("/_emulator/clock/advance", json={"seconds": 5}).raise_for_status()
        deadline = time.monotonic() + 20
        while True:
            log = client.get("/_emulator/webhooks/events").json()["data"]
            if len(log) == 3 and all(d["status"] == "pending" and d["attempts"] for d in log):
                return [d["id"] for d in log]
            assert time.monotonic() < deadline, f"the deliveries did not fail once and wait: {log}"
            time.sleep(0.05)


def _stop(process: subprocess.Popen) -> str:
    process.send_signal(signal.SIGTERM)
    try:
        _, err = process.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        process.kill()
        raise
    return err


def test_sigterm_delivers_what_waits_when_the_receiver_is_back(receiver):
    process, base = _serve(receiver)
    ids = _three_waiting_deliveries(base)
    receiver.status = 200  # the receiver recovers; the next retry is an emulated hour away
    err = _stop(process)
    assert sorted(receiver.arrived) == sorted(ids), err
    assert "every webhook was delivered before shutdown" in err


def test_sigterm_logs_what_could_not_be_delivered(receiver):
    process, base = _serve(receiver)
    ids = _three_waiting_deliveries(base)
    err = _stop(process)
    assert receiver.arrived == []
    assert "3 webhook deliveries were still undelivered at shutdown" in err
    assert all(i in err for i in ids)


def test_with_a_state_file_what_is_left_at_sigterm_is_kept_and_sent_after_the_restart(receiver, tmp_path):
    state = str(tmp_path / "state.json")
    # Two retries: the grace period's try uses the first, the second waits in the state file.
    kept = {"PARAGON_EMULATOR_STATE_FILE": state, "PARAGON_EMULATOR_WEBHOOK_RETRY_SCHEDULE": "3600,3600"}
    process, base = _serve(receiver, PARAGON_EMULATOR_WEBHOOK_SHUTDOWN_GRACE_SECONDS="1", **kept)
    ids = _three_waiting_deliveries(base)
    err = _stop(process)
    assert "3 webhook deliveries were still undelivered at shutdown" in err and "state saved to" in err, err
    receiver.status = 200
    process, base = _serve(receiver, **kept)
    try:
        with httpx.Client(base_url=base, trust_env=False, timeout=30) as client:
            log = client.get("/_emulator/webhooks/events").json()["data"]
            assert sorted(d["id"] for d in log) == sorted(ids)
            assert all(d["status"] == "pending" for d in log), log
            client.post("/_emulator/clock/advance", json={"seconds": 5000}).raise_for_status()  # their retry falls due
            deadline = time.monotonic() + 20
            while sorted(receiver.arrived) != sorted(ids):
                assert time.monotonic() < deadline, f"not redelivered after the restart: {receiver.arrived}"
                time.sleep(0.05)
    finally:
        _stop(process)

