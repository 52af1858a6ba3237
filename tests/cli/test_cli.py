"""The CLI: serve (with settings from flags and env), token, spec, --help."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time

import httpx
import yaml

from paragon_emulator import __version__


def run_cli(*args: str, env: dict | None = None, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "paragon_emulator", *args],
        capture_output=True, text=True, timeout=timeout, env={**os.environ, **(env or {})},
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_help_explains_each_command():
    result = run_cli("--help")
    assert result.returncode == 0
    for word in ("serve", "token", "spec", "PARAGON_EMULATOR_"):
        assert word in result.stdout
    serve_help = run_cli("serve", "--help").stdout
    for flag in ("--host", "--port", "--seed", "--clock-mode", "--strict", "--public-key", "--project-id"):
        assert flag in serve_help


def test_spec_prints_the_spec_in_yaml_and_json():
    as_yaml = yaml.safe_load(run_cli("spec").stdout)
    as_json = json.loads(run_cli("spec", "--format", "json").stdout)
    assert as_yaml == as_json and "/api/syncs" in as_json["paths"]


def test_invalid_settings_stop_start_up_with_a_clear_message():
    result = run_cli("serve", "--clock-mode", "sideways")
    assert result.returncode == 2
    assert "clock_mode" in result.stderr and "PARAGON_EMULATOR_CLOCK_MODE" in result.stderr
    result = run_cli("serve", env={"PARAGON_EMULATOR_PORT": "not-a-port"})
    assert result.returncode == 2 and "port" in result.stderr
    result = run_cli("serve", env={"PARAGON_EMULATOR_JWT_ALGORITHMS": "HS256"})
    assert result.returncode == 2 and "jwt_algorithms" in result.stderr


def test_serve_answers_and_a_cli_token_is_accepted():
    port = free_port()
    env = {"PARAGON_EMULATOR_PORT": str(port), "PARAGON_EMULATOR_SEED": "7"}
    process = subprocess.Popen(
        [sys.executable, "-m", "paragon_emulator", "serve", "--clock-mode", "manual"],
        env={**os.environ, **env}, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                info = httpx.get(f"{base}/_emulator/info", timeout=2).json()
                break
            except httpx.HTTPError:
                assert process.poll() is None, process.stderr.read().decode()
                assert time.monotonic() < deadline, "server did not start"
                time.sleep(0.1)
        assert info["seed"] == 7 and info["clock"]["mode"] == "manual" and info["version"] == __version__
        token = run_cli("token", "--user", "alice").stdout.strip()
        response = httpx.get(f"{base}/api/syncs", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 200 and response.json() == {"data": []}
        moved = run_cli("control", "--url", base, "advance", "1h", "--json")
        assert moved.returncode == 0 and json.loads(moved.stdout)["clock"]["mode"] == "manual"
        assert json.loads(run_cli("control", "--url", base, "contract", "--json").stdout)["requests"] == 1
        assert run_cli("control", "--url", base, "scenario", "nope").returncode == 1
        assert json.loads(run_cli("control", "--url", base, "reset", "--json").stdout) == {"syncsRemoved": 0}
        expired = run_cli("token", "--user", "alice", "--expires-in", "-10").stdout.strip()
        response = httpx.get(f"{base}/api/syncs", headers={"Authorization": f"Bearer {expired}"})
        assert response.status_code == 401 and response.json()["code"] == "AUTH_TOKEN_EXPIRED"
    finally:
        process.terminate()
        process.wait(timeout=20)
    # SIGTERM is a graceful shutdown (uvicorn then re-raises the signal as its exit status).
    assert "Application shutdown complete" in process.stderr.read().decode()


def test_token_carries_the_claims_asked_for():
    import jwt

    token = run_cli("token", "--user", "bob", "--project", "p-1", "--claim", 'role="admin"', "--expires-in", "60").stdout
    claims = jwt.decode(token.strip(), options={"verify_signature": False})
    assert claims["sub"] == "bob" and claims["aud"] == "useparagon.com/p-1" and claims["role"] == "admin"
    assert claims["exp"] - claims["iat"] == 60
