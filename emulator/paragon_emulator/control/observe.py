"""What the emulator saw: the Monitoring-style event log and the request journal."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .base import Core, operation
from .contract import Call

if TYPE_CHECKING:
    from ..observe.event_log import EventLog, Filters
    from ..observe.journal import Entry, RequestJournal


class ObserveControl(Core):
    monitoring: "EventLog"  # the Monitoring-style event log (event_log() is the domain events of WebhookControl)
    api_requests: "RequestJournal"  # the request journal (self.journal is the snapshots' journal of changes)

    def record_request(self, call: Call | None, entry: "Entry") -> None:
        """Note a request to the API: the contract report's call and the journal's entry, under the
        lock once (bookkeeping of every request: no timers run first)."""

        def note() -> None:
            if call is not None:
                self.contract.record(call)
            self.api_requests.add(entry)

        self.locked(note)

    @operation
    def monitoring_events(self, filters: "Filters", cursor: str | None = None, limit: int = 100) -> dict[str, Any]:
        """The event log, newest first, a page at a time (`nextCursor` continues with older events).

        Runs that change nothing are computed when someone looks (domain/engine.py): every sync is
        brought up to date first, so that the log holds them."""
        self.syncs.all()
        found, next_cursor = self.monitoring.events(filters, cursor, limit)
        return {"data": [e.json() for e in found], "nextCursor": next_cursor}

    @operation
    def request_journal(
        self, project_id: str | None = None, user_id: str | None = None, cursor: str | None = None, limit: int = 100,
        status: int | None = None,
    ) -> dict[str, Any]:
        """The journal's requests, newest first, a page at a time."""
        found, next_cursor = self.api_requests.entries(project_id, user_id, cursor, limit, status)
        return {"data": [e.json() for e in found], "nextCursor": next_cursor}
