"""Reproductions of the emulator bugs this suite found, kept as plain checks once fixed.

None is open. A bug found and not fixed at once gets its reproduction here, marked
`@pytest.mark.xfail(strict=True, reason=...)` when `server.is_emulator` (through
`request.applymarker` in the test), so the run fails as soon as it is fixed and the mark comes off.
"""

from __future__ import annotations


def test_a_json_body_that_is_not_utf8_is_refused_with_400(api, contract):
    # Was a 500 (fixed).
    response = api.http.post("/api/syncs", content=b"\xff\xfe{}", headers={"Content-Type": "application/json"})
    assert response.status_code == 400, f"{response.status_code} {response.headers.get('content-type')}: {response.text}"
    contract.assert_conforms(response)
