"""Giving memory back after resets: what a long-running server (a soak, a CI service) needs.

A reset drops its containers, but CPython keeps the freed memory in its own pools and glibc keeps
what the pools return: after many resets the process only grows. A cyclic collection frees what
cycles held, and malloc_trim hands free pages back to the system. Both cost tens to hundreds of
milliseconds on a large heap, so they run only when the resident size has grown past a margin
since they last ran (and once, at the first reset, to set that mark): a test fixture that resets
small states before every test almost never pays for them.
"""

from __future__ import annotations

import gc
import os
from functools import lru_cache

GROWTH_MIB = 6.0  # resident growth since the last release that makes a reset release again


@lru_cache(maxsize=1)
def _malloc_trim():
    import ctypes  # here: only a reset that released memory needs it, not start-up
    import ctypes.util

    name = ctypes.util.find_library("c")
    try:
        return getattr(ctypes.CDLL(name), "malloc_trim", None) if name else None
    except OSError:
        return None


def resident_mib() -> float | None:
    """The process's resident size (Linux); None where /proc is not there."""
    try:
        with open("/proc/self/statm", "rb") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except (OSError, ValueError, IndexError):
        return None


def release() -> None:
    gc.collect()
    trim = _malloc_trim()
    if trim is not None:  # glibc only; elsewhere the collection alone
        trim(0)


class Releaser:
    def __init__(self, growth_mib: float = GROWTH_MIB):
        self.growth_mib = growth_mib
        self.mark: float | None = None  # resident size after the last release

    def after_reset(self) -> bool:
        """Release if the process grew past the margin since the last release; whether it did."""
        size = resident_mib()
        if size is None or (self.mark is not None and size <= self.mark + self.growth_mib):
            return False
        release()
        self.mark = resident_mib()
        return True
