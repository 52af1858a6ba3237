"""Runs the initial, incremental and periodic full syncs of every sync, at a cost proportional to effects.

What is due for a sync is data (its `Plan`): the next incremental and full sync, a run in
progress, a run waiting to start. The engine processes a sync's events in time order, and at one
instant in a fixed order: the run (its next step, its end, its start), then a due full sync, then
a due incremental one. This is the order a timer per event would give; `tests/domain/
reference_engine.py` keeps that timer-by-timer engine and a hypothesis test compares the two.

Most runs change nothing: an incremental run with no upstream change since the last one, or a
full run when every change since the last full one has been read and stored. Such a run is
*computed*: the sync is ACTIVE for the time the run would take and IDLE after it, and nothing is
read. Long stretches of computed runs are skipped arithmetically, and whole periodic cycles (one
full sync and the incrementals between two) are skipped at once. Only runs that read something
are *executed*, step by step, by the `SyncWork`.

A sync has at most one timer on the clock: its next *wake*, the earliest instant at which it can
emit an event. Everything before that is brought up to date when someone looks (`observe`) or
changes something the sync depends on (`touch`), always up to the clock's settled instant. So an
idle fleet costs nothing while time passes, and events keep their global order.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Callable, Protocol

from .clock import Clock, Timer
from .events import EventBus, SyncComplete, SyncErrored
from .faults import FaultBook, SyncFault
from .monitor import Monitor
from .syncs import Status, Sync

FREQUENCY_SECONDS = {"1m": 60, "5m": 300, "10m": 600, "30m": 1800, "1h": 3600, "3h": 10800, "6h": 21600, "24h": 86400}
INITIAL, INCREMENTAL, FULL = "initial", "incremental", "full"
CYCLE = "cycle"  # what a skip of whole periodic cycles (a full run and the incrementals after it) reports
BEGIN, RESUME = "begin", "resume"  # what a waiting start does: a fresh run, or one after a back-off
_TICK = timedelta(microseconds=1)


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

    def unread_changes(self, sync: Sync) -> bool:
        """Whether upstream changed since the sync's last run began."""

    def item_count(self, sync: Sync) -> int:
        """How many items a full run of the sync reads."""

    batch: int  # items a step reads
    seconds_per_record: float  # emulated time a step spends per item


@dataclass(frozen=True)
class Timing:
    initial_delay: float
    run_seconds: float
    full_interval: float
    default_frequency: str


@dataclass(slots=True)
class Run:
    kind: str
    started: datetime
    next_at: datetime  # its next step, or its end when `finishing`
    computed: bool  # a run that changes nothing: only its end is due
    finishing: bool = False
    records_seen: int = 0


@dataclass(slots=True)
class Plan:
    """What is due for one sync. A DISABLED, ERRORED or deleted sync has an empty plan."""

    start_at: datetime | None = None  # a run waiting to start (the initial one, or one backing off)
    start_kind: str = INITIAL
    start_how: str = BEGIN
    run: Run | None = None
    incremental_due: datetime | None = None
    full_due: datetime | None = None
    pending_full: bool = False  # a full sync fell due while a run was in progress
    cycle: tuple | None = None  # the last computed full start, to skip whole cycles like it
    wake: Timer | None = field(default=None, repr=False)


class SyncEngine:
    def __init__(
        self, clock: Clock, events: EventBus, timing: Timing, work: SyncWork, faults: Callable[[Sync], FaultBook],
        monitor: Monitor | None = None,
    ):
        self.clock = clock
        self.events = events
        self.timing = timing
        self.work = work
        self.faults = faults  # the fault book of the sync's tenant
        self.monitor = monitor or Monitor()
        self.run_time = timedelta(seconds=timing.run_seconds)
        # Told of every finished run of a sync that announces its runs: (sync, kind, started, ended).
        self.finish_listeners: list[Callable[[Sync, str, datetime, datetime], None]] = []
        self.full_interval = timedelta(seconds=timing.full_interval)

    # -- what the service calls ----------------------------------------------------------
    def start(self, sync: Sync, at: datetime) -> None:
        """A new sync: the initial sync begins after a short INITIALIZING spell."""
        sync.plan = Plan(start_at=at + timedelta(seconds=self.timing.initial_delay))
        self._rearm(sync)

    def observe(self, sync: Sync) -> None:
        """Bring the sync up to the clock's settled instant (before reading or changing it)."""
        self._process(sync, self.clock.settled)
        self._rearm(sync)

    def touch(self, sync: Sync) -> None:
        """Before upstream or the sync's faults change: what ran so far ran on the old state.

        A computed full run in progress is made real here, its steps so far replayed, so that its
        remaining steps read the changed account as a timer-by-timer engine would."""
        self._process(sync, self.clock.settled)
        plan = sync.plan
        plan.cycle = None
        run = plan.run
        if run is not None and run.computed and run.kind == FULL:
            self._replay(sync, run, self.clock.settled)
        self._rearm(sync)

    def rearm(self, sync: Sync) -> None:
        """After such a change: the sync's next wake may be sooner now."""
        self._rearm(sync)

    def stop(self, sync: Sync) -> None:
        self._disarm(sync)
        sync.plan = Plan()

    def remove(self, sync: Sync) -> None:
        """A deleted sync: no timers, and no half-done run for a later sync of the same id to inherit."""
        self.stop(sync)
        self.work.forget(sync)
        self.monitor.removed(sync)

    def resume(self, sync: Sync, at: datetime) -> None:
        """Carry on from where the sync stopped: finish the initial sync, or go back to the schedule."""
        self.stop(sync)
        sync.resume(at)
        if not sync.initial_complete:
            self._run(sync, INITIAL, at)
        else:
            self._schedule(sync, at)
        self._rearm(sync)

    def full_resync(self, sync: Sync, at: datetime) -> None:
        """A credential change: reconcile everything now (or right after the run in progress)."""
        sync.plan.cycle = None
        if sync.status == Status.IDLE:
            self._begin(sync, FULL, at)
        elif sync.status in (Status.ACTIVE, Status.INITIALIZING):
            sync.plan.pending_full = True
        self._rearm(sync)

    def run_now(self, sync: Sync, at: datetime, kind: str) -> None:
        """A run asked for now (Nango's trigger): an idle sync begins it; a busy one runs a full
        one right after the run in progress, and an incremental one needs nothing more."""
        sync.plan.cycle = None
        if sync.status == Status.IDLE:
            self._begin(sync, kind, at)
        elif kind == FULL and sync.status in (Status.ACTIVE, Status.INITIALIZING):
            sync.plan.pending_full = True
        self._rearm(sync)

    def frequency_changed(self, sync: Sync, at: datetime) -> None:
        plan = sync.plan
        plan.cycle = None
        if sync.initial_complete and sync.status not in (Status.DISABLED, Status.ERRORED):
            plan.incremental_due = at + self._frequency(sync)
        self._rearm(sync)

    def next_run(self, sync: Sync) -> datetime | None:
        """When the sync's next run starts (None while one runs, or when none is due: disabled, errored)."""
        plan = sync.plan
        if plan is None or plan.run is not None:
            return None
        due = [d for d in (plan.start_at, plan.incremental_due, plan.full_due) if d is not None]
        return min(due) if due else None

    # -- processing events in order ------------------------------------------------------
    def _process(self, sync: Sync, until: datetime) -> None:
        plan = sync.plan
        while True:
            run = plan.run
            first = plan.start_at if run is None else run.next_at
            rank = 0
            for candidate, candidate_rank in ((plan.full_due, 1), (plan.incremental_due, 2)):
                if candidate is not None and (first is None or candidate < first):
                    first, rank = candidate, candidate_rank
            if first is None or first > until:
                return
            if rank == 0:
                if run is None:
                    self._start_waiting(sync, first)
                elif run.finishing:
                    self._finish(sync, run, first)
                else:
                    self._step(sync, run, first)
            elif rank == 1:
                plan.full_due = first + self.full_interval
                if sync.status == Status.ACTIVE:
                    plan.pending_full = True
                else:
                    self._begin(sync, FULL, first)
            else:
                if not self._skip_incrementals(sync, until):
                    plan.incremental_due = first + self._frequency(sync)
                    self._begin(sync, INCREMENTAL, first)
                continue  # what follows is about full runs
            started = plan.run
            if started is not None and started.computed and started.kind == FULL and started.started == first:
                self._skip_cycles(sync, first, until)  # a full run that changes nothing began just now

    def _start_waiting(self, sync: Sync, at: datetime) -> None:
        plan = sync.plan
        kind, how = plan.start_kind, plan.start_how
        plan.start_at = None
        if how == RESUME:
            sync.start_run(at)
            self._run(sync, kind, at)
        else:
            self._begin(sync, kind, at)

    def _begin(self, sync: Sync, kind: str, at: datetime) -> None:
        if sync.status not in (Status.INITIALIZING, Status.IDLE):
            return  # disabled, errored, backing off or busy: skip this cycle
        sync.start_run(at)
        self._run(sync, kind, at)

    def _run(self, sync: Sync, kind: str, at: datetime) -> None:
        plan = sync.plan
        self.monitor.run_started(sync, kind, at)
        fault = self.faults(sync).take_run_fault(sync.id)
        if fault is not None:
            plan.cycle = None
            self._meet(sync, kind, fault, at)
            return
        if self._without_effect(sync, kind):
            length = self.run_time if kind == INCREMENTAL else self._full_length(sync)
            plan.run = Run(kind, at, at + length, computed=True, finishing=True)
            return
        plan.cycle = None
        self.work.begin(sync, kind)
        plan.run = Run(kind, at, at + self.run_time, computed=False)

    def _step(self, sync: Sync, run: Run, at: datetime) -> None:
        step = self.work.step(sync, run.kind, at)
        run.next_at = at + timedelta(seconds=step.seconds)
        if step.done:
            run.finishing = True
            run.records_seen = step.records_seen

    def _finish(self, sync: Sync, run: Run, at: datetime) -> None:
        plan = sync.plan
        plan.run = None
        sync.finish_run(at, full=run.kind == FULL, kind=run.kind)
        self.monitor.run_finished(sync, run.kind, at, None if run.computed else run.records_seen)
        if run.kind == INITIAL:
            sync.initial_complete = True
            self.events.emit(SyncComplete(sync.pipeline, at, run.records_seen), at, sync)
            self._schedule(sync, at)
        if sync.announce_runs:
            for listener in self.finish_listeners:
                listener(sync, run.kind, run.started, at)
        if plan.pending_full:
            plan.pending_full = False
            self._begin(sync, FULL, at)

    def _meet(self, sync: Sync, kind: str, fault: SyncFault, at: datetime) -> None:
        """What a run does when upstream fails it: back off and retry, or stop ERRORED."""
        behaviour = fault.behaviour
        if behaviour.backs_off:
            sync.back_off(at, fault.backoff_ms)
            plan = sync.plan
            plan.start_at = at + timedelta(milliseconds=fault.backoff_ms)
            plan.start_kind, plan.start_how = kind, RESUME
            self.monitor.run_rate_limited(sync, kind, at, fault.backoff_ms)
            return
        error = behaviour.error(sync, fault)
        self._disarm(sync)
        sync.plan = Plan()
        sync.fail(at, str(error["message"]))  # the error's code goes out with sync_errored
        self.monitor.run_failed(sync, kind, at, error)
        self.events.emit(SyncErrored(**error), at, sync)

    def _schedule(self, sync: Sync, at: datetime) -> None:
        sync.plan.incremental_due = at + self._frequency(sync)
        sync.plan.full_due = at + self.full_interval

    def _frequency(self, sync: Sync) -> timedelta:
        if sync.interval_seconds is not None:
            return timedelta(seconds=sync.interval_seconds)
        return timedelta(seconds=FREQUENCY_SECONDS[sync.frequency or self.timing.default_frequency])

    # -- runs without effect -------------------------------------------------------------
    def _without_effect(self, sync: Sync, kind: str) -> bool:
        if kind == INITIAL or self.faults(sync).any_for(sync.id) or self.work.unread_changes(sync):
            return False
        return kind == INCREMENTAL or not sync.needs_full

    def _full_length(self, sync: Sync) -> timedelta:
        """The time an executed full run takes: its steps read `batch` items each, then the rest."""
        per_record = self.work.seconds_per_record
        whole, rest = divmod(self.work.item_count(sync), self.work.batch)
        return self.run_time + whole * timedelta(seconds=self.work.batch * per_record) + timedelta(seconds=rest * per_record)

    def _skip_incrementals(self, sync: Sync, until: datetime) -> bool:
        """Skip every computed incremental run that ends by `until` and before the next full sync."""
        plan = sync.plan
        due, full_due = plan.incremental_due, plan.full_due
        if (
            plan.run is not None or plan.pending_full or plan.start_at is not None or full_due is None
            or sync.status != Status.IDLE or not self._without_effect(sync, INCREMENTAL)
        ):
            return False
        assert due is not None
        frequency = self._frequency(sync)
        # Runs start every `period`: the first incremental due at or after the end of the last one.
        period = frequency * max(1, -(-self.run_time // frequency))
        limit = min(until, full_due)
        if due + self.run_time > limit or due >= full_due:
            return False
        runs = min((limit - due - self.run_time) // period + 1, (full_due - due - _TICK) // period + 1)
        end = due + (runs - 1) * period + self.run_time
        sync.start_run(end - self.run_time)
        sync.finish_run(end, full=False)
        plan.incremental_due = due + runs * period
        self.monitor.runs_skipped(sync, INCREMENTAL, runs, due, end)
        return True

    def _skip_cycles(self, sync: Sync, start: datetime, until: datetime) -> None:
        """At a computed full start: when the last cycle was one like this, skip every whole cycle up to `until`.

        Nothing changed in the last cycle (every run in it was computed), so the next ones are it
        again, moved by the full interval."""
        plan = sync.plan
        run = plan.run
        assert run is not None and plan.full_due is not None and plan.incremental_due is not None
        shape = (plan.incremental_due - start, plan.full_due - start, run.next_at - start, sync.frequency, sync.interval_seconds)
        previous = plan.cycle
        plan.cycle = (start, shape)
        if previous is None or previous[1] != shape or start - previous[0] != self.full_interval:
            return
        cycles = (until - start) // self.full_interval
        if cycles < 1:
            return
        shift = cycles * self.full_interval
        run.started += shift
        run.next_at += shift
        plan.incremental_due += shift
        plan.full_due += shift
        plan.cycle = (start + shift, shape)
        self.monitor.runs_skipped(sync, CYCLE, cycles, start, start + shift)
        sync.updated_at += shift
        if sync.last_synced_at is not None:
            sync.last_synced_at += shift
        if sync.last_full_synced_at is not None:
            sync.last_full_synced_at += shift

    def _replay(self, sync: Sync, run: Run, until: datetime) -> None:
        """Make a computed run real: begin it and replay its steps due by `until` (they change nothing)."""
        self.work.begin(sync, run.kind)
        run.computed, run.finishing = False, False
        run.next_at = run.started + self.run_time
        while run.next_at <= until and not run.finishing:
            self._step(sync, run, run.next_at)

    # -- the one timer of each sync ------------------------------------------------------
    def _wake_due(self, sync: Sync) -> datetime | None:
        """The earliest instant the sync may emit an event or meet a fault (a little early is harmless)."""
        plan = sync.plan
        if plan.start_at is not None:
            return plan.start_at
        run = plan.run
        # The end of a run is quiet (but the initial run's, which emits sync_complete, and any run's
        # of a sync that announces its runs): like a computed run's, it is brought about by
        # whatever comes next.
        if run is not None and not run.computed and not (run.finishing and run.kind != INITIAL and not sync.announce_runs):
            return run.next_at
        if plan.full_due is None and run is None:
            return None
        faults = self.faults(sync).any_for(sync.id)
        changes = faults or self.work.unread_changes(sync)
        if not changes and not sync.needs_full:
            return None
        candidates = [plan.full_due]
        if changes:
            candidates.append(plan.incremental_due)
        if run is not None:
            candidates.append(run.next_at)
        first = min(c for c in candidates if c is not None)
        # Without a fault a run starts quietly: its first step, a run time later, is the first that reads.
        return first if faults else first + self.run_time

    def _rearm(self, sync: Sync) -> None:
        plan = sync.plan
        due = self._wake_due(sync)
        current = plan.wake
        if current is not None and not current.cancelled:
            if due is not None and current.due == due:
                return
            self.clock.cancel(current)
        plan.wake = None if due is None else self.clock.schedule(
            due, lambda at, s=sync: self._wake(s, at), owner=(sync.id, "wake"), order=(sync.ordinal,)
        )

    def _disarm(self, sync: Sync) -> None:
        if sync.plan.wake is not None:
            self.clock.cancel(sync.plan.wake)
            sync.plan.wake = None

    def _wake(self, sync: Sync, at: datetime) -> None:
        sync.plan.wake = None
        self._process(sync, at)
        self._rearm(sync)
