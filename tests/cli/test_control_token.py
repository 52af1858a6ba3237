"""Serving beyond loopback without a control token warns; with one, `control` sends it."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest


def _start(*args: str) -> tuple[subprocess.Popen, str, str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "paragon_emulator", "serve", "--port", "0", "--clock-mode", "manual", *args],
        stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True, env={**os.environ},
    )
    assert process.stderr is not None
    first = process.stderr.readline()
    second = process.stderr.readline()  # the warning, or uvicorn's first line
    port = re.search(r"serving on http://[^:]+:(\d+)", first)
    if not port:
        process.kill()
        raise AssertionError(first)
    return process, f"http://127.0.0.1:{port.group(1)}", second


def _control(url: str, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "paragon_emulator", "control", "--url", url, *args],
        capture_output=True, text=True, timeout=60, env={**os.environ, **(env or {})},
    )


@pytest.fixture
def stop():
    started: list[subprocess.Popen] = []
    yield started.append
    for process in started:
        process.terminate()
        process.wait(timeout=30)


def test_listening_on_every_interface_without_a_token_warns(stop):
    process, _, second = _start("--host", "0.0.0.0")
    stop(process)
    assert "warning: listening on 0.0.0.0 with no control token" in second


def test_with_a_token_control_needs_it_and_there_is_no_warning(stop):
    process, url, second = _start("--host", "0.0.0.0", "--control-token", "t0ken-for-tests")
    stop(process)
    assert "warning" not in second
    refused = _control(url, "info", "--json")
    assert refused.returncode == 1 and "CONTROL_TOKEN_REQUIRED" in refused.stdout
    assert _control(url, "--control-token", "t0ken-for-tests", "info").returncode == 0
    by_env = _control(url, "clock", "--json", env={"PARAGON_EMULATOR_CONTROL_TOKEN": "t0ken-for-tests"})
    assert by_env.returncode == 0 and '"mode": "manual"' in by_env.stdout
