"""The CLI: serve (with settings from flags and env), token, spec, --help."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
from dataclasses import dataclass, field

import httpx
import yaml

from paragon_emulator import __version__


def run_cli(*args: str, env: dict | None = None, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "paragon_emulator", *args],
        capture_output=True, text=True, timeout=timeout, env={**os.environ, **(env or {})},
    )


@dataclass
class Served:
    """A `paragon-emulator serve` process, its base URL, and everything it wrote to stderr."""

    process: subprocess.Popen
    lines: list[str] = field(default_factory=list)
    started: threading.Event = field(default_factory=threading.Event)
    base_url: str = ""

    def __post_init__(self) -> None:
        self.reader = threading.Thread(target=self.read, daemon=True)  # stderr is drained, never left to fill
        self.reader.start()

    def read(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.lines.append(line)
            found = re.search(r"serving on (http://\S+)", line)
            if found and not self.base_url:
                self.base_url = found.group(1)
                self.started.set()
        self.started.set()  # the process ended (without serving, if base_url is still empty)

    def output(self) -> str:
        return "".join(self.lines)

    def stop(self) -> str:
        """SIGTERM, wait for the exit, and give the whole of stderr."""
        if self.process.poll() is None:
            self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.reader.join(timeout=30)
        return self.output()


def serve(*flags: str, env: dict | None = None) -> Served:
    """Serve on port 0: the OS picks a free port as the server binds it (no other process can take it
    in between), and the emulator's start-up line names it. Waits for that line, not for a time."""
    process = subprocess.Popen(
        [sys.executable, "-m", "paragon_emulator", "serve", "--log-level", "info", *flags],
        env={**os.environ, **(env or {}), "PARAGON_EMULATOR_PORT": "0"},
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )
    served = Served(process)
    if not served.started.wait(timeout=120) or not served.base_url:
        output = served.stop()
        raise AssertionError(f"the server did not start:\n{output}")
    return served


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
    served = serve("--clock-mode", "manual", env={"PARAGON_EMULATOR_SEED": "7"})
    try:
        base = served.base_url
        info = httpx.get(f"{base}/_emulator/info", timeout=30).json()
        assert info["seed"] == 7 and info["clock"]["mode"] == "manual" and info["version"] == __version__
        token = run_cli("token", "--user", "alice").stdout.strip()
        response = httpx.get(f"{base}/api/syncs", headers={"Authorization": f"Bearer {token}"}, timeout=30)
        assert response.status_code == 200 and response.json() == {"data": []}
        moved = run_cli("control", "--url", base, "advance", "1h", "--json")
        assert moved.returncode == 0 and json.loads(moved.stdout)["clock"]["mode"] == "manual"
        assert json.loads(run_cli("control", "--url", base, "contract", "--json").stdout)["requests"] == 1
        assert run_cli("control", "--url", base, "scenario", "nope").returncode == 1
        assert json.loads(run_cli("control", "--url", base, "reset", "--json").stdout) == {"syncsRemoved": 0}
        expired = run_cli("token", "--user", "alice", "--expires-in", "-3600").stdout.strip()
        response = httpx.get(f"{base}/api/syncs", headers={"Authorization": f"Bearer {expired}"}, timeout=30)
        assert response.status_code == 401 and response.json()["code"] == "AUTH_TOKEN_EXPIRED"
    finally:
        output = served.stop()
    # SIGTERM is a graceful shutdown (uvicorn then re-raises the signal as its exit status).
    assert "Application shutdown complete" in output


def test_token_carries_the_claims_asked_for():
    import jwt

    token = run_cli("token", "--user", "bob", "--project", "p-1", "--claim", 'role="admin"', "--expires-in", "60").stdout
    claims = jwt.decode(token.strip(), options={"verify_signature": False})
    assert claims["sub"] == "bob" and claims["aud"] == "useparagon.com/p-1" and claims["role"] == "admin"
    assert claims["exp"] - claims["iat"] == 60
