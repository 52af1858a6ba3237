"""Bad requests get a 400 naming every violation; no request a client can send yields a 5xx."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources

import pytest
import yaml
from hypothesis import HealthCheck, given, settings as hsettings, strategies as st
from starlette.testclient import TestClient

from tests.conftest import advance

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


def test_every_unknown_field_is_named_at_its_own_path(client, auth):
    body = {"integration": "box", "pipeline": "files", "colour": "red", "size": 3, "nested": {"x": 1}}
    response = client.post("/api/syncs", json=body, headers=auth())
    assert response.status_code == 400, response.text
    unknown = [(e["path"], e["rule"]) for e in response.json()["errors"]]
    assert unknown == [("$.colour", "additionalProperties"), ("$.nested", "additionalProperties"), ("$.size", "additionalProperties")]
    assert all(f"unknown field '{e['path'][2:]}'" in e["message"] for e in response.json()["errors"])
    deeper = client.post(
        "/api/permissions/nope/batch-check",
        json={"checks": [{"object": "o", "user": "a@b.c", "role": "can_read", "why": 1, "how": 2}]},
        headers=auth(),
    )
    assert [(e["path"], e["rule"]) for e in deeper.json()["errors"]] == [
        ("$.checks[0].how", "additionalProperties"), ("$.checks[0].why", "additionalProperties")
    ]


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


@hsettings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    method=st.sampled_from(["GET", "POST", "PATCH", "DELETE", "PUT"]),
    path=st.sampled_from(["/api/syncs/{id}", "/api/syncs/{id}/records/{id}", "/api/permissions/{id}/check",
                          "/_emulator/clock", "/_emulator/clock/advance", "/_emulator/reset", "/_emulator/tokens"]),
    segment=st.text(alphabet=st.characters(blacklist_categories=["Cs", "Cc"], blacklist_characters="/?#%"), min_size=1, max_size=12),
    body=json_values,
)
def test_no_request_to_an_unknown_id_or_the_control_plane_yields_a_5xx(client, auth, method, path, segment, body):
    response = client.request(method, path.replace("{id}", segment), json=body, headers=auth())
    assert response.status_code < 500, response.text
    assert response.headers["content-type"].startswith("application/json") or response.status_code == 200


# -- fuzzing the real API against real things ---------------------------------------------------
# Most requests below name a sync, record, permission object or person that exists and carry a
# body of the operation's own fields, so they get past the 404 and the 400 and the handlers
# themselves are fuzzed; the rest name made-up ones or carry any JSON.

SPEC = yaml.safe_load(resources.files("paragon_emulator").joinpath("openapi.yaml").read_text())


def _resolve(schema: dict) -> dict:
    while "$ref" in schema:
        schema = SPEC["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def _body_schema(operation: dict) -> dict | None:
    body = operation.get("requestBody")
    return _resolve(body["content"]["application/json"]["schema"]) if body else None


API_OPERATIONS = [
    (method.upper(), path, operation["operationId"], _body_schema(operation))
    for path, item in SPEC["paths"].items()
    if path.startswith("/api/")
    for method, operation in item.items()
    if method in ("get", "post", "patch", "delete")
]
# A files sync, a CRM sync, and a disabled one (re-enabling it can succeed).
ENABLES = [{"integration": "googledrive", "pipeline": "files"}, {"integration": "hubspot", "pipeline": "contacts"},
           {"integration": "box", "pipeline": "files"}]
CHANGES_A_SYNC = {"updateSync", "deleteSync", "disableSync", "reenableSync"}


@dataclass
class World:
    """A files sync with records, a CRM sync, and real ids: what the fuzzed requests aim at."""

    client: TestClient
    headers: dict[str, str]
    syncs: list[str]
    records: list[str]
    users: list[str]
    cursors: list[str]

    def restore(self) -> None:
        """Undo what a fuzzed request did to a sync (deleted, disabled, re-scheduled), so that every
        example meets the same world. Sync ids are name-based: enabling again gives the same sync."""
        for body in ENABLES:
            self.client.post("/api/syncs", json=body, headers=self.headers)
        for sync_id in self.syncs[:2]:
            self.client.post(f"/api/syncs/{sync_id}/reenable", headers=self.headers)
        self.client.post(f"/api/syncs/{self.syncs[2]}/disable", headers=self.headers)
        advance(self.client, 10)


@pytest.fixture
def world(client, auth) -> World:
    headers = auth()
    syncs = [client.post("/api/syncs", json=body, headers=headers).json()["id"] for body in ENABLES]
    advance(client, 10)
    client.post(f"/api/syncs/{syncs[2]}/disable", headers=headers)
    files = client.get(f"/api/syncs/{syncs[0]}/records", params={"pageSize": 10}, headers=headers).json()
    readable = next(r["id"] for r in files["data"] if "hash" in r)
    users = client.post(f"/api/permissions/{syncs[0]}/list-users", json={"object": readable, "role": "can_read"},
                        headers=headers).json()["users"]
    feed = client.get(f"/api/permissions/{syncs[0]}/changes", params={"pageSize": 5}, headers=headers).json()
    assert files["data"] and users and feed["changes"]
    cursors = [files["paging"]["cursor"], feed["continuationToken"]]
    return World(client, headers, syncs, [r["id"] for r in files["data"]], users[:3], cursors)


SEGMENTS = st.text(alphabet=st.characters(blacklist_categories=["Cs", "Cc"], blacklist_characters="/?#%"), min_size=1, max_size=12)


@st.composite
def _mostly(draw, real: list | st.SearchStrategy, other: st.SearchStrategy):
    """Mostly a real value (or one of `real`'s), anything else otherwise."""
    usual = st.sampled_from(real) if isinstance(real, list) else real
    return draw(usual if draw(st.integers(0, 7)) else other)


def _fields(world: World) -> dict[str, st.SearchStrategy]:
    objects = world.records + [f"{t}:{r}" for t in ("file", "folder") for r in world.records]
    people = world.users + [f"user:{u.upper()}" for u in world.users] + ["nobody@example.com"]
    return {
        "object": _mostly(objects, st.sampled_from([f"group:{u}" for u in world.users] + ["space:1", "file:"]) | json_values),
        "user": _mostly(people, st.sampled_from(["group:eng@x.com", "nobody", "user:"]) | json_values),
        "role": _mostly(["can_read", "can_write", "is_owner"], st.sampled_from(["owner", "viewer"]) | json_values),
        "relation": _mostly(["can_read", "can_write", "is_owner", "viewer", "editor", "owner", "parent"],
                            st.sampled_from(["member", "cousin"]) | json_values),
        "objectType": _mostly(["file", "folder"], st.sampled_from(["space"]) | json_values),
        "credentialId": st.text(max_size=8) | json_values,
        "incrementalAccumulatorFrequency": _mostly(["1m", "5m", "24h"], st.sampled_from(["2m"]) | json_values),
    }


def _body(schema: dict | None, fields: dict[str, st.SearchStrategy]) -> st.SearchStrategy:
    """An object of the schema's own fields, mostly with real values, or any JSON at all."""
    if schema is None:
        return st.none() | json_values
    properties = schema.get("properties", {})
    required = set(schema.get("required", ()))

    def value(name: str) -> st.SearchStrategy:
        item = _resolve(properties[name])
        if item.get("type") == "array" and "properties" in _resolve(item["items"]):
            return st.lists(_body(_resolve(item["items"]), fields), min_size=1, max_size=4) | json_values
        return fields.get(name, json_values)

    shaped = st.fixed_dictionaries(
        {name: value(name) for name in properties if name in required},
        optional={name: value(name) for name in properties if name not in required},
    ).filter(lambda body: len(body) >= schema.get("minProperties", 0))
    return _mostly(shaped, json_values)


@st.composite
def api_requests(draw, world: World, operation: tuple):
    method, template, operation_id, schema = operation
    path = template.replace("{syncId}", draw(_mostly([world.syncs[0], *world.syncs], SEGMENTS)))
    path = path.replace("{recordId}", draw(_mostly(world.records, SEGMENTS)))
    if operation_id == "enableSync":
        new = st.fixed_dictionaries(
            {"integration": st.just("googledrive"), "pipeline": st.just("files")},
            optional={"configurationName": st.text(min_size=1, max_size=8), "configuration": st.just({"mimeTypes": ["text/csv"]})},
        )
        body = draw(_mostly(new, enable_bodies))
    else:
        body = draw(_body(schema, _fields(world)))
    query = draw(st.dictionaries(
        st.sampled_from(["pageSize", "cursor", "credentialId", "continuationToken", "startTime", "type", "x"]),
        st.one_of(st.sampled_from(["1", "3", "1000", "0", "-1", "file", "folder", "2026-01-05T09:00:00Z"]),
                  st.sampled_from(world.cursors), st.text(max_size=10)),
        max_size=3,
    ))
    return method, path, query, body


@pytest.mark.parametrize("operation", API_OPERATIONS, ids=[op[2] for op in API_OPERATIONS])
def test_no_request_about_real_syncs_records_or_people_yields_a_5xx(world, operation):
    """Each /api/ operation, fuzzed with real and made-up ids, questions and bodies: never a 5xx, every
    error in the documented shape, and some requests answered 2xx (so its handler was fuzzed too)."""
    answered: list[int] = []

    @hsettings(max_examples=60, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck))
    @given(request=api_requests(world, operation))
    def fuzz(request):
        method, path, query, body = request
        kwargs = {} if body is None else {"json": body}
        response = world.client.request(method, path, params=query, headers=world.headers, **kwargs)
        assert response.status_code < 500, (method, path, query, body, response.text)
        answered.append(response.status_code)
        if response.status_code >= 400:
            assert response.json()["errors"], response.text
        elif operation[2] in CHANGES_A_SYNC:
            world.restore()

    fuzz()
    assert any(status < 300 for status in answered), sorted(set(answered))
