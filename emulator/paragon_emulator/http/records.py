"""Records handlers: pull pages, get one record, download its content."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from ..domain.errors import InvalidInput, NoContent, RecordNotFound
from .routing import Context, Operation


def pull(ctx: Context) -> Response:
    settings = ctx.emulator.settings
    sync = ctx.emulator.syncs.get(ctx.tenant, ctx.path["syncId"])
    size = int(ctx.query.get("pageSize", settings.page_size_default))
    if size < 1:
        raise InvalidInput("pageSize", f"pageSize must be at least 1, not {size}")
    page = sync.records.page(ctx.query.get("cursor") or None, min(size, settings.page_size_max))
    paging: dict[str, Any] = {
        "totalRecords": page.total,
        "totalActiveRecords": page.active,
        "remainingRecords": page.remaining,
        "lastSeen": page.last_seen_ms,
    }
    if page.cursor is not None:
        paging["cursor"] = page.cursor
    return ctx.records_json.page(ctx.emulator.work.records_data(sync, page.records), {"paging": paging})


def get_record(ctx: Context) -> Response:
    sync = ctx.emulator.syncs.get(ctx.tenant, ctx.path["syncId"])
    return ctx.records_json.one(ctx.emulator.work.record_data(sync, sync.records.get(ctx.path["recordId"])))


def content(ctx: Context) -> Response:
    sync = ctx.emulator.syncs.get(ctx.tenant, ctx.path["syncId"])
    record = sync.records.get(ctx.path["recordId"])
    if record.deleted:
        raise RecordNotFound("recordId", f"record '{record.id}' was deleted upstream; its content is gone")
    found = ctx.emulator.work.content(sync, record)
    if found is None:
        raise NoContent("recordId", f"record '{record.id}' has no downloadable content (a folder, or no file body)")
    data, media_type = found
    return Response(data, media_type=media_type)


OPERATIONS = [
    Operation("GET", "/api/syncs/{syncId}/records", pull),
    Operation("GET", "/api/syncs/{syncId}/records/{recordId}", get_record),
    Operation("GET", "/api/syncs/{syncId}/records/{recordId}/content", content),
]
