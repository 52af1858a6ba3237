"""`paragon-emulator control` against a served emulator: every part of the control plane, tables and --json."""

from __future__ import annotations

import json
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Iterator

import httpx
import pytest

from paragon_emulator.settings import DEFAULT_PROJECT_ID

from .running import CLI, Served, clean_env, cli, serve


@pytest.fixture(scope="module")
def server() -> Iterator[Served]:
    served = serve("--clock-mode", "manual", "--clock-start", "2026-01-05T09:00:00Z", "--webhook-retry-schedule", "60")
    yield served
    served.stop()


@pytest.fixture
def emulator(server: Served) -> Served:
    httpx.post(server.url + "/_emulator/reset", trust_env=False, timeout=30).raise_for_status()
    httpx.delete(server.url + "/_emulator/faults", trust_env=False, timeout=30).raise_for_status()
    return server


def ok(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return result.stdout


def as_json(result: subprocess.CompletedProcess):
    return json.loads(ok(result))


def enable_sync(emulator: Served, user: str = "alice") -> str:
    token = ok(emulator.control("token", "--user", user)).strip()
    response = httpx.post(
        emulator.url + "/api/syncs", json={"integration": "googledrive", "pipeline": "files"},
        headers={"Authorization": f"Bearer {token}"}, trust_env=False, timeout=30,
    )
    assert response.status_code == 200, response.text
    return response.json()["id"]


def test_the_url_may_come_before_or_after_the_action(emulator):
    before = cli("control", "--url", emulator.url, "info")
    after = cli("control", "info", "--url", emulator.url)
    assert ok(before).splitlines()[0] == ok(after).splitlines()[0]
    assert "seed:" in after.stdout and DEFAULT_PROJECT_ID in after.stdout
    assert as_json(cli("control", "--json", "info", "--url", emulator.url))["seed"] == 0


def test_an_unreachable_emulator_is_a_message_not_a_traceback():
    result = cli("control", "info", "--url", "http://127.0.0.1:9")
    assert result.returncode == 2
    assert "cannot reach the emulator at http://127.0.0.1:9" in result.stderr and "Traceback" not in result.stderr


def test_a_minted_token_is_accepted_by_the_api(emulator):
    enable_sync(emulator, "bob")
    tenants = as_json(emulator.control("tenants", "--json"))["data"]
    assert [(t["projectId"], t["userId"]) for t in tenants] == [(DEFAULT_PROJECT_ID, "bob")]
    assert "bob" in ok(emulator.control("tenants"))


def test_reset_of_a_user_uses_the_default_project(emulator):
    enable_sync(emulator, "alice")
    enable_sync(emulator, "bob")
    text = ok(emulator.control("reset", "--user", "alice"))
    assert f"user alice of project {DEFAULT_PROJECT_ID}: 1 sync(s) removed" in text
    assert [t["userId"] for t in as_json(emulator.control("tenants", "--json"))["data"]] == ["bob"]


def test_advance_and_clock(emulator):
    start = as_json(emulator.control("clock", "--json"))["now"]
    assert start.startswith("2026-01-05")
    moved = as_json(emulator.control("advance", "1h30m", "--json"))
    assert moved["clock"]["mode"] == "manual"
    text = ok(emulator.control("advance", "90"))  # a plain number is seconds
    assert text.startswith("advanced to ") and "timer(s) run" in text
    assert "mode:" in ok(emulator.control("clock")) and "pending timers:" in emulator.control("clock").stdout


def test_a_wrong_duration_is_explained_in_words(emulator):
    result = emulator.control("advance", "5x")
    assert result.returncode == 2
    assert "'5x' is not a duration" in result.stderr and "1h30m" in result.stderr
    assert "\\d" not in result.stderr and "Traceback" not in result.stderr


def test_the_clock_mode_can_be_changed(emulator):
    try:
        assert "mode:           accelerated" in ok(emulator.control("clock", "--mode", "accelerated", "--rate", "60"))
    finally:
        ok(emulator.control("clock", "--mode", "manual"))


def test_scenarios_are_listed_and_loaded(emulator):
    listed = ok(emulator.control("scenario"))
    assert "shared-drive" in listed and "crm" in listed
    loaded = as_json(emulator.control("scenario", "shared-drive", "--json"))
    assert loaded["name"] == "shared-drive" and len(loaded["syncIds"]) == 1
    missing = emulator.control("scenario", "nope")
    assert missing.returncode == 1 and "no scenario 'nope'" in missing.stderr


def test_upstream_items_are_created_updated_and_deleted(emulator):
    account = ("--user", "alice", "--integration", "googledrive")
    created = as_json(emulator.control("upstream", "create", *account, "--field", "name=plan.txt", "--field", "size=12", "--json"))
    assert created["name"] == "plan.txt" and created["size"] == 12
    item = created["externalId"]
    updated = ok(emulator.control("upstream", "update", item, *account, "--fields", '{"name": "plan-v2.txt"}'))
    assert f"externalId:  {item}" in updated and "plan-v2.txt" in updated
    assert f"deleted {item} upstream" in ok(emulator.control("upstream", "delete", item, *account))
    missing = emulator.control("upstream", "delete", item, *account)
    assert missing.returncode == 1 and "404" in missing.stderr
    bad = emulator.control("upstream", "create", *account, "--field", "no-equals-sign")
    assert bad.returncode == 2 and "--field takes NAME=VALUE" in bad.stderr


def test_faults_are_injected_listed_and_cleared(emulator):
    sync_id = enable_sync(emulator)
    assert f"on sync {sync_id}" in ok(emulator.control("faults", "sync", sync_id, "credential_revoked"))
    assert "listSyncs answer 503, 1 time(s)" in ok(emulator.control("faults", "api", "--operation", "listSyncs", "--status", "503", "--count", "1"))
    listed = as_json(emulator.control("faults", "list", "--json"))
    assert [f["kind"] for f in listed["sync"]] == ["credential_revoked"] and listed["api"][0]["status"] == 503
    text = ok(emulator.control("faults", "list"))
    assert "credential_revoked" in text and "listSyncs" in text
    token = ok(emulator.control("token", "--user", "alice")).strip()
    answer = httpx.get(emulator.url + "/api/syncs", headers={"Authorization": f"Bearer {token}"}, trust_env=False, timeout=30)
    assert answer.status_code == 503
    # The sync fault errors the initial run.
    emulator.control("advance", "1m")
    statuses = {s["status"] for t in as_json(emulator.control("tenants", "--json"))["data"] for s in t["syncs"]}
    assert statuses == {"ERRORED"}
    assert "cleared" in ok(emulator.control("faults", "clear"))
    assert as_json(emulator.control("faults", "list", "--json"))["sync"] == []


class Receiver:
    """A webhook receiver in the test: keeps each body (parsed, and raw with its headers) and answers 200."""

    def __init__(self) -> None:
        self.bodies: list[dict] = []
        self.raw: list[tuple[bytes, dict[str, str]]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers["content-length"]))
                receiver.raw.append((body, {k.lower(): v for k, v in self.headers.items()}))
                receiver.bodies.append(json.loads(body))
                self.send_response(200)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    made = Receiver()
    yield made
    made.close()


def test_webhooks_config_trigger_events_and_redeliver(emulator, receiver):
    config = ok(emulator.control("webhooks", "config", "--set-url", receiver.url))
    assert f"url:     {receiver.url}" in config and "secret:" in config
    sync_id = enable_sync(emulator)
    emulator.control("advance", "1m")  # the initial sync: sync_complete
    triggered = as_json(emulator.control("webhooks", "trigger", sync_id, "sync_errored", "--message", "boom", "--json"))
    assert triggered["type"] == "sync_errored"

    every = as_json(emulator.control("events", "--json"))["data"]
    # Setting the URL sent the verification probe first.
    assert [e["type"] for e in every] == ["webhook_verification", "sync_complete", "sync_errored"]
    only = as_json(emulator.control("events", "--type", "sync_errored", "--sync", sync_id, "--json"))["data"]
    assert [e["id"] for e in only] == [triggered["id"]]
    table = ok(emulator.control("events", "--type", "sync_complete"))
    assert "sync_complete" in table and "sync_errored" not in table and "event id" in table.splitlines()[0]

    again = as_json(emulator.control("webhooks", "redeliver", triggered["id"], "--json"))
    assert again["id"] == triggered["id"]
    missing = emulator.control("webhooks", "redeliver", "no-such-event")
    assert missing.returncode == 1 and "404" in missing.stderr


def test_events_follow_prints_events_as_they_happen(emulator):
    sync_id = enable_sync(emulator)
    follow = subprocess.Popen(
        [*CLI, "control", "events", "--follow", "--interval", "0.05", "--url", emulator.url],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=clean_env(),
    )
    try:
        assert follow.stdout is not None
        assert follow.stdout.readline().split()[:3] == ["created", "event", "id"]
        triggered = as_json(emulator.control("webhooks", "trigger", sync_id, "sync_complete", "--json"))
        line = follow.stdout.readline()  # blocks until follow prints it
        assert triggered["id"] in line and "sync_complete" in line and sync_id in line
    finally:
        follow.terminate()
        follow.wait(timeout=30)


def test_the_contract_report(emulator):
    token = ok(emulator.control("token", "--user", "alice")).strip()
    httpx.get(emulator.url + "/api/syncs", params={"pageSize": "x"}, headers={"Authorization": f"Bearer {token}"}, trust_env=False, timeout=30)
    httpx.post(emulator.url + "/api/syncs", json={}, headers={"Authorization": f"Bearer {token}"}, trust_env=False, timeout=30)
    text = ok(emulator.control("contract"))
    assert text.splitlines()[0] == "2 request(s) to the real API, 2 invalid" and "enableSync" in text
    report = as_json(emulator.control("contract", "--clear", "--json"))
    assert report["requests"] == 0


def test_an_error_answer_is_a_message_and_with_json_the_body_too(emulator):
    plain = emulator.control("faults", "sync", "no-such-sync", "root_missing")
    assert plain.returncode == 1 and plain.stdout == "" and "the emulator answered 404" in plain.stderr
    scripted = emulator.control("faults", "sync", "no-such-sync", "root_missing", "--json")
    assert scripted.returncode == 1 and json.loads(scripted.stdout)["code"]


def test_a_snapshot_taken_to_a_file_is_restored_from_it(emulator, tmp_path):
    sync_id = enable_sync(emulator, "alice")
    ok(emulator.control("advance", "1h"))
    path = tmp_path / "state.json"
    text = ok(emulator.control("snapshot", "take", str(path)))
    assert "changes:" in text and json.loads(path.read_text())["state"]["syncs"][sync_id]["status"] == "IDLE"
    ok(emulator.control("reset"))
    assert as_json(emulator.control("tenants", "--json"))["data"] == []
    changes = len(json.loads(path.read_text())["journal"])  # the enable, and the fixture's clearing of faults
    assert f"restored {changes} change(s)" in ok(emulator.control("snapshot", "restore", str(path)))
    tenants = as_json(emulator.control("tenants", "--json"))["data"]
    assert [s["id"] for t in tenants for s in t["syncs"]] == [sync_id]


def test_snapshot_errors_are_messages(emulator, tmp_path):
    missing = emulator.control("snapshot", "restore", str(tmp_path / "nothing.json"))
    assert missing.returncode == 2 and "cannot read" in missing.stderr and "Traceback" not in missing.stderr
    (tmp_path / "old.json").write_text(json.dumps({"format": "paragon-emulator-snapshot", "version": 0}))
    old = emulator.control("snapshot", "restore", str(tmp_path / "old.json"))
    assert old.returncode == 1 and "format version 0" in old.stderr, old.stderr
    unsaved = emulator.control("snapshot", "save")
    assert unsaved.returncode == 1 and "--state-file" in unsaved.stderr
