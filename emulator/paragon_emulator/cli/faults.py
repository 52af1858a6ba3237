"""`control faults list | sync | api | latency | clear`: what syncs and the real API meet, on purpose."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from . import tables
from .control import Output

if TYPE_CHECKING:
    from .control import Actions
    from .remote import Remote

SYNC_FAULTS = ("credential_revoked", "root_missing", "rate_limited", "record_error")
API_STATUSES = (429, 500, 502, 503)


def faults_text(faults: dict) -> str:
    sync_rows = [
        (f["id"], f["syncId"], f["kind"], "once" if f["once"] else "until cleared", f["hits"],
         f.get("recordId") or f.get("message") or (f"backoff {f['backoffMs']} ms" if "backoffMs" in f else None))
        for f in faults["sync"]
    ]
    api_rows = [
        (f["id"], f["operations"], f.get("status"), f["delayMs"],
         f.get("remaining", "-" if "fraction" in f else "always"), f.get("fraction"), f["hits"])
        for f in faults["api"]
    ]
    parts = [f"latency on every real-API call: {faults['latencyMs']} ms"]
    parts.append("sync faults:\n" + tables.table(("id", "sync", "kind", "lasts", "hits", "detail"), sync_rows) if sync_rows else "sync faults: none")
    parts.append(
        "API faults:\n" + tables.table(("id", "operations", "status", "delay ms", "remaining", "fraction", "hits"), api_rows)
        if api_rows else "API faults: none"
    )
    return "\n".join(parts)


def _list(remote: "Remote", args: argparse.Namespace) -> Output:
    faults = remote.call("GET", "/_emulator/faults")
    return Output(faults, faults_text(faults))


def _sync(remote: "Remote", args: argparse.Namespace) -> Output:
    body = {"syncId": args.sync_id, "kind": args.kind, "once": not args.always}
    for key, value in (("backoffMs", args.backoff_ms), ("recordId", args.record_id), ("message", args.message)):
        if value is not None:
            body[key] = value
    fault = remote.call("POST", "/_emulator/faults/sync", body)
    lasts = "its next run" if fault["once"] else "every run until cleared"
    return Output(fault, f"sync fault {fault['id']}: {fault['kind']} on sync {fault['syncId']} ({lasts})")


def _api(remote: "Remote", args: argparse.Namespace) -> Output:
    body: dict = {}
    for key, value in (
        ("operations", args.operation or None), ("status", args.status), ("delayMs", args.delay_ms),
        ("count", args.count), ("fraction", args.fraction), ("retryAfter", args.retry_after),
    ):
        if value is not None:
            body[key] = value
    fault = remote.call("POST", "/_emulator/faults/api", body)
    what = f"answer {fault['status']}" if fault.get("status") else "answer late"
    if fault.get("delayMs"):
        what += f" after {fault['delayMs']} ms"
    times = f"{fault['remaining']} time(s)" if "remaining" in fault else (
        f"for {fault['fraction']:g} of the calls" if "fraction" in fault else "until cleared")
    return Output(fault, f"API fault {fault['id']}: {', '.join(fault['operations'])} {what}, {times}")


def _latency(remote: "Remote", args: argparse.Namespace) -> Output:
    faults = remote.call("PUT", "/_emulator/faults/latency", {"latencyMs": args.ms})
    return Output(faults, f"latency on every real-API call: {faults['latencyMs']} ms")


def _clear(remote: "Remote", args: argparse.Namespace) -> Output:
    if args.id is not None:
        answer = remote.call("DELETE", f"/_emulator/faults/{args.kind}/{args.id}")
    else:
        answer = remote.call("DELETE", "/_emulator/faults")
    return Output(answer, f"cleared {answer['cleared']} fault(s)")


def add_parsers(actions: "Actions") -> None:
    group = actions.group("faults", "inject, list and clear faults of syncs and of the real API")
    group.add("list", "the injected faults and the latency", _list)
    sync = group.add("sync", "what a sync's next run meets upstream", _sync)
    sync.add_argument("sync_id", metavar="SYNC_ID")
    sync.add_argument("kind", choices=SYNC_FAULTS, help="rate_limited backs off and carries on; the others stop the run ERRORED or fail one record")
    sync.add_argument("--always", action="store_true", help="every run until cleared (default: the next run only)")
    sync.add_argument("--backoff-ms", type=int, help="rate_limited: the back-off")
    sync.add_argument("--record-id", help="record_error: which record (default the first one met)")
    sync.add_argument("--message", help="the error message")
    api = group.add("api", "make real-API operations answer an error status or late", _api)
    api.add_argument("--operation", action="append", metavar="OPERATION_ID", help="an operationId of the spec (repeatable; default all)")
    api.add_argument("--status", type=int, choices=API_STATUSES, help="the status to answer")
    api.add_argument("--delay-ms", type=int, help="answer this late")
    api.add_argument("--count", type=int, help="for this many calls (default: until cleared)")
    api.add_argument("--fraction", type=float, help="for this seeded fraction of the calls, 0 to 1")
    api.add_argument("--retry-after", type=int, help="Retry-After seconds of a 429 (default 1)")
    latency = group.add("latency", "latency added to every real-API call", _latency)
    latency.add_argument("ms", type=int, metavar="MS")
    clear = group.add("clear", "clear every fault, or one (--kind and --id); the latency stays", _clear)
    clear.add_argument("--kind", choices=("sync", "api"), default="sync", help="the fault's kind, with --id (default sync)")
    clear.add_argument("--id", type=int, help="clear only this fault")
