"""clock: what advancing emulated time costs, over HTTP, on a manual clock.

- advance_24h: 1,000 idle HubSpot contacts syncs (one user each, the default 1m frequency,
  10-item accounts). Rounds alternate one POST /_emulator/clock/advance of 24 h and one of 62 s;
  the figures are medians (and ranges) of the rounds, the ratio is 24 h over 62 s.
- advance_year: 10,000 such syncs. For each of 365 emulated days, 1% of the syncs (seeded picks)
  get an upstream change (one PATCH each, not timed), then one advance of one day is timed; the
  figure is the sum of the 365 advances.
- health_during_year: a second client asks GET /_emulator/health in a loop for as long as the
  year runs (changes and advances); p50/p99/max of its answers.
"""

from __future__ import annotations

import multiprocessing
import random
import statistics
import time

import httpx

from ._harness import BenchmarkError, Row, advance, check, client_for, default_project, fmt_ratio, log, mint_token, percentile, running_server

NAME = "clock"
DAY = 86_400
ENV = {"PARAGON_EMULATOR_CLOCK_MODE": "manual", "PARAGON_EMULATOR_ACCOUNT_SIZE": "10"}


def _enable(client: httpx.Client, syncs: int, max_wall: float) -> list[tuple[str, str]]:
    """One contacts sync per user; returns (user, sync id)."""
    deadline = time.monotonic() + max_wall
    enabled = []
    width = len(str(syncs))
    for i in range(syncs):
        user = f"clock-user-{i:0{width}d}"
        headers = {"Authorization": f"Bearer {mint_token(client, user)}"}
        body = check(client.post("/api/syncs", json={"integration": "hubspot", "pipeline": "contacts"}, headers=headers))
        enabled.append((user, body["id"]))
        if time.monotonic() > deadline:
            raise BenchmarkError(f"{NAME}: enabling not done after {max_wall:.0f} s ({i + 1} syncs)")
    advance(client, 10)  # every initial sync done
    return enabled


def _timed_advance(client: httpx.Client, seconds: float) -> float:
    started = time.perf_counter()
    advance(client, seconds, timeout=3600)
    return time.perf_counter() - started


def measure_idle(syncs: int, rounds: int, max_wall: float) -> dict[str, list[float]]:
    with running_server(ENV, f"{NAME}-idle[{syncs}]") as server, client_for(server, read_timeout=max_wall) as client:
        _enable(client, syncs, max_wall)
        _timed_advance(client, 62)  # warm-up
        long, short = [], []
        for _ in range(rounds):
            long.append(_timed_advance(client, DAY))
            short.append(_timed_advance(client, 62))
        statuses = {s["status"] for t in check(client.get("/_emulator/tenants"))["data"] for s in t["syncs"]}
        if not statuses <= {"IDLE", "ACTIVE"}:
            raise BenchmarkError(f"{NAME}: unexpected statuses after the rounds: {statuses}")
    return {"long": long, "short": short}


def measure_year(syncs: int, days: int, changed_share: float, max_wall: float) -> dict[str, object]:
    with running_server(ENV, f"{NAME}-year[{syncs}]") as server, client_for(server, read_timeout=max_wall) as client:
        enabled = _enable(client, syncs, max_wall)
        project = default_project(client)
        picks = random.Random(7)
        per_day = max(1, round(syncs * changed_share))
        # The prober is a process of its own: a thread here would wait for this one's GIL, not the server.
        done = multiprocessing.Event()
        results: multiprocessing.Queue = multiprocessing.Queue()
        prober = multiprocessing.Process(target=_probe, args=(server.base_url, done, results), daemon=True)
        prober.start()
        advanced = 0.0
        changes = 0
        deadline = time.monotonic() + max_wall
        try:
            for day in range(days):
                for user, _ in picks.sample(enabled, per_day):
                    account = f"/_emulator/upstream/{project}/{user}/hubspot/contacts"
                    external_id = check(client.get(account, params={"limit": 1}))["items"][0]["externalId"]
                    check(client.patch(f"{account}/items/{external_id}", json={"fields": {"jobTitle": f"Day {day}"}}))
                    changes += 1
                advanced += _timed_advance(client, DAY)
                if time.monotonic() > deadline:
                    raise BenchmarkError(f"{NAME}: year not done after {max_wall:.0f} s (day {day})")
        finally:
            done.set()
            latencies = results.get(timeout=60)
            prober.join(timeout=30)
        events = len(check(client.get("/_emulator/webhooks/events", params={"type": "record_updated"}))["data"])
    return {"advanced": advanced, "changes": changes, "events": events, "latencies": latencies}


def _probe(base_url: str, done, results) -> None:
    latencies = []
    with httpx.Client(base_url=base_url, timeout=30, trust_env=False) as client:
        while not done.is_set():
            started = time.perf_counter()
            client.get("/_emulator/health").raise_for_status()
            latencies.append(time.perf_counter() - started)
            time.sleep(0.01)
    results.put(latencies)


def _range(values: list[float], scale: float = 1000) -> str:
    return f"{statistics.median(values) * scale:.1f} ms ({min(values) * scale:.1f}-{max(values) * scale:.1f})"


def run(idle_syncs: int = 1000, year_syncs: int = 10_000, days: int = 365, rounds: int = 5, max_wall: float = 3600) -> list[Row]:
    idle = measure_idle(idle_syncs, rounds, max_wall)
    long_ms, short_ms = statistics.median(idle["long"]) * 1000, statistics.median(idle["short"]) * 1000
    log(f"{NAME}: 24 h {idle['long']} / 62 s {idle['short']}")
    year = measure_year(year_syncs, days, 0.01, max_wall)
    latencies = year["latencies"]
    assert isinstance(latencies, list)
    rows = [
        Row(
            "advance_24h",
            f"{idle_syncs:,} idle syncs, advance 24 h: {_range(idle['long'])}",
            baseline=f"advance 62 s: {_range(idle['short'])}",
            ratio=fmt_ratio(long_ms / short_ms),
            notes=f"medians of {rounds} alternating rounds (range); bar: 24 h <= 100 ms, ratio <= 3",
        ),
        Row(
            "advance_year",
            f"{year_syncs:,} syncs, {days} days of 1-day advances: {year['advanced']:.2f} s",
            notes=(
                f"{year['changes']:,} upstream changes between the advances (1% of the syncs a day, not timed), "
                f"{year['events']:,} record_updated events in the log (it keeps the last 10,000); bar: <= 2 s"
            ),
        ),
    ]
    if latencies:
        rows.append(
            Row(
                "health_during_year",
                f"GET /_emulator/health p99 {percentile(latencies, 0.99) * 1000:.1f} ms",
                notes=(
                    f"{len(latencies):,} probes while the year ran; p50 {percentile(latencies, 0.5) * 1000:.1f} ms, "
                    f"max {max(latencies) * 1000:.1f} ms; bar: p99 <= 50 ms"
                ),
            )
        )
    return rows
