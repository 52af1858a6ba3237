"""startup: from process start to the first 200, for `paragon-emulator serve` and the in-process fixture.

- serve: `paragon-emulator serve` (the console script) spawned, then GET /api/syncs with a valid
  token polled every 5 ms until it answers 200 (auth, validation and the spec included).
- fixture: a fresh interpreter that imports the pytest plugin, starts its session emulator
  (ParagonEmulator: in-process, uvicorn in a thread) and makes its first validated GET /api/syncs;
  timed from spawn to the line it prints after that 200.
- baseline: the bare Starlette app (benchmarks/_bare.py) spawned and polled the same way: what
  Python, Starlette and uvicorn cost before any emulator code runs.
Each is the median of `repeats` runs.

All three start with their modules' bytecode written, as an installed package has it (pip compiles
a wheel's modules): the bare app's modules (Starlette, uvicorn) always have theirs, while an
editable checkout under PYTHONDONTWRITEBYTECODE=1 (or a read-only tree) would compile the
emulator's ~100 modules from source at every start (~80 ms), a cost no installed copy has.
"""

from __future__ import annotations

import compileall
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from . import _bare
from ._harness import HOST, BenchmarkError, Process, Row, free_port, ratio_range

NAME = "startup"

_FIXTURE = r"""
import httpx
from datetime import datetime, timezone
from paragon_emulator.pytest_plugin import Options, ParagonEmulator
from paragon_emulator.emulator import Emulator
from paragon_emulator.settings import Settings

start = datetime(2026, 1, 5, tzinfo=timezone.utc)
handle = ParagonEmulator(Emulator(Settings(clock_mode="manual", clock_start=start)), Options(0, "manual", start))
token = handle.token("alice")
with httpx.Client(trust_env=False) as client:
    status = client.get(handle.base_url + "/api/syncs", headers={"Authorization": "Bearer " + token}).status_code
print(status, flush=True)
handle.close()
"""


def _serve_command() -> list[str]:
    script = Path(sys.executable).with_name("paragon-emulator")
    return [str(script), "serve"] if script.exists() else [sys.executable, "-m", "paragon_emulator", "serve"]


def _serve_once() -> float:
    from paragon_emulator.settings import Settings
    from paragon_emulator.tokens import mint

    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PARAGON_EMULATOR_")}
    env.update({"PARAGON_EMULATOR_HOST": HOST, "PARAGON_EMULATOR_PORT": str(port), "PARAGON_EMULATOR_LOG_LEVEL": "warning"})
    token = mint(Settings(), "alice")[0]
    with Process(_serve_command(), port, "startup-serve", "/api/syncs", env, {"Authorization": f"Bearer {token}"}) as server:
        return server.start(status=200)


def _bare_once(manifest: Path) -> float:
    with _bare.process(manifest, "startup-bare") as bare:
        return bare.start(status=200)


def _fixture_once() -> float:
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", _FIXTURE], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline() if proc.stdout else ""  # printed right after the first 200
        elapsed = time.perf_counter() - started
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    if proc.returncode != 0 or line.strip() != "200":
        raise BenchmarkError(f"fixture start-up: {line!r} {err[-1500:]}")
    return elapsed


def _write_bytecode() -> None:
    """Bytecode for the emulator's modules and the baseline's own (see the module's docstring);
    where a tree cannot be written, its modules are compiled at each start, as before."""
    import paragon_emulator

    for folder in (Path(paragon_emulator.__file__).parent, Path(__file__).parent):
        compileall.compile_dir(folder, quiet=2)


def run(repeats: int = 5) -> list[Row]:
    _write_bytecode()
    with tempfile.TemporaryDirectory(prefix="paragon-bench-") as tmp:
        manifest = Path(tmp) / "answers.json"
        manifest.write_text(json.dumps({}))
        bare, serve, fixture = [], [], []
        for _ in range(repeats):  # interleaved, so a busy moment touches all three alike
            bare.append(_bare_once(manifest))
            serve.append(_serve_once())
            fixture.append(_fixture_once())
    b, s, f = (statistics.median(x) for x in (bare, serve, fixture))
    how = f"median of {repeats} rounds, bare/serve/fixture interleaved; ratio: median of the rounds' ratios (range)"
    return [
        Row(NAME, f"`paragon-emulator serve` to first validated 200: {_ms(s)}", f"bare uvicorn Starlette app: {_ms(b)}",
            ratio_range([x / y for x, y in zip(serve, bare)]), f"process start to GET /api/syncs 200 with a token; runs {', '.join(_ms(x) for x in serve)}; {how}"),
        Row(NAME, f"in-process fixture, process start to first validated 200: {_ms(f)}", f"bare uvicorn Starlette app: {_ms(b)}",
            ratio_range([x / y for x, y in zip(fixture, bare)]), f"python -c: import the plugin, ParagonEmulator(...), GET /api/syncs, close; runs "
            f"{', '.join(_ms(x) for x in fixture)}"),
    ]


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"
