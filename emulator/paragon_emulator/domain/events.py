"""Domain events: the one road from what happened in a sync to webhooks and logs."""

from __future__ import annotations

import heapq
import uuid
from dataclasses import asdict, dataclass, field
from functools import cached_property
from datetime import datetime
from typing import Any, Callable, ClassVar

from .ids import uuid5_text
from .tenants import Ledger, Tenants

class What:
    """What happened, typed; its webhook `data` (or `error`) follows from its type."""

    type: ClassVar[str]
    is_error: ClassVar[bool] = False
    about_a_sync: ClassVar[bool] = True  # its webhook carries the sync's fields

    def data(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v is not None}  # type: ignore[call-overload]


@dataclass(frozen=True)
class SyncComplete(What):
    model: str
    syncedAt: datetime
    numRecords: int
    type = "sync_complete"


@dataclass(frozen=True)
class SyncErrored(What):
    message: str
    code: int | None = None
    type = "sync_errored"
    is_error = True


@dataclass(frozen=True)
class RecordCreated(What):
    recordId: str
    model: str
    type = "record_created"


@dataclass(frozen=True)
class RecordUpdated(RecordCreated):
    type = "record_updated"


@dataclass(frozen=True)
class RecordDeleted(What):
    recordId: str
    model: str
    externalId: str | None = None
    type = "record_deleted"

    def data(self) -> dict[str, Any]:
        # The webhooks page names `id` and `external_id`; clients already read recordId/externalId.
        data = super().data()
        data["id"] = self.recordId
        if self.externalId is not None:
            data["external_id"] = self.externalId
        return data


@dataclass(frozen=True)
class RecordErrored(What):
    message: str
    recordId: str
    model: str
    type = "record_errored"
    is_error = True


@dataclass(frozen=True)
class WebhookVerification(What):
    """The probe a project's endpoint gets when its URL is set (seen in Paragon's sample code)."""

    type = "webhook_verification"
    about_a_sync = False


@dataclass(frozen=True)
class Endpoint:
    """What emits a project's own events (no sync): it stands where a sync would."""

    project_id: str
    user_id: str = ""
    id: str = ""
    integration: str = ""
    credential_id: str = ""

    @property
    def tenant(self) -> tuple[str, str]:
        return (self.project_id, self.user_id)


KINDS: dict[str, type[What]] = {k.type: k for k in (SyncComplete, SyncErrored, RecordCreated, RecordUpdated, RecordDeleted, RecordErrored)}
EVENT_TYPES = tuple(KINDS)


@dataclass(frozen=True)
class DomainEvent:
    seq: int  # emission order, across tenants
    type: str
    at: datetime
    project_id: str
    user_id: str
    sync_id: str
    integration: str
    credential_id: str
    what: What
    namespace: bytes = field(repr=False, compare=False)

    @cached_property
    def id(self) -> str:
        """Seeded and sequential, so the same run of a scenario gives the same event ids; made
        when first read (most events of a long advance never are)."""
        return uuid5_text(self.namespace, f"{self.seq}")

    @property
    def data(self) -> dict[str, Any]:
        return self.what.data()


class EventBus:
    """Hands each event to the subscribers (e.g. webhook delivery) and keeps it in its tenant's
    container, at most `capacity` events in all."""

    def __init__(self, seed: int, tenants: Tenants, capacity: int = 10_000):
        self._namespace = uuid.uuid5(uuid.NAMESPACE_URL, f"paragon-emulator/{seed}/events").bytes
        self._count = 0
        self.tenants = tenants
        self._kept = Ledger(capacity)
        self._subscribers: list[Callable[[DomainEvent], None]] = []

    def subscribe(self, subscriber: Callable[[DomainEvent], None]) -> None:
        self._subscribers.append(subscriber)

    def emit(self, what: What, at: datetime, sync: Any) -> DomainEvent:
        self._count += 1
        event = DomainEvent(
            self._count, what.type, at, sync.project_id, sync.user_id, sync.id, sync.integration, sync.credential_id,
            what, self._namespace,
        )
        self._kept.add(self.tenants.get(sync.tenant).events, event.seq, event)
        for subscriber in self._subscribers:
            subscriber(event)
        return event

    @property
    def log(self) -> list[DomainEvent]:
        """Every tenant's events kept, oldest first."""
        return list(heapq.merge(*(state.events.values() for state in self.tenants), key=lambda e: e.seq))
