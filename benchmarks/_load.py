"""Load generators for 127.0.0.1: wrk when it is installed, else a small asyncio HTTP/1.1 loop.

Both keep N keep-alive connections busy with one fixed request for a bounded time and report
requests/s, p50/p99 latency and how many answers were not 2xx. wrk (`apt-get install wrk`) is
preferred: it costs the machine far less than Python does, so it caps the fastest server later.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import statistics
import subprocess
import tempfile
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from ._harness import BenchmarkError, percentile

WRK_TIMEOUT_S = 10  # per request: a request slower than this counts as an error


@dataclass
class Load:
    requests: int
    seconds: float
    errors: int  # non-2xx answers, timeouts and socket errors
    p50_ms: float
    p99_ms: float
    generator: str

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def generator_name(seconds: float = 1.0) -> str:
    # wrk runs whole seconds: shorter runs (--quick) use the Python loop.
    return "wrk" if shutil.which("wrk") and seconds >= 1 else "python-asyncio"


def measure(
    url: str,
    *,
    method: str = "GET",
    headers: dict[str, str] | None = None,
    body: bytes | None = None,
    connections: int = 16,
    seconds: float = 5.0,
) -> Load:
    headers = dict(headers or {})
    if generator_name(seconds) == "wrk":
        return _wrk(url, method, headers, body, connections, seconds)
    return asyncio.run(_python(url, method, headers, body, connections, seconds))


# -- wrk -------------------------------------------------------------------------------------
def _lua_string(value: str) -> str:
    level = "=" * 4
    while f"]{level}]" in value:
        level += "="
    return f"[{level}[{value}]{level}]"


def _wrk(url: str, method: str, headers: dict[str, str], body: bytes | None, connections: int, seconds: float) -> Load:
    lines = [f"wrk.method = {_lua_string(method)}"]
    if body is not None:
        lines.append(f"wrk.body = {_lua_string(body.decode())}")
    lines += [f"wrk.headers[ {_lua_string(k)} ] = {_lua_string(v)}" for k, v in headers.items()]  # "[[" opens a string
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write("\n".join(lines) + "\n")
    try:
        command = [
            # One thread leaves the other core to the server.
            "wrk", "-t1", f"-c{connections}", f"-d{round(seconds)}s",
            f"--timeout={WRK_TIMEOUT_S}s", "--latency", "-s", script.name, url,
        ]
        out = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60)
    finally:
        os.unlink(script.name)
    if out.returncode != 0 or out.stderr.strip():  # a script error is only a line on stderr
        raise BenchmarkError(f"wrk failed ({out.returncode}): {out.stderr[-500:]}")
    return _parse_wrk(out.stdout)


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()  # type: ignore[union-attr]
    return float(number) * _UNITS[unit]


def _parse_wrk(text: str) -> Load:
    done = re.search(r"(\d+) requests in ([\d.]+)(us|ms|s|m)", text)
    p50 = re.search(r"^\s+50%\s+(\S+)", text, re.M)
    p99 = re.search(r"^\s+99%\s+(\S+)", text, re.M)
    if not (done and p50 and p99):
        raise BenchmarkError(f"cannot read wrk's output: {text[-800:]}")
    errors = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses: (\d+)", text))
    socket = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    if socket:
        errors += sum(int(n) for n in socket.groups())
    seconds = _ms(done.group(2) + done.group(3)) / 1000
    return Load(int(done.group(1)), seconds, errors, _ms(p50.group(1)), _ms(p99.group(1)), "wrk")


# -- the Python fallback -------------------------------------------------------------------
def _request_bytes(url: str, method: str, headers: dict[str, str], body: bytes | None) -> tuple[str, int, bytes]:
    parts = urlsplit(url)
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    lines = [f"{method} {target} HTTP/1.1", f"Host: {parts.netloc}"]
    lines += [f"{k}: {v}" for k, v in headers.items()]
    if body is not None:
        lines.append(f"Content-Length: {len(body)}")
    return parts.hostname or "127.0.0.1", parts.port or 80, ("\r\n".join(lines) + "\r\n\r\n").encode() + (body or b"")


async def _python(
    url: str, method: str, headers: dict[str, str], body: bytes | None, connections: int, seconds: float
) -> Load:
    host, port, request = _request_bytes(url, method, headers, body)
    latencies: list[float] = []
    errors = 0
    deadline = time.perf_counter() + seconds

    async def client() -> None:
        nonlocal errors
        reader, writer = await asyncio.open_connection(host, port)
        try:
            while True:  # at least one request per connection, however busy the machine
                started = time.perf_counter()
                writer.write(request)
                head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), WRK_TIMEOUT_S)
                status = int(head.split(b" ", 2)[1])
                length = re.search(rb"(?im)^content-length:\s*(\d+)", head)
                if length is None:
                    raise BenchmarkError("the python load generator needs Content-Length answers")
                await reader.readexactly(int(length.group(1)))
                latencies.append(time.perf_counter() - started)
                if not 200 <= status < 300:
                    errors += 1
                if time.perf_counter() >= deadline:
                    break
        finally:
            writer.close()

    started = time.perf_counter()
    results = await asyncio.gather(*(client() for _ in range(connections)), return_exceptions=True)
    elapsed = time.perf_counter() - started
    failures = [r for r in results if isinstance(r, BaseException)]
    if failures and not latencies:
        raise BenchmarkError(f"python load generator: {failures[0]!r}")
    errors += len(failures)
    ordered = sorted(latencies) or [0.0]
    p99 = percentile(ordered, 0.99)
    return Load(len(latencies), elapsed, errors, statistics.median(ordered) * 1000, p99 * 1000, "python-asyncio")
