"""A sync, its status machine, and the one transition function every status change goes through."""

from __future__ import annotations

import uuid
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from .errors import IllegalTransition
from .permissions import PermissionGraph
from .records import RecordStore


class Status(StrEnum):
    INITIALIZING = "INITIALIZING"
    ACTIVE = "ACTIVE"
    IDLE = "IDLE"
    RATE_LIMITED = "RATE_LIMITED"
    DISABLED = "DISABLED"
    ERRORED = "ERRORED"


S = Status
# The only legal moves (fact sheet 5.2). Re-enabling resumes where the sync stopped:
# INITIALIZING or ACTIVE when the initial sync had not finished, IDLE otherwise.
TRANSITIONS: dict[Status, frozenset[Status]] = {
    S.INITIALIZING: frozenset({S.ACTIVE, S.DISABLED, S.ERRORED}),
    S.ACTIVE: frozenset({S.IDLE, S.RATE_LIMITED, S.ERRORED, S.DISABLED}),
    S.IDLE: frozenset({S.ACTIVE, S.ERRORED, S.DISABLED}),
    S.RATE_LIMITED: frozenset({S.ACTIVE, S.ERRORED, S.DISABLED}),
    S.DISABLED: frozenset({S.INITIALIZING, S.ACTIVE, S.IDLE}),
    S.ERRORED: frozenset({S.INITIALIZING, S.ACTIVE, S.IDLE, S.DISABLED}),
}


def sync_id(seed: int, project_id: str, user_id: str, integration: str, pipeline: str, name: str | None) -> str:
    """Name-based UUIDv5: the same tenant, integration, pipeline and configurationName give the same id."""
    namespace = uuid.uuid5(uuid.NAMESPACE_URL, f"paragon-emulator/{seed}")
    return str(uuid.uuid5(namespace, "\x1f".join((project_id, user_id, integration, pipeline, name or ""))))


def default_credential_id(seed: int, project_id: str, user_id: str, integration: str) -> str:
    """The connected account a sync uses when enable names none (the user's oldest credential)."""
    namespace = uuid.uuid5(uuid.NAMESPACE_URL, f"paragon-emulator/{seed}/credentials")
    return str(uuid.uuid5(namespace, "\x1f".join((project_id, user_id, integration))))


@dataclass
class Sync:
    id: str
    project_id: str
    user_id: str
    integration: str
    pipeline: str
    configuration: dict[str, Any]
    configuration_name: str | None
    credential_id: str
    created_at: datetime
    updated_at: datetime
    status: Status = Status.INITIALIZING
    frequency: str | None = None  # only when set explicitly (the API shows it only then)
    reason: str | None = None
    error_code: str | None = None
    rate_limit_backoff_ms: int | None = None
    initial_complete: bool = False
    last_synced_at: datetime | None = None
    last_full_synced_at: datetime | None = None
    running: str | None = None  # kind of the run in progress: initial, incremental, full
    records: RecordStore = field(default_factory=RecordStore, repr=False)
    permissions: PermissionGraph | None = field(default=None, repr=False)  # file syncs with permission sync
    history: deque[tuple[datetime, Status, Status]] = field(default_factory=lambda: deque(maxlen=200))

    @property
    def tenant(self) -> tuple[str, str]:
        return (self.project_id, self.user_id)


def transition(sync: Sync, to: Status, at: datetime, reason: str | None = None, backoff_ms: int | None = None) -> None:
    """Move `sync` to `to`, or refuse with IllegalTransition. Keeps reason/back-off consistent with the status."""
    if to not in TRANSITIONS[sync.status]:
        raise IllegalTransition(
            "status",
            f"sync {sync.id} is {sync.status}; it cannot become {to} "
            f"(from {sync.status} it can become {', '.join(sorted(TRANSITIONS[sync.status])) or 'nothing'})",
        )
    if to == Status.ERRORED and not reason:
        raise ValueError("an ERRORED sync needs a reason")
    if to == Status.RATE_LIMITED and backoff_ms is None:
        raise ValueError("a RATE_LIMITED sync needs a back-off")
    sync.history.append((at, sync.status, to))
    sync.status = to
    sync.reason = reason if to == Status.ERRORED else None
    if to != Status.ERRORED:
        sync.error_code = None
    sync.rate_limit_backoff_ms = backoff_ms if to == Status.RATE_LIMITED else None
    sync.updated_at = at
