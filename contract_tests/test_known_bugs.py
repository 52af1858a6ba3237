"""One test per emulator bug the suite found (harness/known_bugs.py), each a reproduction.

Against the emulator each is an xfail(strict=True) naming the bug: it fails the run as soon as
the bug is fixed, so that the bug is then taken off the list. Against another server they are
plain checks of the same contract.
"""

from __future__ import annotations

import pytest


@pytest.fixture
def expect_bug(request, server):
    def mark(reason: str) -> None:
        if server.is_emulator:
            request.applymarker(pytest.mark.xfail(strict=True, reason=reason))

    return mark


def test_a_json_body_that_is_not_utf8_is_refused_with_400(api, contract):
    # Was a 500 (fixed); kept as a check. New bugs get a test here that calls expect_bug(reason).
    response = api.http.post("/api/syncs", content=b"\xff\xfe{}", headers={"Content-Type": "application/json"})
    assert response.status_code == 400, f"{response.status_code} {response.headers.get('content-type')}: {response.text}"
    contract.assert_conforms(response)
