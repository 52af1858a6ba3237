"""`control webhooks config | trigger | redeliver` and `control events [--follow]`."""

from __future__ import annotations

import argparse
import json
import time
from typing import TYPE_CHECKING, Any

from . import tables
from .control import Output, segment

if TYPE_CHECKING:
    from .control import Actions
    from .remote import Remote

EVENTS = ("sync_complete", "sync_errored", "record_created", "record_updated", "record_deleted", "record_errored")
STATUSES = ("pending", "delivering", "delivered", "failed", "no_url")
EVENT_HEADERS = ("created", "event id", "type", "sync", "status", "attempts", "last answer")


def event_row(delivery: dict[str, Any]) -> tuple[Any, ...]:
    attempts = delivery["attempts"]
    last = attempts[-1] if attempts else {}
    answer = last.get("error") or last.get("statusCode")
    return (delivery["createdAt"], delivery["id"], delivery["type"], delivery["syncId"], delivery["status"], len(attempts), answer)


def _config(remote: "Remote", args: argparse.Namespace) -> Output:
    change = {k: v for k, v in (("projectId", args.project), ("url", args.set_url), ("secret", args.secret)) if v}
    if args.set_url or args.secret:
        config = remote.call("PUT", "/_emulator/webhooks/config", change)
    else:
        config = remote.call("GET", "/_emulator/webhooks/config", params={"projectId": args.project})
    return Output(config, tables.fields([
        ("project", config["projectId"]), ("url", config.get("url") or "none (events are logged, not sent)"),
        ("secret", config["secret"]),
    ]))


def _trigger(remote: "Remote", args: argparse.Namespace) -> Output:
    body = {"syncId": args.sync_id, "event": args.event}
    if args.record_id:
        body["recordId"] = args.record_id
    if args.message:
        body["message"] = args.message
    delivery = remote.call("POST", "/_emulator/webhooks/trigger", body)
    return Output(delivery, tables.table(EVENT_HEADERS, [event_row(delivery)]))


def _redeliver(remote: "Remote", args: argparse.Namespace) -> Output:
    delivery = remote.call("POST", f"/_emulator/webhooks/events/{segment(args.event_id)}/redeliver")
    return Output(delivery, tables.table(EVENT_HEADERS, [event_row(delivery)]))


def _query(args: argparse.Namespace) -> dict[str, Any]:
    return {"syncId": args.sync, "type": args.type, "status": args.status}


def _events(remote: "Remote", args: argparse.Namespace) -> Output:
    answer = remote.call("GET", "/_emulator/webhooks/events", params=_query(args))
    return Output(answer, tables.table(EVENT_HEADERS, [event_row(d) for d in answer["data"]]))


def follow(remote: "Remote", args: argparse.Namespace, as_json: bool) -> int:
    """Print each event, and each change of its delivery, as it happens, until Ctrl-C."""
    if not args.follow:
        output = _events(remote, args)
        print(json.dumps(output.data, indent=2) if as_json else output.text)
        return 0
    shown: dict[str, tuple[Any, ...]] = {}
    widths = [24, 36, 14, 36, 10, 8]
    if not as_json:
        print("  ".join(h.ljust(w) for h, w in zip(EVENT_HEADERS, widths + [0])).rstrip(), flush=True)
    while True:
        for delivery in remote.call("GET", "/_emulator/webhooks/events", params=_query(args))["data"]:
            row = event_row(delivery)
            if shown.get(delivery["id"]) == row:
                continue
            shown[delivery["id"]] = row
            if as_json:
                print(json.dumps(delivery), flush=True)
            else:
                print("  ".join(tables.cell(c).ljust(w) for c, w in zip(row, widths + [0])).rstrip(), flush=True)
        time.sleep(args.interval)


def add_parsers(actions: "Actions") -> None:
    group = actions.group("webhooks", "where webhooks go; trigger or redeliver one")
    config = group.add("config", "a project's webhook URL and signing secret; set them with --set-url / --secret", _config)
    config.add_argument("--project", help="the project (default: the emulator's default project)")
    config.add_argument("--set-url", metavar="URL", help="send the project's webhooks here")
    config.add_argument("--secret", help="sign them with this secret (whsec_<base64> or any string of 8+ characters)")
    trigger = group.add("trigger", "make a sync emit an event now, like `stripe trigger`", _trigger)
    trigger.add_argument("sync_id", metavar="SYNC_ID")
    trigger.add_argument("event", choices=EVENTS)
    trigger.add_argument("--record-id", help="record_* events: which record (default the sync's first)")
    trigger.add_argument("--message", help="*_errored events: the error message")
    redeliver = group.add("redeliver", "send an event again (a new series of attempts)", _redeliver)
    redeliver.add_argument("event_id", metavar="EVENT_ID")

    events = actions.add("events", "webhook events and their deliveries, oldest first", _events)
    events.add_argument("--sync", metavar="SYNC_ID", help="only this sync's")
    events.add_argument("--type", choices=EVENTS, help="only events of this type")
    events.add_argument("--status", choices=STATUSES, help="only deliveries in this status")
    events.add_argument("--follow", "-f", action="store_true", help="keep printing events and delivery changes as they happen (Ctrl-C ends)")
    events.add_argument("--interval", type=float, default=0.5, help="seconds between two looks with --follow (default 0.5)")
    events.set_defaults(stream=follow)
