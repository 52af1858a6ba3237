"""Operations no request can fail, validated without openapi-core.

An operation with no request body whose every parameter is a plain string (no format, pattern,
enum, default, style or anything else that constrains it; in a path at most `minLength: 1`, which
the router's non-empty segments always meet) accepts every value a client can send. openapi-core
can only refuse such a request for a missing required parameter or an empty query value, so those
are the only things checked here; when either is seen, the operation built on openapi-core
answers instead (`built`), so every violation is still openapi-core's own. Listing syncs and
reading one are such operations: a server's first requests need not import openapi-core (~300 ms).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Callable

from .refs import resolve

# Keys that describe a schema or a parameter without constraining its value.
_SCHEMA_ANNOTATIONS = {"description", "example", "examples", "title", "externalDocs"}
_PARAMETER_KEYS = {"name", "in", "required", "schema", "description", "example", "examples"}


def _accepts_any_value(spec: dict[str, Any], param: Any) -> bool:
    if not isinstance(param, dict) or set(param) - _PARAMETER_KEYS or param.get("in") not in ("query", "header", "path"):
        return False
    schema = resolve(spec, param.get("schema"))
    if not isinstance(schema, dict) or schema.get("type") != "string":
        return False
    constraints = set(schema) - _SCHEMA_ANNOTATIONS - {"type"}
    if param["in"] == "path" and constraints == {"minLength"}:
        return schema["minLength"] in (0, 1)
    return not constraints


def unchecked(spec: dict[str, Any], method: str, path_pattern: str) -> bool:
    """Whether every request to (method, path pattern) passes but for presence (see the module)."""
    item = spec.get("paths", {}).get(path_pattern)
    operation = item.get(method.lower()) if isinstance(item, dict) else None
    if not isinstance(operation, dict) or "requestBody" in operation:
        return False
    params = [resolve(spec, p) for p in item.get("parameters", []) + operation.get("parameters", [])]
    return all(_accepts_any_value(spec, p) for p in params)


class UncheckedOperation:
    """Validation of an operation `unchecked` accepts: presence checked here, anything else `built`."""

    def __init__(self, method: str, path_pattern: str, built: Callable[[str, str], Any], parameters: list[dict[str, Any]]):
        self._method, self._path_pattern, self._build = method, path_pattern, built
        self._built: Any = None
        # (location, name, required) of each parameter.
        self._parameters = [(p["in"], p["name"], bool(p.get("required"))) for p in parameters]

    @classmethod
    def of(cls, spec: dict[str, Any], method: str, path_pattern: str, built: Callable[[str, str], Any]) -> UncheckedOperation:
        item = spec["paths"][path_pattern]
        raw = item.get("parameters", []) + item[method.lower()].get("parameters", [])
        return cls(method, path_pattern, built, [resolve(spec, p) for p in raw])

    @property
    def built(self) -> Any:
        if self._built is None:
            self._built = self._build(self._method, self._path_pattern)
        return self._built

    def request_errors(self, request: Any) -> list[Exception]:
        headers = request.headers if isinstance(request.headers, Mapping) else _HeaderList(request.headers)
        for location, name, required in self._parameters:
            if location == "query":
                value = next((v for k, v in request.query if k == name), None)
            elif location == "header":
                value = headers.get(name)
            else:
                value = request.path_params.get(name) if request.path_params else None
            # Absent but required, an empty query value, or a path read from the pattern: openapi-core decides.
            if (value is None and (required or location == "path")) or (value == "" and location != "header"):
                return self.built.request_errors(request)
        return []

    def response_errors(self, status_code: int, data: bytes | None, mimetype: str, headers: Any) -> list[Exception]:
        return self.built.response_errors(status_code, data, mimetype, headers)


class _HeaderList:
    """Headers given as (name, value) pairs, read case-insensitively as werkzeug's Headers reads them."""

    def __init__(self, pairs: list[tuple[str, str]]):
        self._first: dict[str, str] = {}
        for key, value in pairs:
            self._first.setdefault(key.lower(), value)

    def get(self, name: str) -> str | None:
        return self._first.get(name.lower())
