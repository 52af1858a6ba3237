"""The emulator's control plane under /_emulator/ (and the spec at /openapi.json). No auth."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

from starlette.responses import Response

from ..spec import validation
from .routing import Context, Later, Operation
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


def set_clock(ctx: Context) -> Later:
    body = ctx.body
    now = datetime.fromisoformat(body["now"].replace("Z", "+00:00")) if "now" in body else None

    def move() -> dict[str, Any]:
        ctx.emulator.set_clock(body.get("mode"), body.get("rate"), now)
        return ctx.emulator.clock_state()

    return Later(move)


def advance(ctx: Context) -> dict[str, Any] | Later:
    # The first slice runs here; a longer advance goes on on a worker thread.
    ran, rest = ctx.emulator.start_advance(ctx.body.get("seconds"), ctx.body.get("duration"))
    if rest is None:
        return {"clock": ctx.emulator.clock_state(), "timersRun": ran}
    def finish() -> dict[str, Any]:
        total = ran + ctx.emulator.finish_advance(rest)
        return {"clock": ctx.emulator.clock_state(), "timersRun": total}  # the clock once the advance is done

    return Later(finish)


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
    Operation("GET", "/openapi.json", spec),
    Operation("GET", "/_emulator/health", health),
    Operation("GET", "/_emulator/info", info),
    Operation("POST", "/_emulator/reset", reset),
    Operation("GET", "/_emulator/clock", get_clock),
    Operation("PUT", "/_emulator/clock", set_clock, long=True),
    Operation("POST", "/_emulator/clock/advance", advance, long=True),
    Operation("GET", "/_emulator/tenants", tenants),
    Operation("POST", "/_emulator/tokens", mint_token),
]


# -- upstream accounts ---------------------------------------------------------------------------
def _account_args(ctx: Context) -> tuple[str, str, str, str]:
    p = ctx.path
    return p["projectId"], p["userId"], p["integration"], p["kind"]


def item_json(item: dict[str, Any] | None) -> dict[str, Any]:
    assert item is not None
    public = {k: v for k, v in item.items() if not k.startswith("_") and v is not None}
    public["version"] = int(item.get("_version", 0))
    return public


def get_account(ctx: Context) -> dict[str, Any]:
    listing = ctx.emulator.upstream_items(
        *_account_args(ctx), int(ctx.query.get("offset", 0)), int(ctx.query.get("limit", 100))
    )
    return {**listing, "items": [item_json(item) for item in listing["items"]]}


def size_account(ctx: Context) -> dict[str, Any]:
    ctx.emulator.size_upstream(*_account_args(ctx), ctx.body["size"])
    return get_account(ctx)


def create_item(ctx: Context) -> dict[str, Any]:
    return item_json(ctx.emulator.change_upstream(*_account_args(ctx), "create", fields=ctx.body.get("fields", {})))


def update_item(ctx: Context) -> dict[str, Any]:
    changed = ctx.emulator.change_upstream(
        *_account_args(ctx), "update", ctx.path["externalId"], fields=ctx.body["fields"]
    )
    return item_json(changed)


def delete_item(ctx: Context) -> dict[str, Any]:
    ctx.emulator.change_upstream(*_account_args(ctx), "delete", ctx.path["externalId"])
    return {"externalId": ctx.path["externalId"], "deleted": True}


def share_item(ctx: Context) -> dict[str, Any]:
    # A grant in the body shares with someone; no body gives the item back to the connected account.
    action = "grant" if ctx.body else "share"
    return item_json(ctx.emulator.change_upstream(*_account_args(ctx), action, ctx.path["externalId"], fields=ctx.body))


def unshare_item(ctx: Context) -> dict[str, Any]:
    action = "revoke" if ctx.body else "unshare"
    return item_json(ctx.emulator.change_upstream(*_account_args(ctx), action, ctx.path["externalId"], fields=ctx.body))


def get_directory(ctx: Context) -> dict[str, Any]:
    return ctx.emulator.upstream_directory(*_account_args(ctx))


def set_group(ctx: Context) -> dict[str, Any]:
    return ctx.emulator.set_upstream_group(*_account_args(ctx), ctx.path["group"], ctx.body["members"])


def list_scenarios(ctx: Context) -> dict[str, Any]:
    from .. import scenarios

    return {"data": [{"name": s.name, "description": s.description} for s in scenarios.available()]}


def load_scenario(ctx: Context) -> dict[str, Any]:
    return ctx.emulator.load_scenario(ctx.path["name"])


ACCOUNT = "/_emulator/upstream/{projectId}/{userId}/{integration}/{kind}"
OPERATIONS += [
    Operation("GET", ACCOUNT, get_account),
    Operation("PUT", ACCOUNT, size_account),
    Operation("POST", ACCOUNT + "/items", create_item),
    Operation("PATCH", ACCOUNT + "/items/{externalId}", update_item),
    Operation("DELETE", ACCOUNT + "/items/{externalId}", delete_item),
    Operation("POST", ACCOUNT + "/items/{externalId}/share", share_item),
    Operation("POST", ACCOUNT + "/items/{externalId}/unshare", unshare_item),
    Operation("GET", ACCOUNT + "/directory", get_directory),
    Operation("PUT", ACCOUNT + "/directory/groups/{group}", set_group),
    Operation("GET", "/_emulator/scenarios", list_scenarios),
    Operation("POST", "/_emulator/scenarios/{name}", load_scenario),
]


# -- webhooks ------------------------------------------------------------------------------------
def delivery_json(delivery) -> dict[str, Any]:
    event = delivery.event
    body: dict[str, Any] = {
        "id": event.id,
        "type": event.type,
        "syncId": event.sync_id,
        "projectId": event.project_id,
        "userId": event.user_id,
        "createdAt": event.at,
        "status": delivery.status,
        "payload": json.loads(delivery.body),
        "attempts": [
            {
                k: v
                for k, v in {
                    "number": a.number,
                    "at": a.at,
                    "sentAt": datetime.fromtimestamp(a.sent_at, timezone.utc),
                    "statusCode": a.status_code,
                    "latencyMs": a.latency_ms,
                    "error": a.error,
                }.items()
                if v is not None
            }
            for a in list(delivery.attempts)
        ],
    }
    if delivery.next_attempt_at is not None:
        body["nextAttemptAt"] = delivery.next_attempt_at
    return body


def _config_json(project: str, endpoint) -> dict[str, Any]:
    return {"projectId": project, **({"url": endpoint.url} if endpoint.url else {}), "secret": endpoint.secret}


def webhook_config(ctx: Context) -> dict[str, Any]:
    return _config_json(*ctx.emulator.webhook_config(ctx.query.get("projectId")))


def set_webhook_config(ctx: Context) -> dict[str, Any]:
    body = ctx.body
    ctx.emulator.configure_webhooks(body.get("projectId"), body.get("url"), body.get("secret"))
    return _config_json(*ctx.emulator.webhook_config(body.get("projectId")))


def list_webhook_events(ctx: Context) -> dict[str, Any]:
    log = ctx.emulator.webhook_log(ctx.query.get("syncId"), ctx.query.get("type"), ctx.query.get("status"))
    return {"data": [delivery_json(d) for d in log]}


def redeliver(ctx: Context) -> dict[str, Any]:
    return delivery_json(ctx.emulator.redeliver(ctx.path["eventId"]))


def trigger(ctx: Context) -> dict[str, Any]:
    body = ctx.body
    delivery = ctx.emulator.trigger(body["syncId"], body["event"], body.get("recordId"), body.get("message"))
    return delivery_json(delivery)


OPERATIONS += [
    Operation("GET", "/_emulator/webhooks/config", webhook_config),
    Operation("PUT", "/_emulator/webhooks/config", set_webhook_config),
    Operation("GET", "/_emulator/webhooks/events", list_webhook_events),
    Operation("POST", "/_emulator/webhooks/events/{eventId}/redeliver", redeliver),
    Operation("POST", "/_emulator/webhooks/trigger", trigger),
]


# -- faults and the contract report ----------------------------------------------------------------
def list_faults(ctx: Context) -> dict[str, Any]:
    return ctx.emulator.list_faults()


def add_sync_fault(ctx: Context) -> dict[str, Any]:
    b = ctx.body
    fault = ctx.emulator.inject_sync_fault(
        b["syncId"], b["kind"], b.get("once", True),
        backoff_ms=b.get("backoffMs"), record_id=b.get("recordId"), message=b.get("message"),
    )
    return fault.describe()


def add_api_fault(ctx: Context) -> dict[str, Any]:
    b = ctx.body
    rule = ctx.emulator.inject_api_fault(
        b.get("operations"), b.get("status"), b.get("delayMs", 0), b.get("count"), b.get("fraction"),
        b.get("retryAfter", 1),
    )
    return rule.describe()


def set_latency(ctx: Context) -> dict[str, Any]:
    ctx.emulator.set_latency(ctx.body["latencyMs"])
    return list_faults(ctx)


def clear_faults(ctx: Context) -> dict[str, Any]:
    return {"cleared": ctx.emulator.clear_faults()}


def clear_one_fault(ctx: Context) -> dict[str, Any]:
    fault_id = int(ctx.path["faultId"])
    if ctx.path["kind"] == "sync":
        return {"cleared": ctx.emulator.clear_sync_faults(fault_id)}
    return {"cleared": ctx.emulator.clear_api_fault(fault_id)}


# -- snapshots -------------------------------------------------------------------------------------
def get_snapshot(ctx: Context) -> dict[str, Any]:
    return ctx.emulator.snapshot()


def put_snapshot(ctx: Context) -> Later:
    # A restore makes the past again (it can take a while): on a worker thread, the lock taken inside.
    document = ctx.body
    return Later(lambda: ctx.emulator.restore(document))


def save_snapshot(ctx: Context) -> dict[str, Any]:
    return ctx.emulator.save_state()


def contract(ctx: Context) -> dict[str, Any]:
    return ctx.emulator.contract_report()


def clear_contract(ctx: Context) -> dict[str, Any]:
    return ctx.emulator.clear_contract()


OPERATIONS += [
    Operation("GET", "/_emulator/faults", list_faults),
    Operation("DELETE", "/_emulator/faults", clear_faults),
    Operation("POST", "/_emulator/faults/sync", add_sync_fault),
    Operation("POST", "/_emulator/faults/api", add_api_fault),
    Operation("PUT", "/_emulator/faults/latency", set_latency),
    Operation("DELETE", "/_emulator/faults/{kind}/{faultId}", clear_one_fault),
    Operation("GET", "/_emulator/contract", contract),
    Operation("GET", "/_emulator/snapshot", get_snapshot),
    Operation("PUT", "/_emulator/snapshot", put_snapshot, long=True),
    Operation("POST", "/_emulator/snapshot/save", save_snapshot),
    Operation("DELETE", "/_emulator/contract", clear_contract),
]
