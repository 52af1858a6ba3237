"""The dict route table answers every request as Starlette's own route scan does.

Two apps on the same settings, one with the table (as create_app builds it) and one whose router
scans its routes the Starlette way (the reference), get the same requests: paths made from the
app's own route templates with segments swapped, dropped, added or emptied, under every method.
Both emulators start alike on a manual clock, so every answer (status, headers that route, body)
must be the same bytes.
"""

from __future__ import annotations

from typing import Iterator

import pytest
from hypothesis import HealthCheck, given, settings as hsettings, strategies as st
from starlette.testclient import TestClient

from paragon_emulator import create_app

from ..conftest import make_settings

METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


@pytest.fixture(scope="module")
def pair() -> Iterator[tuple[TestClient, TestClient, list[str]]]:
    fast_app = create_app(make_settings())
    reference_app = create_app(make_settings())
    reference_app.router.middleware_stack = reference_app.router.app  # Starlette's scan, no table
    templates = [route.path for route in fast_app.router.routes]
    with TestClient(fast_app) as fast, TestClient(reference_app) as reference:
        yield fast, reference, templates


def _segment() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(["api", "syncs", "records", "content", "_emulator", "permissions", "batch-check", "x", ""]),
        st.text(alphabet="abcdef0123456789-_.", min_size=1, max_size=12),
    )


@st.composite
def paths(draw: st.DrawFn, templates: list[str]) -> str:
    segments = draw(st.sampled_from(templates)).split("/")
    for i, segment in enumerate(segments):
        if i and (segment.startswith("{") or draw(st.integers(0, 9)) == 0):
            segments[i] = draw(_segment())
    if draw(st.booleans()):
        edit = draw(st.sampled_from(["drop", "add", "slash"]))
        if edit == "drop" and len(segments) > 2:
            segments.pop()
        elif edit == "add":
            segments.append(draw(_segment()))
        else:
            segments.append("")
    return "/".join(segments) or "/"


@hsettings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_every_request_routes_as_starlettes_scan(pair: tuple[TestClient, TestClient, list[str]], data: st.DataObject) -> None:
    fast, reference, templates = pair
    path = data.draw(paths(templates), label="path")
    method = data.draw(st.sampled_from(METHODS), label="method")
    got = fast.request(method, path, follow_redirects=False)
    expected = reference.request(method, path, follow_redirects=False)
    assert (got.status_code, got.headers.get("allow"), got.headers.get("location"), _body(got)) == (
        expected.status_code, expected.headers.get("allow"), expected.headers.get("location"), _body(expected),
    ), (method, path)


# What differs between two apps given the same requests: real time (uptime, when a request or an
# event was noted, how long a request took).
REAL_TIME = {"uptimeSeconds", "receivedAt", "durationMs", "realTime", "loggedAt"}


def _body(answer) -> object:
    """The answer's bytes, or its JSON without the fields that read real time."""
    if not any(name.encode() in answer.content for name in REAL_TIME):
        return answer.content
    return _without_real_time(answer.json())


def _without_real_time(value: object) -> object:
    if isinstance(value, dict):
        return {k: _without_real_time(v) for k, v in value.items() if k not in REAL_TIME}
    if isinstance(value, list):
        return [_without_real_time(v) for v in value]
    return value


def test_a_templated_route_gets_its_path_parameters(client: TestClient, auth) -> None:
    # Answered through the table: the unknown sync is named back from the path parameter.
    answer = client.get("/api/syncs/no-such-sync", headers=auth())
    assert answer.status_code == 404
    assert "no-such-sync" in answer.json()["message"]
