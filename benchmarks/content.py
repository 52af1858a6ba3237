"""content: downloads per second of each file type, over HTTP.

1. A server with a manual clock; an N-item Google Drive account (every type the sources declare,
   Google-native documents included), synced.
2. Pull every record (this makes each file's size and MD5, as any pull does).
3. For each MIME type: GET .../records/{id}/content for each of its files once, one connection
   (the files are made again: only the last few downloads are kept), timed; each answer's
   length must equal the record's size. The baseline is GET sync status on the same connection.
"""

from __future__ import annotations

import statistics
import time
from collections import defaultdict

from ._harness import BenchmarkError, Row, check, client_for, default_project, fmt_ratio, log, mint_token, run_until_idle, running_server

NAME = "content"
USER = "content-bench"
FOLDER = "application/vnd.google-apps.folder"
SHORT = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": ".pptx",
    "application/vnd.google-apps.document": "Google Doc (as .docx)",
    "application/vnd.google-apps.spreadsheet": "Google Sheet (as .xlsx)",
    "application/vnd.google-apps.presentation": "Google Slides (as .pptx)",
}


def run(files: int = 3000, per_type: int = 200, max_wall: float = 3600.0) -> list[Row]:
    env = {"PARAGON_EMULATOR_CLOCK_MODE": "manual", "PARAGON_EMULATOR_SECONDS_PER_RECORD": "0.001"}
    with running_server(env, NAME) as server, client_for(server, read_timeout=max_wall) as client:
        project = default_project(client)
        check(client.put(f"/_emulator/upstream/{project}/{USER}/googledrive/files", json={"size": files}))
        client.headers["Authorization"] = f"Bearer {mint_token(client, USER)}"
        sync = check(client.post("/api/syncs", json={"integration": "googledrive", "pipeline": "files"}))["id"]
        run_until_idle(client, sync, max_wall)
        records, cursor = [], None
        while True:
            page = check(client.get(f"/api/syncs/{sync}/records", params={"pageSize": 1000, **({"cursor": cursor} if cursor else {})}))
            if not page["data"]:
                break
            records += page["data"]
            cursor = page["paging"]["cursor"]
        by_type: dict[str, list[dict]] = defaultdict(list)
        for record in records:
            if record["mimeType"] != FOLDER:
                by_type[record["mimeType"]].append(record)
        log(f"{NAME}: {len(records):,} records, {len(by_type)} types; downloading up to {per_type} of each")

        status_times = []
        for _ in range(200):
            t0 = time.perf_counter()
            check(client.get(f"/api/syncs/{sync}"))
            status_times.append(time.perf_counter() - t0)
        status_rate = len(status_times) / sum(status_times)

        rows = []
        for mime, group in sorted(by_type.items(), key=lambda kv: -len(kv[1])):
            sample = group[:per_type]
            times, sizes = [], []
            for record in sample:
                t0 = time.perf_counter()
                response = client.get(f"/api/syncs/{sync}/records/{record['id']}/content")
                times.append(time.perf_counter() - t0)
                if response.status_code != 200 or len(response.content) != record["size"]:
                    raise BenchmarkError(f"{mime} {record['id']}: {response.status_code}, {len(response.content)} bytes != {record['size']}")
                sizes.append(record["size"])
            rate = len(times) / sum(times)
            rows.append(
                Row(
                    NAME,
                    f"{SHORT.get(mime, mime)}: {rate:,.0f} downloads/s",
                    f"GET sync status {status_rate:,.0f}/s",
                    fmt_ratio(rate / status_rate),
                    f"{len(sample)} files, mean {statistics.mean(sizes) / 1024:.1f} KiB, p50 {statistics.median(times) * 1000:.2f} ms",
                )
            )
    return rows
