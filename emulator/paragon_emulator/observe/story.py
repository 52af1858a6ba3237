"""The log lines that tell what the emulator did: sync transitions, runs, webhook attempts, control actions.

Each line carries its emulated time (`emulated`) and its facts (`fields`) for the JSON format
(observe/logs.py); the text format shows them in the message. Lines are only built when their
logger is on for INFO, so a server at `--log-level warning` pays a level check per event.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from ..domain.clock import iso

SYNC = logging.getLogger("paragon_emulator.sync")
WEBHOOKS = logging.getLogger("paragon_emulator.webhooks")
CONTROL = logging.getLogger("paragon_emulator.control")
HTTP = logging.getLogger("paragon_emulator.http")


def _line(logger: logging.Logger, level: int, at: datetime | None, message: str, fields: dict[str, Any]) -> None:
    extra = {"fields": fields, "emulated": iso(at) if at is not None else None}
    logger.log(level, "%s", message, extra=extra)


def _who(sync: Any) -> str:
    return f"sync {sync.id} ({sync.user_id} {sync.integration}/{sync.pipeline})"


class Story:
    def transition(self, sync: Any, before: str, after: str, at: datetime) -> None:
        if not SYNC.isEnabledFor(logging.INFO):
            return
        why = f": {sync.reason}" if after == "ERRORED" and sync.reason else ""
        _line(SYNC, logging.INFO, at, f"{_who(sync)} {before} -> {after}{why}", {
            "syncId": sync.id, "userId": sync.user_id, "projectId": sync.project_id, "from": str(before), "to": str(after),
        })

    def run_resumed(self, sync: Any, kind: str, at: datetime, trace_id: str) -> None:
        if SYNC.isEnabledFor(logging.INFO):
            _line(SYNC, logging.INFO, at, f"{_who(sync)} {kind} run resumes after its back-off (trace {trace_id})",
                  {"syncId": sync.id, "traceId": trace_id, "kind": kind})

    def event(self, event: Any) -> None:
        """A Monitoring event (observe/event_log.py) as a log line."""
        level = logging.WARNING if event.error is not None else logging.INFO
        if not SYNC.isEnabledFor(level):
            return
        body = event.json()
        parts = [f"{_who(event.sync)} {event.sync_event}"]
        summary, error = event.summary, event.error
        if summary is not None:
            n = summary.get("runs")
            runs = "" if n is None else f"{n} run{'s' if n != 1 else ''} that changed nothing, "
            took = f", {summary['durationMs'] / 1000:g} s emulated" if "durationMs" in summary else ""
            parts.append(
                f"{runs}{summary['records']} records, +{summary['created']} ~{summary['updated']} -{summary['deleted']}"
                f"{' !' + str(summary['errored']) if summary['errored'] else ''}{took}"
            )
        if error is not None:
            parts.append(error.get("message") or "")
        if event.trace_id:
            parts.append(f"trace {event.trace_id}")
        _line(SYNC, level, event.at, ": ".join(parts[:2]) + "".join(f" ({p})" for p in parts[2:]), body)

    def webhook_attempt(self, delivery: Any, attempt: Any) -> None:
        ok = attempt.error is None
        level = logging.INFO if ok else logging.WARNING
        if not WEBHOOKS.isEnabledFor(level):
            return
        event = delivery.event
        outcome = str(attempt.status_code) if ok else attempt.error
        retry = f", next attempt at {iso(delivery.next_attempt_at)}" if delivery.next_attempt_at is not None else ""
        given_up = ", no more retries" if not ok and delivery.next_attempt_at is None else ""
        url = attempt.url or "?"
        _line(WEBHOOKS, level, attempt.at, (
            f"webhook {event.type} {event.id} for sync {event.sync_id or '-'} -> {url}: {outcome} "
            f"in {attempt.latency_ms} ms (attempt {attempt.number}{retry}{given_up})"
        ), {
            "event": event.type, "eventId": event.id, "syncId": event.sync_id, "url": url,
            "status": attempt.status_code, "error": attempt.error, "latencyMs": attempt.latency_ms,
            "attempt": attempt.number,
            "nextAttemptAt": iso(delivery.next_attempt_at) if delivery.next_attempt_at is not None else None,
        })

    def control(self, method: str, path: str, body: Any, status: int, at: datetime) -> None:
        """A control action over HTTP (reads are not logged: a dashboard polls them)."""
        level = logging.INFO if status < 400 else logging.WARNING
        if not CONTROL.isEnabledFor(level):
            return
        shown = f" {_short(body)}" if body else ""
        _line(CONTROL, level, at, f"{method} {path}{shown} -> {status}",
              {"method": method, "path": path, "body": body, "status": status})

    def refused(self, entry: Any) -> None:
        """A request to the API answered 4xx or 5xx, with the reason the answer gives (successes are
        in the request journal only: a line for each would cost the server a tenth of its throughput)."""
        level = logging.WARNING if entry.status >= 500 else logging.INFO
        if not HTTP.isEnabledFor(level):
            return
        query = f"?{entry.query}" if entry.query else ""
        who = f" ({entry.tenant[1]})" if entry.tenant else ""
        reason = _reason(entry.response_body)
        _line(HTTP, level, entry.at, f"{entry.method} {entry.path}{query}{who} -> {entry.status}{': ' + reason if reason else ''}", {
            "method": entry.method, "path": entry.path, "query": entry.query, "status": entry.status,
            "userId": entry.tenant[1] if entry.tenant else None, "reason": reason, "violations": entry.violations,
        })

    def api_fault(self, operation: str, status: int | None, delay_ms: int, fault_id: int, at: datetime) -> None:
        if HTTP.isEnabledFor(logging.INFO):
            what = f"answers {status}" if status is not None else "is only delayed"
            _line(HTTP, logging.INFO, at, f"injected fault {fault_id}: {operation} {what} (after {delay_ms} ms)",
                  {"operation": operation, "status": status, "delayMs": delay_ms, "faultId": fault_id})


def _reason(body: str | None) -> str:
    import json

    try:
        answer = json.loads(body or "")
    except ValueError:
        return ""
    if not isinstance(answer, dict):
        return ""
    return " ".join(str(answer[k]) for k in ("code", "message") if answer.get(k))


def _short(value: Any, limit: int = 200) -> str:
    import json

    text = json.dumps(value, default=str, separators=(",", ":"))
    return text if len(text) <= limit else text[: limit - 3] + "..."
