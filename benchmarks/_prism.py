"""Stoplight Prism, the generic OpenAPI mock users would pick instead, serving our own openapi.yaml.

Installed from the npm registry into benchmarks/.cache/prism (not committed) on first use; when
npm or the registry is missing, `find` says why and the benchmark prints that in its row.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from ._harness import HOST, Process, free_port, log

PACKAGE = "@stoplight/prism-cli@5"
CACHE = Path(__file__).resolve().parent / ".cache" / "prism"
BINARY = CACHE / "node_modules" / ".bin" / "prism"
SPEC = Path(__file__).resolve().parent.parent / "emulator" / "paragon_emulator" / "openapi.yaml"


class Unavailable(Exception):
    pass


def find(install: bool = True) -> Path:
    """Prism's command, installing it when allowed; raises Unavailable with the reason."""
    if BINARY.exists():
        return BINARY
    if not install:
        raise Unavailable(f"Prism not installed in {CACHE.relative_to(CACHE.parents[2])} (a full run installs it)")
    npm = shutil.which("npm")
    if npm is None or shutil.which("node") is None:
        raise Unavailable("npm/node not found: install Node.js to compare with Prism")
    log(f"prism: installing {PACKAGE} into {CACHE}")
    CACHE.mkdir(parents=True, exist_ok=True)
    try:
        out = subprocess.run(
            [npm, "install", "--prefix", str(CACHE), "--no-audit", "--no-fund", "--loglevel=error", PACKAGE],
            capture_output=True, text=True, timeout=600,
        )
    except subprocess.TimeoutExpired:
        raise Unavailable("npm install of Prism took over 10 minutes") from None
    if out.returncode != 0 or not BINARY.exists():
        raise Unavailable(f"npm install {PACKAGE} failed: {(out.stderr or out.stdout).strip()[-300:]}")
    return BINARY


def version(binary: Path) -> str:
    try:
        return subprocess.run([str(binary), "--version"], capture_output=True, text=True, timeout=60).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "?"


def process(binary: Path) -> Process:
    port = free_port()
    # Static mode (examples from the spec), request validation on as it always is; log warnings only,
    # as the emulator runs here.
    command = [str(binary), "mock", "-p", str(port), "-h", HOST, "-v", "warn", str(SPEC)]
    return Process(command, port, "prism", "/_emulator/health")
