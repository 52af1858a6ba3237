"""Runs the initial, incremental and periodic full syncs of every sync on the clock's timers.

A run starts (the sync becomes ACTIVE), then reads upstream in steps, each taking emulated time,
so the summary counts grow while it runs; after the last step the sync becomes IDLE. What a run
reads and how long each step takes is the job of a `SyncWork` (the upstream sources and the
record store); the engine owns only the schedule and the status changes, which all go through
`transition`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from .clock import Clock
from .events import EventBus
from .faults import CREDENTIAL_REVOKED, RATE_LIMITED, ROOT_MISSING_CODE, RUN_FAULTS, FaultBook, SyncFault
from .syncs import Status, Sync, transition

FREQUENCY_SECONDS = {"1m": 60, "5m": 300, "10m": 600, "30m": 1800, "1h": 3600, "3h": 10800, "6h": 21600, "24h": 86400}
INITIAL, INCREMENTAL, FULL = "initial", "incremental", "full"


@dataclass
class Step:
    done: bool
    seconds: float = 0.0  # emulated time the step took
    records_seen: int = 0


class SyncWork(Protocol):
    def begin(self, sync: Sync, kind: str) -> None:
        """Prepare a run (an interrupted initial run carries on where it stopped)."""

    def step(self, sync: Sync, kind: str, at: datetime) -> Step:
        """Read the next batch upstream, update the record store, emit record events."""

    def forget(self, sync: Sync) -> None:
        """Drop what the work keeps about a deleted sync."""


@dataclass(frozen=True)
class Timing:
    initial_delay: float
    run_seconds: float
    full_interval: float
    default_frequency: str


class SyncEngine:
    def __init__(self, clock: Clock, events: EventBus, timing: Timing, work: SyncWork, faults: FaultBook):
        self.clock = clock
        self.events = events
        self.timing = timing
        self.work = work
        self.faults = faults
        self._pending_full: set[str] = set()

    # -- what the service calls ----------------------------------------------------------
    def start(self, sync: Sync, at: datetime) -> None:
        """A new sync: the initial sync begins after a short INITIALIZING spell."""
        self._at(sync, "run", at + timedelta(seconds=self.timing.initial_delay), lambda t: self._begin(sync, INITIAL, t))

    def stop(self, sync: Sync) -> None:
        for purpose in ("run", INCREMENTAL, FULL):
            self.clock.cancel_owner((sync.id, purpose))
        self._pending_full.discard(sync.id)
        sync.running = None

    def remove(self, sync: Sync) -> None:
        """A deleted sync: no timers, and no half-done run for a later sync of the same id to inherit."""
        self.stop(sync)
        self.work.forget(sync)

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
        fault = self.faults.take(sync.id, RUN_FAULTS)
        if fault is not None:
            self._meet(sync, kind, fault, at)
            return
        sync.running = kind
        self.work.begin(sync, kind)
        self._at(sync, "run", at + timedelta(seconds=self.timing.run_seconds), lambda t: self._step(sync, kind, t))

    def _step(self, sync: Sync, kind: str, at: datetime) -> None:
        if sync.status != Status.ACTIVE or sync.running != kind:
            return
        step = self.work.step(sync, kind, at)
        if sync.status != Status.ACTIVE:  # the work may have errored or rate-limited the sync
            sync.running = None
            return
        then = at + timedelta(seconds=step.seconds)
        if step.done:
            self._at(sync, "run", then, lambda t: self._finish(sync, kind, t, step.records_seen))
        else:
            self._at(sync, "run", then, lambda t: self._step(sync, kind, t))

    def _meet(self, sync: Sync, kind: str, fault: SyncFault, at: datetime) -> None:
        """What a run does when upstream fails it: back off and retry, or stop ERRORED."""
        if fault.kind == RATE_LIMITED:
            transition(sync, Status.RATE_LIMITED, at, backoff_ms=fault.backoff_ms)

            def resume(t: datetime) -> None:
                transition(sync, Status.ACTIVE, t)
                self._run(sync, kind, t)

            self._at(sync, "run", at + timedelta(milliseconds=fault.backoff_ms), resume)
            return
        if fault.kind == CREDENTIAL_REVOKED:
            reason = fault.message or f"Credential ID [{sync.credential_id}] is no longer valid or has been deleted."
            error: dict[str, object] = {"message": reason}
        else:
            reason = fault.message or (
                f"The root resource this sync was created with ({_root(sync)}) is no longer accessible; "
                f"recreate the sync with a valid root (error code {ROOT_MISSING_CODE})."
            )
            error = {"message": reason, "code": ROOT_MISSING_CODE}
        self.stop(sync)
        transition(sync, Status.ERRORED, at, reason=reason)
        sync.error_code = str(error.get("code", "")) or None
        self.events.emit("sync_errored", at, sync, **error)

    def _finish(self, sync: Sync, kind: str, at: datetime, records_seen: int) -> None:
        if sync.status != Status.ACTIVE or sync.running != kind:
            return
        sync.running = None
        transition(sync, Status.IDLE, at)
        sync.last_synced_at = at
        if kind == FULL:
            sync.last_full_synced_at = at
        if kind == INITIAL:
            sync.initial_complete = True
            self.events.emit(
                "sync_complete", at, sync, model=sync.pipeline, syncedAt=at, numRecords=records_seen
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


def _root(sync: Sync) -> str:
    for key in ("folderId", "siteId", "spaceId", "bucket", "projectId", "boardId", "listId", "driveId"):
        if key in sync.configuration:
            return f"{key} {sync.configuration[key]}"
    return "the account root"
