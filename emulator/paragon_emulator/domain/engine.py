"""Runs the initial, incremental and periodic full syncs of every sync on the clock's timers.

A run is two timers: its start (the sync becomes ACTIVE) and its end (the upstream work is
applied, the sync becomes IDLE). What a run reads and how long it takes is the job of a
`SyncWork` (the upstream sources and the record store); the engine owns only the schedule and
the status changes, which all go through `transition`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from .clock import Clock
from .events import EventBus
from .syncs import Status, Sync, transition

FREQUENCY_SECONDS = {"1m": 60, "5m": 300, "10m": 600, "30m": 1800, "1h": 3600, "3h": 10800, "6h": 21600, "24h": 86400}
INITIAL, INCREMENTAL, FULL = "initial", "incremental", "full"


@dataclass
class RunOutcome:
    records_seen: int = 0


class SyncWork(Protocol):
    def duration(self, sync: Sync, kind: str) -> float:
        """Emulated seconds the run takes, on top of the base run time."""

    def apply(self, sync: Sync, kind: str, at: datetime) -> RunOutcome:
        """Read upstream, update the record store, emit record events."""

    def content(self, sync: Sync, record: Any) -> tuple[bytes, str] | None:
        """The bytes and media type of a record's content, or None when it has none."""


class NoWork:
    def duration(self, sync: Sync, kind: str) -> float:
        return 0.0

    def apply(self, sync: Sync, kind: str, at: datetime) -> RunOutcome:
        return RunOutcome()

    def content(self, sync: Sync, record: Any) -> tuple[bytes, str] | None:
        return None


@dataclass(frozen=True)
class Timing:
    initial_delay: float
    run_seconds: float
    full_interval: float
    default_frequency: str


class SyncEngine:
    def __init__(self, clock: Clock, events: EventBus, timing: Timing, work: SyncWork | None = None):
        self.clock = clock
        self.events = events
        self.timing = timing
        self.work: SyncWork = work or NoWork()
        self._pending_full: set[str] = set()

    # -- what the service calls ----------------------------------------------------------
    def start(self, sync: Sync, at: datetime) -> None:
        """A new sync: the initial sync begins after a short INITIALIZING spell."""
        self._at(sync, "run", at + timedelta(seconds=self.timing.initial_delay), lambda t: self._begin(sync, INITIAL, t))

    def stop(self, sync: Sync) -> None:
        self.clock.cancel_where(lambda owner: isinstance(owner, tuple) and owner[0] == sync.id)
        self._pending_full.discard(sync.id)
        sync.running = None

    def resume(self, sync: Sync, at: datetime) -> None:
        """Carry on from where the sync stopped: finish the initial sync, or go back to the schedule."""
        if not sync.initial_complete:
            transition(sync, Status.ACTIVE, at)
            self._run(sync, INITIAL, at)
            return
        transition(sync, Status.IDLE, at)
        self._schedule_incremental(sync, at)
        self._schedule_full(sync, at)

    def full_resync(self, sync: Sync, at: datetime) -> None:
        """A credential change: reconcile everything now (or right after the run in progress)."""
        if sync.status == Status.IDLE:
            self._begin(sync, FULL, at)
        elif sync.status in (Status.ACTIVE, Status.INITIALIZING):
            self._pending_full.add(sync.id)

    def frequency_changed(self, sync: Sync, at: datetime) -> None:
        if sync.initial_complete and sync.status not in (Status.DISABLED, Status.ERRORED):
            self._schedule_incremental(sync, at)

    # -- the runs ------------------------------------------------------------------------
    def _begin(self, sync: Sync, kind: str, at: datetime) -> None:
        if sync.status not in (Status.INITIALIZING, Status.IDLE):
            return  # disabled, errored or busy since this was scheduled: skip this cycle
        transition(sync, Status.ACTIVE, at)
        self._run(sync, kind, at)

    def _run(self, sync: Sync, kind: str, at: datetime) -> None:
        sync.running = kind
        seconds = self.timing.run_seconds + self.work.duration(sync, kind)
        self._at(sync, "run", at + timedelta(seconds=seconds), lambda t: self._finish(sync, kind, t))

    def _finish(self, sync: Sync, kind: str, at: datetime) -> None:
        if sync.status != Status.ACTIVE or sync.running != kind:
            return
        outcome = self.work.apply(sync, kind, at)
        sync.running = None
        if sync.status != Status.ACTIVE:  # the work may have errored or rate-limited the sync
            return
        transition(sync, Status.IDLE, at)
        sync.last_synced_at = at
        if kind == FULL:
            sync.last_full_synced_at = at
        if kind == INITIAL:
            sync.initial_complete = True
            self.events.emit(
                "sync_complete", at, sync, model=sync.pipeline, syncedAt=at, numRecords=outcome.records_seen
            )
            self._schedule_incremental(sync, at)
            self._schedule_full(sync, at)
        if sync.id in self._pending_full:
            self._pending_full.discard(sync.id)
            self._begin(sync, FULL, at)

    # -- the schedule --------------------------------------------------------------------
    def _schedule_incremental(self, sync: Sync, at: datetime) -> None:
        self.clock.cancel_owner((sync.id, INCREMENTAL))
        seconds = FREQUENCY_SECONDS[sync.frequency or self.timing.default_frequency]

        def due(t: datetime) -> None:
            self._schedule_incremental(sync, t)
            self._begin(sync, INCREMENTAL, t)

        self._at(sync, INCREMENTAL, at + timedelta(seconds=seconds), due)

    def _schedule_full(self, sync: Sync, at: datetime) -> None:
        self.clock.cancel_owner((sync.id, FULL))

        def due(t: datetime) -> None:
            self._schedule_full(sync, t)
            if sync.status == Status.ACTIVE:
                self._pending_full.add(sync.id)
            else:
                self._begin(sync, FULL, t)

        self._at(sync, FULL, at + timedelta(seconds=self.timing.full_interval), due)

    def _at(self, sync: Sync, purpose: str, when: datetime, callback) -> None:
        self.clock.schedule(when, callback, owner=(sync.id, purpose))
