"""A long-running emulator gives memory back: resident size after each reset stays near the first's."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest

pytestmark = pytest.mark.skipif(not os.path.exists("/proc/self/statm"), reason="reads resident size from /proc")

SOAK = textwrap.dedent(
    """
    import json, os, warnings
    warnings.simplefilter("ignore")
    from datetime import datetime, timezone
    from starlette.testclient import TestClient
    from paragon_emulator import Emulator, Settings, create_app

    def resident():
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20

    emulator = Emulator(Settings(clock_mode="manual", clock_start=datetime(2026, 1, 5, tzinfo=timezone.utc)))
    after = []
    with TestClient(create_app(emulator)) as client:
        for _ in range(6):
            users = [f"u{n}" for n in range(2000)]
            kinds = [("hubspot", "contacts"), ("box", "files"), ("zendesk", "tickets")]
            ids = [emulator.enable_sync(u, *kinds[i % 3]).id for i, u in enumerate(users)]
            emulator.advance(duration="1h")
            for i in range(0, len(users), 20):  # pulls fill the rendered-JSON cache
                token = emulator.token(users[i])[0]
                page = client.get(f"/api/syncs/{ids[i]}/records", params={"pageSize": 100},
                                  headers={"Authorization": "Bearer " + token})
                assert page.status_code == 200, page.text
            assert client.post("/_emulator/reset").status_code == 200
            after.append(resident())
    print(json.dumps(after))
    """
)


def test_resident_size_after_a_reset_stays_within_10_mib_of_the_first_reset():
    result = subprocess.run([sys.executable, "-c", SOAK], capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    after = json.loads(result.stdout.strip().splitlines()[-1])
    assert max(after) - after[0] <= 10, f"resident MiB after each reset: {[round(a, 1) for a in after]}"
