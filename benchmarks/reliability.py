"""reliability: what no client or receiver can do to the emulator, over HTTP to a real server.

- hostile: the corpus of benchmarks/hostile.py (the JWT matrix, JSON no handler can take, huge
  bodies and headers, invalid UTF-8, odd ids and numbers, hostile control-plane input) sent to a
  server in strict mode, plus a slow client and concurrent resets during pulls. Bar: 0 answers 5xx
  (in strict mode an answer outside the spec is a 500, so that counts too).
- soak: rounds of enabling syncs, advancing, pulling and resetting; the server's resident size
  after each reset. Bar: the last within 10 MiB of the first.
- webhook_lanes: project A's receiver hangs on every delivery; how much later project B's webhook
  arrives than with A healthy. Bar: <= 1 s.
Every loop is bounded in count and in time; all traffic goes to 127.0.0.1.
"""

from __future__ import annotations

import socket
import statistics
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx

from . import hostile
from ._harness import BenchmarkError, Row, check, client_for, default_project, log, mint_token, proc_status, running_server

NAME = "reliability"


def _target(client: httpx.Client, project: str) -> hostile.Target:
    from paragon_emulator.tokens import dev_private_key

    token = mint_token(client, "alice")
    headers = {"Authorization": "Bearer " + token}
    sync = check(client.post("/api/syncs", json={"integration": "box", "pipeline": "files"}, headers=headers))
    check(client.post("/_emulator/clock/advance", json={"seconds": 60}))
    record = check(client.get(f"/api/syncs/{sync['id']}/records", params={"pageSize": 1}, headers=headers))["data"][0]
    return hostile.Target(token, sync["id"], record["id"], project, dev_private_key())


def _slow_client(base_url: str, seconds: float = 2.0) -> int | None:
    """A body sent a byte at a time over `seconds`: answered when it is complete, nothing broken."""
    host, port = base_url.removeprefix("http://").split(":")
    body = b'{"duration":"1s"}'
    with socket.create_connection((host, int(port)), timeout=30) as sock:
        sock.sendall(
            b"POST /_emulator/clock/advance HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            + f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode()
        )
        for byte in body:
            sock.sendall(bytes([byte]))
            time.sleep(seconds / len(body))
        answer = sock.recv(65536).split(b" ", 2)
    return int(answer[1]) if len(answer) > 1 and answer[1].isdigit() else None


def _resets_during_pulls(client: httpx.Client, base_url: str, rounds: int = 20) -> list[int]:
    """One thread pulls pages while another resets: every answer is a 2xx or a 404/401, never a 5xx."""
    statuses: list[int] = []
    stop = threading.Event()

    def pull() -> None:
        with httpx.Client(base_url=base_url, trust_env=False, timeout=30) as puller:
            while not stop.is_set():
                token = puller.post("/_emulator/tokens", json={"userId": "puller"}).json()["token"]
                headers = {"Authorization": "Bearer " + token}
                made = puller.post("/api/syncs", json={"integration": "hubspot", "pipeline": "contacts"}, headers=headers)
                statuses.append(made.status_code)
                if made.status_code == 200:
                    page = puller.get(f"/api/syncs/{made.json()['id']}/records", headers=headers)
                    statuses.append(page.status_code)

    thread = threading.Thread(target=pull)
    thread.start()
    try:
        for _ in range(rounds):
            statuses.append(client.post("/_emulator/clock/advance", json={"seconds": 5}).status_code)
            statuses.append(client.post("/_emulator/reset").status_code)
    finally:
        stop.set()
        thread.join(60)
    return statuses


def measure_hostile(max_wall: float) -> Row:
    with running_server({"PARAGON_EMULATOR_STRICT": "true", "PARAGON_EMULATOR_CLOCK_MODE": "manual"},
                        f"{NAME}-hostile") as server, client_for(server, read_timeout=max_wall) as client:
        target = _target(client, default_project(client))
        dropped: list[str] = []

        def send(h: hostile.Hostile) -> tuple[int | None, str]:
            try:
                response = client.request(h.method, h.path, content=h.body, headers=h.headers)
            except httpx.TransportError as exc:  # the server closed the connection: no answer, no 5xx
                dropped.append(f"{h.name}: {type(exc).__name__}")
                return None, str(exc)
            return response.status_code, response.text[:200]

        outcomes = hostile.run(send, target)
        slow = _slow_client(server.base_url)
        during = _resets_during_pulls(client, server.base_url)
        bad = hostile.failures(outcomes) + ([] if slow and slow < 500 else [slow])
        five = [s for s in during if s >= 500]
        if bad or five:
            raise BenchmarkError(f"{NAME}: 5xx answers: {bad} {five[:5]}")
        check(client.get("/_emulator/health"))
    statuses = sorted({o.status for o in outcomes if o.status is not None})
    return Row(
        f"{NAME}/hostile",
        f"{len(outcomes)} hostile requests + a slow client + {len(during)} calls racing resets: 0 answers 5xx",
        "bar: 0 5xx, 0 outside the spec (strict mode)",
        notes=f"statuses seen: {', '.join(map(str, statuses))}; closed unanswered by the HTTP layer: "
        + ("; ".join(dropped) or "none"),
    )


def measure_soak(rounds: int, syncs: int, max_wall: float) -> Row:
    after: list[float] = []
    with running_server({"PARAGON_EMULATOR_CLOCK_MODE": "manual"}, f"{NAME}-soak") as server, \
            client_for(server, read_timeout=max_wall) as client:
        started = time.monotonic()
        for round_ in range(rounds):
            tokens = {}
            for n in range(syncs):
                user = f"u{n}"
                tokens[user] = mint_token(client, user)
                check(client.post("/api/syncs", json={"integration": "hubspot", "pipeline": "contacts"},
                                  headers={"Authorization": "Bearer " + tokens[user]}))
            check(client.post("/_emulator/clock/advance", json={"duration": "1h"}))
            for user, token in list(tokens.items())[:: max(1, syncs // 50)]:
                headers = {"Authorization": "Bearer " + token}
                listed = check(client.get("/api/syncs", headers=headers))["data"]
                check(client.get(f"/api/syncs/{listed[0]['id']}/records", params={"pageSize": 100}, headers=headers))
            check(client.post("/_emulator/reset"))
            after.append(proc_status(server.pid).get("VmRSS", 0) / 1024)
            if time.monotonic() - started > max_wall:
                raise BenchmarkError(f"{NAME}: soak not done after {max_wall:.0f} s (round {round_})")
    drift = max(after) - after[0]
    return Row(
        f"{NAME}/soak",
        f"{rounds} rounds of {syncs:,} syncs, pulls and a reset: resident {after[0]:.0f} MiB after the first "
        f"reset, {after[-1]:.0f} after the last (most {max(after):.0f})",
        "bar: last within 10 MiB of the first",
        f"+{drift:.1f} MiB",
    )


class _Hook:
    def __init__(self) -> None:
        self.hang = threading.Event()  # set: hold every request until released
        self.release = threading.Event()
        self.arrived: list[float] = []
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                self.rfile.read(int(self.headers["content-length"]))
                if hook.hang.is_set():
                    hook.release.wait(30)
                hook.arrived.append(time.monotonic())
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()

    def close(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


def measure_lanes(rounds: int, max_wall: float) -> Row:
    other = "1ea8024c-23a7-4885-b925-c50d0faf9318"
    a, b = _Hook(), _Hook()
    delays: dict[bool, list[float]] = {False: [], True: []}
    from paragon_emulator.settings import Settings

    env = {"PARAGON_EMULATOR_CLOCK_MODE": "manual", "PARAGON_EMULATOR_WEBHOOK_TIMEOUT_SECONDS": "30",
           "PARAGON_EMULATOR_WEBHOOK_VERIFICATION": "false",
           "PARAGON_EMULATOR_PROJECT_IDS": f"{Settings().default_project_id},{other}"}
    try:
        with running_server(env, f"{NAME}-lanes") as server, client_for(server, read_timeout=max_wall) as client:
            project = default_project(client)
            check(client.put("/_emulator/webhooks/config", json={"projectId": project, "url": a.url}))
            check(client.put("/_emulator/webhooks/config", json={"projectId": other, "url": b.url}))
            for n in range(2 * rounds):
                hung = n % 2 == 1  # alternate: A healthy, A hanging
                a.release.clear()
                if hung:
                    a.hang.set()
                else:
                    a.hang.clear()
                for user in range(20):  # twenty of A's syncs finish their initial run at once
                    token = check(client.post("/_emulator/tokens", json={"userId": f"a{n}-{user}"}))["token"]
                    check(client.post("/api/syncs", json={"integration": "box", "pipeline": "files"},
                                      headers={"Authorization": "Bearer " + token}))
                token = check(client.post("/_emulator/tokens", json={"userId": f"b{n}", "projectId": other}))["token"]
                check(client.post("/api/syncs", json={"integration": "box", "pipeline": "files"},
                                  headers={"Authorization": "Bearer " + token}))
                seen = len(b.arrived)
                started = time.monotonic()
                check(client.post("/_emulator/clock/advance", json={"seconds": 5}))
                while len(b.arrived) == seen:
                    if time.monotonic() - started > 30:
                        raise BenchmarkError(f"{NAME}: project B's webhook did not arrive in 30 s (A hanging: {hung})")
                    time.sleep(0.002)
                delays[hung].append(b.arrived[seen] - started)
                a.release.set()
                time.sleep(0.2)  # A's held requests finish before the next round
    finally:
        a.close()
        b.close()
    healthy, hanging = statistics.median(delays[False]), statistics.median(delays[True])
    return Row(
        f"{NAME}/webhook_lanes",
        f"B's webhook {hanging * 1000:.0f} ms after the advance while A's receiver hangs "
        f"(range {min(delays[True]) * 1000:.0f}-{max(delays[True]) * 1000:.0f})",
        f"A healthy: {healthy * 1000:.0f} ms; bar: <= 1 s more",
        f"{(hanging - healthy) * 1000:+.0f} ms",
        notes=f"{rounds} rounds each, alternating; 20 of A's deliveries held per round",
    )


def run(soak_rounds: int = 8, soak_syncs: int = 1000, lane_rounds: int = 5, max_wall: float = 3600) -> list[Row]:
    rows = []
    for what, measure in (
        ("hostile corpus", lambda: measure_hostile(max_wall)),
        (f"soak, {soak_rounds} rounds of {soak_syncs} syncs", lambda: measure_soak(soak_rounds, soak_syncs, max_wall)),
        (f"webhook lanes, {lane_rounds} rounds", lambda: measure_lanes(lane_rounds, max_wall)),
    ):
        log(f"{NAME}: {what}")
        started = time.monotonic()
        rows.append(measure())
        log(f"{NAME}: {what} took {time.monotonic() - started:.1f} s")
    return rows
