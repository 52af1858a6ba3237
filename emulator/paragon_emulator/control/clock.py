"""Clock operations: read it, set its mode or reading, advance it (in slices, never wedging)."""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

from ..domain.clock import parse_duration
from ..domain.errors import InvalidInput, Stopping
from .base import SLICE_PAUSE, SLICE_SECONDS, Core, operation


class ClockControl(Core):
    @operation
    def clock_state(self) -> dict[str, Any]:
        state: dict[str, Any] = {
            "mode": self.clock.mode,
            "rate": self.clock.rate,
            "now": self.clock.now(),
            "pendingTimers": self.clock.pending,
            "settled": self.clock.settled,
            "behindSeconds": round(self.clock.behind_seconds, 3),
        }
        if self.clock.next_due is not None:
            state["nextTimerAt"] = self.clock.next_due
        return state

    def advance(self, seconds: float | None = None, duration: str | None = None) -> int:
        """Move emulated time forward, running every timer that falls due, in order."""
        return self._run_to(self._advance_target(seconds, duration))

    def start_advance(self, seconds: float | None = None, duration: str | None = None) -> tuple[int, datetime | None]:
        """One slice of an advance, for a caller that must not block longer: (timers run, the
        target when more is due, to finish with `finish_advance` elsewhere). Most advances end here."""
        target = self._advance_target(seconds, duration)
        ran, done = self.locked(lambda: self.clock.run_until(target, budget=SLICE_SECONDS))
        return ran, None if done else target

    def finish_advance(self, target: datetime) -> int:
        return self._run_to(target)

    def _advance_target(self, seconds: float | None, duration: str | None) -> datetime:
        if (seconds is None) == (duration is None):
            raise InvalidInput("seconds", "give exactly one of seconds or duration")
        amount = parse_duration(duration) if duration is not None else float(seconds)  # type: ignore[arg-type]
        return self.locked(lambda: self.clock.target_after(amount))

    def set_clock(self, mode: str | None = None, rate: float | None = None, now: datetime | None = None) -> int:
        def check() -> datetime | None:
            if rate is not None and (mode or self.clock.mode) != "accelerated":
                raise InvalidInput("rate", "a rate applies only to the accelerated mode")
            if mode is not None or rate is not None:
                self.clock.check(mode or self.clock.mode, rate if rate is not None else self.clock.rate)
            return self.clock.target_of(now) if now is not None else None

        target = self.locked(check)
        ran = self._run_to(target) if target is not None else 0
        if mode is not None or rate is not None:
            self.locked(lambda: self.clock.set_mode(mode, rate))
        return ran

    def _run_to(self, target: datetime) -> int:
        """Run every timer due up to `target` in slices, letting other callers take the lock in between.

        A request that reads or changes state during a long advance sees the clock where the
        advance has got to. `stop()` (SIGTERM) ends the advance between two slices."""
        ran = 0
        while True:
            if self.stopping.is_set():
                raise Stopping("the emulator is shutting down; the advance stopped at " + self.clock.now().isoformat())
            count, done = self.locked(lambda: self.clock.run_until(target, budget=SLICE_SECONDS))
            ran += count
            if done:
                return ran
            time.sleep(SLICE_PAUSE)  # a waiting request takes the lock now

    def tick(self) -> float:
        """Run what real (or accelerated) time made due, for one slice at most, and say how many
        real seconds until the next timer falls due (at most 0.25). A clock that runs faster
        than its timers falls behind (`behindSeconds` in its state) and never wedges."""

        def slice_() -> float:
            if self.clock.mode == "manual":
                return 0.25
            self.clock.run_due(budget=SLICE_SECONDS)
            due, now, rate = self.clock.next_due, self.clock.now(), self.clock.rate
            if due is None:
                return 0.25
            # Behind (due already): a short pause lets requests in between slices of the backlog.
            return min(max((due - now).total_seconds() / rate, 0.002), 0.25)

        return self.locked(slice_)

    def stop(self) -> None:
        """The process is going away: long operations end at their next slice."""
        self.stopping.set()
