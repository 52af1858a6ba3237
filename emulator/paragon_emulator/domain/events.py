"""Domain events: the one road from what happened in a sync to webhooks and logs."""

from __future__ import annotations

import uuid
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Callable

from .ids import uuid5_text

EVENT_TYPES = (
    "sync_complete",
    "sync_errored",
    "record_created",
    "record_updated",
    "record_deleted",
    "record_errored",
)


@dataclass(frozen=True)
class DomainEvent:
    id: str
    type: str
    at: datetime
    project_id: str
    user_id: str
    sync_id: str
    integration: str
    credential_id: str
    data: dict[str, Any] = field(default_factory=dict)


class EventBus:
    """Keeps a bounded log of events and hands each to the subscribers (e.g. webhook delivery)."""

    def __init__(self, seed: int, capacity: int = 10_000):
        self._namespace = uuid.uuid5(uuid.NAMESPACE_URL, f"paragon-emulator/{seed}/events").bytes
        self._count = 0
        self.log: deque[DomainEvent] = deque(maxlen=capacity)
        self._subscribers: list[Callable[[DomainEvent], None]] = []

    def subscribe(self, subscriber: Callable[[DomainEvent], None]) -> None:
        self._subscribers.append(subscriber)

    def emit(self, type_: str, at: datetime, sync: Any, **data: Any) -> DomainEvent:
        if type_ not in EVENT_TYPES:
            raise ValueError(f"unknown event type {type_}")
        self._count += 1
        # Seeded and sequential, so the same run of a scenario gives the same event ids.
        event_id = uuid5_text(self._namespace, f"{self._count}")
        event = DomainEvent(
            event_id, type_, at, sync.project_id, sync.user_id, sync.id, sync.integration, sync.credential_id, data
        )
        self.log.append(event)
        for subscriber in self._subscribers:
            subscriber(event)
        return event

    def clear(self, keep: Callable[[DomainEvent], bool] | None = None) -> None:
        if keep is None:
            self.log.clear()
        else:
            kept = [e for e in self.log if keep(e)]
            self.log.clear()
            self.log.extend(kept)
