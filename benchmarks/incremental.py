"""incremental_1000: one clock advance that runs one incremental cycle of N idle syncs.

A server with a manual clock and ACCOUNT_SIZE=10; N users each enable one HubSpot contacts sync
(all at the same emulated instant, so their incremental timers fall due together). The clock is
advanced until every sync is IDLE (GET /_emulator/tenants), then placed 30 s before the next
incremental due time, and one POST /_emulator/clock/advance {"seconds": 62} is timed: it runs each
sync's incremental run: its start at +30 s and its end at +32 s (the base run time). Runs that
read no upstream change are computed, not timed, so timersRun (reported as the server counts it)
is 0 here; the syncs are read afterwards to check every one ran.
One unmeasured warm-up cycle comes first, then `repeats` measured ones (the figure is the first
measured, the notes give the median). The same is measured on a fresh server with 1 sync as the
baseline.
"""

from __future__ import annotations

import statistics
import time
from datetime import datetime

import httpx

from ._harness import BenchmarkError, Row, advance, check, client_for, fmt_ratio, log, mint_token, running_server

NAME = "incremental_1000"
ADVANCE_SECONDS = 62
LEAD_SECONDS = 30  # the timed advance starts this long before the syncs' next incremental run
SETTLE_STEP = 5.0
INCREMENTAL_EVERY = 60  # the default frequency


def _ts(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _all_idle(client: httpx.Client, expected: int) -> tuple[bool, dict[str, int]]:
    counts: dict[str, int] = {}
    for tenant in check(client.get("/_emulator/tenants"))["data"]:
        for sync in tenant["syncs"]:
            counts[sync["status"]] = counts.get(sync["status"], 0) + 1
    return counts.get("IDLE", 0) == expected and sum(counts.values()) == expected, counts


def _initial_end(client: httpx.Client) -> datetime:
    """When the syncs' initial runs ended (they all started together): their incremental runs follow every minute."""
    ends = {s["dateUpdated"] for t in check(client.get("/_emulator/tenants"))["data"] for s in t["syncs"]}
    if len(ends) != 1:
        raise BenchmarkError(f"the syncs did not finish their initial runs together: {sorted(ends)[:3]}")
    return _ts(ends.pop())


def _position(client: httpx.Client, initial_end: datetime) -> None:
    """Move the clock to LEAD_SECONDS before the syncs' next incremental run (every 60 s after the initial one)."""
    now = _ts(check(client.get("/_emulator/clock"))["now"])
    elapsed = (now - initial_end).total_seconds()
    next_due = INCREMENTAL_EVERY * (int(elapsed // INCREMENTAL_EVERY) + 1)
    gap = next_due - elapsed - LEAD_SECONDS
    if gap <= 0:
        gap += INCREMENTAL_EVERY
    advance(client, gap)


def measure(syncs: int, repeats: int, max_wall: float) -> dict[str, object]:
    env = {
        "PARAGON_EMULATOR_CLOCK_MODE": "manual",
        "PARAGON_EMULATOR_ACCOUNT_SIZE": "10",
    }
    name = f"{NAME}[{syncs}]"
    with running_server(env, name) as server, client_for(server, read_timeout=max_wall) as client:
        deadline = time.monotonic() + max_wall
        started = time.perf_counter()
        width = len(str(syncs))
        for i in range(syncs):
            user = f"bench-user-{i:0{width}d}"
            token = mint_token(client, user)
            check(
                client.post(
                    "/api/syncs",
                    json={"integration": "hubspot", "pipeline": "contacts"},
                    headers={"Authorization": f"Bearer {token}"},
                )
            )
            if time.monotonic() > deadline:
                raise BenchmarkError(f"{name}: enabling not done after {max_wall:.0f} s ({i + 1} syncs)")
        enable_seconds = time.perf_counter() - started

        started = time.perf_counter()
        counts: dict[str, int] = {}
        for _ in range(100):  # the initial sync of a 10-item account is done in ~3 emulated s
            advance(client, SETTLE_STEP)
            idle, counts = _all_idle(client, syncs)
            if idle:
                break
            if time.monotonic() > deadline:
                raise BenchmarkError(f"{name}: syncs not IDLE after {max_wall:.0f} s: {counts}")
        else:
            raise BenchmarkError(f"{name}: syncs not IDLE after 100 advances of {SETTLE_STEP:g} s: {counts}")
        settle_seconds = time.perf_counter() - started
        log(f"{name}: {syncs} syncs enabled in {enable_seconds:.2f} s, IDLE after {settle_seconds:.2f} s")
        initial_end = _initial_end(client)
        _position(client, initial_end)
        advance(client, ADVANCE_SECONDS)  # one unmeasured warm-up cycle (first-call costs)
        times: list[float] = []
        timers: list[int] = []
        for _ in range(repeats):
            _position(client, initial_end)
            t0 = time.perf_counter()
            result = advance(client, ADVANCE_SECONDS)
            times.append(time.perf_counter() - t0)
            timers.append(result["timersRun"])
            if time.monotonic() > deadline:
                break
        idle, counts = _all_idle(client, syncs)
        if not idle:
            raise BenchmarkError(f"{name}: not all IDLE after the measured cycles: {counts}")
        rss = server.peak_rss_kib()
    return {
        "first": times[0],
        "median": statistics.median(times),
        "timers": timers,
        "enable_s": enable_seconds,
        "rss_kib": rss,
    }


def run(syncs: int = 1000, repeats: int = 5, max_wall: float = 1800.0) -> list[Row]:
    many = measure(syncs, repeats, max_wall)
    one = measure(1, repeats, max_wall)
    first_ms, one_ms = many["first"] * 1000, one["first"] * 1000
    med_ms, one_med_ms = many["median"] * 1000, one["median"] * 1000
    marginal_us = (many["median"] - one["median"]) * 1e6 / max(syncs - 1, 1)
    timers = many["timers"]
    per_sync = f"{timers[0] / syncs:g} timers/sync" + ("" if len(set(timers)) == 1 else f", varies: {timers}")
    return [
        Row(
            NAME,
            f"advance 62 s, {syncs:,} syncs: {first_ms:.1f} ms, timersRun {timers[0]}, "
            f"{first_ms * 1000 / syncs:.0f} us/sync",
            baseline=f"1 sync: {one_ms:.1f} ms, timersRun {one['timers'][0]}",
            ratio=fmt_ratio(first_ms / one_ms),
            notes=(
                f"after 1 warm-up cycle; median of {len(timers)}: {med_ms:.1f} ms vs {one_med_ms:.1f} ms ({fmt_ratio(med_ms / one_med_ms)}), "
                f"marginal {marginal_us:.0f} us/sync; {per_sync}; "
                f"enabling {syncs} syncs took {many['enable_s']:.1f} s"
            ),
        )
    ]
