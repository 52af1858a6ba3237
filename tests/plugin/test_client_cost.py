"""What a test that takes `paragon_client` pays: no SSL context of its own (building one loads the CA
bundle, 20-30 ms, for a plain http:// server). Counted, not timed: benchmarks/plugin.py has the times."""

from __future__ import annotations

import pytest

COUNTING_CONFTEST = """
import ssl

made = []
_create = ssl.create_default_context


def _counting(*args, **kwargs):
    made.append(args or kwargs)
    return _create(*args, **kwargs)


ssl.create_default_context = _counting


def pytest_sessionfinish(session):
    print(f"\\nSSL contexts made: {len(made)}")
"""


def test_many_client_tests_share_one_ssl_context(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(COUNTING_CONFTEST)
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.parametrize("n", range(5))
        def test_client(paragon_client, paragon_client_for, n):
            assert paragon_client.get("/api/syncs").status_code == 200
            assert paragon_client_for("bob").get("/api/syncs").status_code == 200

        def test_one_context_for_every_client(paragon_emulator):
            with paragon_emulator.client("carol") as one, paragon_emulator.client("dave") as two:
                assert paragon_emulator.ssl_context is paragon_emulator.ssl_context
                assert one.get("/api/syncs").status_code == two.get("/api/syncs").status_code == 200
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-s", timeout=120)
    result.assert_outcomes(passed=6)
    result.stdout.fnmatch_lines(["SSL contexts made: 1"])


def test_a_test_may_still_give_its_client_its_own_verify(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        def test_own_verify(paragon_emulator):
            with paragon_emulator.client("alice", verify=False) as client:
                assert client.get("/api/syncs").status_code == 200
        """
    )
    pytester.runpytest_subprocess("-p", "no:cacheprovider", timeout=120).assert_outcomes(passed=1)
