"""The dashboard at /_emulator/ui, the landing page at /, and the API docs: every asset served from here.

The pages hold no data: their script reads the control plane's JSON (and the API, with a token the
control plane mints) like any client, so the control token guards the data, not the pages. Nothing
is fetched from any other host (no CDN): CI has no network, and a dashboard must not leak.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, Response
from starlette.routing import Route

from ..errors import error_response

STATIC = Path(str(resources.files(__package__).joinpath("static")))
MEDIA = {".js": "text/javascript", ".css": "text/css", ".html": "text/html", ".png": "image/png", ".map": "application/json"}
# What the pages may load: this server only (the browser tests check it too).
CSP = "default-src 'self'; img-src 'self' blob: data:; style-src 'self' 'unsafe-inline'; script-src 'self'; frame-ancestors 'none'"


def _swagger_dir() -> Path | None:
    try:
        import swagger_ui_bundle
    except ImportError:
        return None
    return Path(swagger_ui_bundle.swagger_ui_path)


def _page(name: str) -> Response:
    return HTMLResponse((STATIC / name).read_text(), headers={"Content-Security-Policy": CSP, "Cache-Control": "no-cache"})


def _file(folder: Path | None, name: str) -> Response:
    if folder is None or "/" in name or name.startswith(".") or Path(name).suffix not in MEDIA:
        return error_response(404, "ROUTE_NOT_FOUND", f"no asset '{name}'")
    path = folder / name
    if not path.is_file():
        return error_response(404, "ROUTE_NOT_FOUND", f"no asset '{name}'")
    return FileResponse(path, media_type=MEDIA[path.suffix], headers={"Cache-Control": "max-age=300"})


async def landing(request: Request) -> Response:
    return _page("landing.html")


async def dashboard(request: Request) -> Response:
    return _page("dashboard.html")


async def docs(request: Request) -> Response:
    return _page("docs.html")


async def asset(request: Request) -> Response:
    return _file(STATIC, request.path_params["name"])


async def swagger_asset(request: Request) -> Response:
    return _file(_swagger_dir(), request.path_params["name"])


def routes() -> list[Route]:
    return [
        Route("/", landing, methods=["GET", "HEAD"]),
        Route("/_emulator/ui", dashboard, methods=["GET", "HEAD"]),
        Route("/_emulator/ui/docs", docs, methods=["GET", "HEAD"]),
        Route("/_emulator/ui/static/{name}", asset, methods=["GET", "HEAD"]),
        Route("/_emulator/ui/swagger/{name}", swagger_asset, methods=["GET", "HEAD"]),
    ]
