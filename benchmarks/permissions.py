"""permissions_100k: the Permissions API over a 100,000-file Google Drive account, over HTTP.

The account is generated (about 8,300 folders up to 7 levels deep, 12 groups nested up to three
levels, shares to users, groups, the domain and anyone with the link). After the initial sync:
- single checks per second on one connection, against GET sync status (the cheapest validated,
  authenticated call) on the same connection;
- a batch-check of 100 items, against one single check (so the ratio is the cost of 100 in one);
- list-objects and list-users latency (p50/p99), against one single check;
- a streamed list-objects of everything one well-shared user can read;
- server memory after the sync (the graph and its change feed included).
"""

from __future__ import annotations

import random
import statistics
import time
from typing import Any, Callable

import httpx

from ._harness import (
    BenchmarkError, Row, check, client_for, default_project, fmt_ratio, log, mib, mint_token, percentile, run_until_idle,
    running_server,
)

NAME = "permissions_100k"
USER = "perm-bench"
ROLES = ("can_read", "can_write", "is_owner")


def _timed(call: Callable[[], httpx.Response], count: int) -> list[float]:
    times = []
    for _ in range(count):
        started = time.perf_counter()
        response = call()
        times.append(time.perf_counter() - started)
        if response.status_code != 200:
            raise BenchmarkError(f"{response.request.url.path} -> {response.status_code}: {response.text[:300]}")
    return times


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms"


def run(files: int = 100_000, samples: int = 1000, max_wall: float = 3600.0) -> list[Row]:
    env = {"PARAGON_EMULATOR_CLOCK_MODE": "manual", "PARAGON_EMULATOR_SECONDS_PER_RECORD": "0.001"}
    rng = random.Random(7)
    with running_server(env, NAME) as server, client_for(server, read_timeout=max_wall) as client:
        project = default_project(client)
        upstream = f"/_emulator/upstream/{project}/{USER}/googledrive/files"
        check(client.put(upstream, json={"size": files}))
        client.headers["Authorization"] = f"Bearer {mint_token(client, USER)}"
        rss_before = server.peak_rss_kib()
        sync = check(client.post("/api/syncs", json={"integration": "googledrive", "pipeline": "files"}))["id"]
        sync_seconds = run_until_idle(client, sync, max_wall)
        rss_after = server.peak_rss_kib()
        log(f"{NAME}: initial sync of {files} files in {sync_seconds:.1f} s")

        objects: list[str] = []
        cursor = None
        while len(objects) < 20_000:
            params: dict[str, Any] = {"pageSize": 1000, **({"cursor": cursor} if cursor else {})}
            page = check(client.get(f"/api/syncs/{sync}/records", params=params))
            if not page["data"]:
                break
            objects += [r["id"] for r in page["data"]]
            cursor = page["paging"]["cursor"]
        directory = check(client.get(f"{upstream}/directory"))
        users = directory["users"]
        feed = check(client.get(f"/api/permissions/{sync}/changes", params={"pageSize": 1}))
        if not feed["changes"]:
            raise BenchmarkError("the change feed is empty after the initial sync")

        def question() -> dict[str, str]:
            return {"object": rng.choice(objects), "user": rng.choice(users), "role": rng.choice(ROLES)}

        base = f"/api/permissions/{sync}"
        status = _timed(lambda: client.get(f"/api/syncs/{sync}"), samples)
        checks = _timed(lambda: client.post(f"{base}/check", json=question()), samples)
        granted = sum(
            check(client.post(f"{base}/check", json=question()))["hasAccess"] for _ in range(200)
        )
        batches = _timed(lambda: client.post(f"{base}/batch-check", json={"checks": [question() for _ in range(100)]}), samples // 5)
        list_objects = _timed(
            lambda: client.post(f"{base}/list-objects", json={"objectType": "file", "user": rng.choice(users), "role": "can_read"}),
            samples // 5,
        )
        list_users = _timed(
            lambda: client.post(f"{base}/list-users", json={"object": rng.choice(objects), "role": "can_read"}), samples // 5
        )
        # The best-shared user: a member of staff (the group top-level folders are shared with).
        reach = {u: len(check(client.post(f"{base}/list-objects", json={"objectType": "file", "user": u, "role": "can_read"}))["objects"]) for u in users[:20]}
        widest = max(reach, key=reach.__getitem__)
        started = time.perf_counter()
        streamed = client.post(f"{base}/streamed-list-objects", json={"objectType": "file", "user": widest, "role": "can_read"})
        stream_seconds = time.perf_counter() - started
        lines = streamed.text.count("\n")

    check_rate, status_rate = len(checks) / sum(checks), len(status) / sum(status)
    one_check = statistics.median(checks)
    return [
        Row(f"{NAME}: initial sync of {files:,} files (graph and feed written)", f"{sync_seconds:.1f} s",
            notes=f"server RSS {mib(rss_before)} -> {mib(rss_after)}"),
        Row(f"{NAME}: single checks/s, one connection", f"{check_rate:,.0f}/s", f"GET status {status_rate:,.0f}/s",
            fmt_ratio(check_rate / status_rate), f"p50 {_ms(one_check)}, p99 {_ms(percentile(checks, 0.99))}; {granted}/200 granted"),
        Row(f"{NAME}: batch-check of 100 (p50)", _ms(statistics.median(batches)), f"1 check {_ms(one_check)}",
            fmt_ratio(statistics.median(batches) / one_check), f"p99 {_ms(percentile(batches, 0.99))}"),
        Row(f"{NAME}: list-objects, can_read files (p50)", _ms(statistics.median(list_objects)), f"1 check {_ms(one_check)}",
            fmt_ratio(statistics.median(list_objects) / one_check), f"p99 {_ms(percentile(list_objects, 0.99))}; capped at 1000"),
        Row(f"{NAME}: list-users, can_read (p50)", _ms(statistics.median(list_users)), f"1 check {_ms(one_check)}",
            fmt_ratio(statistics.median(list_users) / one_check), f"p99 {_ms(percentile(list_users, 0.99))}"),
        Row(f"{NAME}: streamed list-objects of the widest user", f"{lines:,} objects in {stream_seconds * 1000:.0f} ms",
            notes=f"{lines / stream_seconds:,.0f} objects/s"),
    ]
