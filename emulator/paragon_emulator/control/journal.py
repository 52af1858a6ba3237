"""The journal: every change made to the emulator since it started (or was last reset whole), with
the emulated instant it was made at. A snapshot keeps it, and a restore makes the same changes
at the same instants again: the engine is deterministic for a seed, so the state that results is
the state that was, however the record store or the engine keep it inside.

Only outermost changes are written (a scenario's enables, not the scenario; `clear_faults`, not
the `clear_sync_faults` it calls), and only changes that succeeded: a refused one changed nothing.
"""

from __future__ import annotations

import contextlib
import copy
import functools
import inspect
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Callable, Iterator, TypeVar

if TYPE_CHECKING:
    from .base import Core

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class Entry:
    at: datetime
    op: str
    args: dict[str, Any]


class Journal:
    def __init__(self, origin: datetime):
        self.origin = origin  # the emulated instant the fresh state (with its start-up scenario) was made at
        self.entries: list[Entry] = []
        self._depth = 0
        self._paused = 0

    @contextlib.contextmanager
    def change(self, at: Callable[[], datetime], op: str, args: dict[str, Any]) -> Iterator[None]:
        """Around one change: written once it succeeds, unless it is part of a larger one."""
        outermost = self._depth == 0 and not self._paused
        when = at()
        kept = copy.deepcopy(args) if outermost else args  # as given: the operation or its caller may change theirs
        self._depth += 1
        try:
            yield
        finally:
            self._depth -= 1
        if outermost:
            self.entries.append(Entry(when, op, kept))

    @contextlib.contextmanager
    def paused(self) -> Iterator[None]:
        """Changes that a fresh emulator makes by itself (its start-up scenario) are not written."""
        self._paused += 1
        try:
            yield
        finally:
            self._paused -= 1


def named_arguments(signature: inspect.Signature, args: tuple, kwargs: dict[str, Any]) -> dict[str, Any]:
    """A method call's arguments by name, without `self` (**options spread out): how a change is
    written, so that making it again is `method(**named)`."""
    bound = signature.bind(*args, **kwargs)
    named: dict[str, Any] = {}
    for name, value in list(bound.arguments.items())[1:]:
        if signature.parameters[name].kind is inspect.Parameter.VAR_KEYWORD:
            named.update(value)
        else:
            named[name] = value
    return named


def recorded(method: F) -> F:
    """A control operation that changes state: written to the journal with its arguments, by name.
    Put it under `@operation`, so the instant written is the one the change happened at."""
    signature = inspect.signature(method)

    @functools.wraps(method)
    def write(self: "Core", *args: Any, **kwargs: Any) -> Any:
        named = named_arguments(signature, (self, *args), kwargs)
        with self.journal.change(self.clock.now, method.__name__, named):
            return method(self, *args, **kwargs)

    return write  # type: ignore[return-value]
