"""What every benchmark shares: a server subprocess, an HTTP client, bounded waits, table rows.

Only the public surface is used: the server is `python -m paragon_emulator serve` in its own
process, configured by PARAGON_EMULATOR_* variables, and everything else is HTTP on 127.0.0.1.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator
from contextlib import contextmanager

if TYPE_CHECKING:
    # Imported where used: the bare baseline server (_bare.py) imports this module for HOST, and
    # httpx (~60 ms) at its start-up was a cost the bare app itself does not have.
    import httpx

HOST = "127.0.0.1"
REPO = Path(__file__).resolve().parent.parent
START_TIMEOUT_S = 30.0
STOP_TIMEOUT_S = 10.0
KILL_TIMEOUT_S = 5.0


def log(message: str) -> None:
    """Progress goes to stderr; stdout is kept for the table."""
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


@dataclass
class Row:
    benchmark: str
    figure: str
    baseline: str = "-"
    ratio: str = "-"
    notes: str = ""


class BenchmarkError(RuntimeError):
    pass


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def proc_status(pid: int) -> dict[str, int]:
    """VmHWM/VmRSS of a process in KiB (Linux /proc); empty where /proc is missing."""
    out: dict[str, int] = {}
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return out
    for line in text.splitlines():
        name, _, value = line.partition(":")
        if name in ("VmHWM", "VmRSS"):
            out[name] = int(value.split()[0])
    return out


def mib(kib: int | None) -> str:
    return "n/a" if kib is None else f"{kib / 1024:.0f} MiB"


class Server:
    """`python -m paragon_emulator serve` on a free 127.0.0.1 port, with a clean PARAGON_EMULATOR_* env."""

    def __init__(self, env: dict[str, str], name: str):
        self.extra_env = env
        self.name = name
        self.process: Process | None = None

    def start(self, attempts: int = 3) -> None:
        last_error = ""
        for _ in range(attempts):  # a free port can be taken between probing and binding
            port = free_port()
            env = {k: v for k, v in os.environ.items() if not k.startswith("PARAGON_EMULATOR_")}
            env.update(
                {
                    "PARAGON_EMULATOR_HOST": HOST,
                    "PARAGON_EMULATOR_PORT": str(port),
                    "PARAGON_EMULATOR_LOG_LEVEL": "warning",  # no per-request access log
                }
            )
            env.update(self.extra_env)
            command = [sys.executable, "-m", "paragon_emulator", "serve"]
            self.process = Process(command, port, self.name, "/_emulator/health", env)
            try:
                self.process.start(status=200)
                log(f"{self.name}: server pid {self.pid} on {self.base_url} (log {self.log_path})")
                return
            except BenchmarkError as exc:
                last_error = str(exc)
                self.process.stop()
        raise BenchmarkError(f"{self.name}: server did not start: {last_error}")

    def stop(self) -> None:
        if self.process is not None:
            self.process.stop()

    # -- what the benchmarks read ----------------------------------------------------------
    @property
    def base_url(self) -> str:
        assert self.process is not None
        return self.process.base_url

    @property
    def log_path(self) -> str:
        return self.process.log_path if self.process is not None else ""

    @property
    def pid(self) -> int:
        assert self.process is not None and self.process.proc is not None
        return self.process.proc.pid

    def peak_rss_kib(self) -> int | None:
        running = self.process is not None and self.process.proc is not None
        return proc_status(self.pid).get("VmHWM") if running else None


@contextmanager
def running_server(env: dict[str, str], name: str) -> Iterator[Server]:
    """A started server, stopped on the way out; its log is kept only when something failed."""
    server = Server(env, name)
    failed = True
    try:
        server.start()
        yield server
        failed = False
    finally:
        server.stop()
        if failed:
            log(f"{name}: server log kept at {server.log_path}")
        elif server.log_path:
            Path(server.log_path).unlink(missing_ok=True)


def client_for(server: Server, read_timeout: float = 120.0) -> httpx.Client:
    import httpx

    return httpx.Client(
        base_url=server.base_url,
        trust_env=False,
        timeout=httpx.Timeout(read_timeout, connect=5.0),
        limits=httpx.Limits(max_connections=1, max_keepalive_connections=1),
    )


def check(response: httpx.Response, expected: int = 200) -> Any:
    if response.status_code != expected:
        raise BenchmarkError(
            f"{response.request.method} {response.request.url.path} -> {response.status_code}: {response.text[:500]}"
        )
    return response.json()


def default_project(client: httpx.Client) -> str:
    return check(client.get("/_emulator/info"))["projectIds"][0]


def mint_token(client: httpx.Client, user: str, expires_in: int = 4 * 3600) -> str:
    return check(client.post("/_emulator/tokens", json={"userId": user, "expiresIn": expires_in}))["token"]


def advance(client: httpx.Client, seconds: float, timeout: float | None = None) -> dict[str, Any]:
    import httpx

    kwargs: dict[str, Any] = {} if timeout is None else {"timeout": httpx.Timeout(timeout, connect=5.0)}
    return check(client.post("/_emulator/clock/advance", json={"seconds": seconds}, **kwargs))


def run_until_idle(client: httpx.Client, sync: str, max_wall: float, step: float = 60.0) -> float:
    """Advance the clock `step` seconds at a time until the sync is IDLE; the wall seconds it took."""
    started = time.perf_counter()
    while check(client.get(f"/api/syncs/{sync}"))["status"] != "IDLE":
        advance(client, step)
        if time.perf_counter() - started > max_wall:
            raise BenchmarkError(f"sync {sync} not IDLE after {max_wall:.0f} s")
    return time.perf_counter() - started


def fmt_ratio(value: float) -> str:
    return f"{value:.1f}x" if value < 10 else f"{value:.0f}x"


def ratio_range(ratios: list[float], percent: bool = False) -> str:
    """The median of per-round ratios (each measured side by side in one round) and their range."""
    import statistics

    shown = (lambda r: f"{r:.0%}") if percent else fmt_ratio
    if len(ratios) == 1:
        return shown(ratios[0])
    return f"{shown(statistics.median(ratios))} ({shown(min(ratios))}-{shown(max(ratios))})"


def percentile(values: list[float], q: float) -> float:
    """The q-quantile by rank (q=0.99: the p99), the way every latency row here reports it."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))]


def fmt_s(seconds: float) -> str:
    return f"{seconds:.2f} s" if seconds >= 1 else f"{seconds * 1000:.1f} ms"


class Process:
    """Any HTTP server command on 127.0.0.1 (the bare baseline, Prism), ready once `ready_path` answers."""

    def __init__(
        self, command: list[str], port: int, name: str, ready_path: str = "/", env: dict[str, str] | None = None,
        ready_headers: dict[str, str] | None = None,
    ):
        self.command, self.port, self.name, self.ready_path = command, port, name, ready_path
        self.env, self.ready_headers = env, ready_headers or {}
        self.base_url = f"http://{HOST}:{port}"
        self.proc: subprocess.Popen[bytes] | None = None
        self.ready_seconds = 0.0
        self._log = tempfile.NamedTemporaryFile(prefix=f"paragon-bench-{name}-", suffix=".log", delete=False)

    def start(self, timeout: float = START_TIMEOUT_S, status: int | None = None) -> float:
        """Start it; returns seconds from spawn to the first answer (of `status`, if given)."""
        import httpx

        started = time.perf_counter()
        self.proc = subprocess.Popen(
            self.command, env=self.env, cwd=REPO, stdin=subprocess.DEVNULL, stdout=self._log, stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: stop() ends it and any child (npx, node)
        )
        deadline = time.monotonic() + timeout
        with httpx.Client(trust_env=False, timeout=2.0) as client:
            while True:
                if self.proc.poll() is not None:
                    raise BenchmarkError(f"{self.name} exited with {self.proc.returncode}: {self.log_tail()}")
                try:
                    answer = client.get(self.base_url + self.ready_path, headers=self.ready_headers)
                    if status is None or answer.status_code == status:
                        self.ready_seconds = time.perf_counter() - started
                        return self.ready_seconds
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline:
                    raise BenchmarkError(f"{self.name} not answering after {timeout:.0f} s: {self.log_tail()}")
                time.sleep(0.005)

    def stop(self) -> None:
        proc, self.proc = self.proc, None
        if proc is not None and proc.poll() is None:
            os.killpg(proc.pid, 15)
            try:
                proc.wait(timeout=STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, 9)
                proc.wait(timeout=KILL_TIMEOUT_S)
        self._log.close()

    @property
    def log_path(self) -> str:
        return self._log.name

    def log_tail(self, chars: int = 2000) -> str:
        try:
            return Path(self._log.name).read_text(errors="replace")[-chars:]
        except OSError:
            return ""

    def __enter__(self) -> "Process":
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
        if exc[0] is None:
            Path(self._log.name).unlink(missing_ok=True)
        else:
            log(f"{self.name}: log kept at {self._log.name}")
