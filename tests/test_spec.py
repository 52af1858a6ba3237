"""The spec is valid OpenAPI, and the routes and the spec describe the same operations."""

from __future__ import annotations

from importlib import resources

import yaml
from openapi_spec_validator import validate

from paragon_emulator.app import OPERATIONS


def load_spec() -> dict:
    return yaml.safe_load(resources.files("paragon_emulator").joinpath("openapi.yaml").read_text())


def test_the_spec_is_valid_openapi():
    validate(load_spec())


def test_every_spec_operation_has_a_route_and_every_route_is_in_the_spec():
    spec = load_spec()
    in_spec = {
        (method.upper(), path)
        for path, item in spec["paths"].items()
        for method in item
        if method in {"get", "post", "put", "patch", "delete"}
    }
    routed = {(op.method, op.path) for op in OPERATIONS}
    assert in_spec - routed == set(), "documented but not routed"
    assert routed - in_spec == set(), "routed but not documented"


def test_control_plane_has_its_own_tag_and_no_auth_and_the_api_needs_bearer():
    spec = load_spec()
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            if path.startswith("/api/"):
                assert operation.get("security", spec["security"]) == [{"bearerAuth": []}], path
                assert "Emulator" not in operation["tags"]
            else:
                assert operation["tags"] == ["Emulator"] and operation["security"] == [], path


def test_spec_is_served_as_json(client):
    response = client.get("/openapi.json")
    assert response.status_code == 200
    assert response.json() == load_spec()
