"""openapi-core request (and, in strict mode, response) validation, turned into violations.

The spec is parsed once per process, and each operation's validation is built once, on its first
request (compiled.py): the route already knows the operation, so the spec's paths are never
searched and no schema validator is built per request.

openapi-core (and werkzeug, which it brings) is imported only when an operation first needs it:
importing it costs ~300 ms, more than the rest of start-up. An operation no request can fail
(unchecked.py) is answered without it.
"""

from __future__ import annotations

import hashlib
import json
import warnings
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import metadata, resources
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Iterable

from . import prebuilt
from .refs import resolve
from .unchecked import UncheckedOperation, unchecked
from .violations import violation

if TYPE_CHECKING:
    from openapi_core import OpenAPI

    from .compiled import CompiledOperation, StockOperation


def parse_yaml(text: str) -> dict[str, Any]:
    import yaml  # only when the spec's JSON copy is missing (spec/prebuilt.py)

    # libyaml's loader when PyYAML has it: ~8x faster than the pure-Python one.
    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


@lru_cache(maxsize=1)
def spec_dict() -> dict[str, Any]:
    return prebuilt.load(resources.files("paragon_emulator").joinpath("openapi.yaml").read_text(), parse_yaml)


@lru_cache(maxsize=1)
def spec_json() -> bytes:
    return json.dumps(spec_dict()).encode()


@lru_cache(maxsize=1)
def operation_info() -> dict[tuple[str, str], tuple[str, frozenset[str]]]:
    """(METHOD, path) -> (operationId, names of its query parameters), from the spec."""
    spec = spec_dict()
    info = {}
    for path, item in spec["paths"].items():
        shared = [resolve(spec, p) for p in item.get("parameters", [])]
        for method, op in item.items():
            if method in ("get", "post", "put", "patch", "delete"):
                names = {p["name"] for p in shared + [resolve(spec, p) for p in op.get("parameters", [])] if p["in"] == "query"}
                info[(method.upper(), path)] = (op["operationId"], frozenset(names))
    return info


@lru_cache(maxsize=1)
def numeric_parameters() -> dict[tuple[str, str], tuple[tuple[str, str], ...]]:
    """(method, path) -> the (location, name) of its query and path parameters typed integer or number."""
    spec = spec_dict()
    found: dict[tuple[str, str], tuple[tuple[str, str], ...]] = {}
    for path, item in spec["paths"].items():
        for method, op in item.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            params = [resolve(spec, p) for p in item.get("parameters", []) + op.get("parameters", [])]
            numeric = tuple(
                (p["in"], p["name"]) for p in params
                if p["in"] in ("query", "path") and resolve(spec, p.get("schema", {})).get("type") in ("integer", "number")
            )
            if numeric:
                found[(method, path)] = numeric
    return found


def parameter_problems(request: "CoreRequest") -> list[dict[str, str]]:
    """Numbers openapi-core would read but a client cannot mean: digits outside ASCII (Python's int()
    reads '\u0661' as 1) and NaN or infinity."""
    problems = []
    for location, name in numeric_parameters().get((request.method, request.path_pattern), ()):
        raw = getattr(request.parameters, location).get(name)
        if isinstance(raw, str) and (not raw.isascii() or raw.strip().lower().lstrip("+-") in ("nan", "inf", "infinity")):
            problems.append(violation(location, name, "type", f"{name} must be a number in ASCII digits, not {raw!r}"))
    return problems


def api_operations() -> dict[str, str]:
    """operationId -> 'METHOD /path' of every operation of the real API (not the control plane)."""
    return {op: f"{m} {p}" for (m, p), (op, _) in operation_info().items() if p.startswith("/api/")}


@lru_cache(maxsize=1)
def openapi() -> OpenAPI:
    from openapi_core import Config, OpenAPI

    # The bundled spec is checked by openapi-spec-validator in the test suite; checking it again
    # at every start-up cost ~180 ms.
    return OpenAPI.from_dict(spec_dict(), config=Config(spec_validator_cls=None))


@dataclass
class CoreRequest:
    """The request as openapi-core reads it (its Request and SupportsPathPattern protocols)."""

    method: str
    path: str
    path_pattern: str
    body: bytes | None
    content_type: str
    query: list[tuple[str, str]]
    headers: Mapping[str, str] | list[tuple[str, str]]
    path_params: dict[str, str]
    host_url: str = "http://emulator"
    body_value: Any = None  # the body as validated, once validation has parsed it (see `parsed`)
    parsed: bool = False
    _parameters: Any = field(default=None, repr=False, compare=False)

    @property
    def parameters(self) -> Any:
        """openapi-core's RequestParameters, made when a validator of openapi-core first reads them."""
        if self._parameters is None:
            from openapi_core.datatypes import RequestParameters
            from werkzeug.datastructures import Headers, ImmutableMultiDict

            # A case-insensitive mapping (Starlette's request.headers) is used as it is, not copied.
            header = self.headers if isinstance(self.headers, Mapping) else Headers(self.headers)
            self._parameters = RequestParameters(query=ImmutableMultiDict(self.query), header=header, path=dict(self.path_params))
        return self._parameters


@dataclass
class CoreResponse:
    status_code: int
    data: bytes | None
    content_type: str
    headers: Mapping[str, Any] = field(default_factory=dict)


def core_request(
    method: str,
    path: str,
    path_pattern: str,
    query: Iterable[tuple[str, str]],
    headers: Mapping[str, str] | Iterable[tuple[str, str]],
    path_params: dict[str, str],
    body: bytes,
    content_type: str,
) -> CoreRequest:
    return CoreRequest(
        method.lower(), path, path_pattern, body or None, content_type.lower(), list(query),
        headers if isinstance(headers, Mapping) else list(headers), path_params,
    )


def _json_path(parts: Iterable[Any]) -> str:
    out = "$"
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out


def _schema_violations(location: str, base: str | None, error: Any) -> list[dict[str, str]]:
    found = []
    for schema_error in error.schema_errors:
        parts = list(schema_error.absolute_path)
        rule = str(schema_error.validator)
        message = schema_error.message
        if rule == "required":
            # jsonschema reports a missing field at its parent; name the field itself.
            missing = message.split("'")[1] if message.count("'") >= 2 else None
            if missing:
                parts.append(missing)
                message = f"'{missing}' is required"
        elif rule == "additionalProperties":
            # One violation per unexpected field, each at its own path.
            unexpected = sorted(set(schema_error.instance) - set(schema_error.schema.get("properties", {})))
            for name in unexpected:
                path = _json_path([*parts, name])
                found.append(violation(location, path, rule, f"{path}: unknown field '{name}' is not allowed"))
            if unexpected:
                continue
        path = _json_path(parts) if base is None else (base + _json_path(parts)[1:])
        if location == "body":
            message = f"{path}: {message}"
        found.append(violation(location, path, rule, message))
    return found or [violation(location, base or "$", "schema", str(error))]


def violations(errors: Iterable[Exception]) -> list[dict[str, str]]:
    """Every openapi-core error as {location, path, rule, message}."""
    errors = list(errors)
    if not errors:
        return []
    from openapi_core.templating.media_types.exceptions import MediaTypeNotFound
    from openapi_core.validation.request.exceptions import (
        InvalidParameter,
        MissingRequiredParameter,
        MissingRequiredRequestBody,
        ParameterValidationError,
        RequestBodyValidationError,
        SecurityValidationError,
    )
    from openapi_core.validation.schemas.exceptions import InvalidSchemaValue

    found: list[dict[str, str]] = []
    for error in errors:
        cause = error.__cause__
        if isinstance(error, SecurityValidationError):
            continue  # authentication is checked before validation, with its own reasons
        if isinstance(error, MissingRequiredParameter):
            found.append(
                violation(error.location, error.name, "required", f"{error.location} parameter '{error.name}' is required")
            )
        elif isinstance(error, InvalidParameter) and isinstance(cause, InvalidSchemaValue):
            for item in _schema_violations(error.location, error.name, cause):
                item["message"] = f"{error.location} parameter '{error.name}': {item['message']}"
                found.append(item)
        elif isinstance(error, ParameterValidationError):
            detail = str(cause) if cause else str(error)
            found.append(
                violation(error.location, error.name, "type", f"{error.location} parameter '{error.name}': {detail}")
            )
        elif isinstance(error, MissingRequiredRequestBody):
            found.append(violation("body", "$", "required", "a JSON request body is required"))
        elif isinstance(error, RequestBodyValidationError) and isinstance(cause, InvalidSchemaValue):
            found.extend(_schema_violations("body", None, cause))
        elif isinstance(error, RequestBodyValidationError) and isinstance(cause, MediaTypeNotFound):
            found.append(
                violation(
                    "header",
                    "Content-Type",
                    "contentType",
                    f"Content-Type '{cause.mimetype}' is not accepted; send {', '.join(cause.availableMimetypes)}",
                )
            )
        elif isinstance(error, RequestBodyValidationError):
            found.append(violation("body", "$", "json", f"the request body is not valid JSON: {_describe(cause or error)}"))
        else:
            found.append(violation("body", "$", "schema", str(error)))
    return found


def _describe(error: BaseException) -> str:
    # openapi-core's deserialization errors decode the raw body as UTF-8 when printed.
    try:
        return str(error)
    except UnicodeDecodeError:
        return "it is not UTF-8"


def _openapi_core_version() -> tuple[int, ...]:
    try:
        return tuple(int(part) for part in metadata.version("openapi-core").split(".")[:2])
    except (metadata.PackageNotFoundError, ValueError):
        return (0,)


@lru_cache(maxsize=None)
def compiled(method: str, path_pattern: str) -> CompiledOperation | StockOperation | UncheckedOperation:
    """The operation at (method, path pattern), built on first use and kept: an operation no
    request can fail needs no openapi-core (unchecked.py) until it is asked something it cannot
    answer alone; any other is built on openapi-core (`built`)."""
    if unchecked(spec_dict(), method, path_pattern):
        return UncheckedOperation.of(spec_dict(), method, path_pattern, built)
    return built(method, path_pattern)


def built(method: str, path_pattern: str) -> CompiledOperation | StockOperation:
    """The operation at (method, path pattern) on openapi-core.

    compiled.py uses openapi-core's internals as they are from TESTED_FROM on; with an older
    openapi-core (the dependency allows one), or if building fails, validation takes openapi-core's
    stock road: the same answers, at the old cost.
    """
    from .compiled import TESTED_FROM, CompiledOperation, StockOperation

    if _openapi_core_version() >= TESTED_FROM:
        try:
            return CompiledOperation(openapi(), spec_dict(), method, path_pattern)
        except Exception as exc:  # noqa: BLE001 - anything this openapi-core does differently
            warnings.warn(f"validating {method.upper()} {path_pattern} the slow way: {exc!r}", RuntimeWarning, stacklevel=2)
    return StockOperation(openapi(), method, path_pattern)


MAX_JSON_DEPTH = 64


def _constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON (RFC 8259 has no NaN or Infinity)")


def json_body_problems(body: bytes) -> list[dict[str, str]]:
    """What JSON allows but no handler can take: NaN and Infinity, nesting past MAX_JSON_DEPTH
    levels, and lone UTF-16 surrogates (they cannot be encoded back). Bodies with none of their
    marks (the usual ones) are not parsed here."""
    suspicious = (
        b"NaN" in body or b"Infinity" in body or b"\\u" in body
        or body.count(b"[") + body.count(b"{") > MAX_JSON_DEPTH
    )
    if not suspicious:
        return []
    try:
        value = json.loads(body, parse_constant=_constant)
    except RecursionError:
        return [violation("body", "$", "depth", f"the JSON body nests deeper than {MAX_JSON_DEPTH} levels")]
    except ValueError as exc:
        if "RFC 8259" in str(exc):
            return [violation("body", "$", "json", str(exc))]
        return []  # not JSON at all: openapi-core says so
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > MAX_JSON_DEPTH:
            return [violation("body", "$", "depth", f"the JSON body nests deeper than {MAX_JSON_DEPTH} levels")]
        if isinstance(item, dict):
            stack.extend((k, depth) for k in item)
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)
        elif isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                return [violation("body", "$", "json", "the JSON body has a lone UTF-16 surrogate (\\ud800-\\udfff)")]
    return []


def validate_request(request: CoreRequest) -> list[dict[str, str]]:
    """What the spec says of the request (openapi-core's reading, compiled), and what the
    emulator refuses beyond it: JSON no handler can take, numbers in digits a client cannot mean."""
    problems = json_body_problems(request.body) if request.body else []
    if problems:
        return problems
    found = openapi_violations(request)
    beyond = parameter_problems(request)
    if beyond:
        named = {(p["location"], p["path"]) for p in beyond}
        found = beyond + [p for p in found if (p["location"], p["path"]) not in named]
    return found


def openapi_violations(request: CoreRequest) -> list[dict[str, str]]:
    """openapi-core's violations of the request, by the compiled road (the same as its stock one)."""
    return violations(compiled(request.method, request.path_pattern).request_errors(request))


# Responses found valid, by everything their validation reads (the operation, status, media type,
# headers and a digest of the body): the same bytes are valid again. Strict mode parses a 50 KB
# page back to check it (~0.3 ms); a client polling the same page gets the same bytes. Only valid
# answers are kept, so every violation is found by openapi-core each time.
_PROVEN_VALID: dict[tuple[Any, ...], None] = {}
_PROVEN_VALID_SIZE = 4096


def validate_response(request: CoreRequest, response: CoreResponse) -> list[dict[str, str]]:
    key = (
        request.method, request.path_pattern, response.status_code, response.content_type,
        tuple(response.headers.items()), hashlib.sha1(response.data or b"").digest(),  # SHA-1: half BLAKE2b's time here
    )
    if key in _PROVEN_VALID:
        return []
    errors = compiled(request.method, request.path_pattern).response_errors(
        response.status_code, response.data, response.content_type, response.headers
    )
    found = response_violations(errors)
    if not found:
        if len(_PROVEN_VALID) >= _PROVEN_VALID_SIZE:
            _PROVEN_VALID.clear()  # atomic, where evicting one entry is not (several threads serve one app)
        _PROVEN_VALID[key] = None
    return found


def response_violations(errors: Iterable[Exception]) -> list[dict[str, str]]:
    errors = list(errors)
    if not errors:
        return []
    from openapi_core.validation.schemas.exceptions import InvalidSchemaValue

    found = []
    for error in errors:
        cause = error.__cause__
        if isinstance(cause, InvalidSchemaValue):
            items = _schema_violations("response", None, cause)
        else:
            items = [violation("response", "$", "schema", str(cause or error))]
        found.extend(items)
    for item in found:
        item["location"] = "response"
    return found
