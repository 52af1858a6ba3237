"""The one JSON error shape: {"message", "code", "errors": [{location, path, rule, message}]}."""

from __future__ import annotations

from typing import Any

from starlette.responses import JSONResponse

from ..spec.violations import violation
from ..domain.errors import Conflict, DomainError, InvalidInput, NotFound, Stopping




def error_response(
    status: int,
    code: str,
    message: str,
    errors: list[dict[str, str]] | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    body: dict[str, Any] = {"message": message, "code": code, "errors": errors or []}
    body.update({k: v for k, v in extra.items() if v is not None})
    return JSONResponse(body, status_code=status, headers=headers)


def _status_of(error: DomainError) -> int:
    if isinstance(error, NotFound):
        return 404
    if isinstance(error, Conflict):
        return 409
    if isinstance(error, InvalidInput):
        return 400
    if isinstance(error, Stopping):
        return 503
    return 500


# Path parameters, of the real API and of the control plane (eventId, faultId, a scenario's name).
_PATH_FIELDS = {"syncId", "recordId", "kind", "externalId", "group", "eventId", "faultId", "name"}
_QUERY_FIELDS = {"cursor", "pageSize", "continuationToken", "startTime", "type"}


def _where(field: str) -> tuple[str, str]:
    # Domain errors name fields in dotted form (or as JSONPath, "$..."); body fields are reported as JSONPath.
    if field.startswith("$"):
        return "body", field
    if field in _PATH_FIELDS:
        return "path", field
    if field in _QUERY_FIELDS:
        return "query", field
    return "body", "$." + field


def domain_error_response(error: DomainError) -> JSONResponse:
    location, path = _where(error.field)
    rule = "state" if isinstance(error, Conflict) else ("exists" if isinstance(error, NotFound) else error.code.lower())
    return error_response(
        _status_of(error),
        error.code,
        error.message,
        [violation(location, path, rule, error.message)],
        **error.extra,
    )
