"""What the domain tells whoever watches it: sync transitions and runs (start, end, back-off, failure).

The engine and the sync's one status move call a `Monitor`; this base one does nothing, so the
domain carries no logging. `observe/` implements it once, and both the Monitoring-style event log
and the log lines are made from what it hears.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any


class Monitor:
    def transition(self, sync: Any, before: str, after: str, at: datetime) -> None:
        """The sync's status moved (through `Sync._move`, the one place it does)."""

    def run_started(self, sync: Any, kind: str, at: datetime) -> None:
        """A run began (a resumed one after a back-off is the same run)."""

    def run_finished(self, sync: Any, kind: str, at: datetime, records_seen: int | None) -> None:
        """A run ended IDLE; `records_seen` is None for a run that changed nothing (it read nothing)."""

    def run_rate_limited(self, sync: Any, kind: str, at: datetime, backoff_ms: int) -> None:
        """The run met a rate limit upstream and waits `backoff_ms` before it carries on."""

    def run_failed(self, sync: Any, kind: str, at: datetime, error: dict[str, Any]) -> None:
        """The run met an error upstream and the sync stopped ERRORED."""

    def removed(self, sync: Any) -> None:
        """The sync was deleted or its tenant reset: a run it had in progress will never end."""

    def runs_skipped(self, sync: Any, kind: str, runs: int, first: datetime, last_end: datetime) -> None:
        """`runs` runs that changed nothing, computed at once rather than one by one (engine.py)."""
