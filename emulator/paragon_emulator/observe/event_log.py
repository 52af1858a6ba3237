"""The event log, like Paragon's Monitoring view of Managed Sync (fact sheet §10).

It hears the domain (`Monitor`: runs, transitions; the event bus: record changes) and webhook
delivery, and keeps Monitoring-style events in their tenants' containers, at most `capacity` in
all. Each run carries one trace id, from its start to its end (a back-off does not end it). Every
event, and every transition, is handed on to `story` (the log lines), so both come from here.
"""

from __future__ import annotations

import heapq
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Callable, Iterable

from ..domain.clock import iso
from ..domain.engine import CYCLE, FULL, INCREMENTAL, INITIAL
from ..domain.errors import InvalidInput
from ..domain.events import DomainEvent
from ..domain.ids import uuid5_text
from ..domain.monitor import Monitor
from ..domain.tenants import Ledger, Tenants

SYNC_TYPES = {INITIAL: "INITIAL", INCREMENTAL: "INCREMENTAL", FULL: "FULL", CYCLE: "FULL"}
RATE_LIMITED, RUN_ERROR, WEBHOOK_FAILED = "SYNC_RUN_RATE_LIMITED", "SYNC_RUN_ERROR", "WEBHOOK_DELIVERY_FAILED"
_COUNTED = {"record_created": "created", "record_updated": "updated", "record_deleted": "deleted", "record_errored": "errored"}


@dataclass
class LogEvent:
    seq: int
    at: datetime  # emulated
    logged_at: float  # real (Unix seconds)
    sync_event: str
    sync_type: str | None
    trace_id: str | None
    sync: Any
    sync_status: str
    summary: dict[str, Any] | None = None
    error: dict[str, Any] | None = None

    def json(self) -> dict[str, Any]:
        s = self.sync
        body: dict[str, Any] = {
            "id": self.seq,
            "timestamp": iso(self.at),
            "loggedAt": iso(datetime.fromtimestamp(self.logged_at).astimezone()),
            "syncEvent": self.sync_event,
            "syncId": s.id,
            "projectId": s.project_id,
            "userId": s.user_id,
            "integration": s.integration,
            "pipeline": s.pipeline,
            "syncStatus": self.sync_status,
        }
        for key, value in (("syncType", self.sync_type), ("traceId", self.trace_id), ("summary", self.summary), ("error", self.error)):
            if value is not None:
                body[key] = value
        return body


@dataclass
class OpenRun:
    trace_id: str
    kind: str
    started: datetime
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(_COUNTED.values(), 0))
    backing_off: bool = False


@dataclass(frozen=True)
class Filters:
    sync_id: str | None = None
    trace_id: str | None = None
    project_id: str | None = None
    user_id: str | None = None
    integration: str | None = None
    type: str | None = None
    since: datetime | None = None
    until: datetime | None = None

    def match(self, e: LogEvent) -> bool:
        s = _is
        return s(self.sync_id, e.sync.id) and s(self.trace_id, e.trace_id) and s(self.project_id, e.sync.project_id) \
            and s(self.user_id, e.sync.user_id) and s(self.integration, e.sync.integration) \
            and s(self.type, e.sync_event) and (self.since is None or e.at >= self.since) \
            and (self.until is None or e.at <= self.until)


def _is(wanted: str | None, value: str | None) -> bool:
    return wanted is None or wanted == value


def page(entries: Iterable[Any], cursor: str | None, limit: int, key: Callable[[Any], int]) -> tuple[list[Any], str | None]:
    """Newest first; `cursor` is the key of the last entry of the page before (continue with older ones)."""
    if not 1 <= limit <= 1000:
        raise InvalidInput("limit", f"limit must be 1 to 1000, not {limit}")
    before = None
    if cursor is not None:
        if not cursor.isdigit():
            raise InvalidInput("cursor", f"cursor '{cursor}' is not one this log gave")
        before = int(cursor)
    found: list[Any] = []
    for entry in entries:
        if before is not None and key(entry) >= before:
            continue
        found.append(entry)
        if len(found) > limit:
            break
    more = len(found) > limit
    found = found[:limit]
    return found, (str(key(found[-1])) if more else None)


class EventLog(Monitor):
    def __init__(self, tenants: Tenants, seed: int, capacity: int, story: Any, now: Callable[[], datetime]):
        self.tenants = tenants
        self.story = story  # observe/story.py: the log lines
        self.now = now
        self._kept = Ledger(capacity)
        self._count = 0
        self._open: dict[str, OpenRun] = {}  # sync id -> its run in progress
        self._namespace = uuid.uuid5(uuid.NAMESPACE_URL, f"paragon-emulator/{seed}/traces").bytes

    # -- what the domain tells (domain/monitor.py) ---------------------------------------------
    def transition(self, sync: Any, before: str, after: str, at: datetime) -> None:
        self.story.transition(sync, before, after, at)

    def run_started(self, sync: Any, kind: str, at: datetime) -> None:
        run = self._open.get(sync.id)
        if run is not None and run.backing_off and run.kind == kind:
            run.backing_off = False  # the same run carries on after its back-off
            self.story.run_resumed(sync, kind, at, run.trace_id)
            return
        run = self._open[sync.id] = OpenRun(self._trace(sync, kind, at), kind, at)
        self._add(sync, at, f"{SYNC_TYPES[kind]}_SYNC_STARTED", kind, run.trace_id)

    def run_finished(self, sync: Any, kind: str, at: datetime, records_seen: int | None) -> None:
        run = self._open.pop(sync.id, None) or OpenRun(self._trace(sync, kind, at), kind, at)
        counts = dict(run.counts)
        if kind == INITIAL and records_seen is not None:
            counts["created"] = records_seen  # the initial run announces no record one by one
        changes = counts["created"] + counts["updated"] + counts["deleted"]
        summary = {
            **counts, "totalChanges": changes, "totalProcessed": changes + counts["errored"],
            "records": records_seen if records_seen is not None else sync.records.active,
            "durationMs": round((at - run.started).total_seconds() * 1000),
        }
        self._add(sync, at, f"{SYNC_TYPES[kind]}_SYNC_COMPLETED", kind, run.trace_id, summary=summary)

    def run_rate_limited(self, sync: Any, kind: str, at: datetime, backoff_ms: int) -> None:
        run = self._open.get(sync.id)
        trace = run.trace_id if run is not None else None
        if run is not None:
            run.backing_off = True
        error = {"recoverable": True, "httpStatus": 429, "retryAfterMs": backoff_ms, "message": "rate limited upstream"}
        self._add(sync, at, RATE_LIMITED, kind, trace, error=error)

    def run_failed(self, sync: Any, kind: str, at: datetime, error: dict[str, Any]) -> None:
        run = self._open.pop(sync.id, None)
        detail = {"recoverable": False, "message": error.get("message")}
        if error.get("code") is not None:
            detail["code"] = error["code"]
        self._add(sync, at, RUN_ERROR, kind, run.trace_id if run else None, error=detail)

    def runs_skipped(self, sync: Any, kind: str, runs: int, first: datetime, last_end: datetime) -> None:
        # Runs that changed nothing, computed together: one event, with how many runs it stands for
        # (whole cycles: how many full runs, each with the incremental runs after it).
        summary = {
            "runs": runs, "created": 0, "updated": 0, "deleted": 0, "errored": 0, "totalChanges": 0,
            "totalProcessed": 0, "records": sync.records.active, "firstStartedAt": iso(first),
        }
        if kind == CYCLE:
            summary["cycles"] = runs
            run = self._open.get(sync.id)
            if run is not None:
                run.started = last_end  # the full run in progress moved on with the cycles skipped
        self._add(sync, last_end, f"{SYNC_TYPES[kind]}_SYNC_COMPLETED", kind, self._trace(sync, kind, first), summary=summary)

    def removed(self, sync: Any) -> None:
        self._open.pop(sync.id, None)

    # -- what the event bus and webhook delivery tell ------------------------------------------------
    def domain_event(self, event: DomainEvent) -> None:
        run = self._open.get(event.sync_id)
        counted = _COUNTED.get(event.type)
        if run is not None and counted is not None:
            run.counts[counted] += 1

    def webhook_attempt(self, delivery: Any, attempt: Any, ok: bool) -> None:
        """A webhook attempt ended (under the emulator's lock): a log line, and a failure is logged as an event."""
        self.story.webhook_attempt(delivery, attempt)
        event = delivery.event
        if ok or not event.what.about_a_sync:
            return
        state = self.tenants.find((event.project_id, event.user_id))
        sync = state.syncs.get(event.sync_id) if state is not None else None
        if sync is None:
            return  # the sync is gone; its delivery log keeps the failure
        error = {
            "recoverable": delivery.next_attempt_at is not None, "webhookEvent": event.type,
            "webhookEventId": event.id, "attempt": attempt.number, "message": attempt.error or "failed",
        }
        if attempt.status_code is not None:
            error["httpStatus"] = attempt.status_code
        if delivery.next_attempt_at is not None:
            error["nextAttemptAt"] = iso(delivery.next_attempt_at)
        self._add(sync, self.now(), WEBHOOK_FAILED, None, None, error=error)

    # -- reading ---------------------------------------------------------------------------------
    def events(self, filters: Filters, cursor: str | None, limit: int) -> tuple[list[LogEvent], str | None]:
        books = [
            s.logs.values() for s in self.tenants
            if _is(filters.project_id, s.key[0]) and _is(filters.user_id, s.key[1])
        ]
        newest_first = heapq.merge(*(reversed(list(b)) for b in books), key=lambda e: -e.seq)
        return page((e for e in newest_first if filters.match(e)), cursor, limit, key=lambda e: e.seq)

    # -- keeping ------------------------------------------------------------------------------------
    def _trace(self, sync: Any, kind: str, at: datetime) -> str:
        return uuid5_text(self._namespace, f"{sync.id}/{kind}/{at.isoformat()}")

    def _add(self, sync: Any, at: datetime, name: str, kind: str | None, trace: str | None, **details: Any) -> None:
        self._count += 1
        event = LogEvent(
            self._count, at, time.time(), name, SYNC_TYPES.get(kind) if kind else None, trace, sync, str(sync.status),
            details.get("summary"), details.get("error"),
        )
        self._kept.add(self.tenants.get(sync.tenant).logs, event.seq, event)
        self.story.event(event)
