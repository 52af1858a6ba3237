"""The compiled, cached validation says exactly what stock openapi-core says, and builds nothing per call.

Every operation of the spec is validated both ways, openapi-core's own validators (path search,
validators built per call) and validation.compiled(...), on valid and broken requests and responses;
the violations must be equal, item for item.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings as hsettings, strategies as st

from paragon_emulator.spec import fast_accept, validation
from paragon_emulator.spec.compiled import TESTED_FROM, StockOperation, inline_refs

BEARER = [("authorization", "Bearer x.y.z"), ("host", "emulator")]
OPERATIONS = sorted(validation.operation_info())  # (METHOD, path) of every operation of the spec
compiled_only = pytest.mark.skipif(
    validation._openapi_core_version() < TESTED_FROM, reason="an older openapi-core: validation takes the stock road"
)


def _request(method: str, pattern: str, query=(), body: bytes = b"", content_type: str | None = None):
    path_params = {name.strip("{}"): f"value-of-{name.strip('{}')}" for name in pattern.split("/") if name.startswith("{")}
    path = pattern
    for name, value in path_params.items():
        path = path.replace("{" + name + "}", value)
    if content_type is None:
        content_type = "application/json" if body else ""
    return validation.core_request(method, path, pattern, list(query), BEARER, path_params, body, content_type)


def _stock_request(request) -> list[dict[str, str]]:
    return validation.violations(validation.openapi().request_validator.iter_errors(request))


def _compiled_request(request) -> list[dict[str, str]]:
    return validation.openapi_violations(request)


def _both(method: str, pattern: str, **kwargs: Any) -> tuple[list, list]:
    # Fresh request objects: openapi-core fills in parameters.path on the one it is given.
    return _stock_request(_request(method, pattern, **kwargs)), _compiled_request(_request(method, pattern, **kwargs))


def _query_names(method: str, pattern: str) -> list[str]:
    return sorted(validation.operation_info()[(method, pattern)][1])


def _has_body(method: str, pattern: str) -> bool:
    return "requestBody" in validation.spec_dict()["paths"][pattern][method.lower()]


@pytest.mark.parametrize("method,pattern", OPERATIONS)
def test_every_operation_without_query_or_body(method, pattern):
    stock, compiled = _both(method, pattern)
    assert compiled == stock


@pytest.mark.parametrize("method,pattern", [op for op in OPERATIONS if _query_names(*op)])
@pytest.mark.parametrize("value", ["", "0", "-1", "1", "25", "abc", "true", "1.5", "x" * 300, "2026-01-05T09:00:00Z"])
def test_every_query_parameter_with_odd_values(method, pattern, value):
    for name in _query_names(method, pattern):
        stock, compiled = _both(method, pattern, query=[(name, value)])
        assert compiled == stock, (name, value)


ODD_VALUES = ["", "0", "-1", "1", "25", "abc", "true", "1.5", "x" * 300, "2026-01-05T09:00:00Z"]


@hsettings(max_examples=60, deadline=None)
@given(
    op=st.sampled_from([op for op in OPERATIONS if _query_names(*op)]),
    values=st.lists(st.sampled_from(ODD_VALUES) | st.text(max_size=6), min_size=1, max_size=5),
)
def test_query_values_seen_before_get_the_same_violations_again(op, values):
    # A raw value that passed once is not read again: it must pass again, and nothing else may.
    for value in values + values[::-1]:
        for name in _query_names(*op):
            stock, compiled = _both(*op, query=[(name, value)])
            assert compiled == stock, (name, value)


BODIES = [b"{}", b"[]", b'"x"', b"1", b"null", b"{not json", b'{"unknown": 1}', b'{"integration": 1, "pipeline": null}']


@pytest.mark.parametrize("method,pattern", [op for op in OPERATIONS if _has_body(*op)])
def test_every_request_body_broken_or_missing(method, pattern):
    for body in BODIES + [b""]:
        for content_type in (None, "text/plain", "application/json; charset=utf-8", "application/x-www-form-urlencoded"):
            stock, compiled = _both(method, pattern, body=body, content_type=content_type)
            assert compiled == stock, (body, content_type)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=10,
)
field_names = st.sampled_from(
    ["integration", "pipeline", "configuration", "checks", "object", "user", "role", "seconds", "duration",
     "userId", "status", "count", "operations", "url", "secret", "syncId", "kind", "fields", "size", "x"]
)
bodies = json_values | st.dictionaries(field_names, json_values, max_size=4)


@hsettings(max_examples=200, deadline=None)
@given(op=st.sampled_from([op for op in OPERATIONS if _has_body(*op)]), body=bodies)
def test_any_json_body_gets_the_same_violations(op, body):
    stock, compiled = _both(*op, body=json.dumps(body).encode())
    assert compiled == stock


# -- responses ------------------------------------------------------------------------------
def _stock_response(request, response) -> list[dict[str, str]]:
    return validation.response_violations(validation.openapi().response_validator.iter_errors(request, response))


@hsettings(max_examples=200, deadline=None)
@given(
    op=st.sampled_from(OPERATIONS),
    status=st.sampled_from([200, 201, 204, 400, 401, 404, 409, 418, 429, 500, 501, 503]),
    body=bodies | st.just({"message": "m", "code": "C", "errors": []}),
    headers=st.sampled_from([{}, {"Retry-After": "5"}, {"Retry-After": "soon"}]),
)
def test_any_response_gets_the_same_violations(op, status, body, headers):
    data = json.dumps(body).encode()
    response = validation.CoreResponse(status, data, "application/json", headers)
    stock = _stock_response(_request(*op), response)
    assert validation.validate_response(_request(*op), response) == stock


@compiled_only
def test_a_records_page_with_broken_records_gets_the_same_violations():
    good = {"id": "r1", "externalId": "e1", "name": "a.txt"}
    page = {
        "data": [good, {"externalId": 5}, {"id": "r3", "deleted": "yes"}, good],
        "paging": {"totalRecords": 4, "totalActiveRecords": -1, "remainingRecords": 0, "lastSeen": 0, "extra": 1},
    }
    request = _request("GET", "/api/syncs/{syncId}/records")
    response = validation.CoreResponse(200, json.dumps(page).encode(), "application/json", {})
    found = validation.validate_response(request, response)
    assert found == _stock_response(request, response)
    assert {(v["path"], v["rule"]) for v in found} >= {
        ("$.data[1].id", "required"), ("$.data[1].externalId", "type"), ("$.data[2].deleted", "type"),
        ("$.paging.totalActiveRecords", "minimum"), ("$.paging.extra", "additionalProperties"),
    }


def test_responses_that_are_not_json_or_empty_get_the_same_violations():
    request = _request("GET", "/api/syncs/{syncId}")
    for data, content_type in [(b"", "application/json"), (b"{oops", "application/json"), (b"hi", "text/plain")]:
        response = validation.CoreResponse(200, data, content_type, {})
        assert validation.validate_response(request, response) == _stock_response(request, response)


# -- caching --------------------------------------------------------------------------------
@compiled_only
def test_a_warm_operation_searches_no_path_and_builds_no_validator(monkeypatch):
    pattern = "/api/syncs/{syncId}/records"
    bad = [("pageSize", "0")]
    warm = _compiled_request(_request("GET", pattern, query=bad))
    page = json.dumps({"data": [], "paging": {"totalRecords": 0, "totalActiveRecords": 0, "remainingRecords": 0,
                                              "lastSeen": 0}}).encode()
    response = validation.CoreResponse(200, page, "application/json", {})
    assert validation.validate_response(_request("GET", pattern), response) == []

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("built per request")

    core = validation.openapi()
    for validator in (core.request_validator, core.response_validator):
        monkeypatch.setattr(validator.path_finder, "find", refuse)
        monkeypatch.setattr(validator.schema_validators_factory, "create", refuse)
        monkeypatch.setattr(validator.style_deserializers_factory, "create", refuse)
        monkeypatch.setattr(validator.media_type_deserializers_factory, "create", refuse)
    assert _compiled_request(_request("GET", pattern, query=bad)) == warm
    assert warm and warm[0]["rule"] == "minimum"
    assert validation.validate_response(_request("GET", pattern), response) == []


def test_inlined_refs_keep_recursive_ones():
    root = {"components": {"schemas": {
        "Node": {"type": "object", "properties": {"child": {"$ref": "#/components/schemas/Node"}}},
        "Leaf": {"type": "string"},
    }}}
    node = {"type": "array", "items": {"$ref": "#/components/schemas/Node"}, "other": {"$ref": "#/components/schemas/Leaf"}}
    inlined = inline_refs(node, root)
    assert inlined["other"] == {"type": "string"}
    assert inlined["items"]["properties"]["child"] == {"$ref": "#/components/schemas/Node"}


@pytest.mark.parametrize("method,pattern", [("POST", "/api/syncs"), ("GET", "/api/syncs/{syncId}/records")])
def test_the_stock_road_for_older_openapi_core_says_the_same(method, pattern):
    stock = StockOperation(validation.openapi(), method, pattern)
    for kwargs in ({}, {"query": [("pageSize", "0")]}, {"body": b'{"integration": 1}'}, {"body": b"{oops"}):
        expected = _compiled_request(_request(method, pattern, **kwargs))
        assert validation.violations(stock.request_errors(_request(method, pattern, **kwargs))) == expected
    for status, body in ((200, b'{"data": [{"id": 1}]}'), (418, b"{}"), (200, b"")):
        response = validation.CoreResponse(status, body, "application/json", {})
        expected = validation.validate_response(_request(method, pattern), response)
        assert validation.response_violations(stock.response_errors(status, body, "application/json", {})) == expected


# -- fast_accept ----------------------------------------------------------------------------
def _body_violations(op, body) -> list[dict[str, str]]:
    # The test's path parameters break some operations' enums: only the body is judged here.
    return [v for v in _stock_request(_request(*op, body=json.dumps(body).encode())) if v["location"] == "body"]


def _body_media(method: str, pattern: str):
    return validation.compiled(method, pattern)._request_media("application/json")


FAST_BODIES = [op for op in OPERATIONS if _has_body(*op) and _body_media(*op).accepts is not None]


def _generated_bodies():
    """Bodies schemathesis generates from the spec for each operation: valid ones and broken ones."""
    import schemathesis
    from schemathesis import GenerationMode

    schema = schemathesis.openapi.from_dict(validation.spec_dict())
    strategies = []
    for method, pattern in FAST_BODIES:
        operation = schema[pattern][method]
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            cases = operation.as_strategy(generation_mode=mode).filter(lambda case: isinstance(case.body, (dict, list)))
            strategies.append(cases.map(lambda case, op=(method, pattern): (op, case.body)))
    return st.one_of(strategies)


def test_every_real_api_body_has_a_fast_accept():
    assert {op for op in OPERATIONS if _has_body(*op) and op[1].startswith("/api/")} <= set(FAST_BODIES)


@compiled_only
@hsettings(max_examples=300, deadline=None)
@given(generated=_generated_bodies(), noise=st.tuples(st.sampled_from(FAST_BODIES), bodies))
def test_fast_accept_accepts_only_what_openapi_core_accepts(generated, noise):
    for op, body in (generated, noise):
        if _body_media(*op).accepts(body):
            assert _body_violations(op, body) == [], (op, body)


@compiled_only
def test_fast_accept_accepts_the_valid_bodies_of_the_hot_operations():
    checks = {"checks": [{"object": "file:a", "user": "user:ann@example.com", "role": "can_read"}] * 10}
    for op, body in [
        (("POST", "/api/permissions/{syncId}/batch-check"), checks),
        (("POST", "/api/permissions/{syncId}/check"), checks["checks"][0]),
        (("POST", "/api/syncs"), {"integration": "googledrive", "pipeline": "files", "configuration": {}}),
    ]:
        assert _body_violations(op, body) == []
        assert _body_media(*op).accepts(body), op


@pytest.mark.parametrize("schema", [
    {"type": "integer", "format": "int32"},  # a format of numbers: fastjsonschema checks strings only
    {"type": "string", "format": "byte"},
    {"type": "integer", "enum": [1, 2]},  # 1, 1.0 and True compare differently
    {"type": ["string", "null"]},  # not OAS 3.0
    {"type": "object", "properties": {"a": {"type": "string", "readOnly": True}}},
    {"oneOf": [{"type": "object"}], "discriminator": {"propertyName": "kind"}},
    {"type": "array", "items": [{"type": "string"}]},
    {"$ref": "#/components/schemas/Node"},  # a recursive reference left by inline_refs
    {"type": "string", "pattern": "[$]"},  # fastjsonschema rewrites `$` and cannot compile this
    # Where being stricter in a part accepts more in the whole (found in review: null, "a\n"):
    {"not": {"type": "string", "nullable": True}},
    {"oneOf": [{"type": "string", "nullable": True}, {}]},
    {"type": "string", "not": {"pattern": "^a$"}},
    {"type": "string", "pattern": "^(?!a$)"},
])
def test_fast_accept_is_not_built_for_what_it_reads_differently(schema):
    assert fast_accept.accepter(schema) is None


def test_fast_accept_is_built_for_oas_3_0_only():
    schema = {"type": "object", "properties": {"n": {"type": "integer", "minimum": 1}}}
    assert fast_accept.accepter(schema, "3.0.3") is not None
    assert fast_accept.accepter(schema, "3.1.0") is None


SYNC = {
    "id": "0b9f5f0e-1d2c-5e7a-9a43-3f1b2c4d5e6f", "userId": "alice", "projectId": "p", "integration": "box",
    "pipeline": "files", "status": "IDLE", "credentialId": "c", "dateCreated": "2026-01-05T09:00:00.000Z",
    "dateUpdated": "2026-01-05T09:00:00.000Z",
}
datetimes = st.datetimes().map(lambda d: d.isoformat() + "Z") | st.text(max_size=30) | st.sampled_from(
    ["2026-01-05T09:00:00Z", "2026-01-05T09:00:00.000+01:00", "2026-13-05T09:00:00Z", "2026-01-05", "2026-01-05T25:00:00Z"]
)


@compiled_only
@hsettings(max_examples=200, deadline=None)
@given(created=datetimes, updated=datetimes)
def test_formats_in_responses_get_the_same_violations(created, updated):
    # Sync responses have date-time fields: checked by openapi-core's format checker on both roads.
    request = _request("POST", "/api/syncs")
    body = {**SYNC, "dateCreated": created, "dateUpdated": updated}
    response = validation.CoreResponse(200, json.dumps(body).encode(), "application/json", {})
    assert validation.validate_response(request, response) == _stock_response(request, response)
    media = validation.compiled("post", "/api/syncs")._response_media(200, "application/json")
    assert media.accepts is not None and media.accepts(SYNC)
