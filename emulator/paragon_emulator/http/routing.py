"""One wrapper around every operation: authenticate, validate, call the handler, render.

Handlers are plain functions of a Context; they run under the emulator's lock after the due
timers, and return a dict (200 JSON) or a Response. Domain errors become the one error shape.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from dataclasses import dataclass
from typing import Any, Callable

import jwt
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.concurrency import run_in_threadpool
from starlette.routing import Route

from ..domain.errors import DomainError
from ..emulator import Emulator
from ..tokens import AuthError, Principal, TokenVerifier
from ..spec import validation
from .auth import authenticate, check_control_token
from ..control.contract import Call
from ..observe.journal import Entry, cut
from .errors import domain_error_response, error_response, violation
from .rendering import JSON, RecordJSON


log = logging.getLogger("paragon_emulator.http")


@dataclass
class Context:
    request: Request
    emulator: Emulator
    principal: Principal | None
    path: dict[str, str]
    query: dict[str, str]
    body: Any
    records_json: RecordJSON

    @property
    def tenant(self) -> tuple[str, str]:
        assert self.principal is not None
        return self.principal.tenant


Handler = Callable[[Context], "dict[str, Any] | Response"]


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    handler: Handler
    long: bool = False  # takes the lock itself, in slices; may hand the rest of its work to a Later

    @property
    def real_api(self) -> bool:
        """The real API needs a token and meets faults; the control plane (and the spec) never do."""
        return self.path.startswith("/api/")

    @property
    def guarded(self) -> bool:
        """Behind the control token when one is set: the control plane, except its health check."""
        return self.path.startswith("/_emulator/") and self.path != "/_emulator/health"


@dataclass(frozen=True)
class Later:
    """The rest of a long operation (a clock advance past its first slice), run on a worker thread."""

    work: Callable[[], Any]

    def response(self) -> Response:
        try:
            result = self.work()
        except DomainError as exc:
            return domain_error_response(exc)
        return result if isinstance(result, Response) else JSON(result)


class VerifiedTokens:
    """Authorization headers already authenticated, kept until their token's `exp`.

    Checking an RS256 signature is about a quarter of a cheap request's CPU, and a client sends
    the same token on every call. Only successes are kept, only until `exp` by the wall clock
    (tokens live in real time, not the emulated clock); past it, or for anything new, the header
    goes through `authenticate` again, which gives every refusal its reason.
    """

    def __init__(self, size: int = 1024):
        self.size = size
        self._verifier: TokenVerifier | None = None
        self._known: dict[str, tuple[Principal, float]] = {}

    def principal(self, request: Request, verifier: TokenVerifier) -> Principal:
        if verifier is not self._verifier:  # another key set: nothing known holds
            self._verifier, self._known = verifier, {}
        header = request.headers.get("authorization", "")
        known = self._known.get(header)
        if known is not None and time.time() < known[1]:
            return known[0]
        principal = authenticate(request.headers, verifier)
        exp = jwt.decode(header.strip().partition(" ")[2].strip(), options={"verify_signature": False}).get("exp")
        if isinstance(exp, (int, float)):
            if len(self._known) >= self.size:
                # One app can be served from several threads at once (the pytest plugin's server,
                # TestClient): clear() is atomic where evicting one entry is not.
                self._known.clear()
            self._known[header] = (principal, float(exp))
        return principal


async def meet_api_fault(emulator: Emulator, operation_id: str) -> Any:
    """What an API call meets before anything else (both doors): the latency and the fault's delay
    waited out, then the injected fault that answers instead, or None when the call goes on."""
    fault, delay = emulator.api_fault_for(operation_id)
    if fault is not None:
        emulator.story.api_fault(operation_id, fault.status, delay, fault.id, emulator.clock.now())
    if delay:
        await asyncio.sleep(delay / 1000)
    return fault if fault is not None and fault.status is not None else None


def endpoint(
    operation: Operation, emulator: Emulator, tokens: VerifiedTokens | None = None, records_json: RecordJSON | None = None
) -> Callable:
    strict = emulator.settings.strict
    strict_client = emulator.settings.strict_client
    operation_id, query_names = validation.operation_info()[(operation.method, operation.path)]
    real_api = operation.real_api
    control_token = emulator.settings.control_token if operation.guarded else None
    tokens = tokens or VerifiedTokens()
    records_json = records_json or RecordJSON()

    async def serve(request: Request) -> Response:
        started = time.perf_counter()
        who: list[Principal] = []  # the caller, once its token is checked
        if real_api:
            fault = await meet_api_fault(emulator, operation_id)
            if fault is not None:
                headers = {"Retry-After": str(fault.retry_after)} if fault.status == 429 else None
                message = f"injected fault {fault.id}: {operation_id} answers {fault.status}"
                response: Response = error_response(fault.status, "INJECTED_FAULT", message, headers=headers)
                try:
                    who.append(tokens.principal(request, emulator.verifier))
                except AuthError:
                    pass
                _record(request, response, [], b"", who, started)
                return response
        try:
            body = await request.body() if _may_have_body(request) else b""
        except ClientDisconnect:  # the client went away mid-body: nobody to answer, nothing to log but a line
            log.info("%s %s: the client disconnected before its body arrived", request.method, request.url.path)
            return Response(status_code=400)
        # An empty query value (`?cursor=`) means the parameter is absent, as most servers read it.
        query = [(k, v) for k, v in request.query_params.multi_items() if v != ""] if request.scope["query_string"] else []
        core = validation.core_request(
            "get" if request.method == "HEAD" else request.method,
            _url_path(request),
            operation.path,
            query,
            request.headers,
            request.path_params,
            body,
            request.headers.get("content-type", "application/json" if body else ""),
        )
        violations: list[dict[str, str]] = []
        response = _serve(request, core, body, _first_values(query), violations, who)
        if isinstance(response, Later):
            response = await run_in_threadpool(response.response)
        if strict:
            response = _check_response(core, response)
        if real_api:
            _record(request, response, violations, body, who, started)
        elif request.method not in ("GET", "HEAD"):
            emulator.story.control(request.method, _url_path(request), _json_or_none(body), response.status_code, emulator.clock.now())
        return response

    def _record(
        request: Request, response: Response, violations: list[dict[str, str]], body: bytes, who: list[Principal],
        started: float,
    ) -> None:
        path = _url_path(request)
        call = Call(operation_id, request.method, path, response.status_code, violations)
        answer = getattr(response, "body", None)  # a streamed body (file content) is not kept
        entry = Entry(
            request.method, path, request.scope["query_string"].decode("latin-1"), response.status_code,
            round((time.perf_counter() - started) * 1000, 2), emulator.clock.now(), time.time(),
            operation_id, who[0].tenant if who else None, cut(body), cut(answer), violations,
        )
        emulator.record_request(call, entry)
        if response.status_code >= 400:
            emulator.story.refused(entry)

    def _serve(
        request: Request, core: validation.CoreRequest, body: bytes, query: dict[str, str], violations: list,
        who: list[Principal],
    ) -> Response | Later:
        principal = None
        if real_api:
            try:
                principal = tokens.principal(request, emulator.verifier)
                who.append(principal)
            except AuthError as exc:
                violations.append(violation("header", "Authorization", exc.code, exc.message))
                return error_response(401, exc.code, exc.message, headers={"WWW-Authenticate": "Bearer"})
        elif control_token is not None:
            try:
                check_control_token(request.headers, control_token)
            except AuthError as exc:
                return error_response(401, exc.code, exc.message, headers={"WWW-Authenticate": "Bearer"})
        problems = validation.validate_request(core)
        # Parameters the spec does not name are ignored, as the real service does, but noted.
        unknown = [
            violation("query", name, "unknownParameter", f"query parameter '{name}' is not part of {operation_id}")
            for name in query
            if name not in query_names
        ]
        violations.extend(problems + unknown)
        if strict_client:
            problems = problems + unknown
        if problems:
            summary = "; ".join(p["message"] for p in problems)
            return error_response(400, "VALIDATION_FAILED", f"invalid request: {summary}", problems)
        parsed = core.body_value if core.parsed else _json_or_none(body)
        context = Context(request, emulator, principal, dict(request.path_params), query, parsed, records_json)
        try:
            result = operation.handler(context) if operation.long else emulator.run(lambda: operation.handler(context))
        except DomainError as exc:
            return domain_error_response(exc)
        return result if isinstance(result, (Response, Later)) else JSON(result)

    return serve


def _first_values(query: list[tuple[str, str]]) -> dict[str, str]:
    """A repeated parameter is read as openapi-core validates it: its first value."""
    first: dict[str, str] = {}
    for name, value in query:
        first.setdefault(name, value)
    return first


def _may_have_body(request: Request) -> bool:
    # HTTP/1.1: no Content-Length and no Transfer-Encoding, no body (reading it costs a receive()).
    return request.method not in ("GET", "HEAD") or "content-length" in request.headers or "transfer-encoding" in request.headers


def _url_path(request: Request) -> str:
    """request.url.path without building the whole URL (a few percent of a cheap request)."""
    return request.scope["path"].replace("?", "%3F").replace("#", "%23").replace("\\", "%5C")


def _json_or_none(body: bytes) -> Any:
    # Bodies of operations that take one were validated already; others (a GET with "{}") are ignored.
    if not body.strip():
        return None
    try:
        return json.loads(body)
    except ValueError:
        return None


def _check_response(core: validation.CoreRequest, response: Response) -> Response:
    content_type = response.headers.get("content-type", "")
    data = getattr(response, "body", None)
    if data is None:  # streamed bodies are checked by their own tests, not here
        return response
    problems = validation.validate_response(
        core, validation.CoreResponse(response.status_code, data, content_type.split(";")[0], response.headers)
    )
    if not problems:
        return response
    fields = ", ".join(f"{p['path']} ({p['rule']})" for p in problems)
    return error_response(
        500, "RESPONSE_VALIDATION_FAILED", f"strict mode: the emulator's response broke the spec at {fields}", problems
    )


def routes(operations: list[Operation], emulator: Emulator) -> list[Route]:
    """One route per path, so a wrong method gets a 405 whose Allow lists every method of the path."""
    by_path: dict[str, dict[str, Callable]] = {}
    tokens, records_json = VerifiedTokens(), RecordJSON()
    emulator.on_reset.append(records_json.clear)  # the records it holds are gone
    for op in operations:
        by_path.setdefault(op.path, {})[op.method] = endpoint(op, emulator, tokens, records_json)
        if op.method == "GET":
            by_path[op.path]["HEAD"] = by_path[op.path]["GET"]

    def dispatcher(handlers: dict[str, Callable]) -> Callable:
        async def dispatch(request: Request) -> Response:
            return await handlers[request.method](request)

        return dispatch

    return [Route(path, dispatcher(handlers), methods=list(handlers)) for path, handlers in by_path.items()]
