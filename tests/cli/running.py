"""Helpers of the CLI tests: run a command as a subprocess, and serve an emulator for a module."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass

CLI = [sys.executable, "-m", "paragon_emulator"]


def clean_env(**extra: str) -> dict[str, str]:
    # The developer's own PARAGON_EMULATOR_* variables must not change what a test sees.
    env = {k: v for k, v in os.environ.items() if not k.upper().startswith("PARAGON_EMULATOR_")}
    env.update(extra)
    return env


def cli(*args: str, env: dict[str, str] | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=timeout, env=env or clean_env())


@dataclass
class Served:
    process: subprocess.Popen
    url: str

    def control(self, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
        return cli("control", *args, "--url", self.url, env=env)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=30)


def serve(*args: str) -> Served:
    """`serve --port 0 ARGS` on 127.0.0.1; returns once the address is printed (the socket is bound then)."""
    process = subprocess.Popen(
        [*CLI, "serve", "--port", "0", *args], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        env=clean_env(),
    )
    assert process.stderr is not None
    first = process.stderr.readline()
    found = re.search(r"serving on (http://\S+)", first)
    if not found:
        process.kill()
        raise AssertionError(first + process.stderr.read())
    # Keep reading stderr so that the server never blocks on a full pipe.
    import threading

    threading.Thread(target=process.stderr.read, daemon=True).start()
    return Served(process, found.group(1))
