"""Sync API handlers: parse -> call the domain -> render."""

from __future__ import annotations

from typing import Any

from ..domain.service import EnableRequest
from ..domain.syncs import Sync
from .routing import Context, Operation


def sync_json(sync: Sync) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": sync.id,
        "userId": sync.user_id,
        "projectId": sync.project_id,
        "integration": sync.integration,
        "pipeline": sync.pipeline,
        "status": str(sync.status),
        "credentialId": sync.credential_id,
        "dateCreated": sync.created_at,
        "dateUpdated": sync.updated_at,
    }
    if sync.configuration_name is not None:
        body["configurationName"] = sync.configuration_name
    if sync.reason:
        body["reason"] = sync.reason
    return body


def status_json(sync: Sync) -> dict[str, Any]:
    summary: dict[str, Any] = {
        "totalRecords": sync.records.total,
        "syncedRecordsCount": sync.records.active,
    }
    if sync.last_synced_at is not None:
        summary["lastSyncedAt"] = sync.last_synced_at
    if sync.last_full_synced_at is not None:
        summary["lastPeriodicFullSyncedAt"] = sync.last_full_synced_at
    latest = sync.records.latest_cursor
    if latest is not None:
        summary["latestCursor"] = latest
    body: dict[str, Any] = {"status": str(sync.status), "summary": summary, "credentialId": sync.credential_id}
    if sync.frequency is not None:
        body["incrementalAccumulatorFrequency"] = sync.frequency
    if sync.rate_limit_backoff_ms is not None:
        body["rateLimitBackoffMs"] = sync.rate_limit_backoff_ms
    if sync.reason:
        body["reason"] = sync.reason
    return body


def enable(ctx: Context) -> dict[str, Any]:
    body = ctx.body
    request = EnableRequest(
        integration=body["integration"],
        pipeline=body["pipeline"],
        configuration=body.get("configuration") or {},
        configuration_name=body.get("configurationName"),
        credential_id=body.get("credentialId"),
    )
    return sync_json(ctx.emulator.syncs.enable(ctx.tenant, request))


def list_syncs(ctx: Context) -> dict[str, Any]:
    syncs = ctx.emulator.syncs.list(ctx.tenant, ctx.query.get("credentialId"))
    return {"data": [sync_json(s) for s in syncs]}


def status(ctx: Context) -> dict[str, Any]:
    return status_json(ctx.emulator.syncs.get(ctx.tenant, ctx.path["syncId"]))


def update(ctx: Context) -> dict[str, Any]:
    credential = ctx.body.get("credentialId")
    frequency = ctx.body.get("incrementalAccumulatorFrequency")
    sync = ctx.emulator.syncs.update(ctx.tenant, ctx.path["syncId"], credential, frequency)
    data = {k: v for k, v in (("credentialId", credential), ("incrementalAccumulatorFrequency", frequency)) if v}
    return {"id": sync.id, "data": data, "message": "Update request accepted and is being processed"}


def disable(ctx: Context) -> dict[str, Any]:
    return sync_json(ctx.emulator.syncs.disable(ctx.tenant, ctx.path["syncId"]))


def reenable(ctx: Context) -> dict[str, Any]:
    return sync_json(ctx.emulator.syncs.reenable(ctx.tenant, ctx.path["syncId"]))


def delete(ctx: Context) -> dict[str, Any]:
    sync = ctx.emulator.syncs.delete(ctx.tenant, ctx.path["syncId"])
    return {"id": sync.id, "message": "Sync successfully deleted"}


OPERATIONS = [
    Operation("POST", "/api/syncs", enable),
    Operation("GET", "/api/syncs", list_syncs),
    Operation("GET", "/api/syncs/{syncId}", status),
    Operation("PATCH", "/api/syncs/{syncId}", update),
    Operation("DELETE", "/api/syncs/{syncId}", delete),
    Operation("POST", "/api/syncs/{syncId}/disable", disable),
    Operation("POST", "/api/syncs/{syncId}/reenable", reenable),
]
