"""Strict mode's response validation remembers bytes found valid, and only those.

The reference is the validation without memory (openapi-core through spec/compiled.py). A real
sync status and a real page from a strict emulator, and random breakages of them (a field dropped,
a value of the wrong type), must get the same violations from both, however often they are
validated and in whatever order, valid ones first.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from paragon_emulator.spec import validation

from ..conftest import PROJECT


@pytest.fixture
def answers(client, auth) -> list[tuple[str, str, dict[str, str], dict[str, Any]]]:
    """(path, pattern, path params, body) of a status and a page of a synced Drive."""
    client.put(f"/_emulator/upstream/{PROJECT}/alice/googledrive/files", json={"size": 5}).raise_for_status()
    sync = client.post("/api/syncs", json={"integration": "googledrive", "pipeline": "files"}, headers=auth()).json()["id"]
    client.post("/_emulator/clock/advance", json={"seconds": 3600}).raise_for_status()
    status = client.get(f"/api/syncs/{sync}", headers=auth())
    page = client.get(f"/api/syncs/{sync}/records", headers=auth())
    assert status.status_code == page.status_code == 200
    return [
        (f"/api/syncs/{sync}", "/api/syncs/{syncId}", {"syncId": sync}, status.json()),
        (f"/api/syncs/{sync}/records", "/api/syncs/{syncId}/records", {"syncId": sync}, page.json()),
    ]


def _check(path: str, pattern: str, params: dict[str, str], body: bytes, cached: bool) -> list[dict[str, str]]:
    request = validation.core_request("GET", path, pattern, [], {}, params, b"", "")
    response = validation.CoreResponse(200, body, "application/json", {"content-type": "application/json"})
    if cached:
        return validation.validate_response(request, response)
    errors = validation.compiled("get", pattern).response_errors(200, body, "application/json", response.headers)
    return validation.response_violations(errors)


def _break(value: Any, path: list[int], how: int) -> Any:
    """The value with one node (picked by `path`) dropped or given a wrong type."""
    if isinstance(value, dict) and value:
        keys = sorted(value)
        key = keys[path[0] % len(keys)] if path else keys[0]
        changed = dict(value)
        if len(path) <= 1:
            if how % 2:
                del changed[key]
            else:
                changed[key] = [] if not isinstance(value[key], list) else "not a list"
        else:
            changed[key] = _break(value[key], path[1:], how)
        return changed
    if isinstance(value, list) and value:
        i = path[0] % len(value) if path else 0
        return value[:i] + [_break(value[i], path[1:], how)] + value[i + 1:]
    return {"unexpected": True} if how % 2 else None


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(which=st.integers(0, 1), path=st.lists(st.integers(0, 50), max_size=4), how=st.integers(0, 1), again=st.booleans())
def test_remembered_validity_never_changes_an_answer(answers, which: int, path: list[int], how: int, again: bool) -> None:
    url, pattern, params, body = answers[which]
    valid = json.dumps(body).encode()
    broken = json.dumps(_break(body, path, how)).encode()
    for _ in range(2 if again else 1):
        assert _check(url, pattern, params, valid, cached=True) == [] == _check(url, pattern, params, valid, cached=False)
        assert _check(url, pattern, params, broken, cached=True) == _check(url, pattern, params, broken, cached=False)


def test_a_broken_answer_is_found_after_a_valid_one(answers) -> None:
    url, pattern, params, body = answers[0]
    assert _check(url, pattern, params, json.dumps(body).encode(), cached=True) == []
    broken = json.dumps({**body, "status": "NOT_A_STATUS"}).encode()
    for _ in range(2):
        assert [v["rule"] for v in _check(url, pattern, params, broken, cached=True)] == ["enum"]
