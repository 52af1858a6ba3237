"""Each webhook endpoint has its own lane: a receiver that hangs holds up only its own deliveries."""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from starlette.testclient import TestClient

from paragon_emulator import create_app
from tests.conftest import PROJECT, make_settings

OTHER = "1ea8024c-23a7-4885-b925-c50d0faf9318"


class Hook:
    """A receiver that answers 200, or holds every request until released."""

    def __init__(self, hang: bool = False) -> None:
        self.released = threading.Event()
        if not hang:
            self.released.set()
        self.arrived: list[bytes] = []
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers["content-length"]))
                hook.released.wait(60)
                hook.arrived.append(body)
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()

    def close(self) -> None:
        self.released.set()
        self.server.shutdown()
        self.server.server_close()


def wait_for(predicate, what: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.02)


def test_a_hanging_receiver_of_one_project_does_not_hold_up_another_project(auth):
    hanging, healthy = Hook(hang=True), Hook()
    # The hung requests would last 60 s: anything that waits behind them fails the 15 s wait below.
    settings = make_settings(project_ids=[PROJECT, OTHER], webhook_timeout_seconds=60)
    try:
        with TestClient(create_app(settings)) as client:
            client.put("/_emulator/webhooks/config", json={"projectId": PROJECT, "url": hanging.url})
            client.put("/_emulator/webhooks/config", json={"projectId": OTHER, "url": healthy.url})
            body = {"integration": "box", "pipeline": "files"}
            for n in range(40):  # more deliveries than any shared pool of workers would have
                client.post("/api/syncs", json=body, headers=auth(f"user{n}", PROJECT))
            client.post("/_emulator/clock/advance", json={"seconds": 5})
            log = lambda: client.get("/_emulator/webhooks/events").json()["data"]  # noqa: E731
            wait_for(lambda: sum(d["status"] == "delivering" for d in log()) == 40, "40 deliveries in flight", 15)

            other = client.post("/api/syncs", json=body, headers=auth("carol", OTHER)).json()
            client.post("/_emulator/clock/advance", json={"seconds": 5})
            wait_for(lambda: healthy.arrived, "the other project's webhook", 15)
            assert other["id"].encode() in healthy.arrived[0]
            assert not hanging.arrived  # still hung: the other project's delivery did not wait for it
    finally:
        hanging.close()
        healthy.close()
