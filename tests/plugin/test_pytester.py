"""The plugin as users meet it: pytest runs in fresh projects (no conftest), the plugin loaded
through its pytest11 entry point, each run in a subprocess."""

from __future__ import annotations

import pytest


def run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    # No -p: the plugin must come from the installed package's entry point.
    return pytester.runpytest_subprocess("-p", "no:cacheprovider", *args, timeout=120)


def test_every_fixture_works_in_a_fresh_project_with_no_conftest(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import httpx
        import pytest
        from paragon_emulator import Emulator

        ENABLE = {"integration": "googledrive", "pipeline": "files"}


        def test_server(paragon_emulator):
            assert paragon_emulator.base_url.startswith("http://127.0.0.1:")
            assert isinstance(paragon_emulator.emulator, Emulator)
            assert httpx.get(paragon_emulator.url("/_emulator/health"), trust_env=False).json() == {"status": "ok"}
            assert paragon_emulator.emulator.clock.mode == "manual"


        def test_client_token_and_request_log(paragon_emulator, paragon_client, paragon_client_for, paragon_token):
            assert paragon_client.post("/api/syncs", json=ENABLE).status_code == 200
            assert paragon_client_for("bob").get("/api/syncs").json()["data"] == []
            expired = paragon_token("alice", expires_in=-60)
            response = paragon_client.get("/api/syncs", headers={"Authorization": f"Bearer {expired}"})
            assert response.json()["code"] == "AUTH_TOKEN_EXPIRED"
            assert [(r.method, r.path, r.status) for r in paragon_emulator.requests] == [
                ("POST", "/api/syncs", 200), ("GET", "/api/syncs", 200), ("GET", "/api/syncs", 401)
            ]


        def test_webhooks(paragon_emulator, paragon_client, paragon_webhooks):
            sync = paragon_client.post("/api/syncs", json=ENABLE).json()
            paragon_emulator.advance(seconds=10)
            assert paragon_webhooks.wait_for("sync_complete", sync_id=sync["id"])["data"]["numRecords"] == 25


        def test_asgi_client(paragon_emulator, paragon_asgi_client):
            assert paragon_asgi_client.post("/api/syncs", json=ENABLE).status_code == 200
            assert paragon_emulator.requests[-1].path == "/api/syncs"


        @pytest.mark.anyio
        async def test_async_client(paragon_async_client):
            response = await paragon_async_client.post("/api/syncs", json=ENABLE)
            assert response.status_code == 200, response.text


        @pytest.mark.paragon_scenario("shared-drive")
        def test_scenario_marker(paragon_client):
            [sync] = paragon_client.get("/api/syncs").json()["data"]
            assert sync["integration"] == "googledrive"
        """
    )
    result = run(pytester, "-v")
    result.assert_outcomes(passed=6)
    result.stdout.re_match_lines([r"^plugins:.*paragon-emulator"])


def test_asgi_tests_open_no_socket(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        def test_asgi_only(paragon_emulator, paragon_asgi_client):
            assert paragon_asgi_client.get("/api/syncs").json() == {"data": []}
            assert not paragon_emulator.listening
        """
    )
    run(pytester).assert_outcomes(passed=1)


def test_state_does_not_leak_between_tests(pytester: pytest.Pytester) -> None:
    # Each inner test first checks that it starts from nothing, then changes everything: whichever
    # runs second (in any order, e.g. shuffled by pytest-randomly) fails if anything leaked.
    pytester.makeini(
        """
        [pytest]
        paragon_clock_start = 2030-01-01T00:00:00Z
        """
    )
    pytester.makepyfile(
        """
        import pytest


        @pytest.mark.parametrize("n", [1, 2])
        def test_starts_from_nothing_then_changes_everything(request, paragon_emulator, paragon_client, n):
            assert paragon_client.get("/api/syncs").json() == {"data": []}
            assert paragon_emulator.emulator.tenants() == []
            assert paragon_emulator.now.isoformat() == "2030-01-01T00:00:00+00:00"  # the clock is back at its start
            assert paragon_emulator.clock_state()["mode"] == "manual"
            assert paragon_emulator.clock_state()["pendingTimers"] == 0
            assert paragon_emulator.events == [] and paragon_emulator.webhook_log == []
            assert [r.path for r in paragon_emulator.requests] == ["/api/syncs"]
            account = paragon_emulator.emulator.upstream_account(paragon_emulator.project_id, "alice", "box", "files")
            assert account.count() == 25  # no item created by another test
            assert paragon_emulator.contract_report()["requests"] == 1
            assert paragon_emulator.emulator.endpoint(paragon_emulator.project_id).url is None  # no receiver left

            request.getfixturevalue("paragon_webhooks")  # a receiver for this test only
            sync = paragon_client.post("/api/syncs", json={"integration": "box", "pipeline": "files"}).json()
            assert paragon_client.get(f"/api/syncs/{sync['id']}").status_code == 200  # no fault left over
            paragon_emulator.load_scenario("crm")
            paragon_emulator.change_upstream("alice", "box", "files", "create", fields={"name": "x.txt"})
            paragon_emulator.advance(duration="2h")
            paragon_emulator.inject_sync_fault(sync["id"], "credential_revoked", once=False)
            paragon_emulator.inject_api_fault(status=503, count=100, operations=["getSyncStatus"])
            paragon_emulator.set_clock(mode="accelerated", rate=60)
            assert len(paragon_client.get("/api/syncs").json()["data"]) == 4  # box + the crm scenario's three
            assert paragon_emulator.events and paragon_emulator.webhook_log
        """
    )
    run(pytester, "-v").assert_outcomes(passed=2)


def test_parallel_workers_under_xdist_get_separate_emulators(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import os
        import time
        from pathlib import Path

        import pytest


        @pytest.mark.parametrize("n", range(8))
        def test_enable(paragon_emulator, paragon_client, n):
            # Every test enables the same sync: a 409 would mean state shared with another test.
            response = paragon_client.post("/api/syncs", json={"integration": "box", "pipeline": "files"})
            assert response.status_code == 200, response.text
            paragon_emulator.advance(seconds=5)
            worker = os.environ["PYTEST_XDIST_WORKER"]
            Path(__file__).with_name(f"seen-{worker}-{n}.txt").write_text(f"{worker} {paragon_emulator.port} {os.getpid()}")
            time.sleep(0.1)
        """
    )
    result = run(pytester, "-n", "2")
    result.assert_outcomes(passed=8)
    seen = [p.read_text().split() for p in pytester.path.glob("seen-*.txt")]
    assert len(seen) == 8
    ports_by_worker: dict[str, set[str]] = {}
    for worker, port, _pid in seen:
        ports_by_worker.setdefault(worker, set()).add(port)
    assert len(ports_by_worker) == 2, ports_by_worker  # both workers ran tests
    assert all(len(ports) == 1 for ports in ports_by_worker.values())  # one emulator per worker session
    first, second = ports_by_worker.values()
    assert first != second  # and each worker its own


def test_a_failing_webhook_wait_lists_what_arrived(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        def test_waits_for_an_event_that_never_comes(paragon_emulator, paragon_client, paragon_webhooks):
            sync = paragon_client.post("/api/syncs", json={"integration": "box", "pipeline": "files"}).json()
            paragon_emulator.advance(seconds=10)
            paragon_webhooks.wait_for("sync_complete", sync_id=sync["id"])
            paragon_webhooks.wait_for("record_deleted", sync_id=sync["id"], timeout=0.3)


        def test_forgot_to_advance_the_clock(paragon_client, paragon_webhooks):
            paragon_client.post("/api/syncs", json={"integration": "box", "pipeline": "files"})
            paragon_webhooks.wait_for("sync_complete", timeout=0.2)
        """
    )
    result = run(pytester)
    result.assert_outcomes(failed=2)
    result.stdout.fnmatch_lines(
        [
            "*paragon_webhooks: no 'record_deleted' webhook for sync * arrived within 0.3 s.",
            "*Received 1 webhook(s):",
            "*  sync_complete   sync *  at 20*",
            "*The emulator's webhook log (1 event(s)):",
            "*  sync_complete   sync *  delivered, 1 attempt(s), last: 200",
        ]
    )
    result.stdout.fnmatch_lines(
        [
            "*paragon_webhooks: no 'sync_complete' webhook arrived within 0.2 s.",
            "*Received no webhooks.",
            "*The emulator emitted no webhook events in this test.",
            "*The clock is manual (now *, 1 timer(s) pending): syncs run only when the test advances it*",
        ]
    )
    # The failure points at the test's line, not into the plugin.
    result.stdout.fnmatch_lines(["*paragon_webhooks.wait_for(\"record_deleted\"*"])
    assert "def wait_for" not in result.stdout.str()


def test_seed_and_clock_options_on_the_command_line(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        def test_options(paragon_emulator):
            assert paragon_emulator.info()["seed"] == 7
            assert paragon_emulator.clock_state()["mode"] == "real"
        """
    )
    run(pytester, "--paragon-seed=7", "--paragon-clock-mode=real").assert_outcomes(passed=1)


def test_ini_options_and_the_settings_fixture(pytester: pytest.Pytester) -> None:
    pytester.makeini(
        """
        [pytest]
        paragon_seed = 3
        paragon_clock_start = 2030-01-01T00:00:00Z
        """
    )
    pytester.makeconftest(
        """
        import pytest

        @pytest.fixture(scope="session")
        def paragon_settings():
            return {"account_size": 4}
        """
    )
    pytester.makepyfile(
        """
        def test_ini(paragon_emulator, paragon_client):
            assert paragon_emulator.info()["seed"] == 3
            assert paragon_emulator.now.isoformat() == "2030-01-01T00:00:00+00:00"
            sync = paragon_client.post("/api/syncs", json={"integration": "box", "pipeline": "files"}).json()
            paragon_emulator.advance(seconds=10)
            assert paragon_client.get(f"/api/syncs/{sync['id']}").json()["summary"]["totalRecords"] == 4
        """
    )
    run(pytester).assert_outcomes(passed=1)


def test_invalid_options_are_usage_errors(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_nothing(): pass")
    result = run(pytester, "--paragon-seed=minus-one")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--paragon-seed / paragon_seed must be an integer >= 0, not 'minus-one'*"])


def test_strict_client_fails_a_test_that_sent_an_invalid_request(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest


        def test_sends_an_invalid_body(paragon_client):
            paragon_client.post("/api/syncs", json={"pipeline": "files"})


        def test_sends_only_valid_requests(paragon_client):
            assert paragon_client.post("/api/syncs", json={"integration": "box", "pipeline": "files"}).status_code == 200


        @pytest.mark.paragon_allow_invalid_requests
        def test_sends_an_invalid_body_on_purpose(paragon_client):
            assert paragon_client.post("/api/syncs", json={"pipeline": "files"}).status_code == 400
        """
    )
    result = run(pytester, "--paragon-strict-client")
    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines(
        [
            "*strict client*: the client sent 1 invalid request(s) of 1 in this test:",
            "*POST /api/syncs [[]*[]] body $.integration: required: *'integration' is required",
            "FAILED *::test_sends_an_invalid_body*",
        ]
    )
    run(pytester).assert_outcomes(passed=3)  # off by default


def test_a_failing_test_reports_its_requests_and_the_emulators_answers(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        def test_enable_without_a_pipeline(paragon_client, paragon_emulator):
            paragon_client.get("/api/syncs", params={"pageSize": "3"})
            response = paragon_client.post("/api/syncs", json={"integration": "googledrive"})
            assert response.status_code == 200


        def test_passes(paragon_client):
            assert paragon_client.post("/api/syncs", json={"integration": "SECRET-OF-A-PASSING-TEST"}).status_code == 400
        """
    )
    result = run(pytester)
    result.assert_outcomes(failed=1, passed=1)
    result.stdout.fnmatch_lines([
        "*- paragon-emulator -*",
        "requests to the API in this test, oldest first*",
        "  GET /api/syncs?pageSize=3 -> 200 (alice, * ms)",
        "    noted:    query: query parameter 'pageSize' is not part of listSyncs",
        "  POST /api/syncs -> 400 (alice, * ms)",
        '    sent:     {"integration":"googledrive"}',
        "    answered: *'pipeline' is required*",
        "event log, oldest first*",
        "  none",
    ])
    assert "SECRET-OF-A-PASSING-TEST" not in result.stdout.str()  # a passing test reports nothing
