"""The baseline server: bare Starlette answering fixed bytes from memory, under uvicorn as `serve` runs it.

`python -m benchmarks._bare MANIFEST PORT`; MANIFEST is JSON {"METHOD /path": {"status", "contentType",
"body" (base64)}}, the emulator's own answers captured by the benchmark, so both servers send the
same bytes. No auth, no validation, no state: what is left is Starlette, uvicorn and the socket.
"""

from __future__ import annotations

import base64
import json
import sys
from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ._harness import HOST, Process, free_port


def app(manifest: dict[str, dict[str, str]]) -> Starlette:
    answers = {
        key: (value["status"], value["contentType"], base64.b64decode(value["body"])) for key, value in manifest.items()
    }

    async def answer(request: Request) -> Response:
        found = answers.get(f"{request.method} {request.url.path}")
        if found is None:
            return Response(b"", status_code=404)
        status, content_type, body = found
        return Response(body, status_code=int(status), media_type=content_type)

    return Starlette(routes=[Route("/{path:path}", answer, methods=["GET", "POST"])])


def entry(method: str, path: str, status: int, content_type: str, body: bytes) -> tuple[str, dict[str, object]]:
    return f"{method} {path}", {"status": status, "contentType": content_type, "body": base64.b64encode(body).decode()}


def process(manifest_path: Path, name: str = "bare") -> Process:
    port = free_port()
    return Process([sys.executable, "-m", "benchmarks._bare", str(manifest_path), str(port)], port, name, "/_bare/ready")


if __name__ == "__main__":
    import uvicorn

    manifest = json.loads(Path(sys.argv[1]).read_text())
    manifest.update(dict([entry("GET", "/_bare/ready", 200, "text/plain", b"ok")]))
    # The same uvicorn.run call as `paragon-emulator serve` (cli.py), at the benchmarks' log level.
    # The same stack too: uvloop and httptools where installed, as `serve` picks them.
    uvicorn.run(
        app(manifest), host=HOST, port=int(sys.argv[2]), log_level="warning", timeout_graceful_shutdown=5,
        loop="auto", http="auto",
    )
