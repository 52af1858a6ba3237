"""The Nango surface's own OpenAPI document (openapi.yaml beside this module), and requests
validated against it with openapi-core, through the same compiled per-operation validators as the
Paragon spec. Violations are reported in Nango's shape (zod's {code, message, path})."""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from ..spec import prebuilt, validation
from ..spec.refs import resolve

if TYPE_CHECKING:
    from openapi_core import OpenAPI

    from ..spec.compiled import CompiledOperation

METHODS = ("get", "post", "put", "patch", "delete")


@lru_cache(maxsize=1)
def spec_dict() -> dict[str, Any]:
    text = resources.files("paragon_emulator.nango").joinpath("openapi.yaml").read_text()
    return prebuilt.load(text, validation.parse_yaml)  # its JSON copy, as the Paragon spec (spec/prebuilt.py)


@lru_cache(maxsize=1)
def openapi() -> OpenAPI:
    from openapi_core import Config, OpenAPI  # when the Nango surface first validates (~300 ms to import)

    return OpenAPI.from_dict(spec_dict(), config=Config(spec_validator_cls=None))


@lru_cache(maxsize=None)
def compiled(method: str, path: str) -> CompiledOperation:
    from ..spec.compiled import CompiledOperation

    return CompiledOperation(openapi(), spec_dict(), method, path)


@lru_cache(maxsize=1)
def query_names() -> dict[tuple[str, str], frozenset[str]]:
    """(METHOD, path) -> the query parameters it names: any other is a 400, as in Nango."""
    spec = spec_dict()
    found = {}
    for path, item in spec["paths"].items():
        for method in METHODS:
            if method in item:
                params = [resolve(spec, p) for p in item.get("parameters", []) + item[method].get("parameters", [])]
                found[(method.upper(), path)] = frozenset(p["name"] for p in params if p["in"] == "query")
    return found


@lru_cache(maxsize=1)
def operation_ids() -> dict[tuple[str, str], str]:
    """(METHOD, path) -> its operationId: what an API fault names (`/_emulator/faults/api`)."""
    return {
        (method.upper(), path): item[method]["operationId"]
        for path, item in spec_dict()["paths"].items() for method in METHODS if method in item
    }


def operations() -> list[tuple[str, str]]:
    return sorted(query_names())


# Which of Nango's validation codes a broken rule's location is reported under.
CODES = {"query": "invalid_query_params", "body": "invalid_body", "header": "invalid_headers", "path": "invalid_uri_params"}
ORDER = ("query", "body", "path", "header")  # Nango's controllers check the query first
_ZOD = {
    "required": "invalid_type", "type": "invalid_type", "additionalProperties": "unrecognized_keys",
    "unknownParameter": "unrecognized_keys", "enum": "invalid_enum_value", "pattern": "invalid_string",
    "minLength": "too_small", "minimum": "too_small", "minItems": "too_small",
    "maxLength": "too_big", "maximum": "too_big", "maxItems": "too_big",
}
_PART = re.compile(r"\.([^.\[]+)|\[(\d+)\]")


def _path(location: str, path: str) -> list[Any]:
    if location != "body":
        head, _, rest = path.partition("[")
        return [head] + ([int(rest.rstrip("]"))] if rest.rstrip("]").isdigit() else [])
    return [m.group(1) if m.group(1) is not None else int(m.group(2)) for m in _PART.finditer(path.lstrip("$"))]


def problems(core: validation.CoreRequest, unknown_query: list[str]) -> tuple[str, list[dict[str, Any]]] | None:
    """(Nango's error code, its errors) for the first location with broken rules, or None."""
    found = validation.json_body_problems(core.body) if core.body else []
    if not found:
        found = validation.violations(compiled(core.method, core.path_pattern).request_errors(core))
    found += [
        {"location": "query", "path": name, "rule": "unknownParameter", "message": f"Unrecognized key: '{name}'"}
        for name in unknown_query
    ]
    for location in ORDER:
        mine = [v for v in found if v["location"] == location]
        if mine:
            return CODES[location], [
                {"code": _ZOD.get(v["rule"], "custom"), "message": v["message"], "path": _path(location, v["path"])}
                for v in mine
            ]
    return None


def response_problems(method: str, path: str, status: int, body: bytes, headers: Any) -> list[dict[str, Any]]:
    """Strict mode: where the answer breaks this surface's own spec."""
    errors = compiled(method.lower(), path).response_errors(status, body, "application/json", headers)
    return validation.response_violations(errors)
