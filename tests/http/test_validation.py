"""Bad requests get a 400 naming every violation; no request a client can send yields a 5xx."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings as hsettings, strategies as st

BAD_ENABLES = [
    ({"pipeline": "files"}, "$.integration", "required"),
    ({"integration": "googledrive"}, "$.pipeline", "required"),
    ({"integration": 42, "pipeline": "files"}, "$.integration", "type"),
    ({"integration": "googledrive", "pipeline": ["files"]}, "$.pipeline", "type"),
    ({"integration": "googledrive", "pipeline": "files", "configuration": "x"}, "$.configuration", "type"),
    ({"integration": "googledrive", "pipeline": "files", "configurationName": ""}, "$.configurationName", "minLength"),
    ({"integration": "googledrive", "pipeline": "files", "colour": "red"}, "$.colour", "additionalProperties"),
]


@pytest.mark.parametrize("body,path,rule", BAD_ENABLES)
def test_bad_enable_bodies_name_the_field_and_rule(client, auth, body, path, rule):
    response = client.post("/api/syncs", json=body, headers=auth())
    assert response.status_code == 400, response.text
    payload = response.json()
    assert payload["code"] == "VALIDATION_FAILED"
    assert any(e["path"] == path and e["rule"] == rule and e["location"] == "body" for e in payload["errors"]), payload
    assert path.split(".")[-1] in payload["message"]
    assert client.get("/api/syncs", headers=auth()).json() == {"data": []}  # and nothing changed


def test_every_violation_is_listed(client, auth):
    response = client.post("/api/syncs", json={"integration": 1, "pipeline": 2, "extra": True}, headers=auth())
    paths = {e["path"] for e in response.json()["errors"]}
    assert {"$.integration", "$.pipeline", "$.extra"} <= paths


def test_bad_enum_in_update(client, auth):
    sync = client.post("/api/syncs", json={"integration": "box", "pipeline": "files"}, headers=auth()).json()
    response = client.patch(f"/api/syncs/{sync['id']}", json={"incrementalAccumulatorFrequency": "2m"}, headers=auth())
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert (error["path"], error["rule"]) == ("$.incrementalAccumulatorFrequency", "enum")
    empty = client.patch(f"/api/syncs/{sync['id']}", json={}, headers=auth())
    assert empty.status_code == 400 and empty.json()["errors"][0]["rule"] == "minProperties"


def test_bad_query_parameter(client, auth):
    sync = client.post("/api/syncs", json={"integration": "box", "pipeline": "files"}, headers=auth()).json()
    response = client.get(f"/api/syncs/{sync['id']}/records", params={"pageSize": "lots"}, headers=auth())
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert error["location"] == "query" and error["path"] == "pageSize"
    response = client.get(f"/api/syncs/{sync['id']}/records", params={"pageSize": 0}, headers=auth())
    assert response.status_code == 400 and response.json()["errors"][0]["rule"] == "minimum"


def test_missing_and_invalid_json_bodies(client, auth):
    missing = client.post("/api/syncs", headers=auth())
    assert missing.status_code == 400 and missing.json()["errors"][0]["path"] == "$"
    broken = client.post("/api/syncs", content=b"{not json", headers={**auth(), "Content-Type": "application/json"})
    assert broken.status_code == 400 and broken.json()["errors"][0]["rule"] == "json"
    wrong_type = client.post("/api/syncs", content=b"a=b", headers={**auth(), "Content-Type": "text/plain"})
    assert wrong_type.status_code == 400 and wrong_type.json()["errors"][0]["path"] == "Content-Type"


def test_unknown_query_parameters_are_ignored_and_get_with_empty_json_body_is_served(client, auth):
    response = client.get("/api/syncs", params={"page_size": 5, "limit": 3}, headers=auth())
    assert response.status_code == 200
    response = client.request("GET", "/api/syncs", json={}, headers=auth())
    assert response.status_code == 200
    response = client.request("GET", "/api/syncs", content=b"", headers={**auth(), "Content-Type": "application/json"})
    assert response.status_code == 200


def test_unknown_route_and_wrong_method_are_json(client, auth):
    response = client.get("/api/nothing-here", headers=auth())
    assert response.status_code == 404 and response.json()["code"] == "ROUTE_NOT_FOUND"
    response = client.put("/api/syncs", headers=auth())
    assert response.status_code == 405 and response.json()["code"] == "METHOD_NOT_ALLOWED"
    assert "GET" in response.headers["allow"] and "POST" in response.headers["allow"]


def test_unknown_sync_is_404_everywhere(client, auth):
    for method, path, body in [
        ("GET", "/api/syncs/nope", None),
        ("PATCH", "/api/syncs/nope", {"incrementalAccumulatorFrequency": "1m"}),
        ("DELETE", "/api/syncs/nope", None),
        ("POST", "/api/syncs/nope/disable", None),
        ("POST", "/api/syncs/nope/reenable", None),
        ("GET", "/api/syncs/nope/records", None),
        ("GET", "/api/syncs/nope/records/r", None),
        ("GET", "/api/syncs/nope/records/r/content", None),
    ]:
        response = client.request(method, path, json=body, headers=auth())
        assert response.status_code == 404, (method, path, response.text)
        assert response.json()["code"] == "SYNC_NOT_FOUND"
        assert response.json()["errors"][0]["location"] == "path"


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=12,
)
enable_bodies = st.one_of(
    json_values,
    st.fixed_dictionaries(
        {},
        optional={
            "integration": st.sampled_from(["googledrive", "hubspot", "jira", "x", ""]) | json_values,
            "pipeline": st.sampled_from(["files", "contacts", "tickets", ""]) | json_values,
            "configuration": st.dictionaries(
                st.sampled_from(["folderId", "projectId", "x", "mimeTypes"]), json_values, max_size=3
            )
            | json_values,
            "configurationName": st.text(max_size=8) | json_values,
            "credentialId": st.text(max_size=8) | json_values,
        },
    ),
)


@hsettings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=enable_bodies)
def test_no_enable_body_yields_a_5xx(client, auth, body):
    response = client.post("/api/syncs", json=body, headers=auth())
    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        assert response.json()["errors"], response.text
    else:
        client.delete(f"/api/syncs/{response.json()['id']}", headers=auth())


@hsettings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    method=st.sampled_from(["GET", "POST", "PATCH", "DELETE", "PUT"]),
    path=st.sampled_from(
        [
            "/api/syncs",
            "/api/syncs/{id}",
            "/api/syncs/{id}/disable",
            "/api/syncs/{id}/reenable",
            "/api/syncs/{id}/records",
            "/api/syncs/{id}/records/{id}",
            "/api/syncs/{id}/records/{id}/content",
            "/api/permissions/{id}/check",
            "/api/permissions/{id}/changes",
            "/_emulator/clock",
            "/_emulator/clock/advance",
            "/_emulator/reset",
            "/_emulator/tokens",
        ]
    ),
    segment=st.text(alphabet=st.characters(blacklist_categories=["Cs", "Cc"], blacklist_characters="/?#%"), min_size=1, max_size=12),
    query=st.dictionaries(st.sampled_from(["pageSize", "cursor", "credentialId", "x"]), st.text(max_size=10), max_size=3),
    body=json_values,
)
def test_no_request_yields_a_5xx(client, auth, method, path, segment, query, body):
    response = client.request(method, path.replace("{id}", segment), params=query, json=body, headers=auth())
    assert response.status_code < 500, response.text
    assert response.headers["content-type"].startswith("application/json") or response.status_code == 200
