"""`serve --log-format json`: one JSON object a line, with real and emulated time, uvicorn's lines too."""

from __future__ import annotations

import json
import re
import subprocess

import httpx

from tests.cli.running import CLI, clean_env, cli


def test_json_lines_tell_the_runs_with_real_and_emulated_time() -> None:
    process = subprocess.Popen(
        [*CLI, "serve", "--port", "0", "--clock-mode", "manual", "--clock-start", "2026-01-05T09:00:00Z",
         "--log-format", "json", "--access-log"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=clean_env(),
    )
    assert process.stderr is not None
    try:
        first = process.stderr.readline()
        url = re.search(r"serving on (http://127\.0\.0\.1:\d+)", first).group(1)  # the real port, not 0
        with httpx.Client(base_url=url, trust_env=False) as client:
            token = client.post("/_emulator/tokens", json={"userId": "alice"}).json()["token"]
            client.post("/api/syncs", json={"integration": "googledrive", "pipeline": "files"},
                        headers={"Authorization": f"Bearer {token}"})
            client.post("/_emulator/clock/advance", json={"seconds": 10})
    finally:
        process.terminate()
        rest = process.stderr.read()
        process.wait(timeout=30)
    lines = [json.loads(line) for line in rest.splitlines() if line.strip()]  # every line is JSON
    done = [x for x in lines if x.get("fields", {}).get("syncEvent") == "INITIAL_SYNC_COMPLETED"]
    assert len(done) == 1
    assert done[0]["emulatedTime"] == "2026-01-05T09:00:03.250Z"  # 1 s INITIALIZING, 2 s of run, 25 x 0.01 s
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", done[0]["time"])
    assert done[0]["level"] == "info" and done[0]["logger"] == "paragon_emulator.sync"
    assert done[0]["fields"]["summary"]["records"] == 25 and done[0]["fields"]["traceId"]
    assert any(x["logger"] == "uvicorn.access" and "POST /api/syncs" in x["message"] for x in lines)
    assert any(x["logger"] == "paragon_emulator.control" and "clock/advance" in x["message"] for x in lines)


def test_an_unknown_log_format_is_refused_before_start() -> None:
    result = cli("serve", "--port", "0", "--log-format", "xml")
    assert result.returncode == 2
    assert "log-format" in result.stderr and "json" in result.stderr
