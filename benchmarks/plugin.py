"""pytest plugin speed: session start after import, the per-test reset with 100 syncs present, and
what a test that uses `paragon_client` costs over an empty test, in a real pytest run.

The first two run in a fresh interpreter so nothing is warm: it imports the plugin and what its
session fixture needs, then times what the fixture does (emulator, server, first validated 200),
then the per-test reset with 0 and with N syncs present.

The third is measured as a user meets it: pytest, in its own process, runs a file of N tests that
each take `paragon_client` and a file of N empty tests; both files first run one test that starts
the session's emulator, so the difference is the per-test cost alone (fixtures, reset, client).
A conftest times the tests from the second one's start to the last one's end; the runs alternate
and the median of each is taken.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

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


_CONFTEST = r"""
import json, os, time
import pytest

_marks = {}

@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item, nextitem):
    if item.name == "test_1":
        _marks["start"] = time.perf_counter()
    result = yield
    if nextitem is None:
        _marks["end"] = time.perf_counter()
    return result

def pytest_sessionfinish(session):
    with open(os.environ["PLUGIN_BENCH_OUT"], "w") as out:
        json.dump({"seconds": _marks["end"] - _marks["start"]}, out)
"""


def _test_file(tests: int, fixture: str) -> str:
    lines = ["def test_0(paragon_client):", "    pass", ""]  # starts the session's emulator in both files
    for n in range(1, tests + 1):
        lines += [f"def test_{n}({fixture}):", "    pass", ""]
    return "\n".join(lines)


def per_test_cost(tests: int = 200, rounds: int = 3) -> tuple[float, float]:
    """(ms per test with paragon_client, ms per empty test), medians of `rounds` alternating runs."""
    with tempfile.TemporaryDirectory(prefix="plugin-bench-") as folder:
        root = Path(folder)
        (root / "conftest.py").write_text(_CONFTEST)
        (root / "test_client.py").write_text(_test_file(tests, "paragon_client"))
        (root / "test_empty.py").write_text(_test_file(tests, ""))
        figures: dict[str, list[float]] = {"test_client.py": [], "test_empty.py": []}
        for _ in range(rounds):
            for name, times in figures.items():
                out = root / "out.json"
                done = subprocess.run(
                    [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:randomly", name],
                    cwd=root, capture_output=True, text=True, timeout=600,
                    env={**os.environ, "PLUGIN_BENCH_OUT": str(out)},
                )
                if done.returncode != 0:
                    raise RuntimeError(done.stdout[-2000:] + done.stderr[-2000:])
                times.append(json.loads(out.read_text())["seconds"] * 1000 / tests)
        return statistics.median(figures["test_client.py"]), statistics.median(figures["test_empty.py"])


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
    ] + [_client_row()]


def _client_row(tests: int = 200) -> Row:
    client_ms, empty_ms = per_test_cost(tests)
    return Row(
        NAME, f"a test using paragon_client: +{client_ms - empty_ms:.2f} ms over an empty test",
        f"empty test: {empty_ms:.2f} ms; goal +2 ms", f"{client_ms / max(empty_ms, 1e-6):.1f}x",
        f"pytest runs of {tests} tests each, session start excluded, median of 3",
    )
