"""The emulator's control plane under /_emulator/ (and the spec at /openapi.json). No auth."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from starlette.responses import Response

from . import validation
from .routing import Context, Operation
from .syncs import sync_json


def spec(ctx: Context) -> Response:
    return Response(validation.spec_json(), media_type="application/json")


def health(ctx: Context) -> dict[str, Any]:
    return {"status": "ok"}


def info(ctx: Context) -> dict[str, Any]:
    return ctx.emulator.info()


def reset(ctx: Context) -> dict[str, Any]:
    body = ctx.body or {}
    return {"syncsRemoved": ctx.emulator.reset(body.get("projectId"), body.get("userId"))}


def get_clock(ctx: Context) -> dict[str, Any]:
    return ctx.emulator.clock_state()


def set_clock(ctx: Context) -> dict[str, Any]:
    body = ctx.body
    now = datetime.fromisoformat(body["now"].replace("Z", "+00:00")) if "now" in body else None
    ctx.emulator.set_clock(body.get("mode"), body.get("rate"), now)
    return ctx.emulator.clock_state()


def advance(ctx: Context) -> dict[str, Any]:
    ran = ctx.emulator.advance(ctx.body.get("seconds"), ctx.body.get("duration"))
    return {"clock": ctx.emulator.clock_state(), "timersRun": ran}


def tenants(ctx: Context) -> dict[str, Any]:
    return {
        "data": [
            {"projectId": p, "userId": u, "syncs": [sync_json(s) for s in syncs]}
            for p, u, syncs in ctx.emulator.tenants()
        ]
    }


def mint_token(ctx: Context) -> dict[str, Any]:
    body = ctx.body
    token, exp = ctx.emulator.token(
        body["userId"], body.get("projectId"), body.get("expiresIn", 3600), body.get("audienceHost"), body.get("claims")
    )
    return {"token": token, "expiresAt": datetime.fromtimestamp(exp, timezone.utc)}


OPERATIONS = [
    Operation("GET", "/openapi.json", spec, secured=False),
    Operation("GET", "/_emulator/health", health, secured=False),
    Operation("GET", "/_emulator/info", info, secured=False),
    Operation("POST", "/_emulator/reset", reset, secured=False),
    Operation("GET", "/_emulator/clock", get_clock, secured=False),
    Operation("PUT", "/_emulator/clock", set_clock, secured=False),
    Operation("POST", "/_emulator/clock/advance", advance, secured=False),
    Operation("GET", "/_emulator/tenants", tenants, secured=False),
    Operation("POST", "/_emulator/tokens", mint_token, secured=False),
]
