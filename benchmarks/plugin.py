"""pytest plugin speed: session start after import, and the per-test reset with 100 syncs present.

Runs in a fresh interpreter so nothing is warm: it imports the plugin and what its session
fixture needs, then times what the fixture does (emulator, server, first validated 200), then
the per-test reset with 0 and with N syncs present.
"""

from __future__ import annotations

import json
import subprocess
import sys

from ._harness import Row

NAME = "plugin"

_SCRIPT = r"""
import json, statistics, sys, time
from datetime import datetime, timezone
import httpx
from paragon_emulator.pytest_plugin import Options, ParagonEmulator
from paragon_emulator.emulator import Emulator
from paragon_emulator.settings import Settings

syncs = int(sys.argv[1])
start = datetime(2026, 1, 5, tzinfo=timezone.utc)
client = httpx.Client(trust_env=False)  # the test's own HTTP client is not the emulator's start-up
t0 = time.perf_counter()
handle = ParagonEmulator(Emulator(Settings(clock_mode="manual", clock_start=start)), Options(0, "manual", start))
url = handle.base_url
token = handle.token("alice")
status = client.get(url + "/api/syncs", headers={"Authorization": "Bearer " + token}).status_code
session_ms = (time.perf_counter() - t0) * 1000
assert status == 200, status

def resets(count):
    times = []
    for _ in range(30):
        for n in range(count):
            handle.emulator.enable_sync(f"u{n}", "box", "files", project_id="p")
        a = time.perf_counter()
        handle.reset()
        times.append((time.perf_counter() - a) * 1000)
    return statistics.median(times)

empty, full = resets(0), resets(syncs)
handle.close()
print(json.dumps({"session_ms": session_ms, "reset_empty_ms": empty, "reset_full_ms": full}))
"""


def run(syncs: int = 100) -> list[Row]:
    out = subprocess.run([sys.executable, "-c", _SCRIPT, str(syncs)], capture_output=True, text=True, timeout=300)
    if out.returncode != 0:
        raise RuntimeError(out.stderr[-2000:])
    figures = json.loads(out.stdout.strip().splitlines()[-1])
    return [
        Row(NAME, f"session start after import: {figures['session_ms']:.0f} ms", "goal 100 ms",
            f"{figures['session_ms'] / 100:.2f}x", "emulator + server + first validated 200 (builds the validator)"),
        Row(NAME, f"per-test reset with {syncs} syncs: {figures['reset_full_ms']:.2f} ms",
            f"0 syncs: {figures['reset_empty_ms']:.2f} ms; goal 2 ms",
            f"{figures['reset_full_ms'] / max(figures['reset_empty_ms'], 1e-6):.1f}x", "median of 30"),
    ]
