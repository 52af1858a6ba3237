"""openapi-core's validation of one known operation, with everything that depends only on the spec built once.

Stock openapi-core does, on every call: search the spec's paths for the request's URL, read each
parameter's definition through jsonschema-path, and build a fresh jsonschema validator (deep-copying
its format checker) for every schema it meets. None of that depends on the request. Here it is done
once per operation (and per response status and media type) with openapi-core's own path finder,
factories, deserializers and schema validators; a request only runs them. Errors are openapi-core's
own exception objects, raised as its validators raise them, so `validation.violations` reads them
unchanged, and tests/http/test_validation_cache.py checks both roads give the same violations.

Three things are skipped because they cannot fail here:
- security: routing.py authenticates every real-API call before validating it (with its own
  401 reasons), and the control plane declares `security: []`;
- parameters whose schema accepts every value they can have: `type: string` with no constraint,
  or for a path parameter at most `minLength: 1` (the router never matches an empty segment).
  Only their presence is checked;
- a primitive parameter's raw value that was read and validated before (kept per parameter, up to
  1024): reading and validating it is a function of that one string, so it cannot fail now.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Callable

from jsonschema_path import SchemaPath
from openapi_core import OpenAPI
from openapi_core.deserializing.styles.exceptions import EmptyQueryParameterValue
from openapi_core.schema.parameters import get_style_and_explode
from openapi_core.templating.responses.exceptions import ResponseFinderError
from openapi_core.templating.responses.finders import ResponseFinder
from openapi_core.validation.decorators import ValidationErrorWrapper
from openapi_core.validation.request.exceptions import (
    InvalidParameter,
    InvalidRequestBody,
    MissingParameter,
    MissingRequestBody,
    MissingRequiredParameter,
    MissingRequiredRequestBody,
    ParameterValidationError,
    RequestBodyValidationError,
)
from openapi_core.validation.response.exceptions import DataValidationError, HeadersError, InvalidData, MissingData
from openapi_core.validation.schemas.validators import SchemaValidator
from openapi_core.validation.validators import BaseValidator

from . import fast_accept

_ABSENT = object()
_PRIMITIVE_TYPES = {"integer", "number", "boolean", "string"}
_PASSED_PER_PARAMETER = 1024
# Keys that describe a schema without constraining the value.
_ANNOTATIONS = {"description", "example", "examples", "title", "deprecated", "externalDocs"}


def inline_refs(node: Any, root: dict[str, Any], stack: tuple[str, ...] = ()) -> Any:
    """`node` with its local $refs replaced by what they point at (recursive ones kept).

    jsonschema resolves a $ref on every instance it meets (every record of a page); inlined, the
    schema says the same (OpenAPI 3.0 ignores a $ref's siblings) without the lookups.
    """
    if isinstance(node, list):
        return [inline_refs(item, root, stack) for item in node]
    if not isinstance(node, dict):
        return node
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/") and ref not in stack:
        target: Any = root
        for part in ref[2:].split("/"):
            target = target[part.replace("~1", "/").replace("~0", "~")]
        return inline_refs(target, root, stack + (ref,))
    return {key: inline_refs(value, root, stack) for key, value in node.items()}


def _accepts_any_value(schema: SchemaPath, location: str) -> bool:
    """Whether every value the parameter can arrive with is valid: a string, non-empty in a path."""
    contents = schema.read_value()
    if not isinstance(contents, dict) or contents.get("type") != "string" or location not in ("path", "query", "header"):
        return False
    constraints = set(contents) - _ANNOTATIONS - {"type"}
    if location == "path" and constraints == {"minLength"}:
        return contents["minLength"] in (0, 1)
    return not constraints


@dataclass(frozen=True)
class _Parameter:
    spec: SchemaPath  # openapi-core builds a parameter's error from its spec
    name: str
    location: str
    required: bool
    deprecated: bool
    any_value: bool
    allow_empty: bool
    read: Callable[[Any], Any] | None  # openapi-core's style deserializer; None: a `content` parameter
    validator: SchemaValidator | None
    default: Any
    # Raw values already read and validated, for parameters whose reading is a pure function of
    # their one raw string (a primitive schema, form or simple style): they cannot fail again.
    passed: set[str] | None


@dataclass(frozen=True)
class _Media:
    deserialize: Callable[[bytes], Any]
    validator: SchemaValidator | None
    accepts: Callable[[Any], bool] | None  # fast_accept's proof of validity, where it can be built

    def validate(self, value: Any) -> None:
        if self.validator is not None and not (self.accepts is not None and self.accepts(value)):
            self.validator.validate(value)


class _Builder:
    """Builds openapi-core objects the way one of its validators would, for reuse."""

    def __init__(self, validator: BaseValidator, root: dict[str, Any]):
        self.v = validator
        self.root = root

    def schema_validator(self, schema: SchemaPath) -> SchemaValidator:
        v = self.v
        built = v.schema_validators_factory.create(
            v.spec,
            schema,
            format_validators=v.format_validators,
            extra_format_validators=v.extra_format_validators,
            forbid_unspecified_additional_properties=v.forbid_unspecified_additional_properties,
            enforce_properties_required=v.enforce_properties_required,
        )
        # Same resolver (a recursive $ref still resolves against the spec), refs inlined.
        inlined = inline_refs(built.validator.schema, self.root)
        return SchemaValidator(schema, built.validator.evolve(schema=inlined))

    def media(self, content: SchemaPath, mimetype: str) -> _Media:
        # An unknown media type raises MediaTypeNotFound here, as openapi-core does (and is not cached).
        mime_type, parameters, media_type = self.v._find_media_type(content, mimetype)
        schema = media_type.get("schema")
        validator = self.schema_validator(schema) if schema is not None else None
        deserializer = self.v.media_type_deserializers_factory.create(
            self.v.spec,
            mime_type,
            schema=schema,
            schema_validator=validator,
            parameters=parameters,
            encoding=media_type.get("encoding") if "encoding" in media_type else None,
            extra_media_type_deserializers=self.v.extra_media_type_deserializers,
        )
        accepts = None
        # openapi-core's stricter options change the validator class, not the schema: none is on here.
        stock = not (self.v.forbid_unspecified_additional_properties or self.v.enforce_properties_required)
        if validator is not None and stock:
            accepts = fast_accept.accepter(
                validator.validator.schema, str(self.root.get("openapi", "")), validator.validator.format_checker
            )
        return _Media(deserializer.deserialize, validator, accepts)

    def parameter(self, param: SchemaPath) -> _Parameter:
        name = (param / "name").read_str()
        location = (param / "in").read_str()
        read, validator, default, any_value, passed = None, None, _ABSENT, False, None
        if "content" not in param:
            schema = param / "schema"
            style, explode = get_style_and_explode(param)
            read = self.v.style_deserializers_factory.create(self.v.spec, schema, style, explode, name=name).deserialize
            validator = self.schema_validator(schema)
            if "default" in schema:
                default = (schema / "default").read_value()
            any_value = default is _ABSENT and _accepts_any_value(schema, location)
            primitive = (schema / "type").read_str(default=None) in _PRIMITIVE_TYPES
            if primitive and style in ("form", "simple") and not any_value:
                passed = set()
        return _Parameter(
            spec=param,
            name=name,
            location=location,
            required=(param / "required").read_bool(default=False),
            deprecated=(param / "deprecated").read_bool(default=False),
            any_value=any_value,
            allow_empty=bool((param / "allowEmptyValue").read_bool(default=None)),
            read=read,
            validator=validator,
            default=default,
            passed=passed,
        )


class CompiledOperation:
    """Request and response validation of one (method, path) of the spec."""

    def __init__(self, core: OpenAPI, root: dict[str, Any], method: str, path_pattern: str):
        self._request_validator = core.request_validator
        self._response_validator = core.response_validator
        self._requests = _Builder(self._request_validator, root)
        self._responses = _Builder(self._response_validator, root)
        # openapi-core's own path finder, once: the route already knows which operation it is.
        found = self._request_validator.path_finder.find(method.lower(), "http://emulator" + path_pattern)
        self.operation: SchemaPath = found.operation
        self._path_variables = found.path_result.variables
        self.parameters = self._compile_parameters(found.path, found.operation)
        self._body = self.operation / "requestBody" if "requestBody" in self.operation else None
        self._body_required = self._body is not None and (self._body / "required").read_bool(default=False)
        self._request_media = lru_cache(maxsize=16)(self._compile_request_media)
        self._response_for = lru_cache(maxsize=16)(self._compile_response)
        self._response_media = lru_cache(maxsize=16)(self._compile_response_media)

    def _compile_parameters(self, path: SchemaPath, operation: SchemaPath) -> tuple[_Parameter, ...]:
        # openapi-core's order: the operation's parameters, then the path's; an operation's wins.
        found, seen = [], set()
        for source in (operation, path):
            for param in source.get("parameters", SchemaPath.from_dict({})):
                compiled = self._requests.parameter(param)
                if (compiled.name, compiled.location) not in seen:
                    seen.add((compiled.name, compiled.location))
                    found.append(compiled)
        return tuple(found)

    # -- requests ---------------------------------------------------------------------------
    def request_errors(self, request: Any) -> list[Exception]:
        """What openapi-core's request validator yields for `request`, security aside."""
        parameters = request.parameters
        parameters.path = parameters.path or self._path_variables
        errors: list[Exception] = []
        for param in self.parameters:
            try:
                self._parameter(parameters, param.spec, param)
            except MissingParameter:
                continue
            except ParameterValidationError as exc:
                errors.append(exc)
        if self._body is not None:
            try:
                value = self._request_body(request.body, request.content_type)
                request.body_value, request.parsed = value, True  # parsed once: the handler gets it
            except MissingRequestBody:
                pass
            except RequestBodyValidationError as exc:
                errors.append(exc)
        return errors

    @ValidationErrorWrapper(ParameterValidationError, InvalidParameter, "from_spec", spec="param")
    def _parameter(self, parameters: Any, param: SchemaPath, compiled: _Parameter) -> None:
        location = parameters[compiled.location]
        if compiled.deprecated and compiled.name in location:
            warnings.warn(f"{compiled.name} parameter is deprecated", DeprecationWarning)
        if compiled.read is None:
            self._request_validator._get_parameter(parameters, param)  # `content` parameters: the stock road
            return
        raw = location.get(compiled.name) if compiled.passed is not None else None
        if isinstance(raw, str) and raw in compiled.passed:
            return
        try:
            if compiled.any_value:
                value = location[compiled.name]
            else:
                try:
                    value = compiled.read(location)
                except KeyError:
                    if compiled.default is _ABSENT:
                        raise
                    compiled.validator.validate(compiled.default)
                    return
        except KeyError:
            if compiled.required:
                raise MissingRequiredParameter(compiled.name, compiled.location)
            raise MissingParameter(compiled.name, compiled.location)
        if compiled.location == "query" and not compiled.allow_empty and value == "":
            raise EmptyQueryParameterValue(compiled.name)
        if not compiled.any_value:
            compiled.validator.validate(value)
        if isinstance(raw, str):
            if len(compiled.passed) >= _PASSED_PER_PARAMETER:
                compiled.passed.clear()  # atomic, where evicting one value is not (requests run on several threads)
            compiled.passed.add(raw)

    def _compile_request_media(self, mimetype: str) -> _Media:
        assert self._body is not None
        return self._requests.media(self._body / "content", mimetype)

    @ValidationErrorWrapper(RequestBodyValidationError, InvalidRequestBody)
    def _request_body(self, body: bytes | None, mimetype: str) -> Any:
        if not body:
            raise MissingRequiredRequestBody if self._body_required else MissingRequestBody
        media = self._request_media(mimetype)
        value = media.deserialize(body)
        media.validate(value)
        return value

    # -- responses --------------------------------------------------------------------------
    def _compile_response(self, status_code: int) -> SchemaPath:
        return ResponseFinder(self.operation / "responses").find(str(status_code))

    def _compile_response_media(self, status_code: int, mimetype: str) -> _Media:
        return self._responses.media(self._response_for(status_code) / "content", mimetype)

    def response_errors(self, status_code: int, data: bytes | None, mimetype: str, headers: Any) -> list[Exception]:
        """What openapi-core's response validator yields for this operation's response."""
        try:
            response = self._response_for(status_code)
        except ResponseFinderError as exc:
            return [exc]
        errors: list[Exception] = []
        if "content" in response:
            try:
                self._response_data(status_code, data, mimetype)
            except DataValidationError as exc:
                errors.append(exc)
        if "headers" in response:
            try:
                self._response_validator._get_headers(headers, response)
            except HeadersError as exc:
                errors.extend(exc.context)
        return errors

    @ValidationErrorWrapper(DataValidationError, InvalidData)
    def _response_data(self, status_code: int, data: bytes | None, mimetype: str) -> None:
        if not data:
            raise MissingData
        media = self._response_media(status_code, mimetype)
        media.validate(media.deserialize(data))


# openapi-core versions whose internals compiled.py was checked against (tests/http/test_validation_cache.py).
TESTED_FROM = (0, 23)


@dataclass
class _Located:
    """Enough of a request for openapi-core's response validator to find the operation."""

    method: str
    path_pattern: str
    path: str = ""
    host_url: str = "http://emulator"


class StockOperation:
    """Stock openapi-core validation (path search, validators built per call): for versions not checked."""

    def __init__(self, core: OpenAPI, method: str, path_pattern: str):
        self._core = core
        self._located = _Located(method.lower(), path_pattern, path_pattern)

    def request_errors(self, request: Any) -> list[Exception]:
        return list(self._core.request_validator.iter_errors(request))

    def response_errors(self, status_code: int, data: bytes | None, mimetype: str, headers: Any) -> list[Exception]:
        response = _StockResponse(status_code, data, mimetype, headers)
        return list(self._core.response_validator.iter_errors(self._located, response))


@dataclass
class _StockResponse:
    status_code: int
    data: bytes | None
    content_type: str
    headers: Any
