"""The Docker image, built and run with podman by ../shared/tools/container-check.sh.

container-check.sh builds the top-level Dockerfile (on a locally made Debian base standing in for
python:3.11-slim), runs it with a published port, waits for /_emulator/health and then removes the
container. The image tag stays in podman's storage, so this test then runs the image once more
itself, with settings in environment variables and a mounted /scenarios, and checks what the tool
does not: /openapi.json is served, a token minted by `paragon-emulator token --user alice` is
accepted, the settings reach the emulator, it runs as a non-root user, its HEALTHCHECK passes, and
SIGTERM shuts uvicorn down gracefully.

Needs root (rootful podman, the tool apt-installs it on first use). Costs about a minute and a half
with a cold cache (debootstrap of the base), well under a minute warm.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx
import pytest

REPO = Path(__file__).resolve().parents[2]
TOOL = Path(__file__).resolve().parents[3] / "shared/tools/container-check.sh"
CACHE = Path(os.environ.get("CONTAINER_CHECK_CACHE", "/var/tmp/container-check"))
IMAGE = "localhost/paragon-emulator:pytest"

TOOL_TIMEOUT = 900  # seconds for build + run + health (a cold cache takes ~90 s)
KEPT_IN_PACKAGE = (
    "from pathlib import Path; import paragon_emulator as p; root = Path(p.__file__).parent; "
    "print(*sorted(f.name for f in [*(root / '__pycache__').glob('openapi-*.json'), "
    "*(root / '__pycache__').glob('vocabulary-*.json')]))"
)
PODMAN_TIMEOUT = 120  # seconds for any single podman command
HEALTHY_WITHIN = 60  # seconds from `podman run` to a healthy emulator
STOP_TIMEOUT = 20  # podman stop -t: seconds before SIGKILL follows SIGTERM

SETTINGS = {
    "PARAGON_EMULATOR_STRICT": "true",
    "PARAGON_EMULATOR_SEED": "7",
    "PARAGON_EMULATOR_CLOCK_MODE": "manual",
}

pytestmark = [
    pytest.mark.skipif(not TOOL.is_file(), reason=f"container-check.sh not found at {TOOL}"),
    pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0,
                       reason="container-check.sh needs root (rootful podman)"),
    pytest.mark.skipif(os.environ.get("PARAGON_EMULATOR_SKIP_CONTAINER_TESTS") == "1",
                       reason="PARAGON_EMULATOR_SKIP_CONTAINER_TESTS=1"),
]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run_bounded(cmd: list[str], timeout: float, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """Run cmd in its own process group; on timeout SIGTERM the group (so the tool's cleanup trap runs)."""
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                            start_new_session=True)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            out, err = proc.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            out, err = proc.communicate()
        pytest.fail(f"{' '.join(cmd[:2])} did not finish within {timeout}s:\n{out}\n{err}")
    return subprocess.CompletedProcess(cmd, proc.returncode, out, err)


def podman(*args: str, timeout: float = PODMAN_TIMEOUT, check: bool = True) -> subprocess.CompletedProcess:
    # The tool's private containers.conf: runc, slirp4netns, no bridge networking.
    env = {**os.environ, "CONTAINERS_CONF": str(CACHE / "containers.conf")}
    result = run_bounded(["podman", *args], timeout, env)
    if check and result.returncode != 0:
        pytest.fail(f"podman {' '.join(args)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    return result


def wait_healthy(client: httpx.Client, name: str) -> float:
    started = time.monotonic()
    deadline = started + HEALTHY_WITHIN
    last = "no answer"
    while time.monotonic() < deadline:
        try:
            response = client.get("/_emulator/health", timeout=2)
            if response.status_code == 200 and response.json() == {"status": "ok"}:
                return time.monotonic() - started
            last = f"HTTP {response.status_code}: {response.text[:200]}"
        except httpx.HTTPError as exc:
            last = repr(exc)
        state = podman("inspect", "--format", "{{.State.Status}}", name, check=False).stdout.strip()
        if state != "running":
            logs = podman("logs", "--tail", "40", name, check=False)
            logs = logs.stdout + logs.stderr
            pytest.fail(f"container {name} is {state or 'gone'} before it became healthy:\n{logs}")
        time.sleep(0.25)
    logs = podman("logs", "--tail", "40", name, check=False)
    logs = logs.stdout + logs.stderr
    pytest.fail(f"no healthy answer within {HEALTHY_WITHIN}s (last: {last}):\n{logs}")


def mint_token(user: str) -> str:
    result = subprocess.run([sys.executable, "-m", "paragon_emulator", "token", "--user", user],
                            capture_output=True, text=True, timeout=60, check=True)
    token = result.stdout.strip()
    assert token.count(".") == 2, f"not a JWT: {result.stdout!r} {result.stderr!r}"
    return token


def test_image_builds_runs_and_serves_the_emulator() -> None:
    # 1. Build and health-check with the shared tool (it removes its container when done).
    tool_port = free_port()
    cmd = ["bash", str(TOOL), "--timeout", "60"]
    for key, value in SETTINGS.items():
        cmd += ["-e", f"{key}={value}"]
    cmd += [str(REPO), IMAGE, f"http://127.0.0.1:{tool_port}/_emulator/health"]
    check = run_bounded(cmd, TOOL_TIMEOUT)
    print(check.stderr + check.stdout)
    assert check.returncode == 0 and "container-check: PASS" in check.stdout, check.stderr + check.stdout
    up = re.search(r"start -> HTTP 200 on \S+: ([0-9.]+)s", check.stdout)
    assert up, check.stdout
    print(f"container-check: start to healthy {up.group(1)} s")

    size = podman("image", "inspect", "--format", "{{.Size}}", IMAGE).stdout.strip()
    print(f"image {IMAGE}: {int(size) / 1e6:.0f} MB")

    # 2. Run the image ourselves, since the tool's container is gone.
    port = free_port()
    name = f"paragon-emulator-test-{uuid.uuid4().hex[:8]}"
    with tempfile.TemporaryDirectory() as scenarios:
        scenario = Path(scenarios) / "example.json"
        scenario.write_text(json.dumps({"scenario": "mounted"}))
        os.chmod(scenarios, 0o755)
        os.chmod(scenario, 0o644)
        run = ["run", "-d", "--name", name, "--network", "slirp4netns", "-p", f"127.0.0.1:{port}:8080",
               "-v", f"{scenarios}:/scenarios:ro"]
        for key, value in SETTINGS.items():
            run += ["-e", f"{key}={value}"]
        try:
            podman(*run, IMAGE)
            with httpx.Client(base_url=f"http://127.0.0.1:{port}", trust_env=False, timeout=10) as client:
                healthy_after = wait_healthy(client, name)
                print(f"own run: start to healthy {healthy_after:.2f} s")

                # The spec.
                spec = client.get("/openapi.json")
                assert spec.status_code == 200, spec.text
                assert spec.headers["content-type"].startswith("application/json")
                assert spec.json()["openapi"].startswith("3.")
                assert "/api/syncs" in spec.json()["paths"]

                # A token minted on the host by `paragon-emulator token` is accepted by the container.
                assert client.get("/api/syncs").status_code == 401
                auth = {"Authorization": f"Bearer {mint_token('alice')}"}
                listed = client.get("/api/syncs", headers=auth)
                assert listed.status_code == 200, listed.text
                enabled = client.post("/api/syncs", headers=auth,
                                      json={"integration": "googledrive", "pipeline": "files"})
                assert enabled.status_code in (200, 201), enabled.text
                listed = client.get("/api/syncs", headers=auth)
                assert listed.status_code == 200, listed.text
                assert enabled.json()["id"] in listed.text

                # The environment variables reached the emulator.
                info = client.get("/_emulator/info").json()
                assert info["strict"] is True and info["seed"] == 7, info
                assert info["clock"]["mode"] == "manual", info

            # Non-root, scenario files mounted, and the image's own HEALTHCHECK command passes.
            assert podman("exec", name, "id", "-u").stdout.strip() != "0"
            assert json.loads(podman("exec", name, "cat", "/scenarios/example.json").stdout) == {"scenario": "mounted"}
            # What the build made once is in the package: both specs' JSON copies and seed 0's vocabulary.
            kept = podman("exec", name, "/opt/venv/bin/python", "-c", KEPT_IN_PACKAGE).stdout.split()
            assert sum(k.startswith("openapi-") for k in kept) == 2 and any("-0-" in k for k in kept if k.startswith("vocabulary-")), kept
            podman("healthcheck", "run", name)

            # SIGTERM (podman stop) shuts uvicorn down gracefully, long before SIGKILL would follow.
            t0 = time.monotonic()
            podman("stop", "-t", str(STOP_TIMEOUT), name, timeout=STOP_TIMEOUT + 30)
            stopped_after = time.monotonic() - t0
            print(f"own run: stopped {stopped_after:.2f} s after SIGTERM")
            assert stopped_after < STOP_TIMEOUT - 5, f"stop took {stopped_after:.1f}s: SIGTERM was not handled"
            exit_code = podman("inspect", "--format", "{{.State.ExitCode}}", name).stdout.strip()
            result = podman("logs", name)
            logs = result.stdout + result.stderr  # podman logs replays the container's stderr on stderr
            assert exit_code in ("0", "143"), f"exit code {exit_code}:\n{logs}"
            assert "Finished server process" in logs, logs
        finally:
            podman("rm", "-f", "-t", "5", name, check=False)
