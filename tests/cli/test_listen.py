"""`paragon-emulator listen --forward-to URL`: deliveries printed as they arrive and forwarded, signed, to the app."""

from __future__ import annotations

import json
import re
import subprocess
from typing import Iterator

import httpx
import pytest

from paragon_emulator.webhooks.signing import verify

from .running import CLI, Served, clean_env, serve
from .test_control_commands import Receiver, as_json, enable_sync


@pytest.fixture
def emulator() -> Iterator[Served]:
    served = serve("--clock-mode", "manual", "--webhook-url", "http://127.0.0.1:9/before")
    yield served
    served.stop()


@pytest.fixture
def app() -> Iterator[Receiver]:
    made = Receiver()
    yield made
    made.close()


def start_listen(emulator: Served, *args: str) -> tuple[subprocess.Popen, str, str]:
    process = subprocess.Popen(
        [*CLI, "listen", "--url", emulator.url, *args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=clean_env(),
    )
    assert process.stdout is not None
    ready = process.stdout.readline()
    secret_line = process.stdout.readline()
    if not ready.startswith("Ready!"):
        process.kill()
        raise AssertionError(ready + secret_line + process.stderr.read())
    url = re.search(r"at (http://\S+/webhooks)", ready).group(1)
    secret = re.search(r"secret is (\S+)", secret_line).group(1)
    return process, url, secret


def next_delivery(process: subprocess.Popen) -> str:
    """The next delivery listen prints after the verification probe that pointing the URL at it sent."""
    line = process.stdout.readline()
    while "webhook_verification" in line:
        line = process.stdout.readline()
    return line


def stop(process: subprocess.Popen) -> str:
    process.terminate()
    _, stderr = process.communicate(timeout=30)
    return stderr


def test_listen_points_the_webhooks_at_itself_prints_and_forwards_them_signed(emulator, app):
    process, url, secret = start_listen(emulator, "--forward-to", app.url)
    try:
        config = httpx.get(emulator.url + "/_emulator/webhooks/config", trust_env=False, timeout=30).json()
        assert config["url"] == url and config["secret"] == secret
        sync_id = enable_sync(emulator)
        emulator.control("advance", "1m")  # the initial sync ends: sync_complete
        line = next_delivery(process)
        assert "sync_complete" in line and sync_id in line and "[200]" in line and app.url in line
        assert sorted(b["event"] for b in app.bodies) == ["sync_complete", "webhook_verification"]  # and the probe
        assert [b["syncInstanceId"] for b in app.bodies if b["event"] == "sync_complete"] == [sync_id]
    finally:
        stderr = stop(process)
    assert "Traceback" not in stderr
    # Ctrl-C (or SIGTERM) points the webhooks back where they went.
    config = httpx.get(emulator.url + "/_emulator/webhooks/config", trust_env=False, timeout=30).json()
    assert config["url"] == "http://127.0.0.1:9/before"


def test_the_forwarded_delivery_verifies_with_the_secret_printed(emulator, app):
    process, _, secret = start_listen(emulator, "--forward-to", app.url.removeprefix("http://"), "--json")
    try:
        sync_id = enable_sync(emulator)
        emulator.control("advance", "1m")
        printed = json.loads(next_delivery(process))
        assert printed["event"] == "sync_complete" and printed["syncId"] == sync_id and printed["status"] == 200
        body, headers = next((b, h) for b, h in app.raw if b'"sync_complete"' in b)
        verify(body, headers, secret)  # raises if the signature does not hold
        assert json.loads(body)["syncInstanceId"] == sync_id
    finally:
        stop(process)


def test_an_app_that_is_down_is_a_502_the_emulator_retries(emulator):
    process, _, _ = start_listen(emulator, "--forward-to", "http://127.0.0.1:9/down")
    try:
        sync_id = enable_sync(emulator)
        emulator.control("advance", "1m")
        line = next_delivery(process)
        assert "sync_complete" in line and "[502]" in line and "ConnectError" in line
        events = as_json(emulator.control("events", "--sync", sync_id, "--json"))["data"]
        assert events[0]["attempts"][0]["statusCode"] == 502 and events[0]["status"] == "pending"
    finally:
        stop(process)
