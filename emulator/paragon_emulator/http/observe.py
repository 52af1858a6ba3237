"""/_emulator/logs (the Monitoring-style event log) and /_emulator/requests (the request journal)."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from ..domain.errors import InvalidInput
from ..observe.event_log import Filters
from .routing import Context, Operation


def _time(ctx: Context, name: str) -> datetime | None:
    text = ctx.query.get(name)
    if text is None:
        return None
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise InvalidInput(name, f"{name} must be an ISO 8601 date-time, not '{text}'") from None
    return value if value.tzinfo is not None else value.replace(tzinfo=timezone.utc)


def _limit(ctx: Context) -> int:
    return int(ctx.query.get("limit", 100))


def logs(ctx: Context) -> dict[str, Any]:
    q = ctx.query
    filters = Filters(
        q.get("syncId"), q.get("traceId"), q.get("projectId"), q.get("userId"), q.get("integration"), q.get("type"),
        _time(ctx, "since"), _time(ctx, "until"),
    )
    return ctx.emulator.monitoring_events(filters, q.get("cursor"), _limit(ctx))


def requests(ctx: Context) -> dict[str, Any]:
    q = ctx.query
    status = int(q["status"]) if "status" in q else None
    return ctx.emulator.request_journal(q.get("projectId"), q.get("userId"), q.get("cursor"), _limit(ctx), status)


OPERATIONS = [
    Operation("GET", "/_emulator/logs", logs),
    Operation("GET", "/_emulator/requests", requests),
]
