"""The Nango front end's HTTP layer, thin: authenticate, validate, call the NangoService, render.

Mounted by app.py under the `nango_prefix` setting. Routes answer with and without a trailing
slash (Express's non-strict routing); anything else under the prefix is Nango's 404.
"""

from __future__ import annotations

import hmac
import json
import logging
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable

from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.routing import Route

from ..domain.errors import DomainError
from ..http.rendering import encode
from ..http.routing import meet_api_fault
from ..spec import validation
from . import feed, spec
from .errors import NangoError
from .keys import secret_keys
from .service import NangoService

if TYPE_CHECKING:
    from ..emulator import Emulator

log = logging.getLogger("paragon_emulator.nango")
_UUID4 = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$", re.IGNORECASE)
_TAG = re.compile(r"^tags\[([^\]]+)\]$")


def json_response(body: Any, status: int = 200) -> Response:
    return Response(encode(body), status_code=status, media_type="application/json")


def error_response(error: NangoError, headers: dict[str, str] | None = None) -> Response:
    response = json_response(error.body(), error.status)
    response.headers.update(headers or {})
    return response


# The codes an injected status answers with: Nango's rate limiter's and its catch-all's (502 and 503
# come from a gateway in front of Nango, which has no body of its own; these are chosen here).
FAULT_CODES = {429: "too_many_request", 500: "server_error", 502: "bad_gateway", 503: "service_unavailable"}


def fault_response(fault: Any, operation_id: str) -> Response:
    headers = {"Retry-After": str(fault.retry_after)} if fault.status == 429 else None
    message = f"injected fault {fault.id}: {operation_id} answers {fault.status}"
    return error_response(NangoError(fault.status, FAULT_CODES.get(fault.status, "server_error"), message), headers)


@dataclass
class Call:
    request: Request
    service: NangoService
    path: dict[str, str]
    query: dict[str, str]
    multi: list[tuple[str, str]]
    body: Any


def authenticate(request: Request, keys: dict[str, str]) -> str:
    """The project whose secret key the request carries, or Nango's 401."""
    header = request.headers.get("authorization")
    if header is None:
        raise NangoError(401, "missing_auth_header", "Authentication failed. The request is missing the Authorization header.")
    if not header.startswith("Bearer ") or not header[len("Bearer "):].strip():
        raise NangoError(401, "malformed_auth_header", "Authentication failed. The provided Authorization header is malformed.")
    key = header[len("Bearer "):].strip()
    if not _UUID4.match(key):
        raise NangoError(401, "invalid_secret_key_format", "Authentication failed. The provided secret key is not a UUID v4.")
    for project, known in keys.items():
        if hmac.compare_digest(known.lower(), key.lower()):
            return project
    raise NangoError(401, "unknown_account", "Authentication failed. The provided secret key does not match an environment.")


def endpoint(emulator: "Emulator", method: str, path: str, handler: Callable[[Call], Any]) -> Callable:
    names = spec.query_names()[(method, path)]
    operation_id = spec.operation_ids()[(method, path)]
    keys = secret_keys(emulator.settings)
    strict = emulator.settings.strict  # answers validated against the Nango spec too

    async def serve(request: Request) -> Response:
        fault = await meet_api_fault(emulator, operation_id)  # first, as at the Paragon door
        if fault is not None:
            return fault_response(fault, operation_id)
        try:
            body = await request.body()
        except ClientDisconnect:
            return Response(status_code=400)
        try:
            project = authenticate(request, keys)
            content_type = request.headers.get("content-type", "")
            if body and not content_type.lower().startswith("application/json"):
                raise NangoError(415, "invalid_content_type", f"Content-Type '{content_type}' is not application/json")
            multi = [(k, v) for k, v in request.query_params.multi_items() if v != ""]
            unknown = sorted({k for k, _ in multi if k not in names and not (path == "/connections" and _TAG.match(k))})
            core = validation.core_request(
                method, request.scope["path"], path, multi, request.headers, request.path_params, body,
                content_type or ("application/json" if body else ""),
            )
            found = spec.problems(core, unknown)
            if found is not None:
                raise NangoError(400, found[0], errors=found[1])
            parsed = core.body_value if core.parsed else None
            query = {}
            for k, v in multi:
                query.setdefault(k, v)
            call = Call(request, NangoService(emulator, project), dict(request.path_params), query, multi, parsed)
            result = emulator.run(lambda: handler(call))
        except NangoError as exc:
            return error_response(exc)
        except DomainError as exc:  # a rule of the engine's that no Nango check caught first
            return error_response(NangoError(400, "invalid_request", exc.message))
        response = result if isinstance(result, Response) else json_response(result)
        return checked(response) if strict else response

    def checked(response: Response) -> Response:
        problems = spec.response_problems(method, path, response.status_code, bytes(response.body), response.headers)
        if not problems:
            return response
        where = ", ".join(f"{p['path']} ({p['rule']})" for p in problems)
        return error_response(NangoError(500, "response_validation_failed", f"strict mode: the answer broke the Nango spec at {where}"))

    return serve


# -- connections -------------------------------------------------------------------------
def _timestamp(value: Any) -> str:
    return feed.timestamp(value)


def connection_summary(conn: Any) -> dict[str, Any]:
    from ..domain.clock import iso

    return {
        "id": conn.id,
        "connection_id": conn.connection_id,
        "provider_config_key": conn.provider,
        "provider": conn.provider,
        "errors": [],
        "end_user": conn.end_user,
        "tags": conn.tags,
        "metadata": conn.metadata,
        "created": iso(conn.created_at),
    }


def connection_full(conn: Any) -> dict[str, Any]:
    body = connection_summary(conn)
    del body["created"]
    body.update({
        "connection_config": conn.connection_config,
        "webhook_url_override": conn.webhook_url_override,
        "created_at": _timestamp(conn.created_at),
        "updated_at": _timestamp(conn.updated_at),
        "last_fetched_at": None,
        "credentials": conn.credentials,
    })
    return body


def list_connections(call: Call) -> dict[str, Any]:
    q = call.query
    tags = {m.group(1): v for k, v in call.multi if (m := _TAG.match(k))}
    found = call.service.list_connections(
        q.get("connectionId"), q.get("search"), q.get("endUserId"), q.get("endUserOrganizationId"),
        [p.strip() for p in q["integrationId"].split(",") if p.strip()] if "integrationId" in q else None,
        tags, int(q.get("limit", 10_000)), int(q.get("page", 0)),
    )
    return {"connections": [connection_summary(c) for c in found]}


def import_connection(call: Call) -> Response:
    return json_response(connection_full(call.service.import_connection(call.body)), 201)


def get_connection(call: Call) -> dict[str, Any]:
    return connection_full(call.service.get_connection(call.query["provider_config_key"], call.path["connectionId"]))


def patch_connection(call: Call) -> dict[str, Any]:
    call.service.patch_connection(call.query["provider_config_key"], call.path["connectionId"], call.body)
    return {"success": True}


def delete_connection(call: Call) -> dict[str, Any]:
    call.service.delete_connection(call.query["provider_config_key"], call.path["connectionId"])
    return {"success": True}


# -- syncs -------------------------------------------------------------------------------
def start(call: Call) -> dict[str, Any]:
    b = call.body
    call.service.start(b["provider_config_key"], b.get("connection_id"), b["syncs"])
    return {"success": True}


def pause(call: Call) -> dict[str, Any]:
    b = call.body
    call.service.pause(b["provider_config_key"], b.get("connection_id"), b["syncs"])
    return {"success": True}


def trigger(call: Call) -> dict[str, Any]:
    b = call.body
    opts = b.get("opts")
    if opts is not None and ("sync_mode" in b or "full_resync" in b):
        raise NangoError(400, "invalid_body", errors=[
            {"code": "custom", "message": "opts cannot be used with sync_mode or full_resync", "path": ["opts"]}
        ])
    key = b.get("provider_config_key") or call.request.headers.get("provider-config-key")
    connection_id = b.get("connection_id") or call.request.headers.get("connection-id")
    if opts is not None:
        full, empty = bool(opts.get("reset")), bool(opts.get("emptyCache"))
    else:
        mode = b.get("sync_mode")
        full = bool(b.get("full_resync")) or mode in ("full_refresh", "full_refresh_and_clear_cache")
        empty = mode == "full_refresh_and_clear_cache"
    call.service.trigger(key, connection_id, b["syncs"], full, empty)
    return {"success": True}


def status(call: Call) -> dict[str, Any]:
    q = call.query
    names = [n.strip() for n in q["syncs"].split(",") if n.strip()]
    return {"syncs": call.service.status(q["provider_config_key"], q.get("connection_id"), names)}


def update_frequency(call: Call) -> dict[str, Any]:
    b = call.body
    value = call.service.update_frequency(
        b["provider_config_key"], b["connection_id"], b["sync_name"], b.get("sync_variant"), b["frequency"]
    )
    return {"frequency": value}


def create_variant(call: Call) -> dict[str, Any]:
    p, b = call.path, call.body
    return call.service.create_variant(p["name"], p["variant"], b["provider_config_key"], b["connection_id"])


def delete_variant(call: Call) -> dict[str, Any]:
    p, b = call.path, call.body
    call.service.delete_variant(p["name"], p["variant"], b["provider_config_key"], b["connection_id"])
    return {"success": True}


# -- records -----------------------------------------------------------------------------
def records(call: Call) -> Response:
    q, service = call.query, call.service
    headers = call.request.headers
    conn, sync = service.records_source(headers["provider-config-key"], headers["connection-id"], q["model"], q.get("variant"))
    since = q.get("modified_after") or q.get("delta")
    modified_after = service.modified_after(since) if since else None
    actions = {a.strip().lower() for a in q["filter"].split(",")} if "filter" in q else None
    ids = [v for k, v in call.multi if k == "ids"] or None
    if sync is None:
        return json_response({"next_cursor": None, "records": []})
    try:
        page = feed.page(sync.records, int(q.get("limit", 100)), q.get("cursor"), modified_after, actions, ids)
    except feed.BadCursor as exc:
        # Nango answers 500 server_error; a cursor the client sent is the client's error here.
        raise NangoError(400, "invalid_query_params", errors=[{"code": "custom", "message": str(exc), "path": ["cursor"]}]) from None
    live = iter(service.payloads(sync, [r for r in page.records if not r.deleted], q["model"]))
    parts = []
    for record in page.records:
        pruned = conn.pruned.get(record.id)
        payload = {"id": record.external_id} if record.deleted else next(live)
        if pruned is not None:
            payload = {"id": record.external_id}
        deleted = _timestamp(record.synced_at) if record.deleted else None
        payload["_nango_metadata"] = {
            "first_seen_at": _timestamp(record.first_seen or record.synced_at),
            "last_modified_at": _timestamp(record.synced_at),
            "last_action": feed.action(record).upper(),
            "deleted_at": deleted,
            "pruned_at": _timestamp(pruned) if pruned is not None else None,
            "cursor": feed.encode_cursor(record),
        }
        parts.append(encode(payload))
    head = b'{"next_cursor":' + encode(page.next_cursor) + b',"records":['
    return Response(head + b",".join(parts) + b"]}", media_type="application/json")


def prune(call: Call) -> dict[str, Any]:
    b, headers = call.body, call.request.headers
    count, more = call.service.prune(
        headers["provider-config-key"], headers["connection-id"], b["model"], b.get("variant"), b["until_cursor"], b.get("limit", 1000)
    )
    return {"count": count, "has_more": more}


OPERATIONS: list[tuple[str, str, Callable[[Call], Any]]] = [
    ("GET", "/connections", list_connections),
    ("POST", "/connections", import_connection),
    ("GET", "/connection", list_connections),
    ("POST", "/connection", import_connection),
    ("GET", "/connections/{connectionId}", get_connection),
    ("PATCH", "/connections/{connectionId}", patch_connection),
    ("DELETE", "/connections/{connectionId}", delete_connection),
    ("GET", "/connection/{connectionId}", get_connection),
    ("PATCH", "/connection/{connectionId}", patch_connection),
    ("DELETE", "/connection/{connectionId}", delete_connection),
    ("POST", "/sync/start", start),
    ("POST", "/sync/pause", pause),
    ("POST", "/sync/trigger", trigger),
    ("GET", "/sync/status", status),
    ("PUT", "/sync/update-connection-frequency", update_frequency),
    ("POST", "/sync/{name}/variant/{variant}", create_variant),
    ("DELETE", "/sync/{name}/variant/{variant}", delete_variant),
    ("GET", "/records", records),
    ("PATCH", "/records/prune", prune),
]


ALL_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


async def _not_found(request: Request) -> Response:
    return error_response(NangoError(404, "not_found", f"No route {request.method} {request.url.path}"))


def routes(emulator: "Emulator") -> list[Route]:
    by_path: dict[str, dict[str, Callable]] = {}
    for method, path, handler in OPERATIONS:
        by_path.setdefault(path, {})[method] = endpoint(emulator, method, path, handler)

    def dispatcher(handlers: dict[str, Callable]) -> Callable:
        async def dispatch(request: Request) -> Response:
            handler = handlers.get(request.method)
            return await (handler(request) if handler is not None else _not_found(request))

        return dispatch

    found = []
    for path, handlers in by_path.items():
        found.append(Route(path, dispatcher(handlers), methods=ALL_METHODS))
        found.append(Route(path + "/", dispatcher(handlers), methods=ALL_METHODS))
    found.append(Route("/{rest:path}", _not_found, methods=ALL_METHODS))
    return found
