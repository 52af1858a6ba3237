"""nango_feed: the Nango records feed of an N-record connection at limit=1000, against the Paragon pull.

1. A server with a manual clock, SECONDS_PER_RECORD=0.001 and a known Nango secret key.
2. PUT /_emulator/upstream/{projectId}/alice/googledrive/files {"size": N}.
3. POST /nango/connections (end user alice), POST /nango/sync/start, advance until
   GET /nango/sync/status says SUCCESS. The same sync is alice's googledrive files sync on the
   Paragon side (GET /api/syncs).
4. Alternating rounds, one httpx.Client: the Paragon pull (GET /api/syncs/{id}/records?pageSize=1000
   following paging.cursor) and the Nango feed (GET /nango/records?model=Document&limit=1000
   following next_cursor until null). Each pull must return N distinct records.

Figures: median records/s of each (range over the rounds); the ratio is Nango / Paragon, the bar is >= 1.
"""

from __future__ import annotations

import statistics
import time

import httpx

from ._harness import BenchmarkError, Row, advance, check, client_for, default_project, fmt_ratio, log, mint_token, running_server

NAME = "nango_feed"
SECONDS_PER_RECORD = 0.001
LIMIT = 1000
USER = "alice"
KEY = "0b8f3c52-7e1d-4a9b-8c3e-5d2f6a7b9c10"  # any UUID v4


def _paragon_pull(client: httpx.Client, sync_id: str, headers: dict[str, str]) -> set[str]:
    seen: set[str] = set()
    cursor = None
    while True:
        params: dict[str, object] = {"pageSize": LIMIT, **({"cursor": cursor} if cursor else {})}
        page = check(client.get(f"/api/syncs/{sync_id}/records", params=params, headers=headers))
        if not page["data"]:
            return seen
        seen.update(r["id"] for r in page["data"])
        cursor = page["paging"]["cursor"]


def _nango_pull(client: httpx.Client, headers: dict[str, str]) -> set[str]:
    seen: set[str] = set()
    cursor = None
    while True:
        params: dict[str, object] = {"model": "Document", "limit": LIMIT, **({"cursor": cursor} if cursor else {})}
        page = check(client.get("/nango/records", params=params, headers=headers))
        seen.update(r["id"] for r in page["records"])
        cursor = page["next_cursor"]
        if cursor is None:
            return seen


def run(records: int = 100_000, rounds: int = 5, max_wall: float = 3600.0) -> list[Row]:
    env = {"PARAGON_EMULATOR_CLOCK_MODE": "manual", "PARAGON_EMULATOR_SECONDS_PER_RECORD": str(SECONDS_PER_RECORD)}
    with running_server(env, NAME) as probe:  # which project is the default one
        with client_for(probe) as client:
            project = default_project(client)
    env["PARAGON_EMULATOR_NANGO_SECRET_KEYS"] = f"{project}={KEY}"
    with running_server(env, NAME) as server, client_for(server, read_timeout=max_wall) as client:
        check(client.put(f"/_emulator/upstream/{project}/{USER}/googledrive/files", json={"size": records}))
        nango = {"Authorization": f"Bearer {KEY}"}
        check(client.post("/nango/connections", headers=nango, json={
            "provider_config_key": "google-drive", "connection_id": "bench", "end_user": {"id": USER},
            "credentials": {"type": "OAUTH2", "access_token": "x"},
        }), 201)
        selection = {"provider_config_key": "google-drive", "connection_id": "bench", "syncs": ["documents"]}
        check(client.post("/nango/sync/start", headers=nango, json=selection))
        status_params = {"provider_config_key": "google-drive", "connection_id": "bench", "syncs": "documents"}
        deadline = time.monotonic() + max_wall
        while True:
            advance(client, 60)
            [status] = check(client.get("/nango/sync/status", headers=nango, params=status_params))["syncs"]
            if status["status"] == "SUCCESS":
                break
            if time.monotonic() > deadline or status["status"] == "ERROR":
                raise BenchmarkError(f"sync not done: {status}")
        paragon = {"Authorization": f"Bearer {mint_token(client, USER)}"}
        [sync] = check(client.get("/api/syncs", headers=paragon))["data"]
        feed_headers = {**nango, "Connection-Id": "bench", "Provider-Config-Key": "google-drive"}
        log(f"{NAME}: {records:,} records synced; {rounds} alternating rounds")
        rates: dict[str, list[float]] = {"paragon": [], "nango": []}
        for round_ in range(rounds):
            order = (("paragon", lambda: _paragon_pull(client, sync["id"], paragon)), ("nango", lambda: _nango_pull(client, feed_headers)))
            for name, pull in order if round_ % 2 == 0 else order[::-1]:
                t0 = time.perf_counter()
                seen = pull()
                elapsed = time.perf_counter() - t0
                if len(seen) != records:
                    raise BenchmarkError(f"{name} pull returned {len(seen)} distinct records, not {records}")
                rates[name].append(records / elapsed)
    paragon_rate, nango_rate = statistics.median(rates["paragon"]), statistics.median(rates["nango"])
    ratios = [n / p for n, p in zip(rates["nango"], rates["paragon"])]

    def spread(values: list[float]) -> str:
        return f"{min(values):,.0f}-{max(values):,.0f}"

    return [Row(
        NAME,
        f"Nango feed {nango_rate:,.0f} records/s (range {spread(rates['nango'])})",
        f"Paragon pull {paragon_rate:,.0f} records/s (range {spread(rates['paragon'])})",
        fmt_ratio(nango_rate / paragon_rate),
        f"{records:,} records, limit/pageSize {LIMIT}, {rounds} alternating rounds; per-round ratios "
        f"{min(ratios):.2f}-{max(ratios):.2f}; bar: >= 1.0x",
    )]
