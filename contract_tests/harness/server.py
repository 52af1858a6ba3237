"""Starts the emulator as a separate process through its real CLI, the way a user would.

The suite never imports the emulator: it runs the `paragon-emulator` console script installed
next to this interpreter (or `python -m paragon_emulator`), waits for /_emulator/health, and
mints tokens with `paragon-emulator token`.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

START_TIMEOUT = 60.0  # a busy 2-core machine can take a while to import and bind


def cli_command() -> list[str]:
    script = Path(sys.executable).parent / "paragon-emulator"
    if script.exists():
        return [str(script)]
    found = shutil.which("paragon-emulator")
    if found:
        return [found]
    return [sys.executable, "-m", "paragon_emulator"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _clean_env() -> dict[str, str]:
    # The user's own PARAGON_EMULATOR_* settings must not change what the contract sees.
    return {k: v for k, v in os.environ.items() if not k.startswith("PARAGON_EMULATOR_")}


@dataclass
class EmulatorProcess:
    process: subprocess.Popen
    base_url: str
    log_path: Path

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def token(self, user: str) -> str:
        done = subprocess.run(
            [*cli_command(), "token", "--user", user],
            capture_output=True, text=True, timeout=60, env=_clean_env(), check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(f"paragon-emulator token failed ({done.returncode}): {done.stderr.strip()}")
        return done.stdout.strip()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=15)
        self.log_path.unlink(missing_ok=True)


def start(clock_rate: float, attempts: int = 3) -> EmulatorProcess:
    """Serve on a free port; a port taken between choosing and binding it is retried."""
    errors = []
    for _ in range(attempts):
        port = _free_port()
        log = Path(tempfile.mkstemp(prefix="paragon-contract-emulator-", suffix=".log")[1])
        args = [
            *cli_command(), "serve", "--port", str(port), "--seed", "0",
            "--clock-mode", "accelerated", "--clock-rate", str(clock_rate), "--log-level", "warning",
        ]
        with log.open("wb") as sink:
            process = subprocess.Popen(args, stdout=sink, stderr=subprocess.STDOUT, env=_clean_env())
        server = EmulatorProcess(process, f"http://127.0.0.1:{port}", log)
        if _wait_healthy(server):
            return server
        server.stop()
        errors.append(f"$ {' '.join(args)}\n{server.log_tail()}")
    raise RuntimeError("the emulator did not become healthy:\n" + "\n\n".join(errors))


def _wait_healthy(server: EmulatorProcess) -> bool:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            return False
        try:
            if httpx.get(f"{server.base_url}/_emulator/health", timeout=2).status_code == 200:
                return True
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    return False
