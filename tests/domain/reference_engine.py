"""The deliberately simple engine the coalescing one is checked against: one clock timer per event.

This is the engine the emulator had before runs were computed: every incremental and full run of
every sync is replayed timer by timer, each step of each run read from upstream. It is kept
here, unchanged but for two things, so that tests can run the same story through both and
compare everything a client can observe:

- timers due at one instant run in a fixed order, the sync's ordinal then run / full /
  incremental (the order the production engine documents), where before they ran in the order
  they happened to be scheduled;
- faults are looked up in the sync's tenant's book, and status changes are the sync's named moves.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Callable

from paragon_emulator.domain.clock import Clock
from paragon_emulator.domain.engine import FREQUENCY_SECONDS, FULL, INCREMENTAL, INITIAL, SyncWork, Timing
from paragon_emulator.domain.events import EventBus, SyncComplete, SyncErrored
from paragon_emulator.domain.faults import FaultBook, SyncFault
from paragon_emulator.domain.syncs import Status, Sync

RANK = {"run": 0, FULL: 1, INCREMENTAL: 2}


class StepByStepEngine:
    def __init__(
        self, clock: Clock, events: EventBus, timing: Timing, work: SyncWork, faults: Callable[[Sync], FaultBook]
    ):
        self.clock = clock
        self.events = events
        self.timing = timing
        self.work = work
        self.faults = faults
        self._pending_full: set[str] = set()
        self._running: dict[str, str] = {}

    # -- the production engine's hooks for lazy work: nothing is lazy here -----------------
    def observe(self, sync: Sync) -> None:
        pass

    def touch(self, sync: Sync) -> None:
        pass

    def rearm(self, sync: Sync) -> None:
        pass

    # -- what the service calls ----------------------------------------------------------
    def start(self, sync: Sync, at: datetime) -> None:
        self._at(sync, "run", at + timedelta(seconds=self.timing.initial_delay), lambda t: self._begin(sync, INITIAL, t))

    def stop(self, sync: Sync) -> None:
        for purpose in ("run", INCREMENTAL, FULL):
            self.clock.cancel_owner((sync.id, purpose))
        self._pending_full.discard(sync.id)
        self._running.pop(sync.id, None)

    def remove(self, sync: Sync) -> None:
        self.stop(sync)
        self.work.forget(sync)

    def resume(self, sync: Sync, at: datetime) -> None:
        self.stop(sync)
        sync.resume(at)
        if not sync.initial_complete:
            self._run(sync, INITIAL, at)
            return
        self._schedule_incremental(sync, at)
        self._schedule_full(sync, at)

    def full_resync(self, sync: Sync, at: datetime) -> None:
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
            return
        sync.start_run(at)
        self._run(sync, kind, at)

    def _run(self, sync: Sync, kind: str, at: datetime) -> None:
        fault = self.faults(sync).take_run_fault(sync.id)
        if fault is not None:
            self._meet(sync, kind, fault, at)
            return
        self._running[sync.id] = kind
        self.work.begin(sync, kind)
        self._at(sync, "run", at + timedelta(seconds=self.timing.run_seconds), lambda t: self._step(sync, kind, t))

    def _step(self, sync: Sync, kind: str, at: datetime) -> None:
        if sync.status != Status.ACTIVE or self._running.get(sync.id) != kind:
            return
        step = self.work.step(sync, kind, at)
        then = at + timedelta(seconds=step.seconds)
        if step.done:
            self._at(sync, "run", then, lambda t: self._finish(sync, kind, t, step.records_seen))
        else:
            self._at(sync, "run", then, lambda t: self._step(sync, kind, t))

    def _meet(self, sync: Sync, kind: str, fault: SyncFault, at: datetime) -> None:
        if fault.behaviour.backs_off:
            sync.back_off(at, fault.backoff_ms)

            def resume(t: datetime) -> None:
                sync.start_run(t)
                self._run(sync, kind, t)

            self._at(sync, "run", at + timedelta(milliseconds=fault.backoff_ms), resume)
            return
        error = fault.behaviour.error(sync, fault)
        self.stop(sync)
        sync.fail(at, str(error["message"]))
        self.events.emit(SyncErrored(**error), at, sync)

    def _finish(self, sync: Sync, kind: str, at: datetime, records_seen: int) -> None:
        if sync.status != Status.ACTIVE or self._running.get(sync.id) != kind:
            return
        self._running.pop(sync.id, None)
        sync.finish_run(at, full=kind == FULL)
        if kind == INITIAL:
            sync.initial_complete = True
            self.events.emit(SyncComplete(sync.pipeline, at, records_seen), at, sync)
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
        self.clock.schedule(when, callback, owner=(sync.id, purpose), order=(sync.ordinal, RANK[purpose]))
