"""Waiting for a server to get somewhere, on its clock when it has a control plane.

Against the emulator each poll moves its emulated clock forward a step, so a minute of sync
schedule passes in a few requests; against the real service the suite polls in real time, up to
PARAGON_CONTRACT_SYNC_TIMEOUT seconds.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable, TypeVar

from .control import ControlPlane

T = TypeVar("T")

CLOCK_STEP_SECONDS = 5.0  # emulated seconds per poll: small enough to see each status on the way


class WaitTimeout(AssertionError):
    pass


@dataclass
class Waiter:
    control: ControlPlane | None
    timeout: float
    poll_interval: float

    def until(self, probe: Callable[[], T | None], what: str, step: float = CLOCK_STEP_SECONDS) -> T:
        """Call `probe` until it returns something truthy; fail after the timeout saying `what`."""
        deadline = time.monotonic() + self.timeout
        while True:
            last = probe()
            if last:
                return last
            if time.monotonic() > deadline:
                raise WaitTimeout(f"timed out after {self.timeout:.0f} s waiting for {what}")
            if self.control is not None:
                self.control.advance(step)
            else:
                time.sleep(self.poll_interval)
