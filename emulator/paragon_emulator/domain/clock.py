"""The virtual clock and the scheduler every timer runs on.

Emulated time comes only from here. In "real" and "accelerated" modes it follows the
monotonic clock (times a rate); in "manual" mode it moves only when advanced, and an
advance runs every timer that falls due, in due order, with the clock set to each
timer's due time while it runs. Timers due at the same instant run in the order their
`order` keys give (the engine passes the sync's ordinal), then in the order they were made.

`settled` is the instant up to which every due timer has run: what a reader may take as
"now" for anything timers change. An advance may run in slices (`run_until` with a budget),
each ending between two instants, never inside one.
"""

from __future__ import annotations

import heapq
import itertools
import re
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from .errors import InvalidInput

MODES = ("real", "accelerated", "manual")
MAX_JUMP_SECONDS = 100 * 365 * 86400  # a century: beyond it datetime arithmetic overflows soon
MAX_RATE = 1_000_000
_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)(ms|s|m|h|d)")
_UNIT_SECONDS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400}


_UNIX_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_MICROSECOND = timedelta(microseconds=1)


def to_micros(at: datetime) -> int:
    """The instant as microseconds since 1970 (UTC): how the compact stores keep one in an array."""
    return (at - _UNIX_EPOCH) // _MICROSECOND


def from_micros(micros: int) -> datetime:
    return _UNIX_EPOCH + micros * _MICROSECOND


def iso(value: datetime) -> str:
    """2025-07-07T19:00:00.000Z, the form of the real service's timestamps."""
    return value.astimezone(timezone.utc).replace(tzinfo=None).isoformat(timespec="milliseconds") + "Z"


def parse_duration(text: str) -> float:
    """'1h30m' -> 5400.0 seconds."""
    parts = _DURATION_PART.findall(text)
    if not parts or "".join(n + u for n, u in parts) != text:
        raise InvalidInput("duration", f"'{text}' is not a duration like 90s, 5m or 1h30m")
    return sum(float(n) * _UNIT_SECONDS[u] for n, u in parts)


@dataclass(eq=False)
class Timer:
    due: datetime
    order: tuple
    seq: int
    callback: Callable[[datetime], None] = field(compare=False)
    owner: Hashable = field(compare=False, default=None)
    cancelled: bool = field(compare=False, default=False)


class Clock:
    def __init__(self, mode: str = "real", rate: float = 1.0, start: datetime | None = None):
        self.check(mode, rate)
        self._mode = mode
        self._rate = rate if mode == "accelerated" else 1.0
        self._anchor_emulated = start or datetime.now(timezone.utc)
        self._anchor_real = time.monotonic()
        self._settled = self._anchor_emulated
        # Heap entries are (due, order, seq, timer) tuples: compared in C, not by a dataclass __lt__.
        self._timers: list[tuple[datetime, tuple, int, Timer]] = []
        self._by_owner: dict[Hashable, list[Timer]] = {}
        self._dead = 0  # cancelled timers still in the heap
        self._seq = itertools.count()

    @staticmethod
    def check(mode: str, rate: float) -> None:
        if mode not in MODES:
            raise InvalidInput("mode", f"clock mode must be one of {', '.join(MODES)}, not '{mode}'")
        if not 0 < rate <= MAX_RATE:
            raise InvalidInput("rate", f"clock rate must be greater than 0 and at most {MAX_RATE}, not {rate}")

    # -- reading -------------------------------------------------------------------------
    @property
    def mode(self) -> str:
        return self._mode

    @property
    def rate(self) -> float:
        return self._rate

    def now(self) -> datetime:
        if self._mode == "manual":
            return self._anchor_emulated
        elapsed = (time.monotonic() - self._anchor_real) * self._rate
        return self._anchor_emulated + timedelta(seconds=elapsed)

    @property
    def settled(self) -> datetime:
        return self._settled

    @property
    def behind_seconds(self) -> float:
        """How far the timers lag the clock (accelerated faster than they can run)."""
        if self._mode == "manual":
            return 0.0
        return max(0.0, (self.now() - self._settled).total_seconds())

    # -- changing ------------------------------------------------------------------------
    def _reanchor(self, emulated: datetime) -> None:
        self._anchor_emulated = emulated
        self._anchor_real = time.monotonic()

    def set_mode(self, mode: str | None = None, rate: float | None = None) -> None:
        mode = mode or self._mode
        rate = rate if rate is not None else (self._rate if mode == "accelerated" else 1.0)
        self.check(mode, rate)
        # Timers still due stay due: a manual clock does not jump ahead of what has run.
        self._reanchor(self._settled if mode == "manual" and self._mode != "manual" else self.now())
        self._mode = mode
        self._rate = rate if mode == "accelerated" else 1.0

    def target_of(self, when: datetime) -> datetime:
        """Check a jump to `when` and give the instant to run the timers up to."""
        if when.tzinfo is None:
            when = when.replace(tzinfo=timezone.utc)
        now = self.now()
        if when < now:
            raise InvalidInput("now", f"the clock only moves forward: {when.isoformat()} is before {now.isoformat()}")
        if (when - now).total_seconds() > MAX_JUMP_SECONDS:
            raise InvalidInput("now", f"the clock moves at most a century at a time; {when.isoformat()} is further")
        return when

    def target_after(self, seconds: float) -> datetime:
        if not 0 <= seconds <= MAX_JUMP_SECONDS:
            raise InvalidInput("seconds", f"can advance by 0 to {MAX_JUMP_SECONDS} seconds (a century), not {seconds}")
        return self.now() + timedelta(seconds=seconds)

    def run_due(self, budget: float | None = None) -> int:
        """Run the timers that real (or accelerated) time has made due (for at most `budget` real seconds)."""
        return self.run_until(self.now(), move_clock=False, budget=budget)[0]

    def run_until(self, target: datetime, move_clock: bool = True, budget: float | None = None) -> tuple[int, bool]:
        """Run the timers due up to `target`; with a budget, stop early between two instants.

        Returns (timers run, whether `target` was reached)."""
        ran = 0
        deadline = None if budget is None else time.monotonic() + budget
        timers = self._timers
        while timers and timers[0][0] <= target:
            entry = heapq.heappop(timers)
            timer = entry[3]
            if timer.cancelled:
                self._dead -= 1
                continue
            due = timer.due
            if deadline is not None and due > self._settled and ran and time.monotonic() > deadline:
                heapq.heappush(timers, entry)  # every timer of the last instant has run: stop here
                return ran, False
            self._forget(timer)
            if due > self._settled:
                self._settled = due
            if move_clock and due > self.now():
                self._reanchor(due)
            timer.callback(due)
            ran += 1
        if target > self._settled:
            self._settled = target
        if move_clock and target > self.now():
            self._reanchor(target)
        return ran, True

    # -- scheduling ----------------------------------------------------------------------
    # Timers are indexed by owner so cancelling is cheap; cancelled ones are skipped when
    # popped, and the heap is rebuilt when they outnumber the live ones.
    def schedule(
        self, due: datetime, callback: Callable[[datetime], None], owner: Hashable = None, order: tuple = ()
    ) -> Timer:
        timer = Timer(due, order, next(self._seq), callback, owner)
        heapq.heappush(self._timers, (due, order, timer.seq, timer))
        self._by_owner.setdefault(owner, []).append(timer)
        return timer

    def _forget(self, timer: Timer) -> None:
        siblings = self._by_owner.get(timer.owner)
        if siblings is not None:
            siblings.remove(timer)
            if not siblings:
                del self._by_owner[timer.owner]

    def cancel(self, timer: Timer) -> None:
        if not timer.cancelled:
            timer.cancelled = True
            self._forget(timer)
            self._dead += 1
            self._compact()

    def _compact(self) -> None:
        if self._dead > 64 and self._dead > len(self._timers) // 2:
            self._timers = [e for e in self._timers if not e[3].cancelled]
            heapq.heapify(self._timers)
            self._dead = 0

    def cancel_owner(self, owner: Hashable) -> int:
        timers = self._by_owner.pop(owner, [])
        for timer in timers:
            timer.cancelled = True
        self._dead += len(timers)
        self._compact()
        return len(timers)

    @property
    def pending(self) -> int:
        return len(self._timers) - self._dead

    @property
    def next_due(self) -> datetime | None:
        while self._timers and self._timers[0][3].cancelled:
            heapq.heappop(self._timers)
            self._dead -= 1
        return self._timers[0][0] if self._timers else None
