"""Permissions API handlers: parse the question, ask the sync's permission graph, render the answer."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Iterator

from starlette.responses import StreamingResponse

from ..domain.clock import iso
from ..domain.errors import InvalidInput
from ..domain.permissions import LIST_CAP, PermissionGraph, check_role, parse_object, parse_user
from ..domain.syncs import Status
from .routing import Context, Operation

NDJSON = "application/x-ndjson"
LINES_PER_CHUNK = 500


def _sync_graph(ctx: Context) -> PermissionGraph:
    return ctx.emulator.syncs.graph(ctx.tenant, ctx.path["syncId"])


def _answer(graph: PermissionGraph, question: dict[str, Any]) -> bool:
    type_, oid = parse_object(question["object"])
    return graph.check(parse_user(question["user"]), check_role(question["role"]), oid, type_)


def check(ctx: Context) -> dict[str, Any]:
    return {"hasAccess": _answer(_sync_graph(ctx), ctx.body)}


def batch_check(ctx: Context) -> dict[str, Any]:
    return {"result": _sync_graph(ctx).batch_check(ctx.body["checks"], ctx.emulator.settings.batch_check_echo)}


def list_users(ctx: Context) -> dict[str, Any]:
    type_, oid = parse_object(ctx.body["object"])
    return {"users": _sync_graph(ctx).list_users(oid, check_role(ctx.body["role"]), type_)[:LIST_CAP]}


def _objects(graph: PermissionGraph, body: dict[str, Any], limit: int | None = None) -> list[str]:
    return graph.list_objects(*_object_question(body), limit=limit)


def _object_question(body: dict[str, Any]) -> tuple[str, str, str]:
    return parse_user(body["user"]), body["objectType"], check_role(body["role"])


def list_objects(ctx: Context) -> dict[str, Any]:
    return {"objects": _objects(_sync_graph(ctx), ctx.body, LIST_CAP)}


def _stream(lines: list[dict[str, Any]]) -> StreamingResponse:
    """Newline-delimited JSON, sent chunked; the answer is taken whole, under the lock, first."""

    def chunks() -> Iterator[bytes]:
        for start in range(0, len(lines), LINES_PER_CHUNK):
            yield "".join(json.dumps(line, separators=(",", ":")) + "\n" for line in lines[start : start + LINES_PER_CHUNK]).encode()

    return StreamingResponse(chunks(), media_type=NDJSON)


def stream_objects(ctx: Context) -> StreamingResponse:
    return _stream([{"object": oid} for oid in _objects(_sync_graph(ctx), ctx.body)])


def stream_objects_all_syncs(ctx: Context) -> StreamingResponse:
    question = _object_question(ctx.body)  # a bad question is a 400 for the whole call, not per sync
    lines: list[dict[str, Any]] = []
    for sync in ctx.emulator.syncs.list(ctx.tenant):
        if sync.permissions is None:
            continue  # syncs without a permission store are skipped silently, as documented
        head = {"syncInstanceId": sync.id, "integration": sync.integration}
        if sync.status == Status.ERRORED:
            lines.append({**head, "error": f"sync {sync.id} is ERRORED: {sync.reason}"})
            continue
        lines.extend({**head, "object": oid} for oid in sync.permissions.list_objects(*question))
    return _stream(lines)


def expand(ctx: Context) -> dict[str, Any]:
    graph = _sync_graph(ctx)
    target = ctx.body["object"]
    if target.startswith("group:"):
        relation = ctx.body.get("relation", "member")
        if relation != "member":
            raise InvalidInput("relation", f"groups have one relation, member, not {relation!r}")
        return {"tree": {"root": graph.expand_group(target[len("group:"):].lower())}}
    type_, oid = parse_object(target)
    return {"tree": {"root": graph.expand(oid, ctx.body.get("relation", "can_read"), type_)}}


def changes(ctx: Context) -> dict[str, Any]:
    graph = _sync_graph(ctx)
    settings = ctx.emulator.settings
    size = min(int(ctx.query.get("pageSize", settings.page_size_default)), settings.page_size_max)
    start = None
    if "startTime" in ctx.query:
        try:
            start = datetime.fromisoformat(ctx.query["startTime"])
        except ValueError:
            raise InvalidInput("startTime", f"startTime must be an ISO 8601 date-time, not {ctx.query['startTime']!r}") from None
        if start.tzinfo is None:
            raise InvalidInput("startTime", "startTime needs a time zone (e.g. 2026-01-05T09:00:00Z)")
    page, token = graph.changes(ctx.query.get("continuationToken"), start, ctx.query.get("type"), size)
    return {
        "changes": [
            {
                "tupleKey": {"user": c.user, "relation": c.relation, "object": c.object},
                "operation": c.operation,
                "timestamp": iso(c.at),
            }
            for c in page
        ],
        "continuationToken": token,
    }


OPERATIONS = [
    Operation("POST", "/api/permissions/{syncId}/check", check),
    Operation("POST", "/api/permissions/{syncId}/batch-check", batch_check),
    Operation("POST", "/api/permissions/{syncId}/list-users", list_users),
    Operation("POST", "/api/permissions/{syncId}/list-objects", list_objects),
    Operation("POST", "/api/permissions/{syncId}/streamed-list-objects", stream_objects),
    Operation("POST", "/api/permissions/streamed-list-objects", stream_objects_all_syncs),
    Operation("POST", "/api/permissions/{syncId}/expand", expand),
    Operation("GET", "/api/permissions/{syncId}/changes", changes),
]
