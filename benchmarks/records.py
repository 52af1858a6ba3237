"""pull_1m: initial sync of an N-item Google Drive files account, then pull every record.

1. A server with a manual clock and SECONDS_PER_RECORD=0.001.
2. PUT /_emulator/upstream/{projectId}/alice/googledrive/files {"size": N}.
3. POST /api/syncs {"integration": "googledrive", "pipeline": "files"} as alice.
4. POST /_emulator/clock/advance in steps until GET /api/syncs/{id} is IDLE (timed).
5. GET /api/syncs/{id}/records?pageSize=1000 following paging.cursor until a page is empty
   (timed), with one httpx.Client; the count must equal paging.totalRecords and N.

Peak RSS (VmHWM) of the server is read before the sync, after it and after the pull.
"""

from __future__ import annotations

import math
import statistics
import time

from ._harness import (
    BenchmarkError,
    Row,
    advance,
    check,
    client_for,
    default_project,
    fmt_ratio,
    fmt_s,
    log,
    mib,
    mint_token,
    percentile,
    running_server,
)

NAME = "pull_1m"
SECONDS_PER_RECORD = 0.001
PAGE_SIZE = 1000
USER = "alice"


def run(records: int = 1_000_000, advance_step: float = 60.0, max_wall: float = 3600.0) -> list[Row]:
    env = {
        "PARAGON_EMULATOR_CLOCK_MODE": "manual",
        "PARAGON_EMULATOR_SECONDS_PER_RECORD": str(SECONDS_PER_RECORD),
    }
    with running_server(env, NAME) as server:
        # The initial sync is applied inside one advance request: give it a long read timeout.
        with client_for(server, read_timeout=max_wall) as client:
            project = default_project(client)
            account = check(
                client.put(f"/_emulator/upstream/{project}/{USER}/googledrive/files", json={"size": records})
            )
            if account["count"] != records:
                raise BenchmarkError(f"account sized to {account['count']}, not {records}")
            token = mint_token(client, USER)
            client.headers["Authorization"] = f"Bearer {token}"
            sync = check(client.post("/api/syncs", json={"integration": "googledrive", "pipeline": "files"}))
            sync_id = sync["id"]
            rss_before = server.peak_rss_kib()

            # -- the initial sync ---------------------------------------------------------
            emulated = 1 + 2 + records * SECONDS_PER_RECORD  # default delay + base run + per record
            max_advances = math.ceil(emulated / advance_step) + 20
            log(f"{NAME}: initial sync of {records:,} records (~{emulated:,.0f} emulated s, step {advance_step:g} s)")
            started = time.perf_counter()
            deadline = time.monotonic() + max_wall
            advances, timers, status, slowest = 0, 0, None, 0.0
            for _ in range(max_advances):
                t0 = time.perf_counter()
                timers += advance(client, advance_step)["timersRun"]
                slowest = max(slowest, time.perf_counter() - t0)
                advances += 1
                status = check(client.get(f"/api/syncs/{sync_id}"))
                if status["status"] == "IDLE":
                    break
                if status["status"] == "ERRORED":
                    raise BenchmarkError(f"sync errored: {status}")
                if time.monotonic() > deadline:
                    raise BenchmarkError(f"sync not IDLE after {max_wall:.0f} s wall ({advances} advances)")
            else:
                raise BenchmarkError(f"sync not IDLE after {max_advances} advances: {status}")
            sync_seconds = time.perf_counter() - started
            rss_after_sync = server.peak_rss_kib()
            synced = status.get("summary", {}).get("totalRecords")
            log(f"{NAME}: IDLE after {sync_seconds:.2f} s ({advances} advances); pulling")

            # -- the pull -------------------------------------------------------------------
            max_pages = records // PAGE_SIZE + 10
            pulled, pages, total_records, cursor = 0, 0, None, None
            seen: set[int] = set()
            page_times: list[float] = []
            last_paging: dict = {}
            started = time.perf_counter()
            deadline = time.monotonic() + max_wall
            for _ in range(max_pages + 1):
                params: dict[str, object] = {"pageSize": PAGE_SIZE}
                if cursor is not None:
                    params["cursor"] = cursor
                t0 = time.perf_counter()
                page = check(client.get(f"/api/syncs/{sync_id}/records", params=params))
                page_times.append(time.perf_counter() - t0)
                data, paging = page["data"], page["paging"]
                if total_records is None:
                    total_records = paging["totalRecords"]
                if not data:
                    break
                pages += 1
                pulled += len(data)
                seen.update(hash(r["id"]) for r in data)
                last_paging = paging
                cursor = paging.get("cursor")
                if cursor is None:
                    raise BenchmarkError(f"page {pages} has records but no paging.cursor")
                if pages % 100 == 0:
                    log(f"{NAME}: {pages} pages, {pulled:,} records")
                if time.monotonic() > deadline:
                    raise BenchmarkError(f"pull not done after {max_wall:.0f} s wall ({pages} pages)")
            else:
                raise BenchmarkError(f"pull not done after {max_pages} pages")
            pull_seconds = time.perf_counter() - started
            rss_after_pull = server.peak_rss_kib()

    problems = []
    if pulled != total_records:
        problems.append(f"pulled {pulled} != paging.totalRecords {total_records}")
    if pulled != records:
        problems.append(f"pulled {pulled} != N {records}")
    if len(seen) != pulled:
        problems.append(f"{pulled - len(seen)} duplicate record ids")
    if synced != records:
        problems.append(f"summary.totalRecords {synced} != N {records}")
    if last_paging.get("remainingRecords") not in (0, None):
        problems.append(f"last page remainingRecords {last_paging.get('remainingRecords')}")
    if problems:
        raise BenchmarkError("; ".join(problems))

    data_times = page_times[:-1] or page_times
    p50 = statistics.median(data_times) * 1000
    p99 = percentile(data_times, 0.99) * 1000
    # Flat from 1k to 1M: the first page's rate beside the whole pull's (every page is a first read:
    # the rendered-JSON budget holds a few percent of a million records).
    first_rate = min(PAGE_SIZE, pulled) / data_times[0] if data_times and data_times[0] else 0.0
    grown_sync = (rss_after_sync - rss_before) / 1024 if rss_before and rss_after_sync else None
    grown_pull = (rss_after_pull - rss_before) / 1024 if rss_before and rss_after_pull else None
    return [
        Row(
            NAME,
            f"initial sync of {records:,} records: {fmt_s(sync_seconds)}",
            notes=(
                f"{records / sync_seconds:,.0f} records/s (goal >= 50,000); {advances} advances of {advance_step:g} s "
                f"({timers} timers, slowest advance {fmt_s(slowest)})"
            ),
        ),
        Row(
            NAME,
            f"pull: {pulled / pull_seconds:,.0f} records/s",
            notes=(
                f"goal >= 30,000 flat; the first page {first_rate:,.0f} records/s; {pulled:,} records = totalRecords = N; "
                f"{pages} pages of {PAGE_SIZE} (+1 empty) in {fmt_s(pull_seconds)}; page p50 {p50:.1f} ms, p99 {p99:.1f} ms; "
                f"a first read costs {p50 * 1000 / PAGE_SIZE:.0f} us a record over HTTP (page p50 / {PAGE_SIZE}; goal 10 us)"
            ),
        ),
        Row(
            NAME,
            f"server peak RSS: {mib(rss_before)} -> {mib(rss_after_sync)} -> {mib(rss_after_pull)}",
            baseline=f"{mib(rss_before)} before sync",
            ratio=fmt_ratio(rss_after_pull / rss_before) if rss_before and rss_after_pull else "-",
            notes=(
                "VmHWM before the sync -> after the sync -> after the pull; growth "
                + (f"{grown_sync:,.0f} MiB after the sync (goal 200 MB), {grown_pull:,.0f} MiB at the pull's peak (goal 250 MB)"
                   if grown_sync is not None and grown_pull is not None else "n/a")
                + "; a Google Drive files sync keeps its permissions graph too"
            ),
        ),
    ]
