"""The benchmarks' own tools: reading wrk's output, and the Python load loop against the bare app."""

from __future__ import annotations

import socket
import threading
import time

import pytest

from benchmarks import _bare, _load

WRK_OUTPUT = """Running 3s test @ http://127.0.0.1:40000/api/syncs/x
  1 threads and 16 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     3.61ms  524.90us   9.28ms   88.52%
  Latency Distribution
     50%  435.00us
     75%  726.00us
     90%    1.62ms
     99%    1.05s
  11583 requests in 3.00s, 3.90MB read
  Socket errors: connect 0, read 2, write 0, timeout 1
  Non-2xx or 3xx responses: 4
Requests/sec:   3858.93
"""


def test_wrk_output_is_read_with_its_units_and_errors():
    load = _load._parse_wrk(WRK_OUTPUT)
    assert (load.requests, load.seconds, load.errors) == (11583, 3.0, 7)
    assert (load.p50_ms, load.p99_ms) == (pytest.approx(0.435), pytest.approx(1050.0))
    assert load.rps == pytest.approx(3861, abs=1)


def test_lua_strings_survive_their_own_brackets():
    assert _load._lua_string("a]====]b") == "[=====[a]====]b]=====]"


def test_the_python_loop_loads_the_bare_app():
    import uvicorn

    body = b'{"data":[]}'
    app = _bare.app(dict([_bare.entry("POST", "/echo", 200, "application/json", body)]))
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 10
        while not server.started and time.monotonic() < deadline:
            time.sleep(0.01)
        url = f"http://127.0.0.1:{sock.getsockname()[1]}/echo"
        load = _load.measure(url, method="POST", body=b"{}", connections=2, seconds=0.2)
        assert load.generator == "python-asyncio" and load.requests > 0 and load.errors == 0
        missing = _load.measure(url.replace("/echo", "/nothing"), connections=1, seconds=0.1)
        assert missing.errors == missing.requests > 0  # a 404 counts as an error
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
