"""The dashboard clicked through in Chromium: what a person sees and does at /_emulator/ui."""

from __future__ import annotations

import re
from datetime import datetime, timezone
from typing import Any, Iterator

import httpx
import pytest

from paragon_emulator import Emulator, Settings
from paragon_emulator.pytest_plugin import Options, ParagonEmulator
from tests.http.test_webhooks import Receiver, log as webhook_log, wait_for

from .conftest import screenshot

START = datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc)
DRIVE = {"integration": "googledrive", "pipeline": "files"}


@pytest.fixture
def served() -> Iterator[ParagonEmulator]:
    settings = Settings(
        clock_mode="manual", clock_start=START, seconds_per_record=0, webhook_verification=False,
        webhook_retry_schedule=[10], webhook_timeout_seconds=2,
    )
    handle = ParagonEmulator(Emulator(settings), Options(0, "manual", START))
    handle.base_url  # noqa: B018 - starts the server
    yield handle
    handle.close()


def api(served: ParagonEmulator, user: str = "alice") -> httpx.Client:
    return served.client(user)


def enable(served: ParagonEmulator, body: dict[str, Any] = DRIVE) -> str:
    with api(served) as client:
        response = client.post("/api/syncs", json=body)
        assert response.status_code == 200, response.text
        return response.json()["id"]


def status_cell(page: Any, sync_id: str) -> Any:
    return page.locator(f'tr[data-sync-id="{sync_id}"] .status')


def test_a_sync_enabled_over_the_api_appears_and_the_advance_button_makes_it_idle(served, page_on):
    page = page_on(served.base_url)
    page.goto(served.url("/_emulator/ui"))
    sync_id = enable(served)
    cell = status_cell(page, sync_id)
    cell.wait_for()  # the page polls: the new sync appears by itself
    assert cell.inner_text() == "INITIALIZING"
    page.click("[data-advance='1m']")
    page.wait_for_function(
        "id => document.querySelector(`tr[data-sync-id='${id}'] .status`).textContent === 'IDLE'", arg=sync_id
    )
    assert "2026-01-05 09:01:00Z" in page.inner_text("#clock-state")
    page.click(f'tr[data-sync-id="{sync_id}"]')
    page.wait_for_selector("text=INITIAL_SYNC_COMPLETED")  # the timeline of its runs
    screenshot(page, "sync-idle")


def test_records_open_and_page_and_a_record_shows_its_json_content_and_readers(served, page_on):
    sync_id = enable(served)
    served.advance(duration="1m")
    page = page_on(served.base_url)
    page.goto(served.url("/_emulator/ui"))
    page.click(f'tr[data-sync-id="{sync_id}"]')
    page.click("#open-records")
    page.wait_for_selector("#record-table tr[data-record-id]")
    first = page.eval_on_selector_all("tr[data-record-id]", "rows => rows.map(r => r.dataset.recordId)")
    assert len(first) == 10 and "page 1, 15 more" in page.inner_text("#records-page")
    page.click("#records-next")
    page.wait_for_selector("text=page 2, 5 more")
    second = page.eval_on_selector_all("tr[data-record-id]", "rows => rows.map(r => r.dataset.recordId)")
    assert len(second) == 10 and not set(first) & set(second)
    page.click("#records-next")
    page.wait_for_selector("text=page 3, 0 more")
    assert page.is_disabled("#records-next")
    page.click("#records-prev")
    page.wait_for_selector("text=page 2, 5 more")
    assert page.eval_on_selector_all("tr[data-record-id]", "rows => rows.map(r => r.dataset.recordId)") == second
    with api(served) as client:
        records = client.get(f"/api/syncs/{sync_id}/records", params={"pageSize": 25}).json()["data"]
    a_file = next(r for r in records[10:20] if r.get("mimeType") and "folder" not in r["mimeType"])
    page.click(f'tr[data-record-id="{a_file["id"]}"]')
    page.wait_for_selector("#record-json")
    assert a_file["id"] in page.inner_text("#record-json")
    page.click("#preview")
    page.wait_for_selector("#preview-box > *")
    page.click("#readers")
    page.wait_for_selector("#reader-list li")
    with api(served) as client:
        users = client.post(f"/api/permissions/{sync_id}/list-users", json={"object": a_file["id"], "role": "can_read"}).json()["users"]
    assert page.eval_on_selector_all("#reader-list li", "items => items.map(i => i.textContent)") == (users or ["nobody"])
    screenshot(page, "records")


def test_a_failed_webhook_is_redelivered_from_the_page(served, page_on):
    receiver = Receiver()
    try:
        served.configure_webhooks(receiver.url)
        receiver.mode = "fail"
        enable(served)
        served.advance(duration="1m")
        with served.client(None) as control:
            wait_for(lambda: webhook_log(control) and webhook_log(control)[0]["status"] == "pending", "the first failure")
            served.advance(duration="1m")
            wait_for(lambda: webhook_log(control)[0]["status"] == "failed", "the last failure")
        receiver.mode = "ok"
        page = page_on(served.base_url)
        page.goto(served.url("/_emulator/ui"))
        page.click("#tabs [data-tab='webhooks']")
        row = page.locator("tr[data-event-id]").first
        row.wait_for()
        assert row.locator(".delivery-status").inner_text() == "failed"
        row.locator("[data-redeliver]").click()
        page.wait_for_function("() => document.querySelector('tr[data-event-id] .delivery-status').textContent === 'delivered'")
        assert [json_body["event"] for json_body in receiver.events()] == ["sync_complete"]
        screenshot(page, "webhook-redelivered")
    finally:
        receiver.close()


def test_a_fault_injected_from_the_page_shows_as_errored(served, page_on):
    sync_id = enable(served)
    served.advance(duration="1m")
    page = page_on(served.base_url)
    page.goto(served.url("/_emulator/ui"))
    status_cell(page, sync_id).wait_for()
    page.click("#tabs [data-tab='faults']")
    page.select_option("#fault-sync", sync_id)
    page.select_option("select[name='kind']", "credential_revoked")
    page.click("#inject")
    page.wait_for_selector("text=credential_revoked >> nth=1")  # the option, and the fault listed
    page.click("[data-advance='1m']")
    page.click("#tabs [data-tab='syncs']")
    page.wait_for_function(
        "id => document.querySelector(`tr[data-sync-id='${id}'] .status`).textContent === 'ERRORED'", arg=sync_id
    )
    page.click(f'tr[data-sync-id="{sync_id}"]')
    page.wait_for_selector("text=SYNC_RUN_ERROR")
    screenshot(page, "fault-errored")


def test_event_log_requests_scenarios_landing_and_api_docs_need_no_other_host(served, page_on):
    enable(served)
    with api(served) as client:
        client.post("/api/syncs", json={"integration": "googledrive"})  # a 400 the journal keeps
    page = page_on(served.base_url)
    page.goto(served.url("/"))
    page.click("text=Dashboard")
    page.click("#tabs [data-tab='scenarios']")
    page.click("[data-scenario='crm']")
    page.wait_for_selector("#scenario-result:not([hidden])")
    page.click("[data-advance='1m']")
    page.click("#tabs [data-tab='logs']")
    page.wait_for_selector("#log-list >> text=INITIAL_SYNC_COMPLETED")
    page.fill("#log-filters input[name='integration']", "hubspot")
    page.click("#log-filters button")
    page.wait_for_function("() => !document.querySelector('#log-list').textContent.includes('googledrive')")
    screenshot(page, "event-log")
    page.click("#tabs [data-tab='requests']")
    page.wait_for_selector("#request-list >> text=400")
    page.click("#request-list details >> nth=0")
    assert "'pipeline' is required" in page.inner_text("#request-list")
    screenshot(page, "requests")
    page.goto(served.url("/_emulator/ui/docs"))
    page.wait_for_selector(".swagger-ui .opblock")  # Swagger UI, from the emulator itself
    assert page.locator(".opblock").count() > 40
    screenshot(page, "api-docs", full_page=False)


def test_pages_and_assets_are_served_and_unknown_assets_are_404(served):
    with httpx.Client(base_url=served.base_url, trust_env=False) as client:
        landing = client.get("/")
        assert landing.status_code == 200 and "/_emulator/ui" in landing.text
        assert "default-src 'self'" in landing.headers["content-security-policy"]
        assert client.get("/_emulator/ui/static/dashboard.js").headers["content-type"].startswith("text/javascript")
        assert client.get("/_emulator/ui/swagger/swagger-ui-bundle.js").status_code == 200
        for bad in ("nope.js", "..%2Fapp.py", ".hidden.js", "dashboard.py"):
            response = client.get(f"/_emulator/ui/static/{bad}")
            assert response.status_code == 404 and response.json()["code"] == "ROUTE_NOT_FOUND", bad
        assert re.search(r"https?://(?!127\.0\.0\.1)", client.get("/_emulator/ui").text) is None


def test_with_a_control_token_the_page_asks_for_it_once_and_then_shows_the_syncs(page_on):
    settings = Settings(clock_mode="manual", clock_start=START, control_token="open-sesame-17")
    handle = ParagonEmulator(Emulator(settings), Options(0, "manual", START))
    try:
        sync_id = enable(handle)
        with httpx.Client(base_url=handle.base_url, trust_env=False) as client:
            assert client.get("/_emulator/tenants").status_code == 401  # the data stays guarded
            assert client.get("/_emulator/ui").status_code == 200  # the page holds none
        page = page_on(handle.base_url)
        asked: list[str] = []

        def answer(dialog: Any) -> None:
            asked.append(dialog.message)
            dialog.accept("open-sesame-17")

        page.on("dialog", answer)
        page.goto(handle.url("/_emulator/ui"))
        status_cell(page, sync_id).wait_for()
        page.click("[data-advance='1m']")
        page.wait_for_function(
            "id => document.querySelector(`tr[data-sync-id='${id}'] .status`).textContent === 'IDLE'", arg=sync_id
        )
        assert len(asked) == 1 and "control token" in asked[0]
    finally:
        handle.close()


def test_a_lasting_fault_is_listed_and_cleared_from_the_page(served, page_on):
    sync_id = enable(served)
    page = page_on(served.base_url)
    page.goto(served.url("/_emulator/ui"))
    status_cell(page, sync_id).wait_for()
    page.click("#tabs [data-tab='faults']")
    page.select_option("#fault-sync", sync_id)
    page.select_option("select[name='kind']", "root_missing")
    page.uncheck("#fault-form input[name='once']")
    page.click("#inject")
    page.wait_for_selector("[data-clear-fault]")
    [fault] = served.emulator.list_faults()["sync"]
    assert (fault["kind"], fault["once"], fault["syncId"]) == ("root_missing", False, sync_id)
    page.click(f"[data-clear-fault='sync/{fault['id']}']")
    page.wait_for_selector("#fault-list >> text=no faults")
    assert served.emulator.list_faults()["sync"] == []
