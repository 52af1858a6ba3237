"""snapshot: a 10,000-record state taken (GET /_emulator/snapshot) and restored (PUT) over HTTP.

1. A server with a manual clock; one user with a 10,000-item Google Drive account, synced, then
   a day of changes (every 100th item changed, runs after each) so the journal has history.
2. Take the snapshot `rounds` times, then restore it into a second server `rounds` times,
   alternating the two; each restore is checked (every sync's status and record count equal).
   Baselines: for taking it, one pull of every record at pageSize 1000 (what a client pays to read
   the same state); for restoring it, the time the first server took to reach that state (the
   sync and the day of changes over HTTP), since a restore makes that history again.
"""

from __future__ import annotations

import json
import statistics
import time

from ._harness import BenchmarkError, Row, advance, check, client_for, default_project, fmt_ratio, fmt_s, log, mint_token, run_until_idle, running_server

NAME = "snapshot"
USER = "snapshot-bench"


def run(records: int = 10_000, rounds: int = 5, max_wall: float = 3600.0) -> list[Row]:
    env = {"PARAGON_EMULATOR_CLOCK_MODE": "manual", "PARAGON_EMULATOR_SECONDS_PER_RECORD": "0.001"}
    with running_server(env, NAME) as first, running_server(env, NAME + "-copy") as second, \
            client_for(first, read_timeout=max_wall) as a, client_for(second, read_timeout=max_wall) as b:
        project = default_project(a)
        account = f"/_emulator/upstream/{project}/{USER}/googledrive/files"
        check(a.put(account, json={"size": records}))
        a.headers["Authorization"] = f"Bearer {mint_token(a, USER)}"
        built = time.perf_counter()
        sync = check(a.post("/api/syncs", json={"integration": "googledrive", "pipeline": "files"}))["id"]
        run_until_idle(a, sync, max_wall)
        for offset in range(0, records, 100):
            item = check(a.get(account, params={"offset": offset, "limit": 1}))["items"][0]
            check(a.patch(f"{account}/items/{item['externalId']}", json={"fields": {"name": "changed " + item["name"]}}))
        advance(a, 86400)
        built = time.perf_counter() - built
        status = check(a.get(f"/api/syncs/{sync}"))
        log(f"{NAME}: {status['summary']['totalRecords']:,} records; measuring {rounds} rounds")

        takes, restores, pulls, size = [], [], [], 0
        for _ in range(rounds):
            t0 = time.perf_counter()
            raw = a.get("/_emulator/snapshot")
            takes.append(time.perf_counter() - t0)
            size = len(raw.content)
            t0 = time.perf_counter()
            check(b.put("/_emulator/snapshot", content=raw.content, headers={"content-type": "application/json"}))
            restores.append(time.perf_counter() - t0)
            expected = json.loads(raw.content)["state"]["syncs"]
            copy = {s["id"] for t in check(b.get("/_emulator/tenants"))["data"] for s in t["syncs"]}
            if copy != set(expected):
                raise BenchmarkError("the restored server does not hold the snapshot's syncs")
            t0 = time.perf_counter()
            cursor, pulled = None, 0
            while True:
                page = check(a.get(f"/api/syncs/{sync}/records", params={"pageSize": 1000, **({"cursor": cursor} if cursor else {})}))
                if not page["data"]:
                    break
                pulled += len(page["data"])
                cursor = page["paging"]["cursor"]
            pulls.append(time.perf_counter() - t0)
        take, restore, pull = statistics.median(takes), statistics.median(restores), statistics.median(pulls)
        spread = lambda xs: f"{fmt_s(min(xs))}–{fmt_s(max(xs))}"  # noqa: E731
        notes = f"median of {rounds}, alternating; {records:,} records, {size / 1024:.0f} KiB document"
        return [
            Row(NAME, f"take {fmt_s(take)} ({spread(takes)})", f"pull all {fmt_s(pull)}", fmt_ratio(take / pull), notes),
            Row(NAME, f"restore {fmt_s(restore)} ({spread(restores)})", f"made first {fmt_s(built)}", fmt_ratio(restore / built),
                notes + f"; the first restore into the fresh server {fmt_s(restores[0])}; a restore makes the journal"
                " again: it costs what making the state cost (once, not alternated)"),
        ]
