"""Start-up imports only what the first requests need: openapi-core (~300 ms), httpx and the content
libraries come when a request first needs them, and the answers are the same either way.

Each check runs in a fresh interpreter (an import, once made, stays for the process), serves
requests through the app as ASGI, and prints what it got and which modules were loaded.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from paragon_emulator.spec import validation
from paragon_emulator.spec.unchecked import unchecked

BEARER = [("authorization", "Bearer x.y.z")]  # openapi-core reads the security scheme before the parameters

_SERVE = r"""
import asyncio, json, sys
from paragon_emulator.cli import build_parser
build_parser()  # every command's parser, as `paragon-emulator serve` builds them
from paragon_emulator.app import create_app
from paragon_emulator.settings import Settings
from paragon_emulator.tokens import mint

settings = Settings(clock_mode="manual")
app = create_app(settings)
token = mint(settings, "alice")[0]

async def call(method, path, query=b"", body=b""):
    headers = [(b"host", b"emulator"), (b"authorization", b"Bearer " + token.encode())]
    if body:
        headers += [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method, "scheme": "http",
             "path": path, "raw_path": path.encode(), "query_string": query, "root_path": "", "headers": headers,
             "client": ("127.0.0.1", 1), "server": ("127.0.0.1", 80)}
    sent = []
    async def receive():
        return {"type": "http.request", "body": body, "more_body": False}
    async def send(message):
        sent.append(message)
    await app(scope, receive, send)
    return sent[0]["status"], b"".join(m.get("body", b"") for m in sent[1:])

WATCHED = ("openapi_core", "werkzeug", "httpx", "faker", "fpdf", "docx", "openpyxl", "pptx", "PIL", "yaml", "hypothesis",
           "http.server", "paragon_emulator.nango.http", "paragon_emulator.sources.content.docx")
seen = []
for method, path, query, body in json.loads(sys.argv[1]):
    status, answer = asyncio.run(call(method, path, query.encode(), body.encode()))
    seen.append({"status": status, "body": json.loads(answer) if answer else None,
                 "loaded": sorted(m for m in WATCHED if m in sys.modules)})
print(json.dumps(seen))
"""


def _serve(*requests: tuple[str, str, str, str]) -> list[dict]:
    out = subprocess.run(
        [sys.executable, "-c", _SERVE, json.dumps(requests)], capture_output=True, text=True, timeout=120, check=False
    )
    assert out.returncode == 0, out.stderr[-3000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_listing_syncs_first_needs_none_of_the_heavy_libraries():
    first, second = _serve(("GET", "/api/syncs", "", ""), ("GET", "/api/syncs/nope", "", ""))
    assert first["status"] == 200 and first["body"] == {"data": []}, first
    assert second["status"] == 404, second
    assert first["loaded"] == [] and second["loaded"] == []


def test_the_nango_front_end_is_built_by_its_first_request():
    first, nango = _serve(("GET", "/api/syncs", "", ""), ("GET", "/nango/connections", "", ""))
    assert first["loaded"] == []
    assert nango["status"] == 401 and nango["body"]["error"]["code"] == "invalid_secret_key_format", nango  # a Paragon token is no Nango key
    assert "paragon_emulator.nango.http" in nango["loaded"]


def test_a_request_that_needs_openapi_core_gets_it_and_the_same_answer():
    # A bad page size is refused by openapi-core's reading, as it was when it was imported at start-up.
    first, bad, good = _serve(
        ("GET", "/api/syncs", "", ""),
        ("GET", "/api/syncs/s1/records", "pageSize=abc", ""),
        ("POST", "/api/syncs", "", '{"integration": 5}'),
    )
    assert first["loaded"] == []
    assert bad["status"] == 400 and "openapi_core" in bad["loaded"], bad
    assert bad["body"]["code"] == "VALIDATION_FAILED" and "pageSize" in bad["body"]["message"], bad
    assert good["status"] == 400 and good["body"]["code"] == "VALIDATION_FAILED", good


def test_an_empty_query_value_on_an_unchecked_operation_is_read_by_openapi_core():
    # The router drops empty values (?credentialId=), so this reaches openapi-core only through
    # validation directly: the unchecked road must hand it over, not accept it.
    request = validation.core_request("GET", "/api/syncs", "/api/syncs", [("credentialId", "")], BEARER, {}, b"", "")
    stock = validation.violations(validation.openapi().request_validator.iter_errors(request))
    assert stock, "openapi-core refuses an empty query value"
    fresh = validation.core_request("GET", "/api/syncs", "/api/syncs", [("credentialId", "")], BEARER, {}, b"", "")
    assert validation.openapi_violations(fresh) == stock


@pytest.mark.parametrize(
    "method,path,expected",
    [
        ("GET", "/api/syncs", True),  # credentialId: any string
        ("GET", "/api/syncs/{syncId}", True),  # syncId: minLength 1, which a path segment always has
        ("DELETE", "/api/syncs/{syncId}", True),
        ("POST", "/api/syncs", False),  # a body
        ("GET", "/api/syncs/{syncId}/records", False),  # pageSize: an integer
        ("GET", "/_emulator/upstream/{projectId}/{userId}/{integration}/{kind}", False),  # kind: an enum
        ("GET", "/api/nowhere", False),
    ],
)
def test_which_operations_no_request_can_fail(method, path, expected):
    assert unchecked(validation.spec_dict(), method, path) is expected
