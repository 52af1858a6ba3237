"""Builds the Starlette app: the routes table, JSON 404/405, and the clock's ticker."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from typing import AsyncIterator, Callable

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount, Router
from starlette.types import ASGIApp, Receive, Scope, Send

from .emulator import Emulator
from .http import control, observe, permissions, records, syncs
from .http.errors import error_response
from .http.route_table import RouteTable
from .http.routing import Operation, routes
from .http.ui import routes as ui_routes
from .settings import Settings

OPERATIONS: list[Operation] = syncs.OPERATIONS + records.OPERATIONS + permissions.OPERATIONS + control.OPERATIONS
OPERATIONS += observe.OPERATIONS


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 405:
        allowed = exc.headers.get("Allow", "") if exc.headers else ""
        return error_response(
            405,
            "METHOD_NOT_ALLOWED",
            f"{request.method} is not allowed on {request.url.path}; allowed: {allowed}",
            headers={"Allow": allowed},
        )
    if exc.status_code == 404:
        return error_response(404, "ROUTE_NOT_FOUND", f"no operation at {request.method} {request.url.path}")
    return error_response(exc.status_code, "HTTP_ERROR", str(exc.detail))


async def _ticker(emulator: Emulator) -> None:
    """Run timers as real (or accelerated) time makes them due; idle in manual mode."""
    while True:
        await asyncio.sleep(emulator.tick())


class BuiltOnFirstCall:
    """An ASGI app made when it is first called: the Nango front end's modules and routes (~15 ms
    of start-up) are built only by a server that gets a Nango request."""

    def __init__(self, build: Callable[[], ASGIApp]):
        self._build = build
        self._app: ASGIApp | None = None
        self._lock = threading.Lock()  # the plugin's server and in-process clients may share one app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self._app is None:
            with self._lock:
                if self._app is None:
                    self._app = self._build()
        await self._app(scope, receive, send)


def _nango_router(emulator: Emulator) -> Router:
    from .nango.http import routes  # the Nango-compatible front end (docs/nango.md)

    return Router(routes=routes(emulator))


def create_app(settings: Settings | Emulator | None = None) -> Starlette:
    emulator = settings if isinstance(settings, Emulator) else Emulator(settings)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        task = asyncio.create_task(_ticker(emulator))
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            # A stop asked for (SIGTERM, Ctrl-C) gives undelivered webhooks their grace period.
            emulator.close(emulator.settings.webhook_shutdown_grace_seconds if emulator.stopping.is_set() else 0)

    mounted: list = []
    if emulator.settings.nango_prefix != "off":
        mounted.append(Mount(emulator.settings.nango_prefix, app=BuiltOnFirstCall(lambda: _nango_router(emulator))))
    app = Starlette(
        routes=routes(OPERATIONS, emulator) + ui_routes() + mounted,
        exception_handlers={404: _http_error, 405: _http_error},
        lifespan=lifespan,
    )
    RouteTable.install(app.router)
    app.state.emulator = emulator
    return app
