"""A sync, its status machine, and the one move every status change goes through."""

from __future__ import annotations

import uuid
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
    interval_seconds: float | None = None  # an interval outside Paragon's set (Nango's frequency override)
    reason: str | None = None
    rate_limit_backoff_ms: int | None = None
    initial_complete: bool = False
    last_synced_at: datetime | None = None
    last_full_synced_at: datetime | None = None
    announce_runs: bool = False  # the end of every run is an event (a Nango sync webhook follows it)
    last_run_kind: str | None = None  # initial, incremental or full (Nango's sync status tells them apart)
    records: RecordStore = field(default_factory=RecordStore, repr=False)
    permissions: PermissionGraph | None = field(default=None, repr=False)  # file syncs with permission sync
    ordinal: int = 0  # creation order: events of several syncs at one instant happen in this order
    plan: Any = field(default=None, repr=False)  # what the engine has due for it (domain/engine.py Plan)
    # What the work keeps between runs (domain/work.py): the change-log position read up to, the
    # run in progress, and whether only a full run can bring the records in line with upstream.
    position: int = 0
    reading: Any = field(default=None, repr=False)
    needs_full: bool = False
    account: Any = field(default=None, repr=False)  # the upstream account it reads, once looked up
    fault_book: Any = field(default=None, repr=False)  # its tenant's sync faults, once looked up
    monitor: Any = field(default=None, repr=False)  # told of every status move (domain/monitor.py)

    @property
    def tenant(self) -> tuple[str, str]:
        return (self.project_id, self.user_id)

    # -- the named lifecycle moves: a status and its companion fields change together -------
    def start_run(self, at: datetime) -> None:
        self._move(Status.ACTIVE, at)

    def finish_run(self, at: datetime, full: bool, kind: str = "incremental") -> None:
        self._move(Status.IDLE, at)
        self.last_synced_at = at
        self.last_run_kind = kind
        if full:
            self.last_full_synced_at = at

    def back_off(self, at: datetime, backoff_ms: int) -> None:
        self._move(Status.RATE_LIMITED, at, backoff_ms=backoff_ms)

    def fail(self, at: datetime, reason: str) -> None:
        self._move(Status.ERRORED, at, reason=reason)

    def disable(self, at: datetime) -> None:
        self._move(Status.DISABLED, at)

    def resume(self, at: datetime) -> None:
        """Re-enabled: carry on with the initial sync (ACTIVE), or wait for the schedule (IDLE)."""
        self._move(Status.IDLE if self.initial_complete else Status.ACTIVE, at)

    def _move(
        self, to: Status, at: datetime, reason: str | None = None, backoff_ms: int | None = None
    ) -> None:
        """Become `to`, or refuse with IllegalTransition; the reason and back-off go with the status."""
        if to not in TRANSITIONS[self.status]:
            raise IllegalTransition(
                "status",
                f"sync {self.id} is {self.status}; it cannot become {to} "
                f"(from {self.status} it can become {', '.join(sorted(TRANSITIONS[self.status])) or 'nothing'})",
            )
        if to == Status.ERRORED and not reason:
            raise ValueError("an ERRORED sync needs a reason")
        if to == Status.RATE_LIMITED and backoff_ms is None:
            raise ValueError("a RATE_LIMITED sync needs a back-off")
        before, self.status = self.status, to
        self.reason = reason if to == Status.ERRORED else None
        self.rate_limit_backoff_ms = backoff_ms if to == Status.RATE_LIMITED else None
        self.updated_at = at
        if self.monitor is not None:
            self.monitor.transition(self, before, to, at)
