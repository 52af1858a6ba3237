"""Records handlers: pull pages, get one record, download its content."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from .routing import Context, Operation


def pull(ctx: Context) -> Response:
    settings = ctx.emulator.settings
    size = int(ctx.query.get("pageSize", settings.page_size_default))
    cursor = ctx.query.get("cursor") or None
    page, data_of = ctx.emulator.syncs.page(ctx.tenant, ctx.path["syncId"], cursor, min(size, settings.page_size_max))
    paging: dict[str, Any] = {
        "totalRecords": page.total,
        "totalActiveRecords": page.active,
        "remainingRecords": page.remaining,
        "lastSeen": page.last_seen_ms,
    }
    if page.cursor is not None:
        paging["cursor"] = page.cursor
    return ctx.records_json.page(page.keys, lambda missing: data_of(page.views(missing)), {"paging": paging})


def get_record(ctx: Context) -> Response:
    record, data_of = ctx.emulator.syncs.record(ctx.tenant, ctx.path["syncId"], ctx.path["recordId"])
    return ctx.records_json.one(record.key, lambda missing: data_of([record]))


def content(ctx: Context) -> Response:
    data, media_type = ctx.emulator.syncs.content(ctx.tenant, ctx.path["syncId"], ctx.path["recordId"])
    return Response(data, media_type=media_type)


OPERATIONS = [
    Operation("GET", "/api/syncs/{syncId}/records", pull),
    Operation("GET", "/api/syncs/{syncId}/records/{recordId}", get_record),
    Operation("GET", "/api/syncs/{syncId}/records/{recordId}/content", content),
]
